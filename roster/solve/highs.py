"""Running HiGHS (or CBC) on a PuLP model.

:class:`BulkHiGHS` hands the whole model to highspy in one ``passModel``;
:func:`highs_lp` is that conversion, also used by the neighbourhood search;
:func:`solve_model` solves one model and reports status, objective and bound.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np
import pulp

from constraints.base import ModelContext


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
    constraint again for each call, which takes seconds on models with millions of columns.
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

    # A roster.solve.trace.SolveTrace told of the incumbents and bounds as HiGHS finds them.
    trace = None
    # A MIP start: (variable, value) pairs; HiGHS completes the columns left out.
    start: list | None = None

    # (a callable giving a lower bound proven beside the solve or None, a relative gap): the solve
    # stops once its roster is within that gap of the bound, as it would of its own.
    outside_bound: tuple | None = None

    def callSolver(self, lp):
        BulkHiGHS.use_threads(self.threads)
        if self.outside_bound is not None:
            lp.solverModel.cbMipInterrupt.subscribe(_stop_within(*self.outside_bound))
        if self.trace is not None:
            self.trace.watch_highs(lp.solverModel, bounds=not self.start)
        if self.start:
            idx = np.asarray([v.index for v, _ in self.start], dtype=np.int32)
            val = np.asarray([value for _, value in self.start], dtype=float)
            lp.solverModel.setSolution(len(idx), idx, val)
        lp.solverModel.run()


def _stop_within(bound_now, gap: float):
    """A HiGHS MIP callback that interrupts the solve when its roster is within ``gap`` of ``bound_now()``."""

    def on_event(event) -> None:
        primal = float(event.data_out.mip_primal_bound)
        bound = bound_now()
        if bound is not None and np.isfinite(primal) and primal - bound <= gap * max(abs(primal), 1e-9):
            event.interrupt()

    return on_event


def make_solver(cfg, *, time_limit: float | None = None, msg: bool = False):
    s = cfg.solver
    limit = time_limit if time_limit is not None else s.time_limit_seconds
    if s.name == "cbc":
        return pulp.PULP_CBC_CMD(msg=msg, timeLimit=limit, gapRel=s.relative_gap, threads=s.threads, options=[f"randomSeed {s.seed}", f"randomCbcSeed {s.seed}"])
    return BulkHiGHS(msg=msg, timeLimit=limit, gapRel=s.relative_gap, threads=s.threads, random_seed=s.seed)


def solve_model(m: ModelContext, *, time_limit: float | None = None, msg: bool = False,
                trace=None, start: list | None = None, outside_bound=None) -> tuple[str, float | None, float | None, float]:
    """Solve; return (status, objective, best bound, seconds). ``trace``: a SolveTrace; ``start``:
    (variable, value) pairs of a MIP start; ``outside_bound``: a callable giving a bound proven
    beside the solve, which ends it within ``solver.relative_gap`` (all three HiGHS only)."""
    cfg = m.config
    solver = make_solver(cfg, time_limit=time_limit, msg=msg)
    if isinstance(solver, BulkHiGHS):
        solver.trace, solver.start = trace, start
        solver.outside_bound = (outside_bound, cfg.solver.relative_gap) if outside_bound is not None else None
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
