"""Assemble the MIP from the rules, solve it, and read the roster back.

This is the only place that runs a solver.  The model is built from candidate
assignments (person × shift instance × district they may work in), created
with vectorised joins; rules then add constraints and objective terms.  Build
time and solve time are measured separately.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from constraints import default_rules
from constraints.base import ModelContext, Rule, new_variable
from constraints.problem import Problem

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
        restrict = getattr(rule, "restrict", None)
        if restrict is not None:
            cand = restrict(cand, problem)
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


def build(problem: Problem, rules: list[Rule] | None = None, *, elastic: bool = False,
          standby_slacks: bool = False) -> ModelContext:
    """The MIP for ``problem``; ``standby_slacks`` prepares it for :mod:`roster.lns`."""
    rules = default_rules(problem.config) if rules is None else rules
    cand = candidates(problem, rules)
    m = ModelContext(problem, cand, elastic=elastic, standby_slacks=standby_slacks)
    cand["x"] = [new_variable(m.prob, f"x_{i}", cat=pulp.LpBinary) for i in range(len(cand))]
    for rule in rules:
        rule.apply(m)
    # Strengthening implied by the rules together (none in elastic mode): the run rules'
    # flow, and the hours bands in whole shifts.
    from constraints.count_hull import add_hours_hulls
    from constraints.sequences import add_run_flow

    add_run_flow(m, rules)
    add_hours_hulls(m, rules)
    m.finish()
    return m


@contextlib.contextmanager
def _stdout_silenced(active: bool):
    """Send file descriptor 1 to /dev/null for the duration (C-level output too)."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def highs_lp(lp: pulp.LpProblem, *, mip: bool = True, variables: list[pulp.LpVariable] | None = None):
    """The PuLP problem as one ``highspy.HighsLp`` (columns in ``lp.variables()`` order).

    Sets ``var.index`` and ``con.index`` as PuLP's HiGHS interface does, so values
    can be read back by position.  The objective constant becomes the offset.
    ``variables``: ``lp.variables()`` when the caller has it already -- PuLP walks every
    constraint again for each call (on benchmark instance 24, 2.8 million columns, 14 s a
    call under a profiler).
    """
    import highspy

    inf = highspy.kHighsInf
    sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
    variables = lp.variables() if variables is None else variables
    n = len(variables)
    lower = np.empty(n)
    upper = np.empty(n)
    integer = np.zeros(n, dtype=bool)
    for i, var in enumerate(variables):
        var.index = i
        lower[i] = -inf if var.lowBound is None else var.lowBound
        upper[i] = inf if var.upBound is None else var.upBound
        integer[i] = var.cat == pulp.LpInteger
    cost = np.zeros(n)
    for var, coef in lp.objective.items():
        cost[var.index] = sign * coef
    starts = [0]
    index: list[int] = []
    value: list[float] = []
    row_lower, row_upper = [], []
    for i, con in enumerate(lp._constraints.values()):
        con.index = i
        for var, coef in con.items():
            if coef != 0:
                index.append(var.index)
                value.append(coef)
        starts.append(len(index))
        lb, ub = con.getLb(), con.getUb()
        row_lower.append(-inf if lb is None else lb)
        row_upper.append(inf if ub is None else ub)
    model = highspy.HighsLp()
    model.num_col_ = n
    model.num_row_ = len(row_lower)
    model.col_cost_ = cost
    model.col_lower_ = lower
    model.col_upper_ = upper
    model.row_lower_ = np.asarray(row_lower, dtype=float)
    model.row_upper_ = np.asarray(row_upper, dtype=float)
    model.offset_ = sign * float(lp.objective.constant or 0.0)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_ = n
    model.a_matrix_.num_row_ = len(row_lower)
    model.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
    model.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
    model.a_matrix_.value_ = np.asarray(value, dtype=float)
    if mip and integer.any():
        model.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous for f in integer]
    return model


