"""Why each uncovered hour is uncovered (shortfalls.csv), and the sizing hint."""

import datetime as dt

import pandas as pd

from cities import person
from forecast.timegrid import local_midnight
from roster.evaluate.shortfall import REASONS, shortfall_lines, shortfall_report, shortfall_table, sizing_hints
from roster.pipeline.stages import coverage_table
from roster.solve.model import candidates
from rule_helpers import MONDAY, cfg_with, make_problem, requirements, solve


def _reasons(p, rules=None):
    from constraints import default_rules

    rules = default_rules(p.config) if rules is None else rules
    r, _ = solve(p, rules)
    cov = coverage_table(p, r)
    return shortfall_table(p, r, cov, candidates(p, rules)), cov


def test_no_shift_covers_the_hour():
    c = cfg_with(shifts={"early": {"start": "07:00", "hours": 8}, "late": {"start": "15:00", "hours": 8}})
    p = make_problem(c, [person("C1", "clinician", "North", cfg=c)], requirements(c, [("North", "clinician", [0], 2, 4)]))
    t, _ = _reasons(p)
    assert list(t["reason"]) == ["no_shift"] and t["hours"].iloc[0] == 2 and t["uncovered_staff_hours"].iloc[0] == 2
    assert "no shift covers" in t["detail"].iloc[0]


def test_midnight_peak_costs_more_than_the_shortfall_price():
    """Monday 00:00–01:00: only a whole night shift covers it, 8 h × $52 = $416 > $400 of shortfall."""
    c = cfg_with()
    p = make_problem(c, [person("C1", "clinician", "North", rate=52.0, cfg=c)],
                     requirements(c, [("North", "clinician", [0], 0, 1)]))
    t, cov = _reasons(p)
    assert cov["shortfall"].sum() == 1
    assert list(t["reason"]) == ["too_costly"]
    detail = t["detail"].iloc[0]
    assert "costs $416" in detail and "$400 of shortfall" in detail and "1 uncovered hour(s) × $400" in detail
    assert "night shift" in detail
    lines = shortfall_lines(t)
    assert lines[0].startswith("why uncovered: too costly 1 staff-hours") and "$416" in lines[1]


def test_no_eligible_person_is_free():
    c = cfg_with()
    # One clinician for 07:00–23:00 every day: five days of one shift; the rest cannot be covered.
    p = make_problem(c, [person("C1", "clinician", "North", cfg=c)], requirements(c, [("North", "clinician", range(7), 7, 23)]))
    t, _ = _reasons(p)
    assert set(t["reason"]) == {"no_one_free"}
    text = " ".join(t["detail"])
    assert "already work a shift that day (one_shift_per_day)" in text
    assert "are at their weekly hours (max_hours_per_week)" in text or "(min_days_off)" in text  # on the days off
    # On leave that day: nobody of the role can be on duty then.
    wed = MONDAY + dt.timedelta(days=2)
    leave = pd.DataFrame([{"staff_id": "C1", "start": local_midnight(wed, c.timezone),
                           "end": local_midnight(wed + dt.timedelta(days=1), c.timezone)}])
    p2 = make_problem(c, [person("C1", "clinician", "North", cfg=c)], requirements(c, [("North", "clinician", [2], 9, 11)]), leave=leave)
    t2, _ = _reasons(p2)
    assert list(t2["reason"]) == ["no_one_free"] and "1 may work in North" in t2["detail"].iloc[0]
    assert set(t2["reason"]) <= set(REASONS)


