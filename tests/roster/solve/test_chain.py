"""Strategy "chain" (roster/solve/chain.py): a period's weeks one after another as a MIP start."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from typer.testing import CliRunner

from period_city import write_period_city
from roster.cli import app
from roster.config import load_config
from roster.pipeline import load_inputs, forecast_stage, problem_stage, requirements_stage
from roster.solve.chain import start_values, week_problem
from roster.solve.model import build, solve

runner = CliRunner()


def _period(tmp_path, week="2026-10-05", weeks=4):
    cfg = load_config(write_period_city(tmp_path / "city"))
    inputs = load_inputs(cfg, week, weeks=weeks)
    fc = forecast_stage(inputs.calls, cfg, inputs.monday, weeks=weeks)
    req, _ = requirements_stage(fc.table, inputs)
    return problem_stage(inputs, req)


def test_week_problems_slice_the_period_and_reach_into_the_next_day(tmp_path):
    pp = _period(tmp_path)
    p = pp.problem
    first = week_problem(p, 0, None)
    assert first.days == 7 and first.wrap  # a repeating first week covers its own Monday morning
    prev = pd.DataFrame(columns=["staff_id", "role", "district", "date", "shift", "start", "end", "paid_hours"])
    for w in (1, 2, 3):
        wp = week_problem(p, w, prev)
        assert wp.monday == p.monday + dt.timedelta(days=7 * w) and wp.days == 8
        # every requirement sits on the same instant as in the period's problem ...
        inside = wp.requirements[wp.requirements["hour"] < len(wp.hours) - 24]
        assert (wp.hours[inside["hour"].to_numpy()] == pd.DatetimeIndex(inside["hour_start"])).all()
        period = p.requirements[[wp.monday <= ts.date() < wp.monday + dt.timedelta(days=7) for ts in p.requirements["hour_start"]]]
        assert len(inside) == len(period)
    # ... and the last week's extra day asks for what the period's first Monday asks for (it repeats)
    last = week_problem(p, 3, prev)
    extra = last.requirements[last.requirements["hour"] >= len(last.hours) - 24]
    monday = p.requirements[p.requirements["hour"] < 24]
    assert extra["required"].sum() == monday["required"].sum() > 0


def test_chained_weeks_are_a_feasible_start_and_the_plan_passes_check(tmp_path):
    pp = _period(tmp_path)
    p = pp.problem
    rows, prev = [], None
    for w in range(4):
        wp = week_problem(p, w, prev)
        res = solve(wp, pp.rules, time_limit=10)
        assert res.status in ("optimal", "feasible")
        week = res.roster[[d < wp.monday + dt.timedelta(days=7) for d in res.roster["date"]]]
        rows.append(week)
        prev = pd.concat(rows, ignore_index=True)
    m = build(p, pp.rules)
    start = start_values(m.assign, prev)
    assert len(start) == len(prev)  # every chained shift is a candidate of the period's model

    city = write_period_city(tmp_path / "chain", solver={"strategy": "chain"})
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--config", str(city), "--out", str(out), "--week", "2026-10-05", "--weeks", "4", "-q"])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    assert s["strategy"] == "chain" and s["status"] in ("optimal", "feasible") and s["weeks"] == 4
    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city)])
    assert check.exit_code == 0, check.output
