"""language_cover, cross_cover, guaranteed_hours, part_time_cap, float_cost, float_pool:
each binds on a tiny city and changes the answer, and its check catches a hand-made violation."""

import datetime as dt

import pandas as pd
import pytest

from cities import person
from constraints import RosterContext
from constraints.coverage import Coverage
from forecast.timegrid import local_midnight
from roster.solve.diagnose import diagnose
from rule_helpers import MONDAY, cfg_with, check, make_problem, requirements, rows, shifts_of, solve

ALL = range(7)


def speaker(sid, langs, **kw):
    p = person(sid, "clinician", "North", **kw)
    p["languages"] = langs
    return p


# -- language_cover -----------------------------------------------------------

def test_language_cover_binds_and_check_catches():
    spec = [("North", "clinician", [0, 1, 2], 7, 15)]
    staff = lambda c: [speaker("C1", ["en"], rate=30, cfg=c), speaker("C2", ["en", "es"], rate=50, cfg=c)]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert shifts_of(r0, "C2").empty

    rule = {"language_cover": [{"language": "es", "min": 1, "districts": ["North"], "start": "07:00", "end": "15:00", "weight": 100}]}
    c = cfg_with(rule)
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, res = solve(p1)
    assert len(shifts_of(r1, "C2")) == 5  # the Spanish speaker now works as many days as allowed
    assert any(k.startswith("language_cover") for k in res.penalties)
    hit = [v for v in check(p1, r0) if v.rule == "language_cover"]
    assert hit and hit[0].district == "North" and "es speaker" in hit[0].message and hit[0].amount == 7 * 8


def test_language_cover_window_wraps_midnight_and_hard_mode_is_diagnosed():
    rule = {"language_cover": [{"language": "ht", "min": 1, "start": "20:00", "end": "02:00", "hard": True}]}
    c = cfg_with(rule)
    staff = [speaker("C1", ["en"], cfg=c), speaker("C2", ["en"], cfg=c)]
    p = make_problem(c, staff, requirements(c, []))
    r = rows(c, [("C1", "North", 0, "long_night")])
    hit = [v for v in check(p, r) if v.rule == "language_cover"]
    assert hit and hit[0].hard and "20:00" in hit[0].when
    text = diagnose(p, time_limit=20)
    assert "language_cover" in text and "ht" in text


# -- cross_cover ----------------------------------------------------------------

