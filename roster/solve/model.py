"""Assemble the MIP from the rules, solve it, and read the roster back.

The model is built from candidate assignments (person × shift instance × district
they may work in), created with vectorised joins; rules then add constraints and
objective terms.  The solver is run by :mod:`roster.solve.highs` (one MIP) or
:mod:`roster.solve.lns` (the neighbourhood search).  Build time and solve time are
measured separately.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from constraints import default_rules
from constraints.base import ModelContext, Rule, new_variable
from constraints.count_hull import add_hours_hulls
from constraints.problem import Problem
from constraints.sequences import add_run_flow
from roster.solve.chain import start_values, week_problem
from roster.solve.highs import highs_lp, solve_model
from roster.solve.lns import lns_solve
from roster.solve.rens import rens_solve, restricted_mip
from roster.solve.split_bound import split_bound, week_blocks
from roster.solve.strategy import choose_strategy, model_size
from roster.solve.trace import SolveTrace, SolveWatcher

log = logging.getLogger("roster")


def candidates(problem: Problem, rules: list[Rule]) -> pd.DataFrame:
    """Every (person, shift instance, district) the hard eligibility rules allow."""
    staff = problem.staff
    allowed = staff[["staff_id", "home_district", "float_districts"]].copy()
    allowed["district"] = [[h, *f] for h, f in zip(allowed["home_district"], allowed["float_districts"])]
    allowed = allowed.explode("district")[["staff_id", "district"]].drop_duplicates()
    inst = problem.instances.reset_index()
    cand = allowed.merge(inst, how="cross")
    cols = ["role", "seat", "clinical", "supervisor", "works_nights", "hourly_rate", "contract_hours"]
    cand = cand.merge(staff[["staff_id", *cols]], on="staff_id")
    for rule in rules:
        cand = rule.restrict(cand, problem)
    cand = cand.sort_values(["staff_id", "inst", "district"], kind="stable").reset_index(drop=True)
    return cand


@dataclass
class SolveResult:
    status: str  # optimal | feasible | infeasible | no_solution
    solver: str
    objective: float | None
    bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    roster: pd.DataFrame
    penalties: dict[str, float] = field(default_factory=dict)
    model_size: dict[str, int] = field(default_factory=dict)
    trace: list[dict] = field(default_factory=list)  # {seconds, objective, bound, gap} as they improved
    strategy: str = "mip"  # what solved it: "mip" (the whole model) or "lns" (the search)


def build(problem: Problem, rules: list[Rule] | None = None, *, elastic: bool = False,
          standby_slacks: bool = False) -> ModelContext:
    """The MIP for ``problem``; ``standby_slacks`` prepares it for :mod:`roster.solve.lns.search`."""
    rules = default_rules(problem.config) if rules is None else rules
    for rule in rules:
        rule.ensure_valid(problem.config)
    cand = candidates(problem, rules)
    m = ModelContext(problem, cand, elastic=elastic, standby_slacks=standby_slacks)
    cand["x"] = [new_variable(m.prob, f"x_{i}", cat=pulp.LpBinary) for i in range(len(cand))]
    for rule in rules:
        rule.apply(m)
    # Strengthening implied by the rules together (none in elastic mode): the run rules'
    # flow, and the hours bands in whole shifts.
    add_run_flow(m, rules)
    add_hours_hulls(m, rules)
    m.finish()
    return m


def extract_roster(m: ModelContext) -> pd.DataFrame:
    """The chosen assignments as roster rows (before pay is split into regular and overtime)."""
    a = m.assign
    picked = np.array([v.varValue is not None and v.varValue > 0.5 for v in a["x"]], dtype=bool)
    chosen = a[picked]  # a boolean array, so no candidates gives an empty roster with its columns
    cols = ["staff_id", "role", "district", "date", "shift", "start", "end", "paid_hours"]
    return chosen[cols].sort_values(["start", "district", "staff_id"]).reset_index(drop=True)


def penalty_values(m: ModelContext) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in m.penalties:
        key = f"{p.rule}: {p.label}"
        out[key] = out.get(key, 0.0) + float(pulp.value(p.expr) or 0.0)
    return out


def gap_of(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


# With strategy "chain", the share of the time limit the weeks one by one may take, and the most
# the bound from the weeks' LPs may take (roster/solve/split_bound.py).
CHAIN_SHARE = 0.5
SPLIT_SHARE = 0.25
# Above this many candidates a chained period is improved by the neighbourhood search rather than
# by HiGHS on the whole model, whose LP relaxation alone may outlast the time limit: on 200 staff x
# 10 districts x 28 days (56 600 candidates) HiGHS did not improve the chained roster (0.62 %
# above the bound) in 550 s (BENCHMARKS.md, Roster scale).
SEARCH_ABOVE_CANDIDATES = 20_000


def _chain_weeks(problem: Problem, rules: list[Rule], limit: float, trace: SolveTrace | None = None) -> pd.DataFrame | None:
    """The period's weeks planned one after another within ``limit`` seconds, each by RENS
    (:mod:`roster.solve.rens`) after the weeks before it: their roster, or None when a week has none."""
    t0 = time.perf_counter()
    weeks = len(problem.weeks())
    rows, previous = [], problem.previous
    for w in range(weeks):
        left = limit - (time.perf_counter() - t0)
        if trace is not None:
            trace.step(f"planning week {w + 1} of {weeks}")
        wp = week_problem(problem, w, previous)
        wp.config = problem.config.model_copy(update={"solver": problem.config.solver.model_copy(update={"strategy": "rens"})})
        res = solve(wp, rules, time_limit=max(left / (weeks - w), 1.0), polish=False)
        if res.status not in ("optimal", "feasible"):
            log.info("chain: week %d of %d has no roster (%s); the whole model starts without one", w + 1, weeks, res.status)
            return None
        week = res.roster[[d < wp.monday + dt.timedelta(days=7) for d in res.roster["date"]]]
        rows.append(week)
        previous = pd.concat([p for p in (previous, week) if p is not None], ignore_index=True)
        log.info("chain: week %d of %d %s in %.1f s", w + 1, weeks, res.status, res.solve_seconds)
    return pd.concat(rows, ignore_index=True)


def _priced_start(m: ModelContext, rows: pd.DataFrame, limit: float, trace: SolveTrace) -> list | None:
    """The chained weeks' roster priced in the period's model (every assignment held, the rest
    solved), written into its variables: a complete start, or None when the model rejects it."""
    variables = m.prob.variables()
    position = {id(v): i for i, v in enumerate(variables)}  # the columns' order in the solver's model
    x_cols = np.asarray([position[id(x)] for x in m.assign["x"]], dtype=np.int64)
    chosen = {id(x) for x, _ in start_values(m.assign, rows)}
    held = np.asarray([1.0 if id(x) in chosen else 0.0 for x in m.assign["x"]])
    priced = restricted_mip(m, variables, x_cols, held, limit)
    if priced is None:
        return None
    objective, values = priced
    trace.offer(objective)
    for var in variables:
        var.varValue = float(values[var.index])
    return [(var, float(values[var.index])) for var in variables]


def _solve_chained(problem: Problem, rules: list[Rule], m: ModelContext, limit: float, trace: SolveTrace):
    """The period's weeks one after another, their roster priced in the period's model, and a proven
    bound from the weeks' LPs (:mod:`roster.solve.split_bound`).  Unless the roster is already
    within ``solver.relative_gap`` of the bound, the search (on a model too large for HiGHS whole,
    :data:`SEARCH_ABOVE_CANDIDATES`) or HiGHS on the whole period goes on from it until it is.
    Returns (status, objective, bound, seconds)."""
    t0 = time.perf_counter()
    s = problem.config.solver
    rows = _chain_weeks(problem, rules, CHAIN_SHARE * limit, trace)
    start = _priced_start(m, rows, max(limit - (time.perf_counter() - t0), 1.0), trace) if rows is not None else None
    trace.step("proving a bound from the weeks")
    lp = highs_lp(m.prob, mip=False)  # sets each variable's column index
    x_cols = np.asarray([v.index for v in m.assign["x"]], dtype=np.int64)
    split = split_bound(lp, x_cols, week_blocks(m), time_limit=SPLIT_SHARE * limit, threads=s.threads, seed=s.seed)
    trace.offer(bound=split)
    objective = pulp.value(m.prob.objective) if start else None
    if start and split is not None and gap_of(objective, split) <= s.relative_gap:
        return "optimal", objective, min(split, objective), time.perf_counter() - t0
    left = max(limit - (time.perf_counter() - t0), 1.0)
    if start and model_size(problem) > SEARCH_ABOVE_CANDIDATES:
        res = lns_solve(m, time_limit=left, threads=s.threads, seed=s.seed, relative_gap=s.relative_gap,
                        lns_share=s.lns_share, trace=trace, start=start, outside_bound=lambda: split)
        status, objective, bound = res.status, res.objective, res.bound
    else:
        status, objective, bound, _ = solve_model(m, time_limit=left, trace=trace, start=start, outside_bound=lambda: split)
    if objective is not None and split is not None:
        bound = min(max(bound if bound is not None else split, split), objective)
        if status == "feasible" and gap_of(objective, bound) <= s.relative_gap:
            status = "optimal"
    return status, objective, bound, time.perf_counter() - t0


def solve(problem: Problem, rules: list[Rule] | None = None, *, time_limit: float | None = None,
          watcher: SolveWatcher | None = None, polish: bool = True) -> SolveResult:
    """Build and solve the roster model for ``problem``; ``watcher`` is told of the solve's progress.
    ``polish=False``: with strategy ``"rens"``, return RENS's roster without improving it further."""
    t0 = time.perf_counter()
    s = problem.config.solver
    rules = default_rules(problem.config) if rules is None else rules
    strategy = choose_strategy(problem, rules)
    use_lns = strategy == "lns"
    m = build(problem, rules, standby_slacks=use_lns or strategy == "chain")
    build_seconds = time.perf_counter() - t0
    size = {"variables": len(m.prob.variables()), "constraints": m.prob.numConstraints(), "candidates": len(m.assign)}
    log.info("model built in %.1f s: %d variables, %d constraints", build_seconds, size["variables"], size["constraints"])
    limit = time_limit if time_limit is not None else s.time_limit_seconds
    trace = SolveTrace(watcher)
    trace.start(limit)
    try:
        if not len(m.assign):
            # Nobody can work any shift: nothing to optimise, and the plan stops with the reason
            # (roster.solve.nobody, through the diagnosis) rather than an empty roster of shortfalls.
            status, objective, bound, seconds = "infeasible", None, None, 0.0
        elif strategy == "chain":
            status, objective, bound, seconds = _solve_chained(problem, rules, m, limit, trace)
        elif strategy == "rens":
            status, objective, bound, seconds = rens_solve(m, time_limit=limit, trace=trace, polish=polish)
        elif use_lns:
            res = lns_solve(m, time_limit=limit, threads=s.threads, seed=s.seed, relative_gap=s.relative_gap,
                            lns_share=s.lns_share, trace=trace)
            status, objective, bound, seconds = res.status, res.objective, res.bound, res.seconds
        else:
            status, objective, bound, seconds = solve_model(m, time_limit=time_limit, trace=trace)
        if status in ("optimal", "feasible"):
            trace.offer(objective, bound)
    finally:
        trace.stop()
    roster = extract_roster(m) if status in ("optimal", "feasible") else m.assign.iloc[:0][["staff_id"]]
    return SolveResult(
        status=status,
        solver=problem.config.solver.name,
        objective=objective,
        bound=bound,
        gap=gap_of(objective, bound),
        build_seconds=build_seconds,
        solve_seconds=seconds,
        roster=roster,
        penalties=penalty_values(m) if status in ("optimal", "feasible") else {},
        model_size=size,
        trace=trace.as_list(),
        strategy=strategy,
    )
