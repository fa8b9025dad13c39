"""Large-neighbourhood search: solve a roster model HiGHS cannot solve whole.

Why this exists.  On this project's 2-core machines HiGHS proves good lower
bounds for 28-day rosters of 30+ people, but its primal heuristics stall: on the
Employee Shift Scheduling Benchmark's instance 8 it had a bound of 1291 and an
incumbent of 1901 (optimum 1300) after five minutes, and from instance 12 on it
often found no roster at all.  Nurse-rostering practice answers this with
*fix-and-optimise*: keep most of the roster fixed, re-solve a small part of it
exactly (a few people over the whole horizon, or everyone over a few days), keep
the result if it is no worse, repeat.  Each part is a small MIP that HiGHS
solves in seconds, and the roster can only get better.

How.  The PuLP model is handed to HiGHS once (:func:`roster.model.highs_lp`).
A neighbourhood is nothing but column bounds: the assignment columns outside it
are fixed at the incumbent's values, and the incumbent is given to HiGHS as a
start, so every sub-solve begins from a feasible roster.  The model must be built
with *standby slacks* (``build(..., standby_slacks=True)``): every hard
constraint has a slack column bounded at zero.  To find a first roster the
slacks are opened (at the elastic cost of 10^6 each), the search starts from the
empty roster, and the slacks close as soon as the incumbent needs none -- so a
first roster exists even when HiGHS's own heuristics find none.

The search spends ``lns_share`` of the time limit; the rest goes to one solve of
the whole model, started from the best roster found, which both improves it
further and supplies the proven lower bound that is reported.  The neighbourhood
size adapts: it grows while sub-problems are solved to optimality and shrinks
when they hit their time limit.  When a neighbourhood is the whole model and it
is solved to optimality, the roster is proven optimal and the search stops.

Reproducibility: the neighbourhoods come from a generator seeded with
``solver.seed``, but the number of sub-solves depends on wall-clock time, so two
runs may differ when the time limit binds -- as for the plain MIP.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from constraints.base import ModelContext

log = logging.getLogger("roster")

_HAS_SOLUTION = ("Optimal", "Time limit reached", "Interrupt by user", "Node limit reached",
                 "Iteration limit reached", "Solution limit reached")


@dataclass
class LnsStats:
    """What the search did, for the log and the benchmark report."""

    sub_solves: int = 0
    improvements: int = 0
    first_objective: float | None = None
    first_seconds: float | None = None
    lns_objective: float | None = None
    lns_seconds: float = 0.0
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective)


@dataclass
class LnsResult:
    status: str  # optimal | feasible | no_solution | infeasible
    objective: float | None
    bound: float | None
    seconds: float
    stats: LnsStats


class _Highs:
    """A thin wrapper over one ``highspy.Highs`` holding the model."""

    def __init__(self, m: ModelContext, *, threads: int, seed: int):
        import highspy

        from roster.model import BulkHiGHS, highs_lp

        BulkHiGHS.use_threads(threads)
        self.hs = highspy
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", int(threads))
        self.h.setOptionValue("random_seed", int(seed))
        self.variables = m.prob.variables()
        model = highs_lp(m.prob)
        self.lower = np.asarray(model.col_lower_, dtype=float).copy()
        self.upper = np.asarray(model.col_upper_, dtype=float).copy()
        self.h.passModel(model)

    def set_bounds(self, idx: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        if len(idx):
            self.h.changeColsBounds(len(idx), idx.astype(np.int32), lower.astype(float), upper.astype(float))

    def run(self, start: np.ndarray | None, time_limit: float, gap: float) -> tuple[str, np.ndarray | None, float | None, float | None]:
        """One solve from ``start``; returns (model status text, column values, objective, bound)."""
        self.h.setOptionValue("time_limit", float(max(time_limit, 0.05)))
        self.h.setOptionValue("mip_rel_gap", float(gap))
        if start is not None:
            sol = self.hs.HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            self.h.setSolution(sol)
        self.h.run()
        status = self.h.modelStatusToString(self.h.getModelStatus())
        info = self.h.getInfo()
        has = status in _HAS_SOLUTION and int(info.primal_solution_status) == 2
        if not has:
            return status, None, None, None
        values = np.asarray(self.h.getSolution().col_value, dtype=float)
        return status, values, float(info.objective_function_value), float(info.mip_dual_bound)


def _day_index(m: ModelContext) -> np.ndarray:
    dates = pd.to_datetime(pd.Series(m.assign["date"]).astype(str))
    monday = pd.Timestamp(m.problem.monday)
    return ((dates - monday).dt.days).to_numpy()


def lns_solve(m: ModelContext, *, time_limit: float, threads: int = 2, seed: int = 7, relative_gap: float = 0.0,
              lns_share: float = 0.7, sub_time_limit: float | None = None) -> LnsResult:
    """Fix-and-optimise search on the built model ``m``; writes the best roster into the PuLP variables."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    lns_deadline = t0 + lns_share * time_limit
    rng = np.random.default_rng(seed)
    hw = _Highs(m, threads=threads, seed=seed)
    stats = LnsStats()

    x_idx = np.array([v.index for v in m.assign["x"]], dtype=np.int64)
    n_x = len(x_idx)
    staff_codes, staff_ids = pd.factorize(m.assign["staff_id"])
    days = _day_index(m)
    horizon = int(days.max()) + 1 if n_x else 1
    by_staff = [np.flatnonzero(staff_codes == k) for k in range(len(staff_ids))]
    slack_idx = np.array([s.var.index for s in m.slacks if s.var is not None], dtype=np.int64)
    x_lo = hw.lower[x_idx]
    x_up = hw.upper[x_idx]
    sub_limit = sub_time_limit or float(min(30.0, max(3.0, time_limit / 40.0)))

    def fix_all_but(free: np.ndarray, values: np.ndarray | None) -> None:
        lo = x_lo.copy()
        up = x_up.copy()
        keep = ~free
        if values is None:
            lo[keep] = 0.0
            up[keep] = 0.0
        else:
            v = np.round(values[x_idx[keep]])
            lo[keep] = v
            up[keep] = v
        hw.set_bounds(x_idx, lo, up)

    def slack_total(values: np.ndarray) -> float:
        return float(values[slack_idx].sum()) if len(slack_idx) else 0.0

    # ---- a first roster -------------------------------------------------------------
    incumbent: np.ndarray | None = None
    best: float | None = None
    slacks_open = False
    if len(slack_idx):
        hw.set_bounds(slack_idx, np.zeros(len(slack_idx)), np.full(len(slack_idx), hw.hs.kHighsInf))
        slacks_open = True
        fix_all_but(np.zeros(n_x, dtype=bool), None)
        status, values, obj, _ = hw.run(None, min(sub_limit * 4, max(deadline - time.perf_counter(), 0)), 1e-4)
        if values is not None:
            incumbent, best = values, obj
    if incumbent is None:
        # No standby slacks (or the empty roster breaks a rule no slack covers): ask HiGHS
        # for any roster of the whole model within part of the search time.
        if slacks_open:
            hw.set_bounds(slack_idx, np.zeros(len(slack_idx)), np.zeros(len(slack_idx)))
            slacks_open = False
        hw.set_bounds(x_idx, x_lo, x_up)
        status, values, obj, _ = hw.run(None, max(lns_deadline - time.perf_counter(), 0) * 0.5, 1e-4)
        if values is not None:
            incumbent, best = values, obj
    if incumbent is not None:
        stats.first_objective = best
        stats.first_seconds = time.perf_counter() - t0
        stats.history.append((stats.first_seconds, best))

    def close_slacks_if_clean() -> None:
        nonlocal slacks_open
        if slacks_open and incumbent is not None and slack_total(incumbent) < 1e-6:
            hw.set_bounds(slack_idx, np.zeros(len(slack_idx)), np.zeros(len(slack_idx)))
            slacks_open = False

    close_slacks_if_clean()

    # ---- improve by neighbourhoods -----------------------------------------------------
    # Start small (one person's columns while slacks are open: each person's hard rules
    # are then repaired in a fraction of a second) and let the size adapt.
    per_person = n_x / max(len(staff_ids), 1)
    target = float(per_person if slacks_open else min(n_x, max(150, 0.1 * n_x)))
    order = rng.permutation(len(staff_ids))
    pointer = 0
    kinds = ("people", "days", "people_days")
    turn = 0
    proven = False
    stale = 0
    while incumbent is not None and time.perf_counter() < lns_deadline - 0.5:
        kind = kinds[turn % len(kinds)] if not slacks_open else "people"
        turn += 1
        free = np.zeros(n_x, dtype=bool)
        if kind == "people":
            count = 0
            while count < target and count < n_x:
                if pointer >= len(order):
                    order = rng.permutation(len(staff_ids))
                    pointer = 0
                rows = by_staff[order[pointer]]
                pointer += 1
                if free[rows].all():
                    break
                free[rows] = True
                count = int(free.sum())
        elif kind == "days":
            per_day = max(n_x / horizon, 1.0)
            width = int(min(horizon, max(1, math.ceil(target / per_day))))
            first = int(rng.integers(0, horizon - width + 1))
            free = (days >= first) & (days < first + width)
        else:
            width = int(min(horizon, max(7, horizon // 4)))
            first = int(rng.integers(0, horizon - width + 1))
            window = (days >= first) & (days < first + width)
            for k in rng.permutation(len(staff_ids)):
                free |= window & (staff_codes == k)
                if free.sum() >= target:
                    break
        whole = bool(free.all())
        fix_all_but(free, incumbent)
        remaining = lns_deadline - time.perf_counter()
        limit = min(sub_limit, max(remaining, 0.1))
        started = time.perf_counter()
        status, values, obj, _ = hw.run(incumbent, limit, 0.0)
        took = time.perf_counter() - started
        stats.sub_solves += 1
        log.debug("LNS %s: %d free, %s, %s -> best %s, slacks %s", kind, int(free.sum()), status, obj, best,
                  "open" if slacks_open else "closed")
        if values is not None and obj is not None and obj < best - 1e-6:
            incumbent, best = values, obj
            stats.improvements += 1
            stats.history.append((time.perf_counter() - t0, best))
            stale = 0
            close_slacks_if_clean()
        else:
            stale += 1
        if status == "Optimal":
            if whole and not slacks_open:
                proven = True
                break
            if took < 0.25 * limit:
                target = min(float(n_x), target * 1.25)
        else:
            target = max(min(30.0, per_person), target * 0.8)
    stats.lns_objective = best
    stats.lns_seconds = time.perf_counter() - t0

    # ---- the whole model from the best roster: improve it and prove a bound -----------------
    bound: float | None = best if proven else None
    if slacks_open:
        # Could not get rid of every slack in the search: the final solve must do it.
        hw.set_bounds(slack_idx, np.zeros(len(slack_idx)), np.zeros(len(slack_idx)))
        if incumbent is not None and slack_total(incumbent) > 1e-6:
            incumbent, best = None, None
    hw.set_bounds(x_idx, x_lo, x_up)
    remaining = deadline - time.perf_counter()
    if not proven and remaining > 0.5:
        status, values, obj, dual = hw.run(incumbent, remaining, relative_gap)
        if values is not None and (best is None or obj <= best + 1e-9):
            incumbent, best = values, obj
        if values is not None:
            bound = dual
        if status == "Optimal" and incumbent is not None:
            proven = True
            bound = dual if dual is not None else best
        if status == "Infeasible" and incumbent is None:
            return LnsResult("infeasible", None, None, time.perf_counter() - t0, stats)
    seconds = time.perf_counter() - t0
    if incumbent is None:
        return LnsResult("no_solution", None, None, seconds, stats)
    for var, value in zip(hw.variables, incumbent):
        var.varValue = float(value)
    if bound is not None and best is not None:
        bound = min(bound, best)
    log.info("LNS: %d sub-solves, %d improvements, first roster %.1f at %.1f s, %.1f after search (%.1f s), final %.1f",
             stats.sub_solves, stats.improvements, stats.first_objective or float("nan"), stats.first_seconds or float("nan"),
             stats.lns_objective or float("nan"), stats.lns_seconds, best)
    return LnsResult("optimal" if proven else "feasible", best, bound, seconds, stats)
