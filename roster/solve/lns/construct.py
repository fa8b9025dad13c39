"""A first roster built person by person, each placed where the roster still needs them.

Why.  The fix-and-optimise search (:mod:`roster.solve.lns.search`) needs a roster to improve.  On
large models the LP relaxation does not solve in its share of the time, and the old
first roster -- everyone off, then a repair that frees the people whose own rules
bend -- ignored cover while it repaired (it had to, to be fast), so the search began
far from anything useful: on benchmark instance 21 (100 people, 182 days) the first
roster without bends came at 59 s at 476 069, and the search stood at 64 309 at
240 s and about 25 000-30 000 at 600 s (best known 21 133).

Placing one person at a time instead, with everyone else fixed and the true
objective (cover shortfalls, requests, the person's own rules hard), costs one small
MIP per person: each sees exactly what the roster built so far still lacks.  Measured
offline (session 13, one HiGHS thread): instance 21 built in 41 s at 60 672, and two
passes that re-place each person in turn took it to 28 668 at 59 s; instance 20 at
8 036 after 49 s (600-s search before: 5 532), 19 at 7 050 after 15 s (the repair from
the LP's rounding had given 41 525 at 70 s), 13 at 7 551 after 21 s.

A person's piece is solved to a 1 % gap: early on the roster is empty, so many
placements are equally good and proving which is best took HiGHS up to 30 s for
some people of instance 13 (18 shift types); with the gap, 7 s for all 120 people.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# Relative gap of each person's piece; see the module docstring.
PERSON_GAP = 0.01
# Time limit of each person's piece, in seconds.  Not a share of the time budget (that is
# kept by the pass's deadline): a piece that hits its limit has cost the whole limit, often
# without a roster that keeps the person's rules, and the fallback then costs as much again
# for a roster blind to cover.  Measured on benchmark instance 24 (150 people, a year, 32
# shift types; session 16, the first three people on the empty roster, one HiGHS thread):
# at 0.73 s a person -- the old even share of a quarter of the search time -- every hard
# piece timed out, and hard piece plus fallback took 1.5-2.2 s a person; with 2 s, each
# was solved in 0.9-1.4 s (1.2 s of 1.4 in HiGHS's presolve).
PERSON_LIMIT = 2.0
# Passes that re-place every person go on while one gains at least this share of the objective.
PASS_GAIN = 0.05

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
                        pass_deadline: float, piece_limit: float = PERSON_LIMIT, merge: Merge | None = None,
                        second_worker: threading.Event | None = None) -> tuple[np.ndarray, ConstructStats]:
    """Place each person in turn (``people``: each person's assignment columns, in the order to
    place them) with everyone else fixed, from ``start`` (the full model's values, normally
    everyone off); then re-place each person in turn while a pass gains at least
    ``PASS_GAIN`` of the objective and ends before ``pass_deadline``.

    ``solve_piece(columns, values, time_limit)`` solves the piece freeing ``columns`` from
    ``values`` and returns the full model's values with the piece's result, or None when it
    found nothing.  People the first pass could not place (no time left, no roster found for
    them, or twice a roster that did not fit: see below) stay as they were in ``start``, and
    then there are no re-placing passes; the caller repairs whatever still bends.

    Two people at a time, once ``second_worker`` is set (the caller has a core to spare:
    the construction runs beside the LP relaxation, and on large models that is given up
    early -- instance 23 left a core idle for 130 of the construction's 158 s).  Each piece
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
            if before - current < PASS_GAIN * abs(before) or time.perf_counter() + took > pass_deadline:
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
    queue = deque((cols, False) for cols in people)  # (columns, whether already solved again once)
    in_flight: dict[Future, tuple[np.ndarray, bool, np.ndarray]] = {}  # future -> (columns, again, base)
    found_count = 0

    def take(cols: np.ndarray, again: bool, base: np.ndarray, found: np.ndarray | None) -> None:
        nonlocal values, current, found_count
        if found is not None and base is not values:
            found = merge(values, cols, found)
            if found is None:
                stats.unfit += 1
                if not again:
                    queue.appendleft((cols, True))
                return
            stats.merged += 1
        if found is None:
            return
        found_count += 1
        if current is None:
            values = found
            return
        cost = objective(found)
        if cost <= current + 1e-9:
            values, current = found, cost

    while queue or in_flight:
        width = 2 if second_worker is not None and second_worker.is_set() else 1
        while queue and len(in_flight) < width and time.perf_counter() < until:
            cols, again = queue.popleft()
            limit = min(piece_limit, until - time.perf_counter())
            if pool is None:
                take(cols, again, values, solve_piece(cols, values, limit))
                continue
            in_flight[pool.submit(solve_piece, cols, values, limit)] = (cols, again, values)
        if not in_flight:
            if time.perf_counter() >= until:
                break
            continue
        done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
        for future in done:
            take(*in_flight.pop(future), future.result())
    return values, found_count, current
