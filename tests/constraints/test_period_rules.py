"""Period rules over 4- and 8-week horizons: weekends "two in four" on every rolling window, with the
previous roster's weekends counted; the model's constraint holds a fixed roster exactly when the check passes."""

from __future__ import annotations

import pulp
import pytest

from constraints import default_rules
from roster.solve import highs
from roster.solve.model import build as build_model

from test_rules_sequences import build, check, config, cover, roster_rows, run, staff

TWO_IN_FOUR = {"max_weekends": {"max": 2, "period_weeks": 4}}


def saturdays(weeks):
    return [("A", 7 * w + 5, "early") for w in weeks]


def model_accepts(cfg, cells, days, previous=None) -> bool:
    """Whether the model (hard rules, not elastic) is feasible with exactly ``cells`` rostered."""
    p = build(cfg, staff("A"), cover([], days=days), days=days, previous=previous)
    m = build_model(p, default_rules(cfg))
    key = {(sid, d, s) for sid, d, s in cells}
    a = m.assign
    for sid, day, shift, var in zip(a["staff_id"], a["day"], a["shift"], a["x"]):
        on = (sid, int(day), shift) in key
        var.lowBound = var.upBound = 1 if on else 0
    highs.BulkHiGHS.use_threads(1)
    m.prob.solve(highs.BulkHiGHS(msg=False, threads=1))
    return m.prob.status == pulp.LpStatusOptimal


@pytest.mark.parametrize("weeks,worked,ok", [
    (4, [0, 3], True),
    (4, [0, 1, 3], False),
    (8, [0, 1, 4, 5], True),  # every four consecutive weeks hold two
    (8, [0, 3, 4, 7], True),
    (8, [2, 3, 4, 5], False),  # weeks 3-6 hold four
    (8, [0, 1, 3], False),
    (8, [1, 4, 5, 6], False),  # weeks 4-7 hold three
])
def test_two_in_four_model_and_check_agree_on_every_window(weeks, worked, ok):
    cfg = config(TWO_IN_FOUR)
    days = 7 * weeks
    cells = saturdays(worked)
    v = check(cfg, staff("A"), cells, "max_weekends", days=days)
    assert (not v) == ok, [x.message for x in v]
    assert model_accepts(cfg, cells, days) == ok


def test_two_in_four_counts_the_previous_rosters_weekends():
    cfg = config(TWO_IN_FOUR)
    prev = roster_rows(cfg, [("A", -2, "early")])  # the Saturday before the period
    cells = saturdays([0, 1])
    # Without the previous roster, two weekends in the first four weeks are allowed ...
    assert not check(cfg, staff("A"), cells, "max_weekends", days=28)
    # ... with it, the window of the last week before the period and its first three holds three.
    v = check(cfg, staff("A"), cells, "max_weekends", days=28, previous=prev)
    assert len(v) == 1 and "after 1 in the previous weeks of the 4-week period" in v[0].message
    assert not model_accepts(cfg, cells, 28, previous=prev)
    assert model_accepts(cfg, saturdays([0, 3]), 28, previous=prev)  # weeks -1..2 hold two


def test_solver_works_four_weekends_of_eight_under_two_in_four():
    cfg = config(TWO_IN_FOUR)
    days = 56
    demand = cover([(d, "early") for d in range(days) if d % 7 in (5, 6)], days=days)
    p, res = run(cfg, staff("A"), demand, days=days)
    worked_weeks = sorted({(d - p.monday).days // 7 for d in res.roster["date"]})
    assert len(worked_weeks) == 4
    assert all(sum(1 for w in worked_weeks if e - 3 <= w <= e) <= 2 for e in range(8))
    assert not check(cfg, staff("A"), [("A", (d - p.monday).days, s) for d, s in zip(res.roster["date"], res.roster["shift"])],
                     "max_weekends", days=days)


def test_total_hours_over_four_weeks_binds_the_period_not_each_week():
    """Contract hours over the period: 4 weeks of at most 64 h in total, whatever each week holds."""
    cfg = config({"total_hours": {"max": 64}})
    days = 28
    demand = cover([(d, "early") for d in range(days)], days=days)
    p, res = run(cfg, staff("A"), demand, days=days)
    assert res.roster["paid_hours"].sum() == 64
    cells = [("A", d, "early") for d in range(9)]  # 72 h, all in the first two weeks
    v = check(cfg, staff("A"), cells, "total_hours", days=days)
    assert len(v) == 1 and v[0].amount == pytest.approx(8)
    assert not model_accepts(cfg, cells, days)
    assert model_accepts(cfg, cells[:8], days)
