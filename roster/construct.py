"""A first roster built person by person, each placed where the roster still needs them.

Why.  The fix-and-optimise search (:mod:`roster.lns`) needs a roster to improve.  On
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

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# Relative gap of each person's piece; see the module docstring.
PERSON_GAP = 0.01
# Passes that re-place every person go on while one gains at least this share of the objective.
PASS_GAIN = 0.05


@dataclass
class ConstructStats:
    """What the construction did, for the log (and for tests)."""

    seconds: float = 0.0
    placed: int = 0  # people whose piece returned a roster in the first pass
    objectives: list[float] = field(default_factory=list)  # after the first pass, then after each re-placing pass


def construct_by_person(solve_piece: Callable[[np.ndarray, np.ndarray, float], np.ndarray | None],
                        objective: Callable[[np.ndarray], float], people: list[np.ndarray],
                        start: np.ndarray, *, deadline: float, pass_deadline: float,
                        piece_limit: float = 2.0) -> tuple[np.ndarray, ConstructStats]:
    """Place each person in turn (``people``: each person's assignment columns, in the order to
    place them) with everyone else fixed, from ``start`` (the full model's values, normally
    everyone off); then re-place each person in turn while a pass gains at least
    ``PASS_GAIN`` of the objective and ends before ``pass_deadline``.

    ``solve_piece(columns, values, time_limit)`` solves the piece freeing ``columns`` from
    ``values`` and returns the full model's values with the piece's result, or None when it
    found nothing.  People the first pass could not place (no time left, or no roster found
    for them) stay as they were in ``start``; the caller repairs whatever still bends."""
    t0 = time.perf_counter()
    stats = ConstructStats()
    values = start
    for cols in people:
        if time.perf_counter() >= deadline:
            break
        found = solve_piece(cols, values, min(piece_limit, deadline - time.perf_counter()))
        if found is not None:
            values = found
            stats.placed += 1
    current = objective(values)
    stats.objectives.append(current)
    while stats.placed == len(people):
        started, before = time.perf_counter(), current
        for cols in people:
            if time.perf_counter() >= pass_deadline:
                break
            found = solve_piece(cols, values, min(piece_limit, pass_deadline - time.perf_counter()))
            cost = objective(found) if found is not None else float("inf")
            if cost <= current + 1e-9:
                values, current = found, cost
        stats.objectives.append(current)
        took = time.perf_counter() - started
        if before - current < PASS_GAIN * abs(before) or time.perf_counter() + took > pass_deadline:
            break
    stats.seconds = time.perf_counter() - t0
    return values, stats
