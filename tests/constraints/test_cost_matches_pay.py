"""The model's wage cost of a roster equals what ``pay`` charges for it, over any horizon.

Overtime is per person and per week of the horizon in both; a model that compared a
person's hours over the whole horizon with weekly contract hours would charge nothing for
a 48-hour week followed by a 24-hour one, while pay charges 8 hours of overtime.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cities import no_leave, person
from constraints import default_rules
from constraints.cost import differential_hours, differential_pay
from constraints.problem import Problem, shift_instances
from forecast.timegrid import local_hours
from roster.evaluate.pay import cost_summary, price
from rule_helpers import MONDAY, cfg_with, fixed_roster_terms


def horizon_requirements(cfg, days: int, monday=MONDAY) -> pd.DataFrame:
    hours = local_hours(monday, days, cfg.timezone)
    rows = [{"district": d, "hour": i, "hour_start": ts, "role": r, "required": 1}
            for i, ts in enumerate(hours) if 8 <= ts.hour < 16
            for d in cfg.district_names for r in cfg.seat_roles]
    return pd.DataFrame(rows)


def horizon_problem(days: int, monday=MONDAY, pay: dict | None = None):
    extra = {"pay": pay} if pay is not None else {}
    cfg = cfg_with(**{"labour.max_hours_per_week": 60, "labour.max_consecutive_days": 7, "labour.min_days_off_per_week": 0},
                   **extra)
    staff = [person(f"C{i}", "clinician", d, cfg=cfg, contract=c, rate=40.0 + i)
             for i, (d, c) in enumerate([("North", 40.0), ("North", 32.0), ("South", 40.0), ("South", 24.0)])]
    staff += [person(f"P{i}", "peer_supporter", d, cfg=cfg, contract=c, rate=30.0 + i)
              for i, (d, c) in enumerate([("North", 40.0), ("South", 36.0)])]
    problem = Problem.build(cfg, monday, pd.DataFrame(staff), no_leave(), horizon_requirements(cfg, days, monday), days=days)
    return cfg, problem


def uneven_roster(cfg, problem, seed: int) -> pd.DataFrame:
    """Day shifts in the home district, a different number each week (over contract in some, under in others)."""
    inst = shift_instances(cfg.shifts, MONDAY, cfg.timezone, days=problem.days)
    day_shift = next(name for name, t in cfg.shifts.items() if not t.night and t.start_time.hour >= 6)
    inst = inst[inst["shift"] == day_shift]
    rng = np.random.default_rng(seed)
    rows = []
    for p in problem.staff.itertuples():
        for w, week in enumerate(problem.weeks()):
            n = int(rng.integers(2, 7)) if w % 2 == 0 else int(rng.integers(1, 4))
            for day in sorted(rng.choice(list(week), size=min(n, len(week)), replace=False)):
                i = inst[inst["day"] == day].iloc[0]
                rows.append({"staff_id": p.staff_id, "district": p.home_district, "date": i["date"], "shift": day_shift,
                             "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("weeks", [1, 2, 4])
@pytest.mark.parametrize("seed", [0, 1])
def test_model_wage_cost_equals_pay(weeks, seed):
    cfg, problem = horizon_problem(7 * weeks)
    roster = uneven_roster(cfg, problem, seed)
    terms = fixed_roster_terms(problem, roster, default_rules(cfg))
    model_cost = terms["wage_cost: pay at the hourly rate"] + terms["wage_cost: overtime premium above contract hours"]
    priced = price(roster, problem.staff, cfg, MONDAY)
    pay = cost_summary(priced, problem.staff, cfg)
    assert model_cost == pytest.approx(pay["total_cost"], abs=0.01)
    premium = terms["wage_cost: overtime premium above contract hours"]
    mult = np.array([cfg.roles[r].overtime_multiplier for r in priced["role"]])
    rate = problem.staff.set_index("staff_id").loc[priced["staff_id"], "hourly_rate"].to_numpy()
    assert premium == pytest.approx(float((priced["overtime_hours"] * rate * (mult - 1)).sum()), abs=0.01)
    if weeks > 1:
        assert premium > 0  # the uneven weeks put someone over contract in some week


def test_a_long_week_then_a_short_one_is_overtime_in_the_first():
    cfg, problem = horizon_problem(14)
    inst = shift_instances(cfg.shifts, MONDAY, cfg.timezone, days=14)
    day_shift = next(name for name, t in cfg.shifts.items() if not t.night and t.start_time.hour >= 6)
    days = [0, 1, 2, 3, 4, 5, 7, 8, 9]  # six shifts in week one, three in week two
    rows = [{"staff_id": "C0", "district": "North", **inst[(inst["day"] == d) & (inst["shift"] == day_shift)]
             .iloc[0][["date", "shift", "start", "end", "paid_hours"]].to_dict()} for d in days]
    roster = pd.DataFrame(rows)
    hours = float(roster["paid_hours"].iloc[0])
    extra = 6 * hours - 40.0
    assert extra > 0
    terms = fixed_roster_terms(problem, roster, default_rules(cfg))
    premium = terms["wage_cost: overtime premium above contract hours"]
    assert premium == pytest.approx(extra * 40.0 * (cfg.roles["clinician"].overtime_multiplier - 1))
    priced = price(roster, problem.staff, cfg, MONDAY)
    assert priced["overtime_hours"].sum() == pytest.approx(extra)
    assert priced.loc[[d >= MONDAY + dt.timedelta(days=7) for d in priced["date"]], "overtime_hours"].sum() == 0


PAY = {"night": {"start": "22:00", "end": "06:00", "per_hour": 3.0}, "weekend": {"per_hour": 2.5}}
FALL_BACK_MONDAY, SPRING_FORWARD_MONDAY = dt.date(2026, 10, 26), dt.date(2026, 3, 2)


def mixed_roster(cfg, problem, monday, seed: int) -> pd.DataFrame:
    """Any shift template on a few days a week, nights and weekends included, one shift a day."""
    inst = shift_instances(cfg.shifts, monday, cfg.timezone, days=problem.days)
    rng = np.random.default_rng(seed)
    rows = []
    for p in problem.staff.itertuples():
        for week in problem.weeks():
            for day in sorted(rng.choice(list(week), size=int(rng.integers(2, 7)), replace=False)):
                options = inst[inst["day"] == day]
                i = options.iloc[int(rng.integers(len(options)))]
                rows.append({"staff_id": p.staff_id, "district": p.home_district, "date": i["date"], "shift": i["shift"],
                             "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("weeks", [1, 2, 4])
@pytest.mark.parametrize("monday", [MONDAY, FALL_BACK_MONDAY, SPRING_FORWARD_MONDAY], ids=["plain", "fall-back", "spring-forward"])
def test_model_prices_night_and_weekend_differentials_as_pay_does(weeks, monday):
    cfg, problem = horizon_problem(7 * weeks, monday, pay=PAY)
    roster = mixed_roster(cfg, problem, monday, seed=weeks)
    terms = fixed_roster_terms(problem, roster, default_rules(cfg))
    wage = {k: v for k, v in terms.items() if k.startswith("wage_cost: ")}
    priced = price(roster, problem.staff, cfg, monday)
    assert sum(wage.values()) == pytest.approx(cost_summary(priced, problem.staff, cfg)["total_cost"], abs=0.01)
    expected = sum(differential_pay(s, e, cfg.pay, cfg.timezone) for s, e in zip(roster["start"], roster["end"]))
    assert expected > 0
    assert wage["wage_cost: night and weekend differentials"] == pytest.approx(expected, abs=0.01)


def test_differential_hours_of_a_night_across_the_autumn_change():
    cfg, _ = horizon_problem(7, FALL_BACK_MONDAY, pay=PAY)
    inst = shift_instances(cfg.shifts, FALL_BACK_MONDAY, cfg.timezone)
    sat_night = inst[(inst["date"] == dt.date(2026, 10, 31)) & (inst["shift"] == "night")].iloc[0]
    assert sat_night["paid_hours"] == 9
    # 23:00 EDT to 06:00 EST is 8 real hours in the night window; all 9 hours are on the weekend
    assert differential_hours(sat_night["start"], sat_night["end"], cfg.pay, cfg.timezone) == (8.0, 9.0)
    assert differential_pay(sat_night["start"], sat_night["end"], cfg.pay, cfg.timezone) == pytest.approx(8 * 3.0 + 9 * 2.5)
    spring = horizon_problem(7, SPRING_FORWARD_MONDAY, pay=PAY)[0]
    inst = shift_instances(spring.shifts, SPRING_FORWARD_MONDAY, spring.timezone)
    sat_night = inst[(inst["date"] == dt.date(2026, 3, 7)) & (inst["shift"] == "night")].iloc[0]
    assert differential_hours(sat_night["start"], sat_night["end"], spring.pay, spring.timezone) == (6.0, 7.0)


def test_without_a_pay_section_the_model_has_no_differential_term():
    cfg, problem = horizon_problem(7)
    assert cfg.pay is None
    terms = fixed_roster_terms(problem, mixed_roster(cfg, problem, MONDAY, seed=0), default_rules(cfg))
    assert not any("differential" in k for k in terms)
