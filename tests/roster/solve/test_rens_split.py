"""RENS (roster/solve/rens.py) and the period's split bound (roster/solve/split_bound.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from period_city import write_period_city
from roster.cli import app
from roster.config import load_config
from roster.pipeline import forecast_stage, load_inputs, problem_stage, requirements_stage
from roster.solve.highs import highs_lp
from roster.solve.model import build, solve
from roster.solve.rens import lp_relaxation, rens_solve
from roster.solve.split_bound import column_blocks, split_bound, week_blocks

runner = CliRunner()


def _problem(tmp_path, weeks: int):
    cfg = load_config(write_period_city(tmp_path / "city"))
    inputs = load_inputs(cfg, "2026-10-05", weeks=weeks)
    fc = forecast_stage(inputs.calls, cfg, inputs.monday, weeks=weeks)
    req, _ = requirements_stage(fc.table, inputs)
    return problem_stage(inputs, req)


def test_column_blocks_follow_the_rows_from_the_assignments():
    # rows: {x0, a}, {x1, b}, {b, c}, {d}; x0 in block 0, x1 in block 1
    starts = np.array([0, 2, 4, 6, 7])
    index = np.array([0, 2, 1, 3, 3, 4, 5])
    blocks = column_blocks(starts, index, np.array([0, 1]), np.array([0, 1]), 6)
    # a (2) beside x0 -> 0; b (3) beside x1 -> 1; c (4) beside b -> 1 on the second pass; d (5) alone -> 0
    assert blocks.tolist() == [0, 1, 0, 1, 1, 0]


def test_rens_roster_is_priced_as_the_model_prices_it_and_bounded_by_the_lp(tmp_path):
    pp = _problem(tmp_path, 1)
    m = build(pp.problem, pp.rules)
    status, objective, bound, _ = rens_solve(m, time_limit=30)
    assert status in ("optimal", "feasible")
    lp_value, _ = lp_relaxation(m, m.prob.variables(), 30)
    assert bound == pytest.approx(lp_value, rel=1e-9) and bound <= objective
    import pulp

    assert objective == pytest.approx(pulp.value(m.prob.objective), rel=1e-9)
    whole = solve(pp.problem, pp.rules, time_limit=30)
    assert whole.objective >= bound - 1e-6 * abs(bound)  # the LP bounds every roster


def test_split_bound_is_a_relaxation_of_the_period_and_close_to_its_lp(tmp_path):
    pp = _problem(tmp_path, 3)
    m = build(pp.problem, pp.rules)
    blocks = week_blocks(m)
    assert sorted(set(blocks.tolist())) == [0, 1, 2]
    variables = m.prob.variables()
    lp_value, _ = lp_relaxation(m, variables, 60)
    x_cols = np.asarray([v.index for v in m.assign["x"]])
    bound = split_bound(highs_lp(m.prob, mip=False, variables=variables), x_cols, blocks, time_limit=60)
    assert bound is not None
    # below the whole model's LP (it relaxes it), and not far below: only links between weeks are cut
    assert bound <= lp_value + 1e-6 * abs(lp_value)
    assert bound >= 0.97 * lp_value
    res = solve(pp.problem, pp.rules, time_limit=40)
    assert res.objective >= bound


def test_a_chained_solve_tells_its_watcher_each_week_before_the_first_roster(tmp_path):
    from test_trace import Recorder

    pp = _problem(tmp_path, 2)
    p = pp.problem
    p.config = p.config.model_copy(update={"solver": p.config.solver.model_copy(update={"strategy": "chain"})})
    seen = Recorder()
    res = solve(p, pp.rules, time_limit=30, watcher=seen)
    assert res.strategy == "chain" and res.status in ("optimal", "feasible")
    assert seen.steps[:2] == ["planning week 1 of 2", "planning week 2 of 2"]
    assert seen.points and seen.points[0].objective is not None  # the chained roster, priced


def test_a_chained_period_plan_reports_the_split_bound_and_passes_check(tmp_path):
    city = write_period_city(tmp_path / "chain", time_limit=40, solver={"strategy": "chain"})
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", "--config", str(city), "--out", str(out), "--week", "2026-10-05", "--weeks", "3", "-q"])
    assert result.exit_code == 0, result.output
    s = json.loads((out / "summary.json").read_text())
    assert s["strategy"] == "chain" and s["status"] in ("optimal", "feasible")
    assert s["trace"][0]["objective"] is not None or s["trace"][0]["bound"] is not None
    assert any(p["bound"] is not None for p in s["trace"])
    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city)])
    assert check.exit_code == 0, check.output


def test_whole_model_stops_once_within_the_gap_of_a_bound_proven_beside_it(tmp_path):
    import highspy

    from roster.solve.highs import solve_model

    pp = _problem(tmp_path, 3)  # three weeks: HiGHS does not prove them optimal at once
    m = build(pp.problem, pp.rules)
    calls = []

    def bound():  # stands for a bound another thread proved: here above every roster, so the first stops it
        calls.append(1)
        return 1e12

    status, objective, _, _ = solve_model(m, time_limit=60, outside_bound=bound)
    assert m.prob.solverModel.getModelStatus() == highspy.HighsModelStatus.kInterrupt, status
    assert status == "feasible" and objective is not None and calls


def test_search_from_a_start_stops_within_the_gap_of_an_outside_bound(tmp_path):
    from roster.solve.lns import lns_solve
    from roster.solve.model import _chain_weeks
    from roster.solve.chain import start_values

    pp = _problem(tmp_path, 2)
    rows = _chain_weeks(pp.problem, pp.rules, 40)
    m = build(pp.problem, pp.rules, standby_slacks=True)
    start = start_values(m.assign, rows)
    first = lns_solve(m, time_limit=5, lns_share=0.0, start=start, relative_gap=0.0)
    assert first.stats.first_from == "the given start"
    m = build(pp.problem, pp.rules, standby_slacks=True)
    near = first.objective * (1 - 0.001)  # within 0.5 % of the start's cost
    res = lns_solve(m, time_limit=60, relative_gap=0.005, start=start_values(m.assign, rows), outside_bound=lambda: near)
    assert res.status == "optimal" and res.bound == pytest.approx(near)
    assert res.objective <= first.objective + 1e-6
    assert "beside the search" in res.stats.proven_by


def test_rens_polishes_its_roster_with_the_whole_model_until_the_gap(tmp_path):
    pp = _problem(tmp_path, 2)
    p = pp.problem
    p.config = p.config.model_copy(update={"solver": p.config.solver.model_copy(update={"relative_gap": 0.0})})
    quick = build(p, pp.rules)
    _, rens_objective, lp_bound, _ = rens_solve(quick, time_limit=30, polish=False)
    m = build(p, pp.rules)
    status, objective, bound, _ = rens_solve(m, time_limit=30, polish=True)
    import pulp

    assert objective <= rens_objective + 1e-6 and objective == pytest.approx(pulp.value(m.prob.objective), rel=1e-9)
    assert lp_bound - 1e-6 <= bound <= objective + 1e-6
    assert status == ("optimal" if bound >= objective - 1e-6 else "feasible")
