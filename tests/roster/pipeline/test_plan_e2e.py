"""`roster plan` end to end on the example city, including both DST weeks."""

import hashlib
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cities import ROOT
from roster.cli import app

runner = CliRunner()

ROSTER_COLS = "staff_id,name,role,district,date,shift,start,end,paid_hours,overtime_hours,cost"
COVERAGE_COLS = "district,hour_start,role,required,scheduled,shortfall"
FORECAST_COLS = "district,hour_start,mean,p10,p50,p90"

# `roster plan` on the example week (2026-11-02), recorded before the restructuring of roster/
# and unchanged by it (the overtime fix changes multi-week plans only).
EXAMPLE_ROSTER_MD5 = "91f7e812c6f40a9c80201484e4720c4d"
EXAMPLE_COST_OBJECTIVE_SHIFTS = (182178.0, 184707.8901, 524)


def run_plan(out, week=None):
    args = ["plan", "--config", str(ROOT / "roster.toml"), "--out", str(out), "--quiet"]
    if week:
        args += ["--week", week]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result


def header(path):
    return path.read_text().splitlines()[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "week,hours,sunday_hours",
    [("2026-11-02", 168, 24), ("2026-03-02", 167, 23), ("2026-10-26", 169, 25)],
    ids=["default-week", "spring-forward", "fall-back"],
)
def test_plan_writes_the_four_files_and_passes_check(tmp_path, week, hours, sunday_hours):
    out = tmp_path / "out"
    result = run_plan(out, None if week == "2026-11-02" else week)
    assert "SHORTFALL" in result.output or "shortfall:  none" in result.output
    assert header(out / "roster.csv") == ROSTER_COLS
    assert header(out / "coverage.csv") == COVERAGE_COLS
    assert header(out / "forecast.csv") == FORECAST_COLS
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "solver", "objective", "bound", "gap", "solve_seconds", "total_cost", "regular_cost",
                "overtime_cost", "shortfall_hours", "staff_used"):
        assert key in summary
    assert summary["status"] == "optimal" or summary["gap"] <= 0.01
    assert summary["hours_in_week"] == hours
    assert set(summary["shortfall_hours"]) == {"total", "by_district", "by_role"}

    fc = pd.read_csv(out / "forecast.csv")
    assert fc.groupby("district").size().eq(hours).all()
    per_day = fc[fc["district"] == "Downtown"]["hour_start"].str[:10].value_counts().sort_index()
    assert per_day.iloc[-1] == sunday_hours and (per_day.iloc[:-1] == 24).all()
    # every timestamp carries its UTC offset
    assert fc["hour_start"].str.match(r".*[+-]\d\d:\d\d$").all()

    cov = pd.read_csv(out / "coverage.csv")
    assert len(cov) == hours * 6 * 2
    assert (cov["shortfall"] == (cov["required"] - cov["scheduled"]).clip(lower=0)).all()
    assert summary["shortfall_hours"]["total"] == cov["shortfall"].sum()

    roster = pd.read_csv(out / "roster.csv")
    assert roster["start"].str.match(r".*[+-]\d\d:\d\d$").all()
    assert roster["cost"].sum() == pytest.approx(summary["total_cost"], abs=0.05)

    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(ROOT / "roster.toml")])
    assert check.exit_code == 0, check.output
    assert "No hard-rule violations" in check.output

    if week == "2026-11-02":
        # The example week's recorded fingerprint: a change that moves the roster or its cost shows here.
        assert hashlib.md5((out / "roster.csv").read_bytes()).hexdigest() == EXAMPLE_ROSTER_MD5
        assert (summary["total_cost"], summary["objective"], summary["shifts"]) == EXAMPLE_COST_OBJECTIVE_SHIFTS
        sim = runner.invoke(app, ["simulate", "--roster", str(out / "roster.csv"), "--config", str(ROOT / "roster.toml"),
                                  "--replications", "20", "--out", str(tmp_path / "sim")])
        assert sim.exit_code == 0, sim.output
        table = pd.read_csv(tmp_path / "sim" / "simulation-roster.csv")
        assert list(table["district"]) == sorted(set(cov["district"]), key=list(summary["shortfall_hours"]["by_district"]).index) + ["ALL"]
        assert table["share_within_target"].between(0, 1).all()

    if week == "2026-10-26":
        # 23:00 Saturday to 07:00 Sunday across the fall-back change is 9 real hours
        sat_night = roster[(roster["date"] == "2026-10-31") & (roster["shift"] == "night")]
        assert not sat_night.empty and (sat_night["paid_hours"] == 9).all()
    if week == "2026-03-02":
        # ... and across the spring-forward change, 7
        sat_night = roster[(roster["date"] == "2026-03-07") & (roster["shift"] == "night")]
        assert not sat_night.empty and (sat_night["paid_hours"] == 7).all()


def test_pseudonyms_are_keyed_and_stable(tmp_path, monkeypatch):
    from roster.config import load_config
    from roster.pipeline import pseudonyms

    ids = pd.Series(["S001", "S002", "S001"])
    key, other = b"k" * 32, b"j" * 32
    p = pseudonyms(ids, key)
    assert p[0] == p[2] != p[1] and p[0].startswith("Person ")
    assert pseudonyms(ids, other)[0] != p[0]  # another city's key gives other pseudonyms
    assert p[0] != "Person " + hashlib.sha256(b"S001").hexdigest()[:12]  # not the unkeyed hash anyone can recompute
    toml = (ROOT / "roster.toml").read_text().replace('calls = "examples/', f'calls = "{ROOT}/examples/')
    toml = toml.replace('staff = "examples/', f'staff = "{ROOT}/examples/').replace('time_off = "examples/', f'time_off = "{ROOT}/examples/')
    toml = toml.replace('requests = "examples/', f'requests = "{ROOT}/examples/')
    (tmp_path / "roster.toml").write_text(toml + '\n[privacy]\npseudonym_key_env = "TEST_ROSTER_KEY"\n')
    monkeypatch.delenv("TEST_ROSTER_KEY", raising=False)
    result = runner.invoke(app, ["plan", "--config", str(tmp_path / "roster.toml"), "--out", str(tmp_path / "out"),
                                 "--pseudonymise", "--quiet"])
    assert result.exit_code == 2 and "TEST_ROSTER_KEY" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("TEST_ROSTER_KEY", "short")
    from roster.errors import InputError
    from roster.io.pseudonyms import pseudonym_key

    with pytest.raises(InputError, match="at least 16"):
        pseudonym_key(load_config(tmp_path / "roster.toml"))


def test_plan_without_a_pseudonym_key_refuses(tmp_path):
    result = runner.invoke(app, ["plan", "--config", str(ROOT / "roster.toml"), "--out", str(tmp_path / "out"),
                                 "--pseudonymise", "--quiet"])
    assert result.exit_code == 2 and "privacy.pseudonym_key_env" in result.output
    assert not (tmp_path / "out").exists()


def test_erlang_json():
    result = runner.invoke(app, ["erlang", "--rate", "2.5", "--busy-minutes", "75", "--target-minutes", "60",
                                 "--target-share", "0.9", "--shrinkage", "0.1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"teams", "service_level", "wait_probability", "occupancy", "staff_with_shrinkage"}
    assert data["service_level"] >= 0.9 and data["staff_with_shrinkage"] >= data["teams"]


def test_erlang_bad_share_is_input_error():
    result = runner.invoke(app, ["erlang", "--rate", "2", "--busy-minutes", "75", "--target-minutes", "60",
                                 "--target-share", "1.5"])
    assert result.exit_code == 2 and "Traceback" not in result.output
