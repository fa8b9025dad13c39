"""`check` catches a hand-made violation of each hard rule, computed from the rows alone."""

import datetime as dt

import pandas as pd
import pytest

from cities import person, problem, small_config
from constraints import RosterContext, default_rules
from constraints.problem import shift_instances
from forecast.timegrid import local_midnight

MONDAY = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def cfg():
    return small_config()


@pytest.fixture(scope="module")
def staff(cfg):
    return [
        person("C1", "clinician", "North", supervisor=True, cfg=cfg),
        person("C2", "clinician", "South", supervisor=True, cfg=cfg, nights=False),
        person("P1", "peer_supporter", "North", cfg=cfg),
        person("P2", "peer_supporter", "North", cfg=cfg),
        person("P3", "peer_supporter", "North", cfg=cfg),
        person("P4", "community_health_worker", "North", cfg=cfg),
    ]


def rows(cfg, spec):
    """spec: list of (staff_id, district, day offset, shift name) → roster rows."""
    inst = shift_instances(cfg.shifts, MONDAY, cfg.timezone).set_index(["day", "shift"])
    out = []
    for sid, district, day, shift in spec:
        i = inst.loc[(day, shift)]
        out.append({"staff_id": sid, "district": district, "date": i["date"], "shift": shift,
                    "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(out)


def violations(cfg, staff, spec, leave=None):
    p = problem(cfg, staff, MONDAY, leave=leave)
    ctx = RosterContext(p, rows(cfg, spec))
    return [v for rule in default_rules(cfg) if rule.hard for v in rule.check(ctx)]


def rules_hit(vs):
    return {v.rule for v in vs}


def test_one_shift_per_day(cfg, staff):
    vs = violations(cfg, staff, [("C1", "North", 0, "early"), ("C1", "North", 0, "late")])
    assert "one_shift_per_day" in rules_hit(vs)


def test_min_rest(cfg, staff):
    # late ends 23:00, early next day starts 07:00: 8 h rest < 11 h
    vs = violations(cfg, staff, [("C1", "North", 0, "late"), ("C1", "North", 1, "early")])
    hit = [v for v in vs if v.rule == "min_rest"]
    assert hit and "8 h" in hit[0].message and hit[0].staff_id == "C1"


def test_max_hours_per_week(cfg, staff):
    spec = [("C1", "North", d, "long_night") for d in range(5)]  # 5 x 12 h = 60 h > 48 h
    vs = violations(cfg, staff, spec)
    hit = [v for v in vs if v.rule == "max_hours_per_week"]
    assert hit and hit[0].amount == pytest.approx(12)


def test_min_days_off(cfg, staff):
    spec = [("C1", "North", d, "day") for d in range(6)]  # 6 days worked, 1 off < 2
    assert "min_days_off" in rules_hit(violations(cfg, staff, spec))


def test_max_consecutive_days(cfg):
    c = small_config(**{"labour.max_consecutive_days": 3, "labour.min_days_off_per_week": 0})
    st = [person("C1", "clinician", "North", supervisor=True, cfg=c)]
    spec = [("C1", "North", d, "early") for d in range(4)]
    hit = [v for v in violations(c, st, spec) if v.rule == "max_consecutive_days"]
    assert hit and "4 days in a row" in hit[0].message


def test_approved_leave(cfg, staff):
    leave = pd.DataFrame([{"staff_id": "C1", "start": local_midnight(MONDAY, cfg.timezone),
                           "end": local_midnight(MONDAY + dt.timedelta(days=1), cfg.timezone)}])
    vs = violations(cfg, staff, [("C1", "North", 0, "early")], leave=leave)
    assert "approved_leave" in rules_hit(vs)


def test_district_eligibility(cfg, staff):
    vs = violations(cfg, staff, [("C1", "South", 0, "early")])
    assert "district_eligibility" in rules_hit(vs)


def test_night_work(cfg, staff):
    vs = violations(cfg, staff, [("C2", "South", 0, "night")])
    assert "night_work" in rules_hit(vs)


def test_supervision_ratio(cfg, staff):
    spec = [("C1", "North", 0, "early")] + [(p, "North", 0, "early") for p in ("P1", "P2", "P3", "P4")]
    hit = [v for v in violations(cfg, staff, spec) if v.rule == "supervision_ratio"]
    assert hit and hit[0].district == "North" and "4 non-clinical with 1 clinician" in hit[0].message


def test_non_clinical_alone_breaks_supervision(cfg, staff):
    hit = [v for v in violations(cfg, staff, [("P1", "North", 0, "early")]) if v.rule == "supervision_ratio"]
    assert hit


def test_citywide_supervisor(cfg, staff):
    vs = violations(cfg, staff, [("C1", "North", 0, "early")])
    hit = [v for v in vs if v.rule == "citywide_supervisor"]
    assert hit and "Mon 2026-11-02 00:00" in hit[0].message


def test_unknown_staff_and_shift(cfg, staff):
    r = rows(cfg, [("C1", "North", 0, "early")])
    r.loc[0, "staff_id"] = "GHOST"
    p = problem(cfg, staff, MONDAY)
    vs = [v for rule in default_rules(cfg) for v in rule.check(RosterContext(p, r))]
    assert any(v.rule == "known_shift" and "GHOST" in v.message for v in vs)


def test_clean_roster_has_no_violation_but_the_uncovered_hours():
    c = small_config(**{"supervision.min_supervisors_citywide": 0})
    st = [person("C1", "clinician", "North", cfg=c), person("P1", "peer_supporter", "North", cfg=c)]
    vs = violations(c, st, [("C1", "North", 0, "early"), ("P1", "North", 0, "early")])
    assert vs == []
