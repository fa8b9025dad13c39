"""The step the objective moves in, and bounds raised to the next value it can take."""

from __future__ import annotations

import math

import numpy as np


def objective_step(cost: np.ndarray, integrality, offset: float, free_of: np.ndarray) -> float | None:
    """The step the objective moves in over integer rosters, when it has one: the greatest
    common divisor of the costs, when every costed column (outside ``free_of``, the standby
    slacks, which a finished roster leaves at 0) is an integer column with an integer cost;
    else None.

    Why: with a step, a bound can be rounded up to the next value the objective can take,
    and a roster that reaches a bound so rounded is optimal -- reached during the search
    (the LP relaxation's value), the search can stop; reached by the final bound, a roster a
    fraction of a step above the unrounded bound is proven optimal.
    """
    costed = cost != 0
    costed[free_of] = False
    if not costed.any():
        return None
    if len(integrality) != len(cost):
        return None  # HiGHS leaves the list empty for a pure LP
    kinds = np.fromiter((int(t) for t in integrality), dtype=np.int64, count=len(cost))
    c = cost[costed]
    if np.any(kinds[costed] != 1) or np.any(np.abs(c - np.round(c)) > 1e-9):
        return None
    return float(np.gcd.reduce(np.abs(np.round(c)).astype(np.int64)))


def round_bound_up(bound: float, step: float, offset: float) -> float:
    """``bound`` raised to the next value the objective can take (``offset`` + a multiple
    of ``step``); a hair below a step counts as on it (the LP's value carries round-off).
    An infinite bound (HiGHS's when it proved nothing) is returned as it is."""
    if not math.isfinite(bound):
        return bound
    steps = (bound - offset) / step
    return offset + step * math.ceil(steps - 1e-6 * max(1.0, abs(steps)))
