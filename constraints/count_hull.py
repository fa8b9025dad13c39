"""Hours bands in whole shifts: the integer hull of a person's shift counts by length.

An hours band -- at least 118 and at most 136 hours over four weeks, at most 48 hours
a week -- is one row over shifts of several lengths.  Its LP relaxation lets a person
work 16.4 eight-hour shifts, or fill the band to the minute with a fraction of a
ten-hour night.  In whole shifts a band is much tighter: with 8-hour days and a
10-hour night, 136 hours allow 17 days but only 10 days beside 5 nights (130 hours).
Such losses add up over a team and decide how much cover it can give; the LP cannot
see them, so the solver's bound is far too hopeful and its branching slow (on a
benchmark roster these rows can raise the LP relaxation tenfold; docs/ssb.md).

So for each person and band we count the person's shifts by length, ``y_L``, find the
integer points of ``{lo <= sum L*y_L <= hi, 0 <= y_L <= u_L, sum y_L <= days}`` and
add the facets of their convex hull as rows.  They are *implied*: the band with its
bounds is convex, so the hull's integer points are exactly the band's, and no roster
the rules allow is cut off.  Bounds ``u_L`` come from the days a person can work that
length, the band's top, and the caps of ``max_shifts_of_type``.

Only bands with at most ``MAX_LENGTHS`` different lengths and an enumeration of at
most ``MAX_POINTS`` count vectors are strengthened; the rest keep their plain rows.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pulp

from constraints.base import ModelContext

MAX_LENGTHS = 4
MAX_POINTS = 60_000
Facet = tuple[tuple[int, ...], int]  # coef . y <= rhs


def band_points(lengths: tuple[int, ...], lo: int | None, hi: int | None, ub: tuple[int, ...],
                total: int) -> np.ndarray:
    """The integer count vectors in the band that are extreme in the last length.

    ``lengths`` in whole minutes; ``lo``/``hi`` in minutes (None: no bound); ``ub`` the
    most shifts of each length; ``total`` the most shifts in all.  Every point of the
    band lies between two returned points that differ only in the last coordinate, so
    both have the same convex hull.  Empty when the band holds no whole-shift roster.
    """
    k = len(lengths)
    last = lengths[-1]
    grids = np.meshgrid(*(np.arange(u + 1, dtype=np.int64) for u in ub[:-1]), indexing="ij")
    heads = np.stack([g.ravel() for g in grids], axis=1) if k > 1 else np.zeros((1, 0), dtype=np.int64)
    n = heads.sum(axis=1)
    used = heads @ np.asarray(lengths[:-1], dtype=np.int64)
    low = np.zeros(len(heads), dtype=np.int64) if lo is None else np.maximum(0, -((used - lo) // last))
    high = np.minimum(ub[-1], total - n)
    if hi is not None:
        high = np.minimum(high, (hi - used) // last)  # negative where the head alone is over the top
    ok = low <= high
    heads, low, high = heads[ok], low[ok], high[ok]
    both = np.concatenate([np.column_stack([heads, low]), np.column_stack([heads[high != low], high[high != low]])])
    return both.reshape(-1, k)


def hull_facets(points: np.ndarray) -> list[Facet]:
    """Exact integer facets ``coef . y <= rhs`` of the convex hull of integer points.

    Empty when the points do not span the whole space (a flat hull: the band's own
    rows then say as much as a hull would).
    """
    k = points.shape[1]
    if len(points) == 0:
        return []
    if k == 1:
        return sorted([((1,), int(points.max())), ((-1,), -int(points.min()))])
    from scipy.spatial import ConvexHull, QhullError

    uniq = np.unique(points, axis=0)
    if len(uniq) <= k:
        return []
    try:
        hull = ConvexHull(uniq)
    except QhullError:
        return []
    centre = uniq.mean(axis=0)
    out: set[Facet] = set()
    for simplex in hull.simplices:
        v = uniq[simplex]
        edges = (v[1:] - v[0]).astype(float)
        # The normal of the simplex's hyperplane, exactly: its cofactors (small integers).
        normal = np.array([round((-1) ** j * np.linalg.det(np.delete(edges, j, axis=1))) for j in range(k)],
                          dtype=np.int64)
        g = int(np.gcd.reduce(np.abs(normal)))
        if g == 0:
            continue
        normal //= g
        rhs = int(normal @ v[0])
        if normal @ centre > rhs:
            normal, rhs = -normal, -rhs
        out.add((tuple(int(c) for c in normal), rhs))
    return sorted(out)


def band_facets(lengths: tuple[int, ...], lo: int | None, hi: int | None, ub: tuple[int, ...],
                total: int) -> tuple[Facet, ...]:
    """The hull's facets but ``y >= 0`` and ``sum y <= total``, which the columns and rows already say.

    (An upper bound ``y_L <= u`` stays: ``u`` may come from the band's top in whole
    shifts or from several kinds' caps, which no single row states.)  Empty for a band
    beyond ``MAX_LENGTHS`` / ``MAX_POINTS``.
    """
    if len(lengths) > MAX_LENGTHS or math.prod(u + 1 for u in ub[:-1]) > MAX_POINTS:
        return ()
    return _band_facets(lengths, lo, hi, ub, total)


@lru_cache(maxsize=4096)
def _band_facets(lengths: tuple[int, ...], lo: int | None, hi: int | None, ub: tuple[int, ...],
                 total: int) -> tuple[Facet, ...]:
    k = len(lengths)
    keep = []
    for coef, rhs in hull_facets(band_points(lengths, lo, hi, ub, total)):
        if rhs == 0 and sum(1 for c in coef if c) == 1 and min(coef) < 0:
            continue
        if coef == (1,) * k and rhs >= total:
            continue
        keep.append((coef, rhs))
    return tuple(keep)


def _minutes(hours: float) -> int | None:
    m = hours * 60.0
    r = round(m)
    return int(r) if abs(m - r) < 1e-6 else None


def _bands(m: ModelContext, rules: list) -> list[tuple[str, str, object, float | None, float | None, str]]:
    """(rule name, staff id, week or None, lo hours, hi hours, where) for each hard hours band."""
    return [(rule.name, b.staff_id, b.week, b.low, b.high, b.where) for rule in rules for b in rule.hours_bands(m.problem)]


def _shift_caps(m: ModelContext, rules: list) -> dict[str, list[tuple[frozenset, int]]]:
    """Per person, the hard caps on shifts of some kinds: (shift kinds, most shifts of them in the horizon)."""
    out: dict[str, list[tuple[frozenset, int]]] = {}
    for rule in rules:
        for sid, cap in rule.shift_caps(m.problem).items():
            out.setdefault(sid, []).append(cap)
    return out


def add_hours_hulls(m: ModelContext, rules: list) -> int:
    """Add the integer hull of every hard hours band (see the module docstring); returns the rows added.

    The rows are hard constraints of the band's own rule (so standby slacks and the
    diagnosis treat them as that rule's); skipped in elastic mode, where bands may bend.
    """
    if m.elastic or m.assign.empty:
        return 0
    one_a_day = any(r.shifts_per_day_cap() == 1 for r in rules)
    bands = _bands(m, rules)
    if not bands:
        return 0
    caps = _shift_caps(m, rules)
    a = m.assign
    week = (a["day"].to_numpy() // 7)
    rows_of: dict[tuple[str, int | None], list[int]] = {}  # (person, week or None for the horizon) -> rows
    for i, sid in enumerate(a["staff_id"].to_numpy()):
        rows_of.setdefault((sid, None), []).append(i)
        rows_of.setdefault((sid, int(week[i])), []).append(i)
    xs = a["x"].to_numpy()
    days = a["day"].to_numpy()
    shifts = a["shift"].to_numpy()
    minutes = [_minutes(float(h)) for h in a["paid_hours"].to_numpy()]
    added = 0
    for rule_name, sid, w, lo, hi, where in bands:
        idx = rows_of.get((sid, w), [])
        if not idx or any(minutes[i] is None or minutes[i] <= 0 for i in idx):
            continue
        by_len: dict[int, list[int]] = {}
        for i in idx:
            by_len.setdefault(minutes[i], []).append(i)
        lengths = tuple(sorted(by_len))
        lo_m = None if lo is None or lo <= 0 else math.ceil(lo * 60.0 - 1e-6)
        hi_m = None if hi is None else math.floor(hi * 60.0 + 1e-6)
        ub = []
        for L in lengths:
            group = by_len[L]
            u = len({days[i] for i in group}) if one_a_day else len(group)
            if hi_m is not None:
                u = min(u, hi_m // L)
            kinds = {shifts[i] for i in group}
            single = 0
            for s in kinds:  # each kind's count is at most the tightest cap naming it
                single += min([c for ks, c in caps.get(sid, []) if s in ks], default=len(group))
            u = min(u, single, *[c for ks, c in caps.get(sid, []) if kinds <= ks])
            ub.append(int(u))
        total = len({days[i] for i in idx}) if one_a_day else len(idx)
        for coef, rhs in band_facets(lengths, lo_m, hi_m, tuple(ub), int(total)):
            terms = [(xs[i], c) for c, L in zip(coef, lengths) if c for i in by_len[L]]
            m.add_hard(rule_name, pulp.LpAffineExpression(terms), "<=", rhs, where)
            added += 1
    return added
