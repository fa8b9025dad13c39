"""What the phases of the search share (:class:`SearchState`): the model in HiGHS and its
index arrays, the clock, the incumbent and its objective, whether the standby slacks are
open, and the stats for the log."""

from __future__ import annotations

from collections.abc import Callable

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from constraints.base import ModelContext
from roster.solve.lns.bounds import objective_step
from roster.solve.lns.construct import ConstructStats
from roster.solve.lns.highs_model import HighsModel
from roster.solve.lns.settings import SearchSettings
from roster.solve.lns.submip import SubMip
from roster.solve.trace import SolveTrace


@dataclass
class LnsStats:
    """What the search did, for the log (and for tests)."""

    lp_seconds: float | None = None
    lp_bound: float | None = None  # the LP relaxation's value: a lower bound on the optimum
    lp_given_up: float | None = None  # seconds after which the LP was foreseen to miss its cap
    lp_skipped: bool = False  # the LP was not tried: too large for its cap (lp_nonzeros_per_second)
    rens_given_up: float | None = None  # seconds after which RENS was stopped (no roster, or no better one)
    rens_objective: float | None = None  # RENS's roster's objective (bends priced in), when it ran and found one
    first_from: str = ""  # where the first roster came from: RENS, the LP's rounding, the empty roster, the whole model
    sub_solves: int = 0
    carried: int = 0  # improving pieces that carried the implied columns
    rebased: int = 0  # pieces solved beside others whose gain was carried over to a newer incumbent
    improvements: int = 0
    first_objective: float | None = None
    first_seconds: float | None = None
    lns_objective: float | None = None
    lns_seconds: float = 0.0
    construct: ConstructStats | None = None  # the person-by-person first roster, when built
    whole_turns: int = 0  # turns the whole model had after the neighbourhoods stalled
    # Improving pieces by kind of neighbourhood: {kind: [solved, improved, objective gained, seconds]}.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    proven_by: str = ""  # what proved the roster optimal: the LP relaxation, the whole model, the rounded bound


def slack_owners(hw: HighsModel, x_idx: np.ndarray, staff_codes: np.ndarray, slack_idx: np.ndarray) -> np.ndarray:
    """For each standby slack, the person whose rule it relaxes (by the assignment columns in
    its row), or -1 when the row spans several people or none."""
    n_rows = len(hw.row_start) - 1
    row_of = np.repeat(np.arange(n_rows), np.diff(hw.row_start))
    col_staff = np.full(len(hw.lower), -1, dtype=np.int64)
    col_staff[x_idx] = staff_codes
    slack_row = np.full(len(hw.lower), -1, dtype=np.int64)
    is_slack = np.zeros(len(hw.lower), dtype=bool)
    is_slack[slack_idx] = True
    slack_row[hw.row_index[is_slack[hw.row_index]]] = row_of[is_slack[hw.row_index]]
    staff_in_row = col_staff[hw.row_index]
    known = staff_in_row >= 0
    lo = np.full(n_rows, np.iinfo(np.int64).max)
    hi = np.full(n_rows, -1)
    np.minimum.at(lo, row_of[known], staff_in_row[known])
    np.maximum.at(hi, row_of[known], staff_in_row[known])
    one = np.where((hi >= 0) & (lo == hi), hi, -1)
    rows = slack_row[slack_idx]
    return np.where(rows >= 0, one[np.maximum(rows, 0)], -1)