def test_cross_cover_fills_the_peer_seat_and_counts_a_person_once():
    spec = [("North", "clinician", [0], 7, 15), ("North", "peer_supporter", [0], 7, 15)]
    staff = lambda c: [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert Coverage.table(RosterContext(p0, r0))["shortfall"].sum() == 8

    c = cfg_with({"cross_cover": {"allow": {"clinician": ["peer_supporter"]}}})
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, _ = solve(p1)
    assert sorted(r1["seat"]) == ["clinician", "peer_supporter"]
    assert Coverage.table(RosterContext(p1, r1))["shortfall"].sum() == 0
    assert not [v for v in check(p1, r1) if v.hard]

    # One clinician alone cannot fill both seats of the same hour.
    p2 = make_problem(c, staff(c)[:1], requirements(c, spec))
    r2, _ = solve(p2)
    assert len(r2) == 1 and Coverage.table(RosterContext(p2, r2))["shortfall"].sum() == 8


def test_cross_cover_check_catches_a_seat_not_allowed():
    c = cfg_with({"cross_cover": {"allow": {"clinician": ["peer_supporter"]}, "staff": ["C1"]}})
    staff = [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    p = make_problem(c, staff, requirements(c, []))
    r = rows(c, [("C1", "North", 0, "early"), ("C2", "North", 0, "early")]).assign(seat="peer_supporter")
    hit = [v for v in check(p, r) if v.rule == "cross_cover"]
    assert [v.staff_id for v in hit] == ["C2"] and hit[0].hard


# -- guaranteed_hours -------------------------------------------------------------

def test_guaranteed_hours_binds_and_leave_lowers_it():
    spec = [("North", "clinician", [0], 7, 15)]
    staff = lambda c: [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert len(r0) == 1

    c = cfg_with({"guaranteed_hours": {"share": 0.5, "weight": 100}})
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, _ = solve(p1)
    hours = r1.groupby("staff_id")["paid_hours"].sum()
    assert hours["C1"] >= 20 and hours["C2"] >= 20
    hit = [v for v in check(p1, r0) if v.rule == "guaranteed_hours"]
    assert {v.staff_id for v in hit} == {"C1", "C2"} and not hit[0].hard

    # A whole week of leave: nothing is guaranteed.
    tz = c.timezone
    leave = pd.DataFrame([{"staff_id": "C2", "start": local_midnight(MONDAY, tz), "end": local_midnight(MONDAY + dt.timedelta(days=7), tz)}])
    p2 = make_problem(c, staff(c), requirements(c, spec), leave=leave)
    hit = [v for v in check(p2, r0) if v.rule == "guaranteed_hours"]
    assert {v.staff_id for v in hit} == {"C1"}


def test_guaranteed_hours_staff_column_overrides():
    c = cfg_with({"guaranteed_hours": {"share": 0.5}})
    st = [person("C1", "clinician", "North", contract=20, cfg=c)]
    st[0]["guaranteed_hours"] = 16.0
    p = make_problem(c, st, requirements(c, []))
    hit = [v for v in check(p, rows(c, [("C1", "North", 0, "early")])) if v.rule == "guaranteed_hours"]
    assert hit and hit[0].amount == pytest.approx(8)


# -- part_time_cap ------------------------------------------------------------------

def test_part_time_cap_binds_and_check_catches():
    spec = [("North", "clinician", range(5), 7, 15), ("North", "peer_supporter", range(5), 7, 15)]
    staff = lambda c: [
        person("C1", "clinician", "North", cfg=c),
        person("P1", "peer_supporter", "North", contract=20, rate=15, cfg=c),
        person("P2", "peer_supporter", "North", contract=40, rate=40, cfg=c),
    ]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert shifts_of(r0, "P1")["paid_hours"].sum() == 40

    c = cfg_with({"part_time_cap": {"extra_hours": 4}})
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, _ = solve(p1)
    assert shifts_of(r1, "P1")["paid_hours"].sum() <= 24
    hit = [v for v in check(p1, r0) if v.rule == "part_time_cap"]
    assert hit and hit[0].staff_id == "P1" and hit[0].amount == pytest.approx(16) and hit[0].hard


# -- float_cost and float_pool --------------------------------------------------------

def test_float_cost_binds_and_check_reports_hours_away():
    spec = [("South", "clinician", [0], 7, 15)]
    staff = lambda c: [person("C1", "clinician", "North", rate=30, floats=["South"], cfg=c), person("C2", "clinician", "South", rate=35, cfg=c)]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert list(r0["staff_id"]) == ["C1"]

    c = cfg_with({"float_cost": {"per_hour": 10}})
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, res = solve(p1)
    assert list(r1["staff_id"]) == ["C2"]
    hit = [v for v in check(p1, r0) if v.rule == "float_cost"]
    assert hit and hit[0].staff_id == "C1" and hit[0].amount == 8 and not hit[0].hard


def test_float_pool_lets_members_work_anywhere():
    spec = [("South", "clinician", [0], 7, 15)]
    staff = lambda c: [person("C1", "clinician", "North", cfg=c)]
    plain = cfg_with()
    p0 = make_problem(plain, staff(plain), requirements(plain, spec))
    r0, _ = solve(p0)
    assert r0.empty

    c = cfg_with({"float_pool": {"staff": ["C1"]}})
    p1 = make_problem(c, staff(c), requirements(c, spec))
    r1, _ = solve(p1)
    assert list(r1["district"]) == ["South"]
    assert not [v for v in check(p1, r1) if v.hard]
    # The same row without the pool breaks district eligibility.
    assert "district_eligibility" in {v.rule for v in check(p0, r1)}


def test_float_pool_column_in_staff_file():
    c = cfg_with({"float_pool": {}})
    st = [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    st[0]["float_pool"] = 1.0
    st[1]["float_pool"] = float("nan")
    p = make_problem(c, st, requirements(c, []))
    fl = dict(zip(p.staff["staff_id"], p.staff["float_districts"]))
    assert fl == {"C1": ["South"], "C2": []}


def test_unknown_rule_setting_is_named():
    from roster.errors import InputError

    with pytest.raises(InputError, match="rules.part_time_cap.extra"):
        cfg_with({"part_time_cap": {"extra": 4}})
