"""Diagnoses at the level of causes: capacity numbers and a smallest conflicting set of rules."""

import pytest

from cities import person, problem, small_config
from constraints import default_rules
from constraints.pinning import PinnedShifts
from rule_helpers import cfg_with, make_problem, requirements, rows
from roster.solve.capacity import capacity_conflicts, person_caps
from roster.solve.conflicts import minimal_conflict
from roster.solve.diagnose import diagnose
from roster.solve.model import build, candidates, solve


def fifteen_staff_city():
    """Two districts, 15 staff, 3 supervisors: 168 h of supervisor cover against 3 × 48 h."""
    cfg = small_config(rules={})
    staff = [person(f"T0{i}", "clinician", "North" if i < 3 else "South", supervisor=True, floats=("North", "South"), cfg=cfg)
             for i in range(1, 4)]
    staff += [person(f"T0{i}", "clinician", "North" if i % 2 else "South", cfg=cfg) for i in range(4, 7)]
    staff += [person(f"T{i:02d}", "peer_supporter", "North" if i % 2 else "South", cfg=cfg) for i in range(7, 16)]
    return cfg, problem(cfg, staff)


def test_fifteen_staff_city_names_the_supervisor_rule_with_its_numbers():
    cfg, p = fifteen_staff_city()
    rules = default_rules(cfg)
    assert solve(p, rules, time_limit=20).status == "infeasible"
    text = diagnose(p, rules, time_limit=20)
    assert "citywide_supervisor and max_hours_per_week" in text
    assert "168 hours of supervisor cover" in text and "at most 144 hours" in text and "3 × 48 h" in text
    assert "24 hours short" in text and "T01, T02, T03" in text
    assert "at least 56" in text  # the max hours that would close it


def test_capacity_bound_counts_leave_and_days_off():
    cfg, p = fifteen_staff_city()
    rules = default_rules(cfg)
    caps = person_caps(p, rules, candidates(p, rules))
    assert caps["T01"].hours == 48 and caps["T01"].limits == {"max_hours_per_week"}
    # A 40-hour cap that the days off bind first: 5 days of at most one 8-hour shift.
    cfg8 = small_config(rules={}, **{"shifts": {"day": {"start": "08:00", "hours": 8}}})
    p8 = problem(cfg8, [person("A", "clinician", "North", cfg=cfg8)])
    caps8 = person_caps(p8, default_rules(cfg8), candidates(p8, default_rules(cfg8)))
    assert caps8["A"].hours == 40 and "min_days_off" in caps8["A"].limits


def test_a_city_with_enough_supervisor_hours_has_no_capacity_finding():
    cfg, p = fifteen_staff_city()
    p.staff.loc[p.staff["staff_id"] == "T04", "supervisor"] = True
    rules = default_rules(cfg)
    assert capacity_conflicts(p, rules, candidates(p, rules)) == []


def test_deletion_filter_keeps_only_conflicting_rules():
    cfg, p = fifteen_staff_city()
    rules = default_rules(cfg)
    found = minimal_conflict(build(p, rules, elastic=True), ["max_hours_per_week"], time_limit=30)
    assert found.minimal and found.rules == ["citywide_supervisor", "max_hours_per_week"]
    # Another order finds another smallest set, but always two rules with the supervisor rule in it.
    other = minimal_conflict(build(p, rules, elastic=True), [], time_limit=30)
    assert len(other.rules) == 2 and "citywide_supervisor" in other.rules


def test_hard_pins_against_rest_name_only_the_two_rules():
    """No capacity finding here: the solve and the deletion filter name pins and rest, not the innocent rules."""
    c = cfg_with()
    staff = [person(s, "clinician", "North", cfg=c) for s in ("C1", "C2")]
    req = requirements(c, [("North", "clinician", [0, 1], 7, 15)])
    published = rows(c, [("C1", "North", 0, "late"), ("C1", "North", 1, "early")])  # 8 h of rest
    p = make_problem(c, staff, req, pinned=published)
    rules = default_rules(c) + [PinnedShifts(PinnedShifts.Params(hard=True))]
    assert solve(p, rules, time_limit=20).status == "infeasible"
    text = diagnose(p, rules, time_limit=20)
    first = text.splitlines()[0]
    assert "smallest set of rules that conflict: pinned_shifts, min_rest" in first or \
        "smallest set of rules that conflict: min_rest, pinned_shifts" in first, text
    for innocent in ("max_hours_per_week", "one_shift_per_day", "min_days_off", "max_consecutive_days"):
        assert innocent not in text


def test_hard_language_cover_is_weighed_against_its_speakers_hours():
    c = cfg_with({"language_cover": [{"language": "es", "min": 1, "districts": ["North"], "hard": True}]})
    staff = [person("C1", "clinician", "North", cfg=c), person("C2", "clinician", "North", cfg=c)]
    staff[0]["languages"] = ["en", "es"]
    p = make_problem(c, staff, requirements(c, []))
    text = diagnose(p, time_limit=20)
    assert "language_cover and max_hours_per_week" in text
    assert "168 hours of es-speaking cover in North" in text and "(C1) can work at most 48 hours" in text


def test_a_conflict_set_with_a_cover_rule_says_its_hours():
    """Enough supervisor hours in all (3 × 48 h ≥ 168 h), but not at every hour: the filter finds the set."""
    cfg, p = fifteen_staff_city()
    p.staff.loc[p.staff["staff_id"] == "T04", "supervisor"] = True
    p.staff.loc[p.staff["staff_id"].isin(["T01", "T02", "T03"]), "works_nights"] = False
    rules = default_rules(cfg)
    assert solve(p, rules, time_limit=20).status == "infeasible"
    text = diagnose(p, rules, time_limit=30)
    assert "smallest set of rules that conflict" in text or "conflict on capacity" in text
    assert "citywide_supervisor" in text and "hours of supervisor cover" in text


def test_supervisors_who_do_not_work_nights_leave_the_night_hours_short():
    cfg, p = fifteen_staff_city()
    p.staff.loc[p.staff["supervisor"], "works_nights"] = False
    rules = default_rules(cfg)
    found = capacity_conflicts(p, rules, candidates(p, rules))
    assert len(found) == 1 and found[0].rules == ["citywide_supervisor", "night_work"]
    assert "Mon 2026-11-02 00:00–07:00" in found[0].text and "fewer of the 3 people who can give it" in found[0].text
