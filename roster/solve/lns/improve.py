"""Improving the roster neighbourhood by neighbourhood, until the search's deadline.

Each drawn neighbourhood (:mod:`roster.solve.lns.neighbourhoods`) is cut out of the model as
a small MIP with the rest of the incumbent fixed and the incumbent as start, and its roster
is landed: taken when it is better (or as good, elsewhere on the plateau), the kinds' scores
and sizes adapted.  Improving pieces are solved ``workers`` at a time, each in its own thread
with one HiGHS thread, and landed as they finish (a worker never waits for an older piece); a
piece whose incumbent has moved on by then is rebased onto the newer one
(:func:`roster.solve.lns.highs_model.rebase`).  The repair and the whole model are solved one
at a time.  After ``whole_turn_after`` pieces in a row without gain the whole model gets a
turn.  The search stops early when a roster is proven optimal: the whole model solved to
optimality, or a roster at the LP relaxation's floor.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np

from roster.solve.lns.highs_model import HighsModel, rebase
from roster.solve.lns.neighbourhoods import Job, Neighbourhoods
from roster.solve.lns.repair import Repair
from roster.solve.lns.state import SearchState

log = logging.getLogger("roster")


def _solve_in_worker(hw: HighsModel, piece, start: np.ndarray, limit: float, gap: float, abs_gap: float):
    status, values = hw.run_piece(piece, start, limit, gap, abs_gap, threads=1)
    return status, values, time.perf_counter()


class Improvement:
    """The improving phase: the loop that draws, solves and lands neighbourhoods."""

    def __init__(self, s: SearchState, repair: Repair, *, flow_in_pieces: bool | None, start_size: float | None):
        self.s = s
        self.repair = repair
        self.hoods = Neighbourhoods(s, flow_in_pieces=flow_in_pieces, start_size=start_size)
        s.proven = s.at_lp_floor()
        if s.proven:
            s.stats.proven_by = "the LP relaxation"
        self.stop = s.proven  # the search is over: proven, or the neighbourhoods stopped paying
        self.stale = 0  # neighbourhoods in a row without gain
        self.whole_due = False  # the whole model's turn is next
        self.pool = (ThreadPoolExecutor(max_workers=s.workers, thread_name_prefix="lns-piece")
                     if s.workers > 1 else None)
        self.in_flight: deque[Job] = deque()
        # Pieces that paid on their own but did not fit the roster that moved on.
        self.retry: list[Job] = []

    def run(self) -> None:
        s = self.s
        try:
            while s.incumbent is not None and not self.stop and time.perf_counter() < s.lns_deadline - 0.5:
                if s.within_outside_gap() is not None:
                    s.proven = self.stop = True
                    s.stats.proven_by = "a bound proven beside the search, within the relative gap"
                    break
                self.repair.switch_if_too_slow()
                job = self.draw()
                if self.pool is not None and not job.repairing and not job.whole:
                    self._dispatch(job)
                    continue
                while self.in_flight and not self.stop:  # the repair and the whole model go one at a time
                    self._land_next()
                if self.stop:
                    break
                job.started = time.perf_counter()
                if job.whole:
                    status, values = self._solve_whole(job.limit, job.abs_gap)
                else:
                    piece, job.carry = self._prepare(job.free, job.carry, job.limit)
                    status, values = s.hw.run_piece(piece, s.incumbent, job.limit, job.gap, job.abs_gap)
                self.land(job, status, values, time.perf_counter() - job.started)
            while self.in_flight:  # pieces still being solved end by the search's deadline at the latest
                self._land_next()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
        s.stats.lns_objective = s.best
        s.stats.lns_seconds = time.perf_counter() - s.t0

    def draw(self) -> Job:
        """The next neighbourhood, drawn from the incumbent as it is now: the whole model when
        its turn is due, a piece to retry, else one of the kinds.  People in the pieces being
        solved are left out of people-based neighbourhoods: two pieces that change the same
        person's days often break a rule of that person together (total hours, runs), and the
        second is then lost."""
        s = self.s
        if self.whole_due and not s.slacks_open:
            # Counted from now: pieces drawn before the turn and landing while it waits for
            # them must not call for another turn at once.
            self.whole_due, self.stale = False, 0
            s.stats.whole_turns += 1
            limit = min(2 * s.sub_limit, max(s.lns_deadline - time.perf_counter(), 0.1))
            return Job("whole", np.ones(s.n_x, dtype=bool), float(s.n_x), True, False, limit,
                       repairing=False, abs_gap=1e-6)
        if self.retry:
            # A piece that paid on its own but did not fit the roster that moved on: its
            # neighbourhood again, from the newer roster.
            again = self.retry.pop()
            again.limit = min(again.limit, max(s.lns_deadline - time.perf_counter(), 0.1))
            again.base, again.future = None, None
            return again
        busy = np.zeros(len(s.staff_ids), dtype=bool)
        for job in self.in_flight:
            busy[s.staff_codes[job.free]] = True
        if busy.all():
            busy[:] = False
        return self.hoods.draw(busy)

    def _dispatch(self, job: Job) -> None:
        """Cut the piece from the incumbent and hand it to a worker; land one when all are busy."""
        s = self.s
        piece, job.carry = self._prepare(job.free, job.carry, job.limit)
        job.base, job.base_objective = s.incumbent, s.hw.objective(s.incumbent)
        job.started = time.perf_counter()
        job.future = self.pool.submit(_solve_in_worker, s.hw, piece, s.incumbent, job.limit, job.gap, job.abs_gap)
        self.in_flight.append(job)
        if len(self.in_flight) >= s.workers:
            self._land_next()

    def _land_next(self) -> None:
        """Land the first piece to finish (a worker never waits for an older piece)."""
        done, _ = wait([job.future for job in self.in_flight], return_when=FIRST_COMPLETED)
        job = next(job for job in self.in_flight if job.future in done)
        self.in_flight.remove(job)
        status, values, finished = job.future.result()
        self.land(job, status, values, finished - job.started)

    def _prepare(self, free: np.ndarray, carry: bool, limit: float) -> tuple[object | None, bool]:
        """The cut-out piece for the free assignment columns, the rest of the incumbent fixed
        (with the implied columns when ``carry`` and their people's could be settled first), or
        None when everything is free: then the whole model is solved, so that optimality is a
        proof.  Returns (piece, whether it carries the implied columns)."""
        s = self.s
        if free.all():
            return None, False
        if carry:
            touched = np.unique(s.staff_codes[free])
            stale = touched[s.stale_people[touched]]
            if len(stale) and not s.settle_people(stale, limit):
                carry = False  # the start would not be a roster of the piece
        return s.cutter(carry).piece(s.x_idx[free], s.incumbent, s.hw.lower, s.cur_upper, s.cur_cost), carry

    def _solve_whole(self, limit: float, abs_gap: float) -> tuple[str, np.ndarray | None]:
        s = self.s
        s.settle_implied(limit)
        s.hw.set_bounds(s.x_idx, s.x_lo, s.x_up)
        status, values, _, _ = s.hw.run(s.incumbent, limit, 0.0, abs_gap)
        return status, values

    def _rebase(self, free: np.ndarray, carry: bool, values: np.ndarray, base: np.ndarray) -> np.ndarray | None:
        s = self.s
        limit = max(min(s.sub_limit, s.lns_deadline - time.perf_counter()), 0.5)
        return rebase(s.hw, s.cutter(carry), s.x_idx, s.incumbent, free, values, s.cur_upper, s.cur_cost, limit, base)

    def _carry_over(self, job: Job, values: np.ndarray | None) -> tuple[np.ndarray | None, str, bool]:
        """A piece's roster when the incumbent moved on while it was solved beside others: its
        gain carried over, or its own roster if that is still the better one, or None.  Returns
        (values, a note for the log, whether the roster is the piece's own from the older base)."""
        s = self.s
        note = ""
        old_base = False  # the piece's own roster, cut from an older incumbent, is taken whole
        if values is not None and job.base is not None and job.base is not s.incumbent:
            own = s.hw.objective(values)
            tried = time.perf_counter()
            merged = self._rebase(job.free, job.carry, values, job.base) if own < job.base_objective - 1e-6 else None
            tried = time.perf_counter() - tried
            if merged is not None:
                s.stats.rebased += 1
                values = merged
                note = f" (rebased in {tried:.1f} s: {job.base_objective - own:g} gained on its own)"
            elif own < job.base_objective - 1e-6:
                note = f" (did not fit the newer roster, {tried:.1f} s: {job.base_objective - own:g} gained on its own)"
                if own >= s.best - 1e-6 and not job.retried:
                    job.retried = True
                    self.retry.append(job)
            if merged is None and own >= s.best - 1e-6:
                values = None
            old_base = merged is None and values is not None
        return values, note, old_base

    def land(self, job: Job, status: str, values: np.ndarray | None, took: float) -> None:
        """Take a solved piece's roster if it is better (or as good, elsewhere on the plateau),
        and adapt the kinds' scores and sizes to how it went."""
        s = self.s
        values, note, old_base = self._carry_over(job, values)
        s.stats.carried += int(job.carry)
        obj = s.hw.objective(values) if values is not None else None
        if s.bends_only and values is not None and s.slack_total(values) > s.slack_total(s.incumbent) - 1e-6:
            values, obj = None, None  # no fewer bends
        s.stats.sub_solves += 1
        log.debug("LNS %s%s: %d free, %s, %s -> best %s, slacks %s, %.1f s%s", job.kind, " +flow" if job.carry else "",
                  int(job.free.sum()), status, obj, s.best, "open" if s.slacks_open else "closed", took, note)
        turn = job.kind == "whole"  # the whole model's turn after a stall (see whole_turn_after)
        if not job.repairing and not turn:
            gained = s.best - obj if values is not None and obj < s.best - 1e-6 else 0.0
            self.hoods.score(job, gained, took)
        improved = values is not None and (s.bends_only or obj < s.best - 1e-6)
        # A different roster of the same cost is taken too (but counts as no progress): the
        # next neighbourhoods then start from elsewhere on the plateau instead of from a
        # roster whose neighbourhoods have been tried.
        tie = values is not None and not improved and not job.repairing and obj <= s.best + 1e-6
        if improved or tie:
            self._take(job, values, obj if improved else s.best, old_base)
        if improved:
            s.stats.improvements += 1
            self.stale = 0
            self.hoods.stall_level = 0
            self.repair.close_slacks_if_clean()
            if s.at_lp_floor():
                log.debug("LNS: %s reaches the LP relaxation's bound: optimal", s.best)
                s.proven = self.stop = True
                s.stats.proven_by = "the LP relaxation"
                return
        elif job.kind != "person":
            # One person's piece without gain is no sign that the neighbourhoods have stopped
            # paying: at a second or less a piece, whole_turn_after of them would call for the
            # whole model's turn within half a minute.
            self.stale += 1
        if job.kind != "person" and status == "Optimal" and job.whole and not job.repairing:
            s.proven = self.stop = True
            s.stats.proven_by = "the whole model"
            return
        self.hoods.adapt_size(job, status, took, improved, turn)
        self._after(job, turn)

    def _take(self, job: Job, values: np.ndarray, best: float, old_base: bool) -> None:
        """Make ``values`` the incumbent, marking the people whose implied columns it left stale."""
        s = self.s
        if old_base and len(s.implied_idx):
            # Its implied columns are the older incumbent's, whose flags were not kept.
            s.stale_people[:] = True
        elif not job.whole and not job.carry and len(s.implied_idx):
            moved = np.abs(np.round(values[s.x_idx]) - np.round(s.incumbent[s.x_idx]))
            s.stale_people[:] |= np.bincount(s.staff_codes, weights=moved, minlength=len(s.staff_ids)) > 0.5
        s.incumbent, s.best = values, best

    def _after(self, job: Job, turn: bool) -> None:
        """After a piece landed: widen the sizes on a stall, reset them when the repair is over,
        and call for the whole model's turn when the neighbourhoods have stopped paying."""
        s = self.s
        if not job.repairing and not turn:
            self.hoods.widen(self.stale)
        if job.repairing and not s.slacks_open:
            # The repair is over: its neighbourhood size (grown on per-person sub-problems
            # that stop as soon as the bends are least) means nothing for improving.
            self.hoods.targets["people"] = self.hoods.start_size
        if turn:
            self.stale = 0  # the whole model had its turn: the neighbourhoods go on
        elif self.stale >= s.settings.whole_turn_after and not job.repairing:
            self.whole_due = True  # the neighbourhoods have stopped paying: the whole model's turn
