"""Hours bands in whole shifts (constraints/count_hull.py): exact, and tighter than the band's row."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import constraints.count_hull as count_hull
from constraints.count_hull import band_facets, band_points, hull_facets
from rule_helpers import lp_relaxation_value
from roster.solve.model import build
from benchmarks.ssb.instance import parse_instance
from benchmarks.ssb.model import ssb_config, ssb_problem, ssb_rules


def _in_band(y, lengths, lo, hi, ub, total):
    used = sum(a * b for a, b in zip(lengths, y))
    return (all(0 <= v <= u for v, u in zip(y, ub)) and sum(y) <= total
            and (lo is None or used >= lo) and (hi is None or used <= hi))


def _meets(y, facets):
    return all(sum(c * v for c, v in zip(coef, y)) <= rhs for coef, rhs in facets)


@settings(max_examples=150, deadline=None)
@given(
    lengths=st.lists(st.sampled_from([360, 420, 480, 540, 600, 720]), min_size=1, max_size=3, unique=True).map(sorted),
    ub=st.lists(st.integers(0, 9), min_size=3, max_size=3),
    total=st.integers(0, 14),
    lo=st.one_of(st.none(), st.integers(0, 6000)),
    width=st.one_of(st.none(), st.integers(0, 3000)),
)
def test_the_hull_keeps_exactly_the_whole_shift_counts_the_band_allows(lengths, ub, total, lo, width):
    """Every count vector in the box: inside the band <=> on the right side of every facet (with
    the bounds the columns and rows already state).  So no roster is cut off, and the rows say
    all a band can say in whole shifts."""
    lengths = tuple(lengths)
    ub = tuple(ub[: len(lengths)])
    hi = None if width is None else (lo or 0) + width
    facets = list(band_facets(lengths, lo, hi, ub, total))
    if not band_points(lengths, lo, hi, ub, total).size or not facets and len(lengths) > 1:
        return  # no whole-shift roster at all, or a flat hull: the band's own rows stand alone
    for y in itertools.product(*(range(u + 1) for u in ub)):
        if sum(y) > total:
            continue
        assert _in_band(y, lengths, lo, hi, ub, total) == _meets(y, facets), (y, facets)


def test_a_band_in_whole_shifts_is_tighter_than_its_row():
    """8-hour days and a 10-hour night, 118-136 hours: five nights leave room for only ten days
    (130 h), though the row allows 10.75; and at least 15 shifts in all."""
    facets = band_facets((480, 600), 7080, 8160, (17, 5), 26)
    fractional = (10.75, 5)  # 480 * 10.75 + 600 * 5 = 8160: on the row
    assert 480 * fractional[0] + 600 * fractional[1] <= 8160
    assert not _meets(fractional, facets)
    assert ((1, 2), 20) in facets and ((-1, -1), -14) in facets
    assert _meets((10, 5), facets) and _meets((17, 0), facets)


def test_one_length_rounds_the_band_to_whole_shifts():
    assert hull_facets(band_points((480,), 5400, 6480, (20,), 28)) == [((-1,), -12), ((1,), 13)]


def test_a_band_without_room_for_whole_shifts_gives_no_rows():
    # 7.5 to 7.9 hours: no number of 8-hour shifts fits
    assert band_points((480,), 450, 474, (5,), 5).size == 0
    assert band_facets((480,), 450, 474, (5,), 5) == ()


def _one_person(max_minutes: int) -> str:
    """One person over a fortnight, 8-hour days and 10-hour lates both wanted every day."""
    return "\n".join([
        "SECTION_HORIZON", "14", "",
        "SECTION_SHIFTS", "E,480,", "L,600,", "",
        "SECTION_STAFF", f"P,E=14|L=14,{max_minutes},0,14,1,1,4", "",
        "SECTION_COVER", *[f"{d},E,1,100,1" for d in range(14)], *[f"{d},L,1,100,1" for d in range(14)], "",
    ])


def _lp_value(max_minutes: int) -> float:
    inst = parse_instance(_one_person(max_minutes), source="one.txt", name="one")
    cfg = ssb_config(inst)
    return lp_relaxation_value(build(ssb_problem(inst, cfg), ssb_rules(cfg)).prob)


def test_the_models_lp_relaxation_meets_the_whole_shift_optimum(monkeypatch):
    """83 h 20 min: ten shifts at most in whole shifts (ten days, or nine and a late), so 18 of the
    28 shifts go uncovered, 1 800.  The band's row alone lets the LP staff 10.4 days (1 796)."""
    with_hull = _lp_value(5000)
    monkeypatch.setattr(count_hull, "MAX_LENGTHS", 0)  # the plain rows only
    without = _lp_value(5000)
    assert with_hull == pytest.approx(1800)
    assert without < 1799
