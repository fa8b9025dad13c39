"""Consecutive weeks chained through ``previous``: the supervision rules hold across the boundary.

A week planned after last week's roster does not repeat, so its Sunday night belongs partly to
the next week.  The next week's first hours (00:00–07:00 with the example's shift templates) can
only be covered by this week's last shifts, so the city-wide supervisor and the supervision ratio
must hold there from this week's roster, in the model and in the check alike.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cities import no_leave, person
from constraints import RosterContext, default_rules, prepare_staff
from constraints.problem import Problem, covered_hours, shift_instances
from forecast.timegrid import week_hours
from roster.solve import model as roster_model
from rule_helpers import MONDAY, cfg_with, check, requirements, solve

NEXT = MONDAY + dt.timedelta(days=7)
ALL = range(7)


def _cfg():
    return cfg_with(districts=("North",), **{"supervision.min_supervisors_citywide": 1,
                                             "supervision.max_non_clinical_per_clinician": 1})


def _staff(c):
    sup = [person(f"C{i}", "clinician", "North", supervisor=True, cfg=c) for i in range(1, 7)]
    peers = [person(f"P{i}", "peer_supporter", "North", cfg=c) for i in range(1, 7)]
    return sup + peers


def _need(c, monday):
    return requirements(c, [("North", "clinician", ALL, 0, 24), ("North", "peer_supporter", ALL, 0, 24)], monday)


def _last_sunday_night(c):
    """Last week's Sunday night, a supervisor on duty until this week's Monday 07:00."""
    inst = shift_instances(c.shifts, MONDAY - dt.timedelta(days=7), c.timezone).set_index(["day", "shift"])
    i = inst.loc[(6, "night")]
    return pd.DataFrame([{"staff_id": "C6", "district": "North", "date": i["date"], "shift": "night",
                          "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}])


def _week(c, staff, monday, previous=None):
    """The week of ``monday`` planned after ``previous`` (a repeating week without it)."""
    st = prepare_staff(pd.DataFrame(staff), c)
    return Problem.build(c, monday, st, no_leave(), _need(c, monday), previous=previous)


def _first_hours_on_duty(roster, monday, tz, n):
    """Rows of ``roster`` on duty in the first ``n`` hours of the week of ``monday`` (column ``hour``)."""
    hours = week_hours(monday, tz)[:n]
    cov = covered_hours(roster["start"], roster["end"], hours, wrap=False)
    return roster.iloc[cov["row"].to_numpy()].assign(hour=cov["hour"].to_numpy())


def test_boundary_is_the_next_mondays_hours_no_next_shift_reaches():
    c = _cfg()
    repeating = _week(c, _staff(c), MONDAY)
    assert len(repeating.boundary) == 0  # its Sunday night covers its own Monday
    after = _week(c, _staff(c), MONDAY, previous=_last_sunday_night(c))
    b = after.boundary
    assert [ts.hour for ts in b] == list(range(7)) and {ts.date() for ts in b} == {NEXT}


@pytest.mark.parametrize("monday", [dt.date(2026, 10, 26), dt.date(2026, 3, 2)])  # ends on a 25- / 23-hour Sunday
def test_boundary_after_a_dst_sunday_is_still_the_next_mondays_first_seven_hours(monday):
    c = _cfg()
    prev = _last_sunday_night(c).iloc[:0]
    p = _week(c, _staff(c), monday, previous=prev)
    assert len(p.hours) in (167, 169)
    nxt = monday + dt.timedelta(days=7)
    assert [ts.hour for ts in p.boundary] == list(range(7)) and {ts.date() for ts in p.boundary} == {nxt}
    assert p.boundary[0] == p.week_end()


def test_two_weeks_chained_through_previous_have_a_supervisor_every_boundary_hour():
    c = _cfg()
    staff = _staff(c)
    week1 = _week(c, staff, MONDAY, previous=_last_sunday_night(c))
    r1, _ = solve(week1, time_limit=30)
    assert not [v for v in check(week1, r1) if v.hard]
    sup_ids = {s["staff_id"] for s in staff if s["supervisor"]}
    clinical = {s["staff_id"] for s in staff if s["role"] == "clinician"}
    duty = _first_hours_on_duty(r1, NEXT, c.timezone, 7)
    for h in range(7):
        at = duty[duty["hour"] == h]["staff_id"]
        assert at.isin(sup_ids).sum() >= 1, f"no supervisor at next Monday hour {h}"
        non = (~at.isin(clinical)).sum()
        assert non <= at.isin(clinical).sum(), f"ratio broken at next Monday hour {h}"
    # The next week, planned after this one, starts with its supervision in place and is feasible.
    week2 = _week(c, staff, NEXT, previous=r1)
    r2, _ = solve(week2, time_limit=30)
    assert not [v for v in check(week2, r2) if v.hard]


def test_check_and_model_flag_a_week_that_leaves_the_next_monday_unsupervised():
    """A Sunday evening to midnight covers this week's last hour but not the next Monday's first."""
    c = _cfg()
    p = _week(c, _staff(c), MONDAY, previous=_last_sunday_night(c))
    inst = p.instances.set_index(["day", "shift"])
    i = inst.loc[(6, "evening")]
    roster = pd.DataFrame([{"staff_id": "C1", "district": "North", "date": i["date"], "shift": "evening",
                            "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}])
    hits = [v for v in check(p, roster) if v.rule == "citywide_supervisor" and "next week" in v.message]
    assert len(hits) == 1 and "00:00–07:00" in hits[0].when and str(NEXT) in hits[0].when
    # A peer on the Sunday night without a clinician breaks the ratio in the next week's first hours.
    j = inst.loc[(6, "night")]
    peer = pd.DataFrame([{"staff_id": "P1", "district": "North", "date": j["date"], "shift": "night",
                          "start": j["start"], "end": j["end"], "paid_hours": j["paid_hours"]}])
    ratio = [v for v in check(p, pd.concat([roster, peer], ignore_index=True)) if v.rule == "supervision_ratio"
             and "next week" in v.message]
    assert len(ratio) == 1 and str(NEXT) in ratio[0].when
    # The model holds the same hours: one city-wide constraint per boundary hour, as the check counts them.
    m = roster_model.build(p, default_rules(c), elastic=True)
    names = [s.where for s in m.slacks if s.rule == "citywide_supervisor" and "next week" in s.where]
    assert len(names) == len(p.boundary) == 7
    assert RosterContext(p, roster).boundary_duty["hour"].tolist() == []


@pytest.mark.parametrize("monday,first_offset", [(dt.date(2026, 10, 26), -4), (dt.date(2026, 3, 2), -5)])
def test_without_requirements_of_their_own_the_boundary_asks_what_the_first_monday_asks(monday, first_offset):
    """Problem.build without ``boundary_requirements`` assumes the repeating week's figures: the first Monday's
    at the same clock hours, also when a DST change lies between them (EDT Monday, EST boundary and back)."""
    c = _cfg()
    hours = week_hours(monday, c.timezone)
    rows = [{"district": "North", "hour": i, "role": "clinician", "required": ts.hour + 1}
            for i, ts in enumerate(hours) if ts.date() == monday]
    st = prepare_staff(pd.DataFrame(_staff(c)), c)
    p = Problem.build(c, monday, st, no_leave(), pd.DataFrame(rows), previous=_last_sunday_night(c).iloc[:0])
    assert hours[0].utcoffset().total_seconds() / 3600 == first_offset != p.boundary[0].utcoffset().total_seconds() / 3600
    b = p.boundary_requirements
    assert b["hour"].tolist() == list(range(7)) and b["required"].tolist() == [h + 1 for h in range(7)]
    assert p.notes and "assumed" in p.notes[0]
    # given requirements are kept as they are, and a repeating week has no boundary to ask for
    given = b.assign(required=5)
    q = Problem.build(c, monday, st, no_leave(), pd.DataFrame(rows), previous=_last_sunday_night(c).iloc[:0],
                      boundary_requirements=given)
    assert q.boundary_requirements["required"].tolist() == [5] * 7 and not q.notes
    assert len(Problem.build(c, monday, st, no_leave(), pd.DataFrame(rows)).boundary_requirements) == 0


# -- language_cover in the next week's first hours ----------------------------------------

def _lang_cfg(hard: bool):
    """North only; Haitian Creole speakers on duty 20:00–02:00 every night (so next Monday 00:00–02:00 too)."""
    rule = {"language": "ht", "min": 1, "districts": ["North"], "start": "20:00", "end": "02:00", "hard": hard, "weight": 30}
    return cfg_with({"language_cover": [rule]}, districts=("North",))


def _lang_staff(c):
    staff = [person(f"C{i}", "clinician", "North", cfg=c) for i in range(1, 7)]
    for p in staff:
        p["languages"] = ["en", "ht"] if p["staff_id"] in ("C1", "C2", "C3", "C4") else ["en"]
    return staff


def _lang_week(c, staff):
    """The week after last week's Sunday long night of the speaker C4 (on duty until this Monday 07:00)."""
    inst = shift_instances(c.shifts, MONDAY - dt.timedelta(days=7), c.timezone).set_index(["day", "shift"])
    i = inst.loc[(6, "long_night")]
    prev = pd.DataFrame([{"staff_id": "C4", "district": "North", "date": i["date"], "shift": "long_night",
                          "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}])
    st = prepare_staff(pd.DataFrame(staff), c)
    return Problem.build(c, MONDAY, st, no_leave(), requirements(c, []), previous=prev)


def _nights(c, by_day: dict) -> pd.DataFrame:
    """A roster of long nights (19:00–07:00): ``by_day`` maps a day of the week to who works it."""
    inst = shift_instances(c.shifts, MONDAY, c.timezone).set_index(["day", "shift"])
    rows = []
    for day, sid in by_day.items():
        i = inst.loc[(day, "long_night")]
        rows.append({"staff_id": sid, "district": "North", "date": i["date"], "shift": "long_night",
                     "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(rows)


def _next_week(violations):
    return [v for v in violations if v.rule == "language_cover" and "next week" in v.message]


@pytest.mark.parametrize("hard", [True, False])
def test_language_cover_holds_in_the_next_weeks_first_hours_in_check_and_model(hard):
    from rule_helpers import fixed_roster_terms

    c = _lang_cfg(hard)
    p = _lang_week(c, _lang_staff(c))
    assert [ts.hour for ts in p.boundary] == list(range(7))
    speakers = {d: f"C{1 + d % 3}" for d in range(6)}
    # Sunday's long night by a speaker: every window hour is covered, the next Monday's 00:00–02:00 too.
    good = _nights(c, {**speakers, 6: "C4"})
    assert not [v for v in check(p, good) if v.rule == "language_cover"]
    # By someone who speaks no Creole: Sunday 20:00–24:00 is short, and so is the next Monday's 00:00–02:00.
    bad = _nights(c, {**speakers, 6: "C5"})
    hits = _next_week(check(p, bad))
    assert len(hits) == 1 and hits[0].hard == hard and hits[0].district == "North"
    assert hits[0].when == f"Mon {NEXT} 00:00–02:00" and hits[0].amount == 2
    this_week = [v for v in check(p, bad) if v.rule == "language_cover" and "next week" not in v.message]
    assert len(this_week) == 1 and this_week[0].amount == 4
    if hard:
        # The model holds the same two hours as hard constraints, named as the check names them.
        m = roster_model.build(p, default_rules(c), elastic=True)
        ahead = [s.where for s in m.slacks if s.rule == "language_cover" and "next week" in s.where]
        assert len(ahead) == 2 and all(w.startswith("North, ") and str(NEXT) in w for w in ahead)
    else:
        # The penalty prices the roster as the check counts it, the next week's hours included.
        for roster in (good, bad):
            checked = sum(v.amount for v in check(p, roster) if v.rule == "language_cover")
            terms = fixed_roster_terms(p, roster)
            assert terms.get("language_cover: hours without 1 ht speaker(s)", 0.0) == pytest.approx(30 * checked)


def test_a_solved_week_leaves_the_next_monday_a_speaker_until_the_window_ends():
    """Hard: Sunday 20:00–24:00 alone would take the 14:00–24:00 evening; the next Monday's 00:00–02:00
    asks for a shift that runs on past midnight."""
    c = _lang_cfg(True)
    p = _lang_week(c, _lang_staff(c))
    r, _ = solve(p, time_limit=30)
    assert not [v for v in check(p, r) if v.hard]
    speak = {"C1", "C2", "C3", "C4"}
    duty = _first_hours_on_duty(r, NEXT, c.timezone, 2)
    for h in range(2):
        assert duty[duty["hour"] == h]["staff_id"].isin(speak).any(), f"no ht speaker at next Monday hour {h}"
