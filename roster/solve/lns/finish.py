"""The finish: one solve of the whole model from the best roster found, which improves it
further and proves the lower bound that is reported, then the roster written into the PuLP
variables and the bound raised to the objective's step."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pandas as pd

from roster.solve.lns.bounds import round_bound_up
from roster.solve.lns.state import LnsStats, SearchState

log = logging.getLogger("roster")


@dataclass
class LnsResult:
    status: str  # optimal | feasible | no_solution | infeasible
    objective: float | None
    bound: float | None
    seconds: float
    stats: LnsStats


def finish(s: SearchState, relative_gap: float) -> LnsResult:
    """Solve the whole model from the incumbent in the time left (unless it is proven) and
    return the result; writes the best roster into the PuLP variables."""
    hw, stats = s.hw, s.stats
    outside = s.within_outside_gap()
    bound: float | None = (outside if outside is not None else s.best) if s.proven else None
    _back_to_the_model(s)
    if s.incumbent is not None and not s.proven:
        # A piece that hit its time limit may have left its auxiliary columns dearer than its
        # roster needs (an under- and an over-cover on the same row), which the final solve may
        # have no time to fix.  Settle them once, with the roster fixed, before the last solve.
        settled = s.settle_aux(s.incumbent, 0.5 * (s.deadline - time.perf_counter()))
        if settled is not None and hw.objective(settled) <= s.best + 1e-9:
            s.incumbent, s.best = settled, hw.objective(settled)
    s.settle_implied(s.deadline - time.perf_counter())
    hw.set_bounds(s.x_idx, s.x_lo, s.x_up)
    remaining = s.deadline - time.perf_counter()
    if not s.proven and remaining > 0.5:
        if s.trace is not None:
            s.trace.watch_highs(hw.h)
        status, values, obj, dual = hw.run(s.incumbent, remaining, relative_gap)
        if values is not None and (s.best is None or obj <= s.best + 1e-9):
            s.incumbent, s.best = values, obj
        if values is not None:
            bound = dual
        if status == "Optimal" and s.incumbent is not None:
            s.proven = True
            stats.proven_by = "the whole model"
            bound = dual if dual is not None else s.best
        if status == "Infeasible" and s.incumbent is None:
            return LnsResult("infeasible", None, None, time.perf_counter() - s.t0, stats)
    seconds = time.perf_counter() - s.t0
    if s.incumbent is None:
        return LnsResult("no_solution", None, None, seconds, stats)
    for var, value in zip(hw.variables, s.incumbent):
        var.varValue = float(value)
    bound = _final_bound(s, bound)
    _log_summary(s)
    return LnsResult("optimal" if s.proven else "feasible", s.best, bound, seconds, stats)


def _back_to_the_model(s: SearchState) -> None:
    """The true objective and the slacks closed for the final solve; a roster that still bends
    rules is dropped (the whole model must find one)."""
    if s.bends_only:
        s.hw.set_costs(s.hw.cost)  # the final solve is on the true objective
        s.cur_cost, s.bends_only = s.hw.cost, False
    if s.slacks_open:
        # Could not get rid of every slack in the search: the final solve must do it.
        s.close_slacks()
        if s.incumbent is not None and s.slack_total(s.incumbent) > 1e-6:
            # By rule name only: the places name staff, and logs carry no personal data.
            slack_vars = [v for v in s.m.slacks if v.var is not None]
            bent = pd.Series([v.rule for v, x in zip(slack_vars, s.incumbent[s.slack_idx]) if x > 1e-6]).value_counts()
            log.info("LNS: the search left hard rules bent (%s); the whole model must find a roster",
                     ", ".join(f"{rule} x{n}" for rule, n in bent.items()))
            s.incumbent, s.best = None, None


def _final_bound(s: SearchState, bound: float | None) -> float | None:
    """The bound to report: at least the LP relaxation's, raised to the objective's step, at
    most the roster's objective -- and the roster proven optimal when the two meet."""
    if s.stats.lp_bound is not None and (bound is None or s.stats.lp_bound > bound):
        bound = s.stats.lp_bound  # the final solve proved less than the LP relaxation
    outside = s.outside_bound[0]() if s.outside_bound is not None else None
    if outside is not None and (bound is None or outside > bound):
        bound = outside
    if bound is not None and s.step is not None:
        bound = round_bound_up(bound, s.step, s.hw.offset)
    if bound is not None and s.best is not None:
        bound = min(bound, s.best)
        if not s.proven and bound >= s.best - 1e-6:  # the bound, raised to the objective's step, meets it
            s.proven = True
            s.stats.proven_by = "the bound, rounded up to the objective's step"
    return bound


def _log_summary(s: SearchState) -> None:
    stats = s.stats
    log.info("LNS: %d sub-solves (%d at a time, %d rebased), %d improvements, first roster %.1f at %.1f s, "
             "%.1f after search (%.1f s), final %.1f%s; improving pieces by kind (solved/improved): %s",
             stats.sub_solves, s.workers, stats.rebased, stats.improvements, stats.first_objective or float("nan"),
             stats.first_seconds or float("nan"), stats.lns_objective or float("nan"), stats.lns_seconds, s.best,
             f", proven optimal by {stats.proven_by}" if s.proven else "",
             ", ".join(f"{k} {n}/{g} ({gain:.0f} in {t:.0f} s)" for k, (n, g, gain, t) in sorted(stats.by_kind.items()))
             or "none")
