"""The first roster.

The roster is built person by person (:mod:`roster.solve.lns.construct`) in a thread of its
own while the LP relaxation is solved here.  When the LP solves it gives a bound and a guide,
and -- when the constructed roster still bends rules, or ``rens_beside_construction`` -- RENS
from it.  The start is the construction's roster when it bends no rule, else the better of
RENS's and the construction's; failing those, the LP's rounding, the empty roster with the
slacks open, or any roster HiGHS finds for the whole model.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from roster.solve.lns.bounds import round_bound_up
from roster.solve.lns.construct import construct_by_person
from roster.solve.lns.highs_model import rebase
from roster.solve.lns.settings import DEFAULT_SETTINGS, SearchSettings
from roster.solve.lns.state import SearchState

log = logging.getLogger("roster")


class LpForesight:
    """An interior-point callback that gives the LP relaxation up early when, at its pace so
    far, it would not finish within ``cap`` seconds.

    Why: the search cannot use an LP that misses its cap, and waiting for the cap wastes it.
    The interior-point method on these models takes about ``lp_iterations`` iterations and the
    crossover to a vertex about as long again, so after ``lp_look`` iterations the whole is
    foreseen as the time before the first iteration (presolve) plus ``seconds per iteration *
    lp_iterations * lp_crossover``.  The first iterations are the cheap ones, so the forecast
    errs on the hopeful side and an LP that would have finished is not given up on its account.
    """

    def __init__(self, cap: float, settings: SearchSettings = DEFAULT_SETTINGS):
        self.cap = cap
        self.iterations = settings.lp_iterations
        self.crossover = settings.lp_crossover  # whole solve / interior-point phase
        self.look = settings.lp_look  # iterations seen before the first forecast
        self.started = time.perf_counter()
        self.iterating: float | None = None  # when the interior-point phase began
        self.gave_up: float | None = None
        self.reason = ""

    def __call__(self, event) -> None:
        now = time.perf_counter()
        if self.iterating is None:
            self.iterating = now
        done = int(event.data_out.ipm_iteration_count)
        if done < self.look or self.gave_up is not None:
            return
        per_iteration = (now - self.iterating) / done
        foreseen = (self.iterating - self.started) + per_iteration * self.iterations * self.crossover
        if foreseen > self.cap:
            self.gave_up = now - self.started
            self.reason = f"{done} iterations, {foreseen:.1f} s foreseen against a cap of {self.cap:.1f} s"
            event.interrupt()


class RensWatch:
    """A branch-and-bound callback for RENS that gives it up when it has found no roster after
    ``patience`` seconds, or when its roster has not improved for ``stall`` seconds.

    Why: RENS from the LP relaxation (a piece of the assignments the LP left fractional)
    either finds a roster early or not at all in its time, while the repair from the LP's
    rounding needs a few seconds for a first roster.  And RENS is a way to a first roster, not
    a search: with the LP's decisions fixed its roster often bends rules that no roster of the
    piece can avoid, and HiGHS then spends its time proving that -- time the repair and the
    neighbourhoods put to better use."""

    def __init__(self, patience: float, stall: float = math.inf):
        self.patience = patience
        self.stall = stall
        self.gave_up: float | None = None
        self.reason = ""
        self._best = math.inf
        self._since = 0.0  # running time when the roster last improved

    def __call__(self, event) -> None:
        out = event.data_out
        now = float(out.running_time)
        primal = float(out.mip_primal_bound)
        if not math.isfinite(primal):
            if now > self.patience:
                self.gave_up, self.reason = now, "no roster"
                event.interrupt()
            return
        if primal < self._best - 1e-9:
            self._best, self._since = primal, now
        elif now - self._since > self.stall:
            self.gave_up, self.reason = now, f"no better roster for {now - self._since:.1f} s"
            event.interrupt()


class PersonPieces:
    """The construction's pieces: one person freed, everyone else fixed.

    The slacks are open in the people's pieces only (a person whose rules cannot all hold
    still gets a roster, the bends priced), not in the whole model the LP is solved on."""

    def __init__(self, s: SearchState):
        self.s = s
        self.open_upper = s.cur_upper.copy()
        self.open_upper[s.slack_idx] = s.hw.hs.kHighsInf
        self.cutter = s.cutter()

    def solve(self, cols: np.ndarray, values: np.ndarray, limit: float) -> np.ndarray | None:
        """The person's piece with their own rules hard first: with the slacks open, a piece
        that hits its time limit often still bends them.  When that finds nothing in the
        piece's time, the slacks are opened and the bends alone minimised (every other cost 0),
        stopping as soon as they are least, as the repair does: with the true objective
        instead, a bend costing 10^6, the gap would let HiGHS stop with many bends left, while
        a roster that keeps the person's rules, even one blind to cover, is a start the next
        pass (rules hard again) can improve."""
        s = self.s
        hw = s.hw
        piece = self.cutter.piece(s.x_idx[cols], values, hw.lower, s.cur_upper, hw.cost)
        found = hw.run_piece(piece, values, max(limit, 0.05), s.settings.person_gap, threads=1)[1]
        if found is None:
            piece = self.cutter.piece(s.x_idx[cols], values, hw.lower, self.open_upper, s.bends_cost)
            found = hw.run_piece(piece, values, max(limit, 0.05), 0.0, 0.5, threads=1)[1]
        return found

    def merge(self, current: np.ndarray, cols: np.ndarray, found: np.ndarray) -> np.ndarray | None:
        """A person placed beside another, carried over to the roster the other changed
        (slacks open, as in the person's own piece)."""
        s = self.s
        return rebase(s.hw, self.cutter, s.x_idx, current, cols, found, self.open_upper, s.hw.cost,
                      s.settings.person_limit)


class Construction:
    """The person-by-person construction, started in a thread of its own (one HiGHS thread).

    Once the LP relaxation is over (solved or given up) its core places people too.
    Re-placing passes may go on until ``construction_share`` of the search time, while each
    gains ``pass_gain``."""

    def __init__(self, s: SearchState):
        self.s = s
        pieces = PersonPieces(s)
        st = s.settings
        search_time = max(s.lns_deadline - time.perf_counter(), 0.0)
        self.spare_core = threading.Event()
        self.builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lns-construct")
        passes_until = time.perf_counter() + st.construction_share * search_time
        people = [s.by_staff[k] for k in s.rng.permutation(len(s.staff_ids))]
        self.building = self.builder.submit(
            construct_by_person, pieces.solve, s.hw.objective, people, np.zeros(len(s.hw.lower)),
            deadline=passes_until, pass_deadline=passes_until, piece_limit=st.person_limit,
            pass_gain=st.pass_gain, merge=pieces.merge if s.workers > 1 else None,
            second_worker=self.spare_core if s.workers > 1 else None)

    def take(self) -> None:
        """Wait for the construction; its roster becomes the incumbent when it bends no rule."""
        s = self.s
        self.spare_core.set()
        values, built = self.building.result()
        self.builder.shutdown()
        s.open_slacks()
        settled = s.settle_aux(values, s.sub_limit)  # components no person touches keep the start's values
        values = settled if settled is not None else values
        s.stale_people[:] = True  # the pieces left the implied columns out
        s.close_slacks()
        s.stats.construct = built
        log.debug("LNS: built person by person in %.1f s (%d of %d placed, %d pieces carried over, %d did not fit), %s",
                  built.seconds, built.placed, len(s.staff_ids), built.merged, built.unfit,
                  " -> ".join(f"{v:.0f} ({t:.0f} s)" for v, t in zip(built.objectives, built.pass_seconds)))
        if s.slack_total(values) < 1e-6:
            s.incumbent, s.best = values, s.hw.objective(values)
            s.stats.first_from = "the person-by-person construction"
        else:
            s.constructed = values


def find_first_roster(s: SearchState, *, construct: bool, use_lp: bool, lp_share: float,
                      rens_beside_construction: bool) -> None:
    """Set ``s.incumbent`` (and ``s.best``) to a first roster, and ``s.lp_x`` / ``s.lp_floor``
    from the LP relaxation when it solves."""
    construction = Construction(s) if construct and s.n_x and len(s.staff_ids) > 1 else None
    lp_cap = max(lp_share * (s.deadline - time.perf_counter()), 0.1)
    if use_lp and s.n_x and len(s.hw.row_index) > s.settings.lp_nonzeros_per_second * lp_cap:
        s.stats.lp_skipped = True
        log.debug("LNS: LP relaxation not tried: %d nonzeros against a cap of %.1f s", len(s.hw.row_index), lp_cap)
        # As when it is given up: no bound for branch and bound to build on.
        s.leave_final_solve_little()
        use_lp = False
    if use_lp and s.n_x:
        _lp_relaxation(s, lp_cap, construction, rens_beside_construction)
    if construction is not None and s.stats.construct is None:  # no LP relaxation was tried
        construction.take()
    _fall_back(s)
    if s.incumbent is not None:
        s.stats.first_objective = s.best
        s.stats.first_seconds = time.perf_counter() - s.t0
        log.debug("LNS: first roster from %s, %s", s.stats.first_from, s.best)


def _lp_relaxation(s: SearchState, lp_cap: float, construction: Construction | None,
                   rens_beside_construction: bool) -> None:
    """Solve the LP relaxation within ``lp_cap`` seconds, then take the construction's roster;
    run RENS from the LP when no roster without bends is in hand (or when told to anyway).

    Interior point with crossover: these LPs are very degenerate, and the interior-point
    method is several times faster than the dual simplex on them.  The crossover to a vertex
    takes about half of the time but is kept: an interior solution leaves far more assignments
    fractional, and RENS from it finds a worse roster or none.  The LP keeps the run-rule flow:
    without it the LP solves faster but guides RENS and the neighbourhoods worse.  Capped at
    ``lp_share`` of the time left: an LP that needs more does not pay for itself."""
    hw, stats = s.hw, s.stats
    hw.h.setOptionValue("solve_relaxation", True)
    hw.h.setOptionValue("solver", "ipm")
    foresight = LpForesight(lp_cap, s.settings)
    watch = getattr(hw.h, "cbIpmInterrupt", None)  # highspy's event API; older releases lack it
    if watch is not None:
        watch.subscribe(foresight)
    status, values, lp_value, _ = hw.run(None, lp_cap, 0.0)
    if watch is not None:
        watch.unsubscribe(foresight)
    hw.h.setOptionValue("solver", "choose")
    hw.h.setOptionValue("solve_relaxation", False)
    lp_ended = time.perf_counter()
    if construction is not None:
        construction.take()
    if foresight.gave_up is not None:
        stats.lp_given_up = foresight.gave_up
        log.debug("LNS: LP relaxation given up after %.1f s: %s", foresight.gave_up, foresight.reason)
    if status == "Optimal" and values is not None:
        s.lp_x = values[s.x_idx]
        stats.lp_seconds = lp_ended - s.t0
        stats.lp_bound = lp_value
        if s.trace is not None:
            s.trace.offer(bound=lp_value)
        if s.step is not None:
            s.lp_floor = round_bound_up(lp_value, s.step, hw.offset)
        log.debug("LNS: LP relaxation %.1f in %.1f s", lp_value, stats.lp_seconds)
        # RENS only when the person-by-person construction left no roster without bends, unless
        # ``rens_beside_construction``: then it runs anyway and the better of the two is the start.
        if s.incumbent is None or rens_beside_construction:
            _rens(s, values)
    else:
        log.debug("LNS: LP relaxation %s", status)
        # Branch and bound on a model whose LP relaxation alone does not solve in its share
        # of the search time will not get far either: give that time to the neighbourhoods.
        s.leave_final_solve_little()


def _rens(s: SearchState, lp_values: np.ndarray) -> None:
    """RENS: keep what the LP already decided, search over what it left fractional.

    With the slacks open it always yields a roster, if one that still bends rules.  It is cut
    out as a piece (the LP's decisions fixed, the fractional assignments free and set to 0 in
    the start), so HiGHS does not presolve the whole model for it.  The piece carries the
    implied columns: without the flow's tight LP it is no easier than a neighbourhood of its
    size.  The auxiliary columns it does not reach keep their LP values, which need not be
    integer: they are settled after it."""
    hw, stats, x_idx, lp_x = s.hw, s.stats, s.x_idx, s.lp_x
    decided = (lp_x < 1e-6) | (lp_x > 1 - 1e-6)
    s.open_slacks()
    start = lp_values.copy()
    start[x_idx] = np.where(decided, np.round(lp_x), 0.0)
    rens_limit = min(4 * s.sub_limit, max(s.lns_deadline - time.perf_counter(), 0.1))
    piece = s.cutter(carry=True).piece(x_idx[~decided], start, hw.lower, s.cur_upper, s.cur_cost)
    s.lp_rounding = start
    watch = RensWatch(patience=min(2 * s.sub_limit, rens_limit), stall=s.sub_limit)
    status, values = hw.run_piece(piece, start, rens_limit, 0.0, watch=watch)
    stats.rens_given_up = watch.gave_up
    if values is not None:
        values = s.settle_aux(values, rens_limit, carry=True)
    obj = hw.objective(values) if values is not None else None
    stats.rens_objective = obj
    log.debug("LNS: LP relaxation in %.1f s, %d of %d assignments fractional; RENS %s%s, %s",
              stats.lp_seconds, int((~decided).sum()), s.n_x, status,
              f" (given up after {watch.gave_up:.1f} s: {watch.reason})" if watch.gave_up is not None else "",
              obj)
    rival = s.incumbent if s.incumbent is not None else s.constructed
    if values is not None and (rival is None or obj < hw.objective(rival)):
        s.incumbent, s.best = values, obj
        stats.first_from = "RENS"


def _fall_back(s: SearchState) -> None:
    """The first roster when neither the construction (without bends) nor RENS gave one."""
    hw, stats = s.hw, s.stats
    if s.incumbent is None and s.constructed is not None:
        # The construction's roster bends rules, and RENS found nothing better (or did not run): repair it.
        s.open_slacks()
        s.incumbent, s.best = s.constructed, hw.objective(s.constructed)
        stats.first_from = "the person-by-person construction (with bends)"
    if s.incumbent is None and s.lp_rounding is not None:
        # The LP's decided assignments, the rest off, with its bends and other auxiliary
        # columns settled for it (the flow left out, so every person's is stale).
        values = s.settle_aux(s.lp_rounding, s.sub_limit, carry=False)
        if values is not None:
            s.incumbent, s.best = values, hw.objective(values)
            s.stale_people[:] = True
            stats.first_from = "the LP's rounding"
    if s.incumbent is None and len(s.slack_idx):
        s.open_slacks()
        s.fix_all_but(np.zeros(s.n_x, dtype=bool), None)
        status, values, obj, _ = hw.run(None, min(s.sub_limit * 4, max(s.deadline - time.perf_counter(), 0)), 1e-4)
        if values is not None:
            s.incumbent, s.best = values, obj
            stats.first_from = "the empty roster"
    if s.incumbent is None:
        # No standby slacks (or the empty roster breaks a rule no slack covers): ask HiGHS
        # for any roster of the whole model within part of the search time.
        if s.slacks_open:
            s.close_slacks()
        hw.set_bounds(s.x_idx, s.x_lo, s.x_up)
        status, values, obj, _ = hw.run(None, max(s.lns_deadline - time.perf_counter(), 0) * 0.5, 1e-4)
        if values is not None:
            s.incumbent, s.best = values, obj
            stats.first_from = "the whole model"


def take_start(s: SearchState, chosen: np.ndarray) -> bool:
    """Make the roster of the assignment columns ``chosen`` (model column indices) the first
    roster, its auxiliary columns settled for it; False when it bends a hard rule or does not settle.

    The whole model's LP is not solved: it is the reason to start from a roster built elsewhere
    (the chained weeks of a long period, whose LP alone may take longer than the time limit)."""
    values = s.hw.lower.copy()
    values[s.x_idx] = 0.0
    values[np.intersect1d(chosen, s.x_idx)] = 1.0  # a complete start's other columns are settled anew
    s.open_slacks()
    settled = s.settle_aux(values, max(s.sub_limit * 4, 5.0), carry=True)
    s.close_slacks()
    s.leave_final_solve_little()
    if settled is None or s.slack_total(settled) > 1e-6:
        return False
    s.incumbent, s.best = settled, s.hw.objective(settled)
    s.stats.first_from, s.stats.first_objective = "the given start", s.best
    s.stats.first_seconds = time.perf_counter() - s.t0
    if s.trace is not None:
        s.trace.offer(s.best)
    return True
