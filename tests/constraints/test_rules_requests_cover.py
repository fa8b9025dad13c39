"""Staff requests (constraints/requests.py) and coverage by shift (constraints/shift_cover.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from constraints import default_rules
from constraints.base import RosterContext
from test_rules_sequences import MONDAY, build, config, cover, roster_rows, run, staff, worked


def requests(*rows):
    return pd.DataFrame(list(rows), columns=["staff_id", "day", "shift", "kind", "weight"])


def test_off_request_moves_the_shift_to_someone_else():
    demand = cover([(0, "early")])
    cfg = config({"shift_requests": {}})
    _, res = run(cfg, staff("A", "B"), demand, requests=requests(("A", 0, "early", "off", 3), ("B", 0, "", "off", 1)))
    # Somebody must work (under-cover costs 100); B's whole-day wish weighs less than A's.
    assert worked(res, "B") == [0] and worked(res, "A") == [] and res.objective == pytest.approx(1)
    cfg_plain = config()
    _, plain = run(cfg_plain, staff("A", "B"), demand, requests=requests(("A", 0, "early", "off", 3)))
    assert plain.objective == pytest.approx(0)  # without the rule requests cost nothing


def test_on_request_is_met_and_counted_when_missed():
    cfg = config({"shift_requests": {"weight": 2}})
    # A asks for the late shift on Tuesday (weight 4 × 2 = 8 > over-cover 1): worked.
    _, res = run(cfg, staff("A"), cover([]), requests=requests(("A", 1, "late", "on", 4)))
    assert list(res.roster["shift"]) == ["late"] and worked(res) == [1] and res.objective == pytest.approx(1)
    # An on-request that cannot be met (the shift is forbidden by a per-person cap of 0) costs its weight.
    cfg = config({"shift_requests": {}, "max_shifts_of_type": [{"shifts": ["late"], "max": 0}]})
    _, res = run(cfg, staff("A"), cover([]), requests=requests(("A", 1, "late", "on", 4)))
    assert res.roster.empty and res.objective == pytest.approx(4)


def test_requests_check():
    cfg = config({"shift_requests": {}})
    req = requests(("A", 0, "early", "on", 2), ("A", 1, "", "off", 3), ("A", 2, "late", "off", 1), ("A", 3, "", "on", 1))
    p = build(cfg, staff("A"), cover([]), requests=req)
    ctx = RosterContext(p, roster_rows(cfg, [("A", 0, "late"), ("A", 1, "early"), ("A", 2, "early"), ("A", 3, "night")]))
    rule = next(r for r in default_rules(cfg) if r.name == "shift_requests")
    v = rule.check(ctx)
    # on day 0 wanted early, got late (2); day 1 wanted off, works (3); day 2 late-off met; day 3 any shift met.
    assert sorted((x.when, x.amount) for x in v) == [(str(MONDAY), 2.0), (str(MONDAY + pd.Timedelta(days=1).to_pytimedelta()), 3.0)]
    assert all(not x.hard for x in v)


def test_shift_cover_under_and_over_weights():
    cfg = config()
    # Two people, one early shift needing 1: the second person stays off (over-cover costs 1).
    _, res = run(cfg, staff("A", "B"), cover([(0, "early")]))
    assert len(res.roster) == 1 and res.objective == pytest.approx(0)
    # Needing 3 with only two people: one missing (100).
    _, res = run(cfg, staff("A", "B"), cover([(0, "early")], required=3))
    assert len(res.roster) == 2 and res.objective == pytest.approx(100)
    # Under-cover cheaper than what it takes to fill it: a min-hours floor forces work, over-cover is priced.
    demand = cover([(0, "early")], under=100, over=7)
    _, res = run(config({"total_hours": {"min": 16}}), staff("A"), demand)
    assert len(res.roster) == 2 and res.objective == pytest.approx(7)


def test_shift_cover_without_the_rule_changes_the_answer():
    raw_cfg = config()
    demand = cover([(0, "early")])
    no_cover_rules = [r for r in default_rules(raw_cfg) if r.name != "shift_cover"]
    from roster.solve.model import solve

    res = solve(build(raw_cfg, staff("A"), demand), no_cover_rules)
    assert res.roster.empty


def test_shift_cover_any_district_and_check():
    cfg = config()
    demand = cover([(0, "early"), (1, "late")], required=2)
    demand.loc[demand["day"] == 1, "district"] = ""  # any district
    p = build(cfg, staff("A", "B"), demand)
    ctx = RosterContext(p, roster_rows(cfg, [("A", 0, "early"), ("A", 1, "late"), ("B", 1, "late"), ("B", 2, "night")]))
    rule = next(r for r in default_rules(cfg) if r.name == "shift_cover")
    v = rule.check(ctx)
    assert sorted((x.when, x.amount) for x in v) == [(str(MONDAY), 100.0), (str(MONDAY + pd.Timedelta(days=2).to_pytimedelta()), 1.0)]
    t = rule.table(ctx)
    assert int(t[(t["day"] == 1) & (t["shift"] == "late")]["scheduled"].iloc[0]) == 2
