"""rules.budget_cap: the model's weekly cost term of a fixed roster equals pay, and a cap is never exceeded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp
import pytest

from cities import no_leave, person
from constraints import RosterContext, default_rules
from constraints.budget import BudgetCap
from constraints.problem import Problem, shift_instances
from forecast.timegrid import local_hours
from roster.evaluate.pay import price
from roster.solve import highs
from roster.solve import model as roster_model
from roster.solve.cheapest import cheapest_lawful_cost
from rule_helpers import MONDAY, cfg_with

PAY = {"night": {"per_hour": 3.0}, "weekend": {"per_hour": 2.0}}


def _problem(days: int, pay: dict | None = None, cap: float | None = None, supervisors: int = 0):
    extra = {"pay": pay} if pay is not None else {}
    extra["supervision.min_supervisors_citywide"] = supervisors
    rules = {"budget_cap": {"weekly": cap}} if cap is not None else None
    cfg = cfg_with(rules, **{"labour.max_hours_per_week": 60, "labour.max_consecutive_days": 7,
                             "labour.min_days_off_per_week": 0}, **extra)
    staff = [person(f"C{i}", "clinician", d, cfg=cfg, contract=c, rate=40.0 + i, supervisor=True)
             for i, (d, c) in enumerate([("North", 40.0), ("North", 32.0), ("South", 40.0), ("South", 24.0)])]
    staff += [person(f"P{i}", "peer_supporter", d, cfg=cfg, contract=c, rate=30.0 + i)
              for i, (d, c) in enumerate([("North", 40.0), ("South", 36.0)])]
    hours = local_hours(MONDAY, days, cfg.timezone)
    req = pd.DataFrame([{"district": d, "hour": i, "hour_start": ts, "role": r, "required": 1}
                        for i, ts in enumerate(hours) for d in cfg.district_names for r in cfg.seat_roles])
    return cfg, Problem.build(cfg, MONDAY, pd.DataFrame(staff), no_leave(), req, days=days)


def _roster(cfg, problem, seed: int) -> pd.DataFrame:
    inst = shift_instances(cfg.shifts, MONDAY, cfg.timezone, days=problem.days)
    rng = np.random.default_rng(seed)
    rows = []
    for p in problem.staff.itertuples():
        for day in sorted(rng.choice(problem.days, size=min(problem.days, 5 * problem.days // 7 + 1), replace=False)):
            choices = inst[inst["day"] == day]
            i = choices.iloc[int(rng.integers(len(choices)))]
            rows.append({"staff_id": p.staff_id, "district": p.home_district, "date": i["date"], "shift": i["shift"],
                         "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(rows)


def _week_pay(cfg, problem, roster) -> dict[int, float]:
    priced = price(roster, problem.staff, cfg, MONDAY)
    week = [(d - MONDAY).days // 7 for d in priced["date"]]
    return priced.assign(week=week).groupby("week")["cost"].sum().to_dict()


@pytest.mark.parametrize("days,pay,seed", [(7, None, 0), (7, PAY, 1), (14, None, 2), (14, PAY, 3)])
def test_model_week_cost_of_a_fixed_roster_equals_pay(days, pay, seed):
    cfg, problem = _problem(days, pay)
    roster = _roster(cfg, problem, seed)
    rules = default_rules(cfg)
    m = roster_model.build(problem, rules, elastic=True)
    key = {(r.staff_id, r.date, r.shift, r.district) for r in roster.itertuples()}
    a = m.assign
    for var, s, d, sh, di in zip(a["x"], a["staff_id"], a["date"], a["shift"], a["district"]):
        var.lowBound = var.upBound = 1 if (s, d, sh, di) in key else 0
    highs.BulkHiGHS.use_threads(1)
    m.prob.solve(highs.BulkHiGHS(msg=False, threads=1))
    assert m.prob.status == pulp.LpStatusOptimal
    model = {w: pulp.value(e) for w, e in BudgetCap.week_cost(m).items()}
    pay_by_week = _week_pay(cfg, problem, roster)
    assert set(model) == set(pay_by_week)
    for w in model:
        assert model[w] == pytest.approx(pay_by_week[w], abs=0.05)
    checked = BudgetCap.roster_week_cost(RosterContext(problem, roster))
    for w in checked:
        assert checked[w] == pytest.approx(pay_by_week[w], abs=0.05)
    assert sum(model.values()) > 0


def test_the_check_flags_a_week_above_the_cap_and_not_one_below():
    cfg, problem = _problem(7)
    roster = _roster(cfg, problem, 4)
    cost = _week_pay(cfg, problem, roster)[0]
    ctx = RosterContext(problem, roster)
    assert BudgetCap(BudgetCap.Params(weekly=cost + 1)).check(ctx) == []
    over = BudgetCap(BudgetCap.Params(weekly=cost - 100)).check(ctx)
    assert len(over) == 1 and over[0].hard and over[0].amount == pytest.approx(100, abs=0.05)


@pytest.mark.parametrize("cap", [9000.0, 14000.0])
def test_a_solved_roster_never_exceeds_the_cap(cap):
    cfg, problem = _problem(7, PAY, cap=cap)
    rules = default_rules(cfg)
    assert any(isinstance(r, BudgetCap) for r in rules)
    result = roster_model.solve(problem, rules, time_limit=30)
    assert result.status in ("optimal", "feasible")
    pay = _week_pay(cfg, problem, result.roster)
    assert pay[0] <= cap + 0.01
    uncapped = roster_model.solve(problem, default_rules(_problem(7, PAY)[0]), time_limit=30)
    assert float(price(uncapped.roster, problem.staff, cfg, MONDAY)["cost"].sum()) > cap  # the cap binds


def test_cheapest_lawful_roster_is_one_supervisor_every_hour():
    cfg, problem = _problem(7, cap=100.0, supervisors=1)
    status, cost, _ = cheapest_lawful_cost(problem, default_rules(cfg), time_limit=30)
    assert status == "optimal"
    # 168 hours of one supervisor-flagged clinician; the cheapest is C0 at 40/h within contract
    # hours, the rest at the next cheapest rates: at least 168 h x 40.
    assert 168 * 40.0 <= cost <= 168 * 43.0 * 1.5
    result = roster_model.solve(problem, default_rules(cfg), time_limit=30)
    assert result.status == "infeasible"


def test_a_cap_must_be_positive():
    from roster.errors import InputError

    with pytest.raises(InputError, match="rules.budget_cap"):
        cfg_with({"budget_cap": {"weekly": 0}})



def test_the_diagnosis_of_an_unmeetable_cap_names_the_cap_and_how_far_it_is_short():
    from roster.solve.diagnose import diagnose

    cfg, problem = _problem(7, cap=100.0, supervisors=1)
    text = diagnose(problem, default_rules(cfg), time_limit=30)
    assert "- budget_cap cannot be met at 1 place(s)" in text
    # the smallest conflicting set: the cap and the rule that makes every lawful roster cost more
    assert "smallest set of rules that conflict: citywide_supervisor, budget_cap." in text
    assert "at what cost" in text and "but not at every hour" not in text
    short = float(text.split("short by ")[1].split(" in total")[0])
    _, cheapest, _ = cheapest_lawful_cost(problem, default_rules(cfg), time_limit=30)
    assert (short * 1000 + 100) == pytest.approx(cheapest, abs=1.0)
