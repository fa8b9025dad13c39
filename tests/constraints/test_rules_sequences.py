"""Optional sequence and count rules (constraints/sequences.py, constraints/shift_limits.py).

Each rule: a tiny problem whose answer changes when the rule is switched on, and
a hand-made roster whose violation ``check`` reports.  Demand comes from
per-shift requirements (``shift_cover``) so the solver wants to work where the
rule forbids it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from constraints import default_rules
from constraints.base import RosterContext
from constraints.problem import Problem
from roster.config import parse_config
from roster.errors import InputError
from roster.solve.model import build as build_model, solve
from rule_helpers import lp_relaxation_value

MONDAY = dt.date(2026, 11, 2)


def config(rules: dict | None = None, shifts: dict | None = None):
    raw = {
        "city": {"name": "Tiny", "timezone": "UTC"},
        "districts": {"North": {}},
        "roles": {"clinician": {"clinical": True, "hourly_rate": 0.0, "overtime_multiplier": 1.0}},
        "shifts": shifts or {"early": {"start": "07:00", "hours": 8}, "late": {"start": "15:00", "hours": 8},
                             "night": {"start": "23:00", "hours": 8, "night": True}},
        "solver": {"time_limit_seconds": 20, "relative_gap": 0.0, "threads": 1},
        "rules": {"shift_cover": {}, **(rules or {})},
    }
    return parse_config(raw)


def staff(*ids, **columns):
    rows = []
    for i, sid in enumerate(ids):
        row = {"staff_id": sid, "name": sid, "role": "clinician", "supervisor": False, "contract_hours": 0.0,
               "hourly_rate": 0.0, "home_district": "North", "float_districts": [], "languages": [], "works_nights": True}
        for col, values in columns.items():
            row[col] = values[i]
        rows.append(row)
    return pd.DataFrame(rows)


def cover(days_shifts, required=1, days=7, shifts=("early", "late", "night"), under=100, over=1):
    """Requirement `required` on the listed (day, shift); 0 (over-cover penalised) elsewhere."""
    want = set(days_shifts)
    rows = [(d, s, "North", "clinician", required if (d, s) in want else 0, under, over) for d in range(days) for s in shifts]
    return pd.DataFrame(rows, columns=["day", "shift", "district", "role", "required", "under_weight", "over_weight"])


def no_leave():
    return pd.DataFrame({"staff_id": pd.Series(dtype=str), "start": pd.Series(dtype="datetime64[ns, UTC]"),
                         "end": pd.Series(dtype="datetime64[ns, UTC]")})


def no_hourly():
    return pd.DataFrame({"district": pd.Series(dtype=str), "hour": pd.Series(dtype="int64"),
                         "role": pd.Series(dtype=str), "required": pd.Series(dtype="int64")})


def build(cfg, people, shift_req, days=7, previous=None, requests=None):
    return Problem.build(cfg, MONDAY, people, no_leave(), no_hourly(), days=days, previous=previous,
                         requests=requests, shift_requirements=shift_req)


def run(cfg, people, shift_req, **kw):
    p = build(cfg, people, shift_req, **kw)
    res = solve(p, default_rules(cfg))
    assert res.status == "optimal", res.status
    return p, res


def worked(res, sid="A"):
    r = res.roster[res.roster["staff_id"] == sid]
    return sorted((pd.Timestamp(d).date() - MONDAY).days for d in r["date"])


def roster_rows(cfg, cells):
    """Hand-made roster rows from (staff_id, day, shift) triples."""
    rows = []
    for sid, d, s in cells:
        t = cfg.shifts[s]
        start = pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=d), t.start_time), tz="UTC")
        rows.append({"staff_id": sid, "role": "clinician", "district": "North", "date": MONDAY + dt.timedelta(days=d),
                     "shift": s, "start": start, "end": start + pd.Timedelta(hours=t.hours), "paid_hours": t.hours})
    return pd.DataFrame(rows)


def check(cfg, people, cells, rule_name, shift_req=None, days=7, previous=None):
    p = build(cfg, people, shift_req if shift_req is not None else cover([], days=days), days=days, previous=previous)
    ctx = RosterContext(p, roster_rows(cfg, cells))
    rule = next(r for r in default_rules(cfg) if r.name == rule_name)
    return rule.check(ctx)


# ----------------------------------------------------------------------------- min consecutive days

def test_min_consecutive_days_binds():
    demand = cover([(1, "early"), (3, "early")])
    _, free = run(config(), staff("A"), demand)
    assert worked(free) == [1, 3] and free.objective == pytest.approx(0)
    cfg = config({"min_consecutive_days": {"min": 2}})
    _, res = run(cfg, staff("A"), demand)
    # Single days between days off are forbidden: the cheapest fix works 1-3 (one day over-covered).
    assert worked(res) == [1, 2, 3] and res.objective == pytest.approx(1)


def test_min_consecutive_days_waived_at_edges_and_per_person():
    # Runs touching the first or last day continue in another week: single days there are fine.
    demand = cover([(0, "early"), (6, "early")])
    cfg = config({"min_consecutive_days": {"min": 3}})
    _, res = run(cfg, staff("A"), demand)
    assert worked(res) == [0, 6]
    # The staff column overrides the default: B may work single days anywhere.
    demand = cover([(2, "early"), (4, "early")])
    _, res = run(cfg, staff("A", "B", min_consecutive_days=[float("nan"), 1.0]), demand)
    assert worked(res, "B") == [2, 4] and worked(res, "A") == []


def test_min_consecutive_days_continues_from_last_week():
    cfg = config({"min_consecutive_days": {"min": 2}})
    prev = roster_rows(cfg, [("A", -1, "early")])  # last Sunday only: a 1-day run so far
    _, res = run(cfg, staff("A"), cover([]), previous=prev)
    assert worked(res) == [0]  # the run must continue on Monday
    _, res = run(cfg, staff("A"), cover([]))
    assert worked(res) == []


def test_min_consecutive_days_check():
    cfg = config({"min_consecutive_days": {"min": 2}})
    v = check(cfg, staff("A"), [("A", 0, "early"), ("A", 3, "early"), ("A", 6, "early")], "min_consecutive_days")
    assert len(v) == 1 and v[0].staff_id == "A" and v[0].when == str(MONDAY + dt.timedelta(days=3)) and v[0].amount == 1


# ----------------------------------------------------------------------------- max consecutive days per person

def test_max_consecutive_days_per_person_binds_with_override():
    demand = cover([(d, "early") for d in range(7)])
    _, free = run(config(), staff("A"), demand)
    assert worked(free) == list(range(7))
    cfg = config({"max_consecutive_days_per_person": {"max": 5}})
    _, res = run(cfg, staff("A", max_consecutive_days=[3.0]), demand)
    days = worked(res)
    assert len(days) == 6 and 3 not in days  # 0-2 and 4-6 around one day off
    assert res.objective == pytest.approx(100)


def test_max_consecutive_days_per_person_check():
    cfg = config({"max_consecutive_days_per_person": {"max": 3}})
    v = check(cfg, staff("A", "B", max_consecutive_days=[float("nan"), 5.0]),
              [("A", d, "early") for d in range(4)] + [("B", d, "early") for d in range(4)], "max_consecutive_days_per_person")
    assert [(x.staff_id, x.amount) for x in v] == [("A", 1)]


# ----------------------------------------------------------------------------- min consecutive days off

def test_min_consecutive_days_off_binds():
    demand = cover([(d, "early") for d in (0, 1, 2, 4, 5, 6)], over=1000)
    _, free = run(config(), staff("A"), demand)
    assert worked(free) == [0, 1, 2, 4, 5, 6]
    _, res = run(config({"min_consecutive_days_off": {"min": 2}}), staff("A"), demand)
    assert len(worked(res)) == 5 and res.objective == pytest.approx(100)


def test_min_consecutive_days_off_check():
    cfg = config({"min_consecutive_days_off": {"min": 2}})
    cells = [("A", d, "early") for d in (1, 3, 4)]  # day 0 off touches the edge (fine); day 2 alone is too short
    v = check(cfg, staff("A"), cells, "min_consecutive_days_off")
    assert len(v) == 1 and v[0].when == str(MONDAY + dt.timedelta(days=2))


# ----------------------------------------------------------------------------- weekends

def test_max_weekends_binds():
    demand = cover([(d, "early") for d in (5, 6, 12, 13)], days=14)
    _, free = run(config(), staff("A"), demand, days=14)
    assert worked(free) == [5, 6, 12, 13]
    _, res = run(config({"max_weekends": {"max": 1}}), staff("A"), demand, days=14)
    assert worked(res) in ([5, 6], [12, 13])
    _, res = run(config({"max_weekends": {"max": 2}}), staff("A", max_weekends=[0.0]), demand, days=14)
    assert worked(res) == []


def test_max_weekends_check():
    cfg = config({"max_weekends": {"max": 1}})
    v = check(cfg, staff("A"), [("A", 6, "early"), ("A", 12, "early")], "max_weekends", days=14)
    assert len(v) == 1 and v[0].amount == 1  # Sunday of week 1 and Saturday of week 2: two weekends


# ----------------------------------------------------------------------------- nights

def test_max_consecutive_nights_binds():
    demand = cover([(d, "night") for d in range(5)])
    _, free = run(config(), staff("A"), demand)
    assert worked(free) == [0, 1, 2, 3, 4]
    _, res = run(config({"max_consecutive_nights": {"max": 2}}), staff("A"), demand)
    nights = worked(res)
    assert len(nights) == 4 and 2 not in nights  # 0-1, 3-4


def test_max_consecutive_nights_check_counts_last_week():
    cfg = config({"max_consecutive_nights": {"max": 2}})
    prev = roster_rows(cfg, [("A", -2, "night"), ("A", -1, "night")])
    v = check(cfg, staff("A"), [("A", 0, "night")], "max_consecutive_nights", previous=prev)
    assert len(v) == 1 and v[0].amount == 1
    assert check(cfg, staff("A"), [("A", 0, "night"), ("A", 1, "early")], "max_consecutive_nights", previous=prev)


# ----------------------------------------------------------------------------- forbidden successions

def test_forbidden_successions_binds():
    demand = cover([(0, "late"), (1, "early")])
    _, free = run(config(), staff("A"), demand)
    assert len(free.roster) == 2
    _, res = run(config({"forbidden_successions": {"pairs": [["late", "early"]]}}), staff("A"), demand)
    assert len(res.roster) == 1 and res.objective == pytest.approx(100)


def test_forbidden_successions_check_and_bad_name():
    cfg = config({"forbidden_successions": {"pairs": [["late", "early"]]}})
    v = check(cfg, staff("A"), [("A", 0, "late"), ("A", 1, "early"), ("A", 3, "early"), ("A", 4, "late")], "forbidden_successions")
    assert [(x.staff_id, x.when) for x in v] == [("A", str(MONDAY + dt.timedelta(days=1)))]
    with pytest.raises(InputError, match="forbidden_successions.pairs names \\['dawn'\\], which are not shifts"):
        config({"forbidden_successions": {"pairs": [["late", "dawn"]]}})  # caught when roster.toml is read


@pytest.mark.parametrize("how", ["forbidden_successions", "min_rest"])
def test_first_shifts_barring_the_same_follower_share_one_row(how):
    """Late and night both bar tomorrow's early (as pairs, or by 11 hours' rest): one row for all
    three, so the LP relaxation can no longer staff each of them half (150 short instead of 200)."""
    if how == "min_rest":
        cfg = parse_config({
            "city": {"name": "Tiny", "timezone": "UTC"}, "districts": {"North": {}},
            "roles": {"clinician": {"clinical": True, "hourly_rate": 0.0, "overtime_multiplier": 1.0}},
            "shifts": {"early": {"start": "07:00", "hours": 8}, "late": {"start": "15:00", "hours": 8},
                       "night": {"start": "23:00", "hours": 8, "night": True}},
            "labour": {"min_rest_hours": 11},
            "solver": {"time_limit_seconds": 20, "relative_gap": 0.0, "threads": 1},
            "rules": {"shift_cover": {}},
        })
    else:
        cfg = config({"forbidden_successions": {"pairs": [["late", "early"], ["night", "early"]]}})
    demand = cover([(0, "late"), (0, "night"), (1, "early")], days=2)
    assert lp_relaxation_value(build_model(build(cfg, staff("A"), demand, days=2), default_rules(cfg)).prob) == pytest.approx(200)
    _, res = run(cfg, staff("A"), demand, days=2)
    assert res.objective == pytest.approx(200)


# ----------------------------------------------------------------------------- counts over the horizon

def test_max_shifts_of_type_binds_per_person():
    demand = cover([(d, "night") for d in range(6)], days=6)
    cfg = config({"max_shifts_of_type": [{"shifts": ["night"], "max": 4, "per_person": {"B": 0}}]})
    _, res = run(cfg, staff("A", "B"), demand, days=6)
    assert len(worked(res, "A")) == 4 and worked(res, "B") == [] and res.objective == pytest.approx(200)


def test_max_shifts_of_type_check():
    cfg = config({"max_shifts_of_type": [{"shifts": ["night"], "max": 1}]})
    v = check(cfg, staff("A"), [("A", 0, "night"), ("A", 2, "night"), ("A", 4, "early")], "max_shifts_of_type")
    assert len(v) == 1 and v[0].amount == 1


def test_total_hours_binds_both_ways():
    demand = cover([(d, "early") for d in range(3)], days=7)
    _, free = run(config(), staff("A"), demand)
    assert len(worked(free)) == 3
    _, res = run(config({"total_hours": {"min": 32}}), staff("A"), demand)
    assert len(worked(res)) == 4  # 4 × 8 h, one day over-covered
    _, res = run(config({"total_hours": {}}), staff("A", max_total_hours=[16.0]), demand)
    assert len(worked(res)) == 2


def test_total_hours_check():
    cfg = config({"total_hours": {"min": 20, "max": 40}})
    v = check(cfg, staff("A", "B"), [("A", 0, "early")] + [("B", d, "early") for d in range(6)], "total_hours")
    assert sorted((x.staff_id, x.amount) for x in v) == [("A", 12.0), ("B", 8.0)]


def test_unknown_rule_setting_is_named():
    with pytest.raises(InputError, match="rules.min_consecutive_days.minimum"):
        config({"min_consecutive_days": {"minimum": 2}})


# ----------------------------------------------------------------------------- the run automaton (extended formulation)

def _pattern_ok(bits, max_run, min_run, min_off):
    """The run rules with the horizon-edge conventions, by direct run inspection."""
    H = len(bits)
    runs, start = [], 0
    for d in range(1, H + 1):
        if d == H or bits[d] != bits[start]:
            runs.append((bits[start], start, d - 1))
            start = d
    for work, a, b in runs:
        n = b - a + 1
        edge = a == 0 or b == H - 1
        if work and n > max_run:
            return False
        if not edge and ((work and n < min_run) or (not work and n < min_off)):
            return False
    return True


@pytest.mark.parametrize("limits", [(3, 2, 2), (2, 1, 3), (4, 3, 1), (1, 1, 2)])
def test_run_automaton_accepts_exactly_the_allowed_patterns(limits):
    from itertools import product

    from constraints.sequences import run_automaton

    states, moves, starts = run_automaton(*limits)
    for bits in product((0, 1), repeat=9):
        reach = {s for s in starts if (s[0] == "W") == bool(bits[0])}
        for b in bits[1:]:
            reach = {t for s in reach for t in moves[s] if (t[0] == "W") == bool(b)}
        assert bool(reach) == _pattern_ok(bits, *limits), bits


def test_max_weekends_rolling_period_carries_over_from_last_week():
    # "One weekend in two": A worked last Saturday, so may not work this weekend.
    demand = cover([(5, "early"), (6, "early")])
    cfg = config({"max_weekends": {"max": 1, "period_weeks": 2}})
    prev = roster_rows(cfg, [("A", -2, "early")])  # last Saturday
    _, res = run(cfg, staff("A"), demand, previous=prev)
    assert worked(res) == []
    # Without last week's weekend, or with a one-week period, the weekend is worked.
    _, res = run(cfg, staff("A"), demand)
    assert worked(res) == [5, 6]
    _, res = run(config({"max_weekends": {"max": 1, "period_weeks": 1}}), staff("A"), demand, previous=prev)
    assert worked(res) == [5, 6]


def test_max_weekends_rolling_period_check():
    cfg = config({"max_weekends": {"max": 1, "period_weeks": 2}})
    prev = roster_rows(cfg, [("A", -1, "early")])  # last Sunday
    v = check(cfg, staff("A"), [("A", 5, "early")], "max_weekends", previous=prev)
    assert len(v) == 1 and "after 1 in the previous weeks" in v[0].message
