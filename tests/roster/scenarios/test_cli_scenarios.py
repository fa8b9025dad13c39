"""`roster scenarios` and `roster frontier` on a small city: outputs, a broken scenario, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from roster.cli import app
from roster.scenarios.run import SCENARIO_COLUMNS
from scenario_city import write_city

runner = CliRunner()

GOOD = """
- name: wage_rise_4pct
  set: {roles.clinician.hourly_rate: "+4%"}
- name: more_peers
  staff: {add: [{count: 3, role: peer_supporter, district: North}]}
"""
BROKEN = """
- name: impossible_cap
  budget_cap: 500
- name: flood
  demand: [{factor: 5000}]
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return write_city(tmp_path_factory.mktemp("city"))


def scenarios(city, text, out, *extra):
    f = city.parent / f"s{abs(hash(text))}.yaml"
    f.write_text(text)
    return runner.invoke(app, ["scenarios", str(f), "--config", str(city), "--out", str(out), "--quiet", *extra])


def test_outputs_and_a_broken_scenario_leaves_the_others_intact(city, tmp_path):
    good = scenarios(city, GOOD, tmp_path / "good")
    assert good.exit_code == 0, good.output
    mixed = scenarios(city, BROKEN.replace("- name: flood", GOOD.strip() + "\n- name: flood"), tmp_path / "mixed")
    assert mixed.exit_code == 0, mixed.output
    a = pd.read_csv(tmp_path / "good" / "scenarios.csv")
    b = pd.read_csv(tmp_path / "mixed" / "scenarios.csv")
    assert list(a.columns) == SCENARIO_COLUMNS
    assert list(b["scenario"]) == ["baseline", "impossible_cap", "wage_rise_4pct", "more_peers", "flood"]
    assert list(b["status"]) == ["optimal", "infeasible", "optimal", "optimal", "failed"]
    pd.testing.assert_frame_equal(a, b[b["scenario"].isin(a["scenario"])].reset_index(drop=True), check_dtype=False)
    assert b.loc[b["scenario"] == "flood", "total_cost"].isna().all()
    summary = json.loads((tmp_path / "mixed" / "scenarios.json").read_text())
    cap = next(s for s in summary["scenarios"] if s["scenario"] == "impossible_cap")
    assert "the cheapest lawful roster costs" in cap["message"]
    assert "cheapest lawful roster" in (tmp_path / "mixed" / "impossible_cap" / "diagnosis.txt").read_text()
    assert (tmp_path / "mixed" / "more_peers" / "roster.csv").is_file()
    assert "cheapest lawful roster costs" in mixed.output
    d = pd.read_csv(tmp_path / "good" / "scenario_districts.csv")
    assert set(d["district"]) == {"North", "South"} and len(d) == 6
    h = pd.read_csv(tmp_path / "good" / "headcount.csv")
    assert list(h.columns) == ["scenario", "role", "people_needed", "people_available", "gap", "required_hours",
                               "supervision_hours", "reason"]
    assert (h["gap"] == h["people_needed"] - h["people_available"]).all()
    base = json.loads((tmp_path / "good" / "baseline" / "summary.json").read_text())
    assert summary["scenarios"][0]["annual_cost"] == pytest.approx(base["total_cost"] * 52, abs=0.05)
    assert "wage_rise_4pct" in good.output and "cost/week" in good.output


