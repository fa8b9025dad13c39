"""A first roster built person by person, each placed where the roster still needs them.

Why.  The fix-and-optimise search (:mod:`roster.solve.lns.search`) needs a roster to
improve.  On large models the LP relaxation does not solve in its share of the time, and
a repair from the empty roster ignores cover while it repairs (it must, to be fast), so
the search would begin far from anything useful.

Placing one person at a time instead, with everyone else fixed and the true objective
(cover shortfalls, requests, the person's own rules hard), costs one small MIP per
person: each sees exactly what the roster built so far still lacks.  Passes that
re-place each person in turn then improve it further while they pay.

A person's piece is solved to a small gap (``person_gap``): early on the roster is
empty, so many placements are equally good, and proving which is best would cost far
more than the placement itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from roster.solve.lns.settings import DEFAULT_SETTINGS

SolvePiece = Callable[[np.ndarray, np.ndarray, float], "np.ndarray | None"]
Merge = Callable[[np.ndarray, np.ndarray, np.ndarray], "np.ndarray | None"]


@dataclass
class ConstructStats:
    """What the construction did, for the log (and for tests)."""

    seconds: float = 0.0
    placed: int = 0  # people whose piece returned a roster in the first pass
    objectives: list[float] = field(default_factory=list)  # after the first pass, then after each re-placing pass
    pass_seconds: list[float] = field(default_factory=list)  # what each of those passes took
    merged: int = 0  # pieces solved beside another and carried over to the roster it had changed
    unfit: int = 0  # such pieces that did not fit that roster (solved again, or dropped if they had been already)


def construct_by_person(solve_piece: SolvePiece, objective: Callable[[np.ndarray], float],
                        people: list[np.ndarray], start: np.ndarray, *, deadline: float,
                        pass_deadline: float, piece_limit: float = DEFAULT_SETTINGS.person_limit,
                        pass_gain: float = DEFAULT_SETTINGS.pass_gain, merge: Merge | None = None,
                        second_worker: threading.Event | None = None) -> tuple[np.ndarray, ConstructStats]:
    """Place each person in turn (``people``: each person's assignment columns, in the order to
    place them) with everyone else fixed, from ``start`` (the full model's values, normally
    everyone off); then re-place each person in turn while a pass gains at least
    ``pass_gain`` of the objective and ends before ``pass_deadline``.

    ``solve_piece(columns, values, time_limit)`` solves the piece freeing ``columns`` from
    ``values`` and returns the full model's values with the piece's result, or None when it
    found nothing.  People the first pass could not place (no time left, no roster found for
    them, or twice a roster that did not fit: see below) stay as they were in ``start``, and
    then there are no re-placing passes; the caller repairs whatever still bends.

    Two people at a time, once ``second_worker`` is set (the caller has a core to spare:
    the construction runs beside the LP relaxation, and on large models that is given up
    early, which would leave a core idle for most of the construction).  Each piece
    is cut from the roster as it is when the piece starts; one that lands after the other
    changed the roster is carried over to it by ``merge(current, columns, found)`` (its
    columns put in, what they share with others -- cover shortfalls -- settled), or solved
    again from the newer roster if that returns None.  Without ``merge`` one at a time."""
    t0 = time.perf_counter()
    stats = ConstructStats()
    pool = (ThreadPoolExecutor(max_workers=2, thread_name_prefix="construct")
            if merge is not None and second_worker is not None else None)
    try:
        values, placed, _ = _sweep(solve_piece, merge, objective, people, start, None, until=deadline,
                                   piece_limit=piece_limit, pool=pool, second_worker=second_worker, stats=stats)
        stats.placed = placed
        current = objective(values)
        stats.objectives.append(current)
        stats.pass_seconds.append(time.perf_counter() - t0)
        while stats.placed == len(people):
            started, before = time.perf_counter(), current
            values, _, current = _sweep(solve_piece, merge, objective, people, values, current,
                                        until=pass_deadline, piece_limit=piece_limit, pool=pool,
                                        second_worker=second_worker, stats=stats)
            stats.objectives.append(current)
            took = time.perf_counter() - started
            stats.pass_seconds.append(took)
            if before - current < pass_gain * abs(before) or time.perf_counter() + took > pass_deadline:
                break
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    stats.seconds = time.perf_counter() - t0
    return values, stats


def _sweep(solve_piece: SolvePiece, merge: Merge | None, objective: Callable[[np.ndarray], float],
           people: list[np.ndarray], values: np.ndarray, current: float | None, *, until: float,
           piece_limit: float, pool: ThreadPoolExecutor | None, second_worker: threading.Event | None,
           stats: ConstructStats) -> tuple[np.ndarray, int, float | None]:
    """One pass over ``people``: placing them (``current`` None: every roster found is taken)
    or re-placing them (a person's new roster is taken when the objective is no worse than
    ``current``).  Returns the roster, how many pieces returned one, and its objective when
    re-placing."""
    sweep = _Pass(merge, objective, people, values, current, stats)
    while sweep.queue or sweep.in_flight:
        width = 2 if second_worker is not None and second_worker.is_set() else 1
        while sweep.queue and len(sweep.in_flight) < width and time.perf_counter() < until:
            cols, again = sweep.queue.popleft()
            limit = min(piece_limit, until - time.perf_counter())
            if pool is None:
                sweep.take(cols, again, sweep.values, solve_piece(cols, sweep.values, limit))
                continue
            sweep.in_flight[pool.submit(solve_piece, cols, sweep.values, limit)] = (cols, again, sweep.values)
        if not sweep.in_flight:
            if time.perf_counter() >= until:
                break
            continue
        done, _ = wait(list(sweep.in_flight), return_when=FIRST_COMPLETED)
        for future in done:
            sweep.take(*sweep.in_flight.pop(future), future.result())
    return sweep.values, sweep.found_count, sweep.current


class _Pass:
    """The state of one pass: the roster so far, its objective when re-placing, the people
    still to place and the pieces being solved."""

    def __init__(self, merge: Merge | None, objective: Callable[[np.ndarray], float], people: list[np.ndarray],
                 values: np.ndarray, current: float | None, stats: ConstructStats):
        self.merge, self.objective, self.stats = merge, objective, stats
        self.values, self.current = values, current
        self.queue = deque((cols, False) for cols in people)  # (columns, whether already solved again once)
        self.in_flight: dict[Future, tuple[np.ndarray, bool, np.ndarray]] = {}  # future -> (columns, again, base)
        self.found_count = 0

    def take(self, cols: np.ndarray, again: bool, base: np.ndarray, found: np.ndarray | None) -> None:
        """Land a person's piece, solved from ``base``: carried over to the roster if that has
        changed meanwhile (or queued again, once, when it does not fit), then taken."""
        if found is not None and base is not self.values:
            found = self.merge(self.values, cols, found)
            if found is None:
                self.stats.unfit += 1
                if not again:
                    self.queue.appendleft((cols, True))
                return
            self.stats.merged += 1
        if found is None:
            return
        self.found_count += 1
        if self.current is None:
            self.values = found
            return
        cost = self.objective(found)
        if cost <= self.current + 1e-9:
            self.values, self.current = found, cost
