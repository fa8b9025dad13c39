"""A roster from the LP relaxation, fast: RENS (the relaxation-enforced neighbourhood search).

The LP relaxation of a roster model is solved, every assignment the LP leaves at 0 is fixed at
0, and HiGHS solves the MIP over the assignments that remain.  On a week of a city of a few
hundred people the LP decides most assignments and is tight (within a fraction of a percent of
the optimum), so the restricted MIP is small and HiGHS solves it in seconds, where on the whole
model its own heuristics may take minutes to find any good roster.  The LP's value is a proven
lower bound of the whole model, so the roster comes with an honest gap.  Used for the weeks of
a chained period (:mod:`roster.solve.chain`).
"""

from __future__ import annotations

import time

import numpy as np
import pulp

from constraints.base import ModelContext
from roster.solve.highs import BulkHiGHS, _stdout_silenced, highs_lp, solve_model

# An assignment the LP sets at or below this is fixed at 0 for the restricted MIP.
ZERO = 1e-6


def highs_instance(threads: int, seed: int, time_limit: float):
    """A silent ``highspy.Highs`` with the solver's thread count, seed and a time limit."""
    import highspy

    BulkHiGHS.use_threads(threads)
    with _stdout_silenced(True):
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("time_limit", max(time_limit, 0.1))
    return h


def lp_relaxation(m: ModelContext, variables: list, time_limit: float) -> tuple[float, np.ndarray] | None:
    """(the LP relaxation's value, its column values), or None when it does not solve in time."""
    import highspy

    s = m.config.solver
    h = highs_instance(s.threads, s.seed, time_limit)
    h.passModel(highs_lp(m.prob, mip=False, variables=variables))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value)


def restricted_mip(m: ModelContext, variables: list, cols: np.ndarray, values: np.ndarray, time_limit: float,
                   trace=None) -> tuple[float, np.ndarray] | None:
    """HiGHS on the model with the columns ``cols`` held at ``values``: (objective, values) or None.
    With every assignment held, it prices a roster in the model (its shortfalls, overtime...)."""
    s = m.config.solver
    model = highs_lp(m.prob, mip=True, variables=variables)
    lower = np.asarray(model.col_lower_, dtype=float)
    upper = np.asarray(model.col_upper_, dtype=float)
    lower[cols] = values
    upper[cols] = values
    model.col_lower_, model.col_upper_ = lower, upper
    h = highs_instance(s.threads, s.seed, time_limit)
    h.setOptionValue("mip_rel_gap", s.relative_gap)
    if trace is not None:
        trace.watch_highs(h, bounds=False)  # the restricted model's bound is not the model's
    h.passModel(model)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    return float(info.objective_function_value), np.asarray(h.getSolution().col_value)


def rens_solve(m: ModelContext, *, time_limit: float, trace=None, polish: bool = True) -> tuple[str, float | None, float | None, float]:
    """A roster for ``m`` by RENS, written into its PuLP variables; (status, objective, bound, seconds)
    as :func:`roster.solve.highs.solve_model` returns them.  When the LP does not solve or the
    restricted MIP finds no roster, HiGHS solves the whole model in the time left.  With ``polish``,
    a roster not yet within ``solver.relative_gap`` of the LP's bound is the start of the whole
    model in the time left (without, e.g. for a chained period's weeks, it is returned at once)."""
    t0 = time.perf_counter()
    if m.config.solver.name != "highs":
        return solve_model(m, time_limit=time_limit, trace=trace)
    variables = m.prob.variables()
    relaxed = lp_relaxation(m, variables, time_limit)
    left = time_limit - (time.perf_counter() - t0)
    found = None
    if relaxed is not None and left > 0:
        bound, lp_values = relaxed
        if trace is not None:
            trace.offer(bound=bound)
        x = np.asarray([v.index for v in m.assign["x"]], dtype=np.int64)
        zero = x[lp_values[x] <= ZERO]
        found = restricted_mip(m, variables, zero, np.zeros(len(zero)), left, trace)
    if found is None:
        status, objective, bound, _ = solve_model(m, time_limit=max(time_limit - (time.perf_counter() - t0), 1.0),
                                                  trace=trace)
        return status, objective, bound, time.perf_counter() - t0
    objective, values = found
    for var in variables:
        var.varValue = float(values[var.index])
    objective = pulp.value(m.prob.objective)
    gap = (objective - bound) / max(abs(objective), 1e-9)
    left = time_limit - (time.perf_counter() - t0)
    if gap > m.config.solver.relative_gap and polish and left > 1.0:
        return _polish(m, variables, values, objective, bound, left, trace, t0)
    status = "optimal" if gap <= m.config.solver.relative_gap else "feasible"
    return status, objective, min(bound, objective), time.perf_counter() - t0


def _polish(m: ModelContext, variables: list, values: np.ndarray, objective: float, lp_bound: float, left: float,
            trace, t0: float) -> tuple[str, float | None, float | None, float]:
    """HiGHS on the whole model from the RENS roster, until it is within the relative gap of the
    better of its own bound and the LP's; the RENS roster when HiGHS finds none better."""
    start = [(var, float(values[var.index])) for var in variables]
    status, polished, bound, _ = solve_model(m, time_limit=left, trace=trace, start=start, outside_bound=lambda: lp_bound)
    if polished is None or polished > objective:
        for var in variables:
            var.varValue = float(values[var.index])
        polished = objective
    bound = max(bound if bound is not None else lp_bound, lp_bound)
    gap = (polished - bound) / max(abs(polished), 1e-9)
    status = "optimal" if gap <= m.config.solver.relative_gap else "feasible"
    return status, polished, min(bound, polished), time.perf_counter() - t0