class SearchState:
    """The search's shared state.  Set up from the built model ``m``: the clock (``t0``, the
    ``deadline`` of the whole run and ``lns_deadline`` of the neighbourhoods), the random
    generator, the model in HiGHS and the index arrays of its assignment columns (``x_idx``,
    with each one's person and day), standby slacks and implied columns.  Then, as the phases
    change them: the LP relaxation's assignments and floor, the ``incumbent`` and its objective
    ``best``, whether the slacks are open and the bends alone minimised, the current column
    data pieces are cut from, and which people's implied columns are stale."""

    def __init__(self, m: ModelContext, *, time_limit: float, threads: int, seed: int, lns_share: float,
                 sub_time_limit: float | None, workers: int | None, settings: SearchSettings,
                 trace: SolveTrace | None = None):
        self.m = m
        self.trace = trace  # told of every roster without bends that becomes the incumbent
        self.settings = settings
        self.time_limit = time_limit
        self.t0 = time.perf_counter()
        self.workers = max(1, int(threads if workers is None else workers))
        self.deadline = self.t0 + time_limit
        self.lns_deadline = self.t0 + lns_share * time_limit
        self.rng = np.random.default_rng(seed)
        self.hw = hw = HighsModel(m, threads=threads, seed=seed)
        self.stats = LnsStats()

        self.x_idx = x_idx = np.array([v.index for v in m.assign["x"]], dtype=np.int64)
        self.n_x = len(x_idx)
        self.staff_codes, self.staff_ids = pd.factorize(m.assign["staff_id"])
        self.days = m.assign["day"].to_numpy()  # day of the horizon, 0 = the Monday
        self.horizon = int(self.days.max()) + 1 if self.n_x else 1
        self.by_staff = [np.flatnonzero(self.staff_codes == k) for k in range(len(self.staff_ids))]
        self.slack_idx = np.array([s.var.index for s in m.slacks if s.var is not None], dtype=np.int64)
        self.implied_idx = np.array([v.index for v in m.implied], dtype=np.int64)
        self.slack_owner = slack_owners(hw, x_idx, self.staff_codes, self.slack_idx)
        self.x_lo = hw.lower[x_idx]
        self.x_up = hw.upper[x_idx]
        self.sub_limit = sub_time_limit or float(min(settings.piece_seconds_max, max(
            settings.piece_seconds_min, time_limit / settings.pieces_per_time_limit)))
        # The objective of a search for fewer bends alone: 1 per unit of slack, every other cost 0
        # (the repair's, when it minimises the bends alone, and a person's fallback piece).
        self.bends_cost = np.zeros(len(hw.cost))
        self.bends_cost[self.slack_idx] = 1.0

        # The LP relaxation: a guide for the first roster and for the neighbourhoods.
        self.lp_x: np.ndarray | None = None
        self.lp_rounding: np.ndarray | None = None  # the LP's decided assignments, the rest off
        self.lp_failed = False
        # The least objective any roster can have, by the LP relaxation, when the objective moves
        # in steps (see objective_step): a roster that reaches it is optimal, and the search stops.
        self.step = objective_step(hw.cost, hw.lp.integrality_, hw.offset, self.slack_idx)
        self.lp_floor: float | None = None
        self.constructed: np.ndarray | None = None  # the construction's roster, when it still bends rules

        self.incumbent: np.ndarray | None = None
        self._best: float | None = None
        self.proven = False
        # A bound proven elsewhere while the search runs (e.g. from a period's weeks' LPs), and the
        # gap at which it ends the search: (callable giving the bound or None, relative gap).
        self.outside_bound: tuple[Callable[[], float | None], float] | None = None
        self.slacks_open = False
        self.bends_only = False  # the repair minimises the bends alone (see Repair)
        # The model's current column data (slacks open or closed, repair or true objective),
        # from which neighbourhoods are cut; the assignment columns keep their own bounds here.
        self.cur_upper = hw.upper.copy()
        self.cur_cost = hw.cost
        self._cutter: SubMip | None = None
        self._carrying_cutter: SubMip | None = None
        # Pieces that leave the implied columns (the run-rule flow) out leave them stale for the
        # people whose days changed; the whole model needs them settled before it is given the
        # incumbent as a start, a piece that carries them needs its own people's settled, and the
        # final roster gets them settled too.
        self.stale_people = np.zeros(len(self.staff_ids), dtype=bool)

    @property
    def best(self) -> float | None:
        """The incumbent's objective (set with the incumbent: ``s.incumbent, s.best = values, obj``)."""
        return self._best

    @best.setter
    def best(self, value: float | None) -> None:
        self._best = value
        if self.trace is not None and value is not None and self.incumbent is not None \
                and self.slack_total(self.incumbent) < 1e-6:
            self.trace.offer(self.hw.objective(self.incumbent), self.stats.lp_bound)

    def fix_all_but(self, free: np.ndarray, values: np.ndarray | None) -> None:
        """Fix the assignment columns outside ``free`` in HiGHS's model, at ``values`` (None: at 0)."""
        lo = self.x_lo.copy()
        up = self.x_up.copy()
        keep = ~free
        if values is None:
            lo[keep] = 0.0
            up[keep] = 0.0
        else:
            v = np.round(values[self.x_idx[keep]])
            lo[keep] = v
            up[keep] = v
        self.hw.set_bounds(self.x_idx, lo, up)

    def slack_total(self, values: np.ndarray) -> float:
        return float(values[self.slack_idx].sum()) if len(self.slack_idx) else 0.0

    def open_slacks(self) -> None:
        """Let hard rules bend, each bend at the elastic cost (10^6 per unit)."""
        if len(self.slack_idx) and not self.slacks_open:
            inf = self.hw.hs.kHighsInf
            self.hw.set_bounds(self.slack_idx, np.zeros(len(self.slack_idx)), np.full(len(self.slack_idx), inf))
            self.cur_upper[self.slack_idx] = inf
            self.slacks_open = True

    def close_slacks(self) -> None:
        self.hw.set_bounds(self.slack_idx, np.zeros(len(self.slack_idx)), np.zeros(len(self.slack_idx)))
        self.cur_upper[self.slack_idx] = 0.0
        self.slacks_open = False

    def cutter(self, carry: bool = False) -> SubMip:
        """Built on first use: the matrix and its components, shared by pieces and penalties;
        ``carry`` for pieces that keep the implied columns (sharing the matrix)."""
        if self._cutter is None:
            self._cutter = SubMip(self.hw.lp, self.x_idx, self.implied_idx)
        if carry:
            if self._carrying_cutter is None:
                self._carrying_cutter = self._cutter.carrying_left_out()
            return self._carrying_cutter
        return self._cutter

    def settle_implied(self, limit: float) -> None:
        """Settle the stale implied columns of the incumbent, the roster fixed."""
        if not self.stale_people.any() or self.incumbent is None:
            return
        hw = self.hw
        # Only the implied columns and their rows (a plain LP for the flow), not a presolve of
        # the whole model; the whole model with the roster fixed if that fails.
        _, values = hw.run_piece(self.cutter().settling_piece(self.incumbent, hw.lower, self.cur_upper, self.cur_cost),
                                 self.incumbent, max(limit, 1.0), 0.0)
        if values is None:
            self.fix_all_but(np.zeros(self.n_x, dtype=bool), self.incumbent)
            _, values, _, _ = hw.run(None, max(limit, 1.0), 0.0)
            hw.set_bounds(self.x_idx, self.x_lo, self.x_up)
        if values is not None:
            self.incumbent = values
            self.stale_people[:] = False

    def settle_aux(self, values: np.ndarray, limit: float, carry: bool = False) -> np.ndarray | None:
        """``values`` with every auxiliary column (cover shortfalls, slacks, ...) made the cheapest
        for its roster, the roster fixed -- one piece, so HiGHS does not presolve the whole
        model for it.  The implied columns are settled too when ``carry``, else left as they
        are (stale).  None when it did not solve."""
        piece = self.cutter(carry).piece(self.x_idx, values, self.hw.lower, self.cur_upper, self.cur_cost, fix_cut=True)
        _, settled = self.hw.run_piece(piece, values, max(limit, 1.0), 0.0)
        return settled

    def settle_people(self, people: np.ndarray, limit: float) -> bool:
        """Settle the implied columns of ``people`` (and whatever shares their rows, e.g. cover
        shortfalls) with the roster fixed: a small solve, an LP for the flow.  False when it
        did not solve."""
        cols = self.x_idx[np.isin(self.staff_codes, people)]
        piece = self.cutter(carry=True).piece(cols, self.incumbent, self.hw.lower, self.cur_upper, self.cur_cost,
                                              fix_cut=True)
        _, values = self.hw.run_piece(piece, self.incumbent, max(limit, 0.5), 0.0)
        if values is None:
            return False
        self.incumbent, self.best = values, min(self.best, self.hw.objective(values))
        self.stale_people[people] = False
        return True

    def within_outside_gap(self) -> float | None:
        """The outside bound when the incumbent, free of bends, is within its gap of it; else None."""
        if self.outside_bound is None or self.best is None or self.incumbent is None:
            return None
        bound = self.outside_bound[0]()
        if bound is None or self.slack_total(self.incumbent) > 1e-6:
            return None
        return bound if self.best - bound <= self.outside_bound[1] * max(abs(self.best), 1e-9) else None

    def at_lp_floor(self) -> bool:
        """Is the incumbent, free of bends, as good as the LP relaxation allows (so optimal)?"""
        return (self.lp_floor is not None and self.incumbent is not None and self.best is not None
                and self.best <= self.lp_floor + 1e-6 and self.slack_total(self.incumbent) < 1e-6)

    def leave_final_solve_little(self) -> None:
        """The LP relaxation was not tried or did not solve: the neighbourhoods keep all but the
        final reserve of the time limit, and the repair minimises the bends alone by default."""
        st = self.settings
        self.lns_deadline = self.deadline - min(st.final_reserve_share * self.time_limit, st.final_reserve_max)
        self.lp_failed = True