def test_sizing_hint_counts_people_of_the_role_and_the_hours_they_cover():
    c = cfg_with()
    p = make_problem(c, [person("P1", "peer_supporter", "South", cfg=c)], requirements(c, [("North", "clinician", range(7), 7, 15)]))
    r, _ = solve(p)
    cov = coverage_table(p, r)
    hints = sizing_hints(p, cov)
    assert len(hints) == 1
    h = hints[0]
    assert (h["district"], h["role"], h["people"], h["covers_hours"], h["uncovered_hours"]) == ("North", "clinician", 2, 56, 56)
    assert h["text"] == "about 2 more clinicians in North (40 h a week each) would cover 56 of the 56 uncovered staff-hours"
    table, more = shortfall_report(p, r, cov, candidates(p, __import__("constraints").default_rules(c)))
    assert more["sizing"] == hints and more["shortfall_reasons"]["no_one_free"] == 56
    assert more["shortfall_places"][0]["reason"] == "no_one_free" and len(more["shortfall_places"]) == min(10, len(table))


def test_a_peer_supporter_without_a_clinician_on_duty_is_not_free():
    c = cfg_with()
    staff = [person("P1", "peer_supporter", "North", cfg=c), person("C1", "clinician", "South", cfg=c)]
    p = make_problem(c, staff, requirements(c, [("North", "peer_supporter", [0], 7, 15), ("South", "clinician", [0], 7, 15)]))
    t, _ = _reasons(p)
    north = t[t["district"] == "North"]
    assert list(north["reason"]) == ["no_one_free"]
    assert "too few clinicians on duty with them (supervision_ratio)" in north["detail"].iloc[0]


def _three_hour_nights():
    """Early and late shifts, and a short night (23:00–03:00): 03:00–07:00 has no shift at all."""
    return cfg_with(shifts={"early": {"start": "07:00", "hours": 8}, "late": {"start": "15:00", "hours": 8},
                            "night": {"start": "23:00", "hours": 4, "night": True}})


def test_the_first_hours_of_a_week_after_previous_belong_to_last_weeks_roster():
    """Monday 00:00–03:00 of a week planned with --previous: only last week's Sunday night reaches it."""
    c = _three_hour_nights()
    staff = [person("C1", "clinician", "North", cfg=c)]
    need = requirements(c, [("North", "clinician", [0], 0, 5), ("North", "clinician", [2], 4, 6)])
    empty_previous = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    p = make_problem(c, staff, need, previous=empty_previous)
    t, _ = _reasons(p)
    rows = {(r.start.strftime("%a %H:%M"), r.end.strftime("%H:%M")): r for r in t.itertuples()}
    first = rows[("Mon 00:00", "03:00")]
    assert first.reason == "previous_roster" and first.uncovered_staff_hours == 3
    assert "night shift of 2026-11-01 (23:00–03:00)" in first.detail and "--previous" in first.detail
    # Hours nothing reaches, this week's shifts nor last week's, keep no_shift.
    assert rows[("Mon 03:00", "05:00")].reason == "no_shift" and rows[("Wed 04:00", "06:00")].reason == "no_shift"
    assert set(t["reason"]) == {"previous_roster", "no_shift"} <= set(REASONS)
    # A repeating week's own Sunday night reaches its Monday: a shift of this plan could cover it.
    t2, _ = _reasons(make_problem(c, staff, need))
    assert "previous_roster" not in set(t2["reason"])
    assert not set(t2.loc[t2["start"] < p.hours[3], "reason"]) & {"no_shift", "previous_roster"}
    assert t2.loc[t2["start"] >= p.hours[3], "reason"].eq("no_shift").all()


def test_the_report_says_why_hours_belong_to_the_previous_roster():
    from types import SimpleNamespace

    from roster.report.shortfalls import REASON_WORDS, SHORT_WORDS, reasons_words

    assert set(REASON_WORDS) == set(SHORT_WORDS) == set(REASONS)
    frames = SimpleNamespace(summary={"shortfall_reasons": {"previous_roster": 3.0, "no_shift": 1.0}}, shortfalls=None)
    text = reasons_words(frames)
    assert "<b>3 staff-hours</b> (75%): only last week&#x27;s published roster" in text or \
           "<b>3 staff-hours</b> (75%): only last week's published roster" in text