@pytest.mark.parametrize("text,match", [
    ("- name: a\n  set: {x: [1\n", "is not valid YAML at line"),
    ("- name: a\n  sett: {}\n", "scenario 'a': sett: unknown key"),
    ('- name: a\n  set: {city.name: "+4%"}\n', "relative change"),
    ("- name: a\n  staff: {remove: [{count: 9, role: clinician, district: North}]}\n", "but only 4 remain"),
    ("- name: a\n  demand: [{factor: -1}]\n", "above zero"),
    ("- name: a\n  demand: [{district: Mars, factor: 2}]\n", "Mars"),
    ("- name: a\n  staff: {add: [{count: 1, role: nurse, district: North}]}\n", "nurse"),
])
def test_bad_input_exits_2_and_writes_nothing(city, tmp_path, text, match):
    res = scenarios(city, text, tmp_path / "out")
    assert res.exit_code == 2, res.output
    assert match in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_jobs_exit_2(city, tmp_path):
    res = runner.invoke(app, ["scenarios", str(tmp_path / "none.yaml"), "--config", str(city), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "was not found" in res.output
    res = scenarios(city, GOOD, tmp_path / "o", "--jobs", "0")
    assert res.exit_code == 2 and "--jobs 0" in res.output
    res = scenarios(city, GOOD, tmp_path / "o", "--scheduler", "nowhere")
    assert res.exit_code == 2 and "tcp://HOST:8786" in res.output


def test_frontier_over_given_budgets(city, tmp_path):
    res = runner.invoke(app, ["frontier", "--config", str(city), "--out", str(tmp_path / "f"), "--quiet",
                              "--budgets", "500,22000", "--budgets", "30000", "--time-limit", "10"])
    assert res.exit_code == 0, res.output
    f = pd.read_csv(tmp_path / "f" / "frontier.csv")
    assert list(f["budget_cap"]) == [500, 22000, 30000]
    assert f.loc[0, "status"] == "infeasible" and "cheapest lawful roster" in f.loc[0, "note"]
    ok = f[f["status"] != "infeasible"]
    assert (ok["total_cost"] <= ok["budget_cap"] + 0.01).all()
    assert ok["share_within_target"].is_monotonic_increasing or ok["shortfall_hours"].is_monotonic_decreasing
    assert set(f["sweep"]) == {"budget"} and (f["seed"] == 7).all() and (f["time_limit"] == 10).all()


def test_frontier_bad_input(city, tmp_path):
    res = runner.invoke(app, ["frontier", "--config", str(city), "--budgets", "100", "--targets", "0.8"])
    assert res.exit_code == 2 and "not both" in res.output
    res = runner.invoke(app, ["frontier", "--config", str(city), "--targets", "1.5"])
    assert res.exit_code == 2 and "between 0 and 1" in res.output
    res = runner.invoke(app, ["frontier", "--config", str(city), "--budgets", "lots"])
    assert res.exit_code == 2 and "not a number" in res.output


def test_frontier_over_target_shares_and_the_default_sweep(city, tmp_path):
    res = runner.invoke(app, ["frontier", "--config", str(city), "--out", str(tmp_path / "t"), "--quiet",
                              "--targets", "0.6,0.9"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(tmp_path / "t" / "frontier.csv")
    assert list(t["target_share"]) == [0.6, 0.9] and t["budget_cap"].isna().all() and set(t["sweep"]) == {"target"}
    req = [pd.read_csv(tmp_path / "t" / p / "requirements.csv")["required"].sum() for p in t["point"]]
    assert req[1] >= req[0]
    res = runner.invoke(app, ["frontier", "--config", str(city), "--out", str(tmp_path / "d"), "--quiet", "--time-limit", "3"])
    assert res.exit_code == 0, res.output
    d = pd.read_csv(tmp_path / "d" / "frontier.csv")
    assert len(d) == 8 and d["budget_cap"].is_monotonic_increasing
    ok = d[d["status"].isin(["optimal", "feasible"])]
    assert len(ok) >= 6 and (ok["total_cost"] <= ok["budget_cap"] + 0.01).all()


def test_a_rerun_leaves_no_stale_file_in_a_scenario_folder(city, tmp_path):
    first = scenarios(city, "- name: c\n  budget_cap: 500\n", tmp_path / "o")
    assert first.exit_code == 0, first.output
    assert (tmp_path / "o" / "c" / "diagnosis.txt").is_file()
    again = scenarios(city, '- name: c\n  set: {roles.clinician.hourly_rate: "+1%"}\n', tmp_path / "o")
    assert again.exit_code == 0, again.output
    assert not (tmp_path / "o" / "c" / "diagnosis.txt").exists()
    assert (tmp_path / "o" / "c" / "roster.csv").is_file()
