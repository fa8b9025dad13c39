"""Weeks planned one after another with --previous: each covers the demand of the next week's first hours.

A week planned after last week's roster does not repeat, so the next week's first hours before its
first shift (00:00-07:00 in the example) can only be covered by this week's Sunday night
(``Problem.boundary``).  The plan forecasts those actual hours, asks for their staff in the coverage
rule, and lists them in forecast.csv, requirements.csv, coverage.csv and (when short) shortfalls.csv;
the one-district copy of the example city (tests/period_city.py) solves each week in seconds.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cities import no_leave, person
from constraints import default_rules, prepare_staff
from constraints.problem import Problem
from period_city import write_period_city
from roster.cli import app
from roster.config import load_config
from roster.pipeline import forecast_stage, load_inputs, problem_stage, requirements_stage
from roster.evaluate.shortfall import shortfall_report
from roster.pipeline.stages import coverage_table
from roster.solve.chain import week_problem
from roster.solve.model import candidates
from rule_helpers import MONDAY, cfg_with, check, requirements, solve

runner = CliRunner()
W0, W1, W2 = "2026-11-02", "2026-11-09", "2026-11-16"


def plan(config, out, week, *extra):
    result = runner.invoke(app, ["plan", "--config", str(config), "--out", str(out), "--week", week, "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """W0 (a repeating week), W1 after W0, W2 after W1: three plans of the CLI."""
    root = tmp_path_factory.mktemp("boundary_chain")
    city = write_period_city(root / "city")
    w0 = plan(city, root / "w0", W0)
    w1 = plan(city, root / "w1", W1, "--previous", str(w0 / "roster.csv"))
    w2 = plan(city, root / "w2", W2, "--previous", str(w1 / "roster.csv"))
    return city, w0, w1, w2


def _small_hours(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    """Rows of ``day`` 00:00-07:00 (hour_start as written, with its offset)."""
    text = frame["hour_start"].astype(str)
    return frame[text.str.startswith(day) & (text.str[11:13].astype(int) < 7)]


def test_each_chained_week_covers_the_next_mondays_small_hours(chain):
    _, w0, w1, w2 = chain
    for week, out in ((W1, w1), (W2, w2)):
        first = _small_hours(pd.read_csv(out / "coverage.csv"), week)
        assert len(first) == 7 * first["role"].nunique() and first["required"].sum() > 0
        assert first["shortfall"].sum() == 0, first  # W2's Monday as well as W1's (W1's Sunday night staffed for it)
    # W1 answered for W2's small hours: its coverage.csv has them, staffed, and they are W2's own figures
    mine = _small_hours(pd.read_csv(w1 / "coverage.csv"), W2)
    theirs = _small_hours(pd.read_csv(w2 / "coverage.csv"), W2)
    assert len(mine) == len(theirs) > 0
    assert mine["scheduled"].tolist() == theirs["scheduled"].tolist()
    assert mine["required"].tolist() == theirs["required"].tolist()
    # W0 repeats: it covers its own Monday morning and lists nothing of the next week
    assert pd.read_csv(w0 / "coverage.csv")["hour_start"].max() < W1
    # the report draws W1's week and says what follows it
    assert "7 days, 168 hours, and the next week&#x27;s first 7 hours" in (w1 / "report.html").read_text()
    assert "7 days, 168 hours ·" in (w0 / "report.html").read_text()


def test_boundary_hours_are_forecast_and_staffed_from_the_forecast_of_those_hours(chain):
    _, _, w1, w2 = chain
    for name in ("forecast.csv", "requirements.csv"):
        mine, theirs = _small_hours(pd.read_csv(w1 / name), W2), _small_hours(pd.read_csv(w2 / name), W2)
        assert len(mine) == len(theirs) > 0
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))
    s = json.loads((w1 / "summary.json").read_text())
    assert s["hours_in_week"] == 168 and s["period_end"].startswith(W2)  # the period itself is unchanged
    cov = pd.read_csv(w1 / "coverage.csv")
    assert cov.groupby(["district", "role"]).size().eq(168 + 7).all()
    # summary.json, coverage.csv and the objective's penalty agree, boundary hours included
    assert s["shortfall_hours"]["total"] == cov["shortfall"].sum()
    assert s["required_hours"] == cov["required"].sum()
    cfg = load_config(chain[0])
    assert s["penalties"].get("coverage: uncovered staff-hours", 0) == pytest.approx(
        cfg.objective.shortfall_penalty_per_hour * cov["shortfall"].sum())
    check = runner.invoke(app, ["check", str(w1 / "roster.csv"), "--config", str(chain[0]),
                                "--previous", str(chain[1] / "roster.csv")])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize("week,hours", [("2026-10-26", 169), ("2026-03-02", 167)], ids=["autumn", "spring"])
def test_a_week_ending_on_a_dst_sunday_forecasts_the_next_mondays_first_seven_hours(tmp_path, week, hours):
    cfg = load_config(write_period_city(tmp_path / "city"))
    inputs = load_inputs(cfg, week, weeks=1)
    inputs.previous = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    fc = forecast_stage(inputs.calls, cfg, inputs.monday, boundary=True)
    assert len(fc.table) == hours + 7
    req, _ = requirements_stage(fc.table, inputs)
    p = problem_stage(inputs, req).problem
    nxt = inputs.monday + dt.timedelta(days=7)
    assert len(p.hours) == hours and [ts.hour for ts in p.boundary] == list(range(7))
    assert {ts.date() for ts in p.boundary} == {nxt}
    b = p.boundary_requirements
    assert sorted(b["hour"].unique()) == list(range(7)) and b["required"].sum() > 0
    forecast_req = req[[ts.date() == nxt for ts in req["hour_start"]]]
    assert b["required"].tolist() == forecast_req["required"].tolist()
    assert not p.notes  # forecast, not assumed


def test_a_multi_week_period_has_a_boundary_only_after_its_last_week(tmp_path):
    cfg = load_config(write_period_city(tmp_path / "city"))
    inputs = load_inputs(cfg, "2026-10-05", weeks=2)
    inputs.previous = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    fc = forecast_stage(inputs.calls, cfg, inputs.monday, weeks=2, boundary=True)
    req, _ = requirements_stage(fc.table, inputs)
    p = problem_stage(inputs, req).problem
    assert [ts.date() for ts in p.boundary] == [dt.date(2026, 10, 19)] * 7 and len(p.boundary_requirements)
    # the chain's first week reaches one day into the next (8 days, no boundary); its last week answers for the period's
    first = week_problem(p, 0, inputs.previous)
    assert first.days == 8 and len(first.boundary) == 0
    last = week_problem(p, 1, inputs.previous)
    assert last.days == 7 and (last.boundary == p.boundary).all()
    pd.testing.assert_frame_equal(last.boundary_requirements, p.boundary_requirements)


def test_shortfalls_and_coverage_list_the_next_weeks_hours_left_short():
    """More staff asked for in the next Monday's small hours than can work the Sunday night: coverage.csv,
    shortfalls.csv and the check name the same uncovered staff-hours there."""
    c = cfg_with(districts=("North",))
    staff = [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    req = requirements(c, [("North", "clinician", range(7), 7, 15)])
    st = prepare_staff(pd.DataFrame(staff), c)
    prev = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    ahead = pd.DataFrame({"district": "North", "hour": range(7), "role": "clinician", "required": 3})
    p = Problem.build(c, MONDAY, st, no_leave(), req, previous=prev, boundary_requirements=ahead)
    roster, _ = solve(p, time_limit=10)
    cov = coverage_table(p, roster)
    nxt = cov[cov["hour"] >= len(p.hours)]
    assert len(nxt) == 7 and (nxt["hour_start"] == p.boundary).all()
    assert nxt["scheduled"].max() <= 2 and nxt["shortfall"].sum() >= 7  # at most two people on the Sunday night
    table, _ = shortfall_report(p, roster, cov, candidates(p, default_rules(c)))
    listed = table[table["start"] >= p.week_end()]
    assert listed["uncovered_staff_hours"].sum() == nxt["shortfall"].sum()
    assert listed["start"].min() == p.boundary[0] and listed["end"].max() == p.boundary[-1] + pd.Timedelta(hours=1)
    v = [x for x in check(p, roster) if x.rule == "coverage" and "next week" in x.message]
    assert sum(x.amount for x in v) == nxt["shortfall"].sum()


def test_with_requirements_per_shift_the_sunday_nights_figure_reaches_into_the_next_monday(tmp_path):
    """--shift-requirements: the Sunday night's staff run on into the next Monday's small hours, as the
    service asked for that shift (no assumption is made for them)."""
    cfg = load_config(write_period_city(tmp_path / "city"))
    inputs = load_inputs(cfg, W1, weeks=1)
    sunday = dt.date(2026, 11, 15)
    inputs.shift_requirements = pd.DataFrame([
        {"date": sunday, "shift": "night", "district": "Hillcrest", "role": "clinician", "required": 2},
        {"date": dt.date(2026, 11, 10), "shift": "early", "district": "Hillcrest", "role": "clinician", "required": 1}])
    inputs.shift_requirements_source = "shift_req.csv"
    inputs.previous = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    req, how = requirements_stage(pd.DataFrame(), inputs)
    p = problem_stage(inputs, req).problem
    b = p.boundary_requirements
    assert "per shift" in how and len(p.boundary) == 7
    assert b.loc[b["role"] == "clinician", "required"].tolist() == [2] * 7 and not p.notes
    assert p.requirements["required"].sum() == 2 * 1 + 1 * 8  # Sunday 23:00-24:00 and Tuesday's early shift
