"""fair_nights, fair_weekends and district_equity: each binds on a tiny city, and its check catches a violation."""

import pytest

from cities import person
from constraints import default_rules
from constraints.fairness import DistrictEquity, FairNights
from rule_helpers import cfg_with, check, make_problem, requirements, rows, shifts_of, solve

ALL = range(7)


def _night_staff(cfg):
    return [person("C1", "clinician", "North", rate=30, cfg=cfg), person("C2", "clinician", "North", rate=50, cfg=cfg)]


def _nights(roster, cfg):
    night = {n for n, t in cfg.shifts.items() if t.night}
    return roster[roster["shift"].isin(night)].groupby("staff_id").size().to_dict()


def test_fair_nights_binds_and_check_catches_the_unfair_roster():
    plain = cfg_with()
    req = requirements(plain, [("North", "clinician", ALL, 0, 7), ("North", "clinician", ALL, 23, 24)])
    p0 = make_problem(plain, _night_staff(plain), req)
    r0, _ = solve(p0)
    n0 = _nights(r0, plain)
    assert n0.get("C1", 0) == 5  # the cheap clinician takes every night the labour rules allow

    fair = cfg_with({"fair_nights": {"weight": 500}})
    p1 = make_problem(fair, _night_staff(fair), req)
    r1, res = solve(p1)
    n1 = _nights(r1, fair)
    assert max(n1.values()) == 4 and sum(n1.values()) == 7
    assert any(k.startswith("fair_nights") for k in res.penalties)
    assert not [v for v in check(p1, r1) if v.rule == "fair_nights"]

    # The check, from the rows alone, flags the unfair roster.
    hit = [v for v in check(p1, r0) if v.rule == "fair_nights"]
    assert hit and hit[0].staff_id == "C1" and hit[0].amount == 1 and not hit[0].hard


def test_fair_nights_deviation_mode_also_evens_out():
    fair = cfg_with({"fair_nights": {"weight": 500, "mode": "deviation"}})
    req = requirements(fair, [("North", "clinician", ALL, 0, 7), ("North", "clinician", ALL, 23, 24)])
    p = make_problem(fair, _night_staff(fair), req)
    r, _ = solve(p)
    assert max(_nights(r, fair).values()) == 4


def test_fair_weekends_binds_and_check_catches():
    req_spec = [("North", "clinician", [5, 6], 7, 15)]
    plain = cfg_with()
    p0 = make_problem(plain, _night_staff(plain), requirements(plain, req_spec))
    r0, _ = solve(p0)
    assert len(shifts_of(r0, "C1")) == 2 and shifts_of(r0, "C2").empty

    fair = cfg_with({"fair_weekends": {"weight": 500}})
    p1 = make_problem(fair, _night_staff(fair), requirements(fair, req_spec))
    r1, _ = solve(p1)
    assert len(shifts_of(r1, "C1")) == 1 and len(shifts_of(r1, "C2")) == 1
    hit = [v for v in check(p1, r0) if v.rule == "fair_weekends"]
    assert hit and hit[0].staff_id == "C1"


def test_fair_check_on_hand_made_roster():
    c = cfg_with({"fair_nights": {}})
    p = make_problem(c, _night_staff(c), requirements(c, []))
    r = rows(c, [("C1", "North", d, "night") for d in range(3)] + [("C2", "North", 4, "night")])
    hit = [v for v in check(p, r) if v.rule == "fair_nights"]
    assert [v.staff_id for v in hit] == ["C1"] and "3 night shifts" in hit[0].message


def _equity_case(rules):
    c = cfg_with(rules)
    staff = [person("F", "clinician", "North", floats=["South"], cfg=c)]
    req = requirements(c, [("North", "clinician", ALL, 7, 15), ("South", "clinician", [0, 1], 7, 15)])
    return c, make_problem(c, staff, req)


def test_district_equity_shares_the_shortfall():
    c0, p0 = _equity_case({"float_cost": {"per_hour": 1}})
    r0, _ = solve(p0)
    assert set(r0["district"]) == {"North"}  # the quiet district is left entirely short

    c1, p1 = _equity_case({"float_cost": {"per_hour": 1}, "district_equity": {"weight": 20000, "tolerance": 0.1}})
    r1, res = solve(p1)
    assert (r1["district"] == "South").sum() == 1 and (r1["district"] == "North").sum() == 4
    ratios = DistrictEquity.ratios(__import__("constraints").RosterContext(p1, r1))
    assert ratios["ratio"].max() == pytest.approx(0.5)

    hit = [v for v in check(p1, r0) if v.rule == "district_equity"]
    assert hit and hit[0].district == "South" and "100.0 %" in hit[0].message
    assert not [v for v in check(p1, r1) if v.rule == "district_equity"]


def test_district_equity_is_registered_and_soft():
    c = cfg_with({"district_equity": {}, "fair_nights": {"group_by": "seat"}})
    names = {r.name: r for r in default_rules(c)}
    assert not names["district_equity"].hard and isinstance(names["fair_nights"], FairNights)