class BulkHiGHS(pulp.HiGHS):
    """PuLP's HiGHS interface, but the model is handed to highspy in one ``passModel``.

    PuLP 3.3 adds every column and row with its own ``addCol``/``addRow`` call,
    which dominates the time for models with 10^5+ rows.  Here the columns and a
    row-wise matrix are gathered into arrays first.  The objective's constant
    (e.g. the weight of every on-request, paid unless met) is passed as HiGHS's
    ``offset``, so the solver's objective and best bound are in the same units
    as ``pulp.value(prob.objective)`` (PuLP drops it, which made the reported
    bound low by that constant).  Everything else -- options, status mapping,
    reading values back -- is PuLP's.
    """

    def createAndConfigureSolver(self, lp):
        # highspy prints its banner to the process's stdout when a Highs object
        # is made, before any option can silence it; keep it off the CLI's output.
        with _stdout_silenced(not self.msg):
            super().createAndConfigureSolver(lp)

    def buildSolverModel(self, lp):
        model = highs_lp(lp, mip=self.mip)
        lp.solverModel.passModel(model)

    # HiGHS keeps one thread pool per process, sized by the first solve; a later
    # solve asking for another thread count fails ("global scheduler already
    # initialised") and returns no solution.  Reset the pool when the count changes.
    _threads_in_use: int | None = None

    @classmethod
    def use_threads(cls, wanted: int | None) -> None:
        import highspy

        if cls._threads_in_use is not None and wanted is not None and wanted != cls._threads_in_use:
            highspy.Highs.resetGlobalScheduler(True)
        if wanted is not None:
            cls._threads_in_use = wanted

    def callSolver(self, lp):
        BulkHiGHS.use_threads(self.threads)
        lp.solverModel.run()


def _solver(cfg, *, time_limit: float | None = None, msg: bool = False):
    s = cfg.solver
    limit = time_limit if time_limit is not None else s.time_limit_seconds
    if s.name == "cbc":
        return pulp.PULP_CBC_CMD(msg=msg, timeLimit=limit, gapRel=s.relative_gap, threads=s.threads, options=[f"randomSeed {s.seed}", f"randomCbcSeed {s.seed}"])
    return BulkHiGHS(msg=msg, timeLimit=limit, gapRel=s.relative_gap, threads=s.threads, random_seed=s.seed)


def solve_model(m: ModelContext, *, time_limit: float | None = None, msg: bool = False) -> tuple[str, float | None, float | None, float]:
    """Solve; return (status, objective, best bound, seconds)."""
    cfg = m.config
    solver = _solver(cfg, time_limit=time_limit, msg=msg)
    t0 = time.perf_counter()
    m.prob.solve(solver)
    seconds = time.perf_counter() - t0
    has_solution = m.prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if m.prob.status == pulp.LpStatusInfeasible or m.prob.sol_status == pulp.LpSolutionInfeasible:
        return "infeasible", None, None, seconds
    if not has_solution:
        return "no_solution", None, None, seconds
    objective = pulp.value(m.prob.objective)
    bound = None
    if cfg.solver.name == "highs" and getattr(m.prob, "solverModel", None) is not None:
        info = m.prob.solverModel.getInfo()
        bound = float(info.mip_dual_bound)
    status = "optimal" if m.prob.sol_status == pulp.LpSolutionOptimal else "feasible"
    if bound is None and status == "optimal":
        bound = objective
    return status, objective, bound, seconds


def extract_roster(m: ModelContext) -> pd.DataFrame:
    """The chosen assignments as roster rows (before pay is split into regular and overtime)."""
    a = m.assign
    chosen = a[[v.varValue is not None and v.varValue > 0.5 for v in a["x"]]]
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


def solve(problem: Problem, rules: list[Rule] | None = None, *, time_limit: float | None = None) -> SolveResult:
    """Build and solve the roster model for ``problem``."""
    t0 = time.perf_counter()
    s = problem.config.solver
    use_lns = s.strategy == "lns" and s.name == "highs"
    m = build(problem, rules, standby_slacks=use_lns)
    build_seconds = time.perf_counter() - t0
    size = {"variables": len(m.prob.variables()), "constraints": m.prob.numConstraints(), "candidates": len(m.assign)}
    log.info("model built in %.1f s: %d variables, %d constraints", build_seconds, size["variables"], size["constraints"])
    if use_lns:
        from roster.lns import lns_solve

        limit = time_limit if time_limit is not None else s.time_limit_seconds
        res = lns_solve(m, time_limit=limit, threads=s.threads, seed=s.seed, relative_gap=s.relative_gap,
                        lns_share=s.lns_share)
        status, objective, bound, seconds = res.status, res.objective, res.bound, res.seconds
    else:
        status, objective, bound, seconds = solve_model(m, time_limit=time_limit)
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
    )
