"""The repair: driving the standby slacks back to zero.

While the incumbent bends hard rules the slacks are open and every neighbourhood is a
repair piece (see :func:`free_bent_people`); the slacks close as soon as the incumbent
needs none.  Normally the repair keeps the true objective (bends at 10^6 each), so the
repaired people land where the roster needs them and the search goes on from a sensible
roster.  On large models those sub-MIPs are too slow, so when the LP relaxation did not
solve, or the repair at its pace so far would take more than ``repair_patience_share`` of
the search time, the repair minimises the bends alone -- each person's rules are then
independent of everyone else's and sub-MIPs stop as soon as the bends are least -- and the
roster's cover shortfalls and the like are settled once afterwards.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from roster.solve.lns.state import SearchState

log = logging.getLogger("roster")


class Repair:
    """How the repair goes: with the true objective or the bends alone, and how fast."""

    def __init__(self, s: SearchState, bends_only_repair: bool | None):
        self.s = s
        self.bends_only_repair = bends_only_repair
        self.started = time.perf_counter()
        self.patience = s.settings.repair_patience_share * max(s.lns_deadline - self.started, 0.0)
        self.bends_at_start = s.slack_total(s.incumbent) if s.incumbent is not None else 0.0

    def start(self) -> None:
        """Choose how to repair the first roster (or close the slacks at once when it bends nothing)."""
        s = self.s
        if s.slacks_open and (s.lp_failed if self.bends_only_repair is None else self.bends_only_repair):
            self.by_bends_only()
        self.close_slacks_if_clean()

    def too_slow(self) -> bool:
        """Would the repair, at its pace so far, end after its patience?  (The bends are
        summed over rules in their own units, hours or counts: a rough but fair measure.)"""
        elapsed = time.perf_counter() - self.started
        removed = self.bends_at_start - self.s.slack_total(self.s.incumbent)
        if removed <= 0:
            return elapsed > self.patience
        return elapsed * self.bends_at_start / removed > self.patience

    def switch_if_too_slow(self) -> None:
        """Switch to minimising the bends alone when the repair with the objective kept is too slow."""
        s = self.s
        if s.slacks_open and not s.bends_only and self.bends_only_repair is None and self.too_slow():
            log.debug("LNS: repair too slow with the objective kept; minimising the bends alone")
            self.by_bends_only()

    def by_bends_only(self) -> None:
        s = self.s
        s.bends_only = True
        s.cur_cost = s.bends_cost
        s.hw.set_costs(s.bends_cost)

    def close_slacks_if_clean(self) -> None:
        """Close the slacks once the incumbent bends no rule; after a repair by the bends alone,
        put the true objective back and settle the auxiliary columns for it."""
        s = self.s
        if not (s.slacks_open and s.incumbent is not None and s.slack_total(s.incumbent) < 1e-6):
            return
        s.close_slacks()
        if s.bends_only:
            hw = s.hw
            s.bends_only = False
            s.cur_cost = hw.cost
            hw.set_costs(hw.cost)
            # A piece leaves the auxiliary columns outside it as they are, so make them the
            # cheapest for this roster once, with the roster fixed, now that costs count: as a
            # piece, or (if that fails) on the whole model, which settles the implied columns too.
            limit = max(s.lns_deadline - time.perf_counter(), 1.0)
            values = s.settle_aux(s.incumbent, limit)
            if values is None:
                s.fix_all_but(np.zeros(s.n_x, dtype=bool), s.incumbent)
                _, values, _, _ = hw.run(None if s.stale_people.any() else s.incumbent, limit, 0.0)
                hw.set_bounds(s.x_idx, s.x_lo, s.x_up)
                if values is not None:
                    s.stale_people[:] = False
            s.incumbent = values if values is not None else s.incumbent
            s.best = hw.objective(s.incumbent)


def bent_owners(s: SearchState) -> np.ndarray:
    """The person each bent rule of the incumbent belongs to (-1: several people or none)."""
    return s.slack_owner[s.incumbent[s.slack_idx] > 1e-6]


def free_bent_people(s: SearchState, free: np.ndarray, owners: np.ndarray, target: float) -> None:
    """A repair piece: free (in ``free``) the people whose own rules still bend, the most bent
    first (with noise), until about ``target`` assignment columns are free."""
    bent = np.bincount(owners[owners >= 0], minlength=len(s.staff_ids))
    for k in np.argsort(-(bent + 0.5 * s.rng.random(len(s.staff_ids))), kind="stable"):
        if bent[k] == 0 or (free.any() and free.sum() >= target):
            break
        free[s.by_staff[k]] = True
