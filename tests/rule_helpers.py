"""Helpers for the optional-rule tests: tiny cities, hand-made requirements, solve and check."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cities import no_leave, small_config
from constraints import RosterContext, default_rules
from constraints.problem import Problem, shift_instances
from forecast.timegrid import week_hours
from roster.solve import highs
from roster.solve import model as roster_model

MONDAY = dt.date(2026, 11, 2)


def cfg_with(rules: dict | None = None, **overrides):
    """Small two-district config without a city-wide supervisor, plus optional [rules]."""
    base = {"supervision.min_supervisors_citywide": 0}
    base.update(overrides)
    base["rules"] = rules or {}  # exactly these optional rules, whatever roster.toml enables
    return small_config(**base)


def requirements(cfg, spec, monday=MONDAY) -> pd.DataFrame:
    """spec: list of (district, role, days, first_hour, last_hour_exclusive) at 1 person each."""
    hours = week_hours(monday, cfg.timezone)
    rows = []
    for district, role, days, h0, h1 in spec:
        for i, ts in enumerate(hours):
            if (ts.date() - monday).days in days and h0 <= ts.hour < h1:
                rows.append({"district": district, "hour": i, "hour_start": ts, "role": role, "required": 1})
    if not rows:
        return pd.DataFrame(columns=["district", "hour", "hour_start", "role", "required"])
    return pd.DataFrame(rows).drop_duplicates(["district", "hour", "role"]).reset_index(drop=True)


def make_problem(cfg, staff, req, leave=None, previous=None, pinned=None) -> Problem:
    from constraints import prepare_staff

    st = prepare_staff(pd.DataFrame(staff), cfg)
    return Problem.build(cfg, MONDAY, st, leave if leave is not None else no_leave(), req, previous=previous, pinned=pinned)


def solve(problem, rules=None, time_limit=20):
    if rules is None:
        rules = default_rules(problem.config)
    res = roster_model.solve(problem, rules, time_limit=time_limit)
    assert res.status in ("optimal", "feasible"), res.status
    roster = res.roster
    for rule in rules:
        roster = rule.annotate_roster(roster, problem.config)
    return roster, res


def check(problem, roster, rules=None):
    rules = default_rules(problem.config) if rules is None else rules
    ctx = RosterContext(problem, roster)
    return [v for rule in rules for v in rule.check(ctx)]


def rows(cfg, spec, monday=MONDAY):
    """spec: list of (staff_id, district, day offset, shift name) → roster rows."""
    inst = shift_instances(cfg.shifts, monday, cfg.timezone).set_index(["day", "shift"])
    out = []
    for sid, district, day, shift in spec:
        i = inst.loc[(day, shift)]
        out.append({"staff_id": sid, "district": district, "date": i["date"], "shift": shift,
                    "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]})
    return pd.DataFrame(out)


def shifts_of(roster, sid):
    return roster[roster["staff_id"] == sid]


def lp_relaxation_value(prob) -> float:
    """The LP relaxation's objective of a PuLP model, solved by HiGHS on one thread (the thread
    count the other tests' solves use, so HiGHS's process-wide scheduler stays as they need it)."""
    import highspy

    highs.BulkHiGHS.use_threads(1)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.passModel(highs.highs_lp(prob))
    h.setOptionValue("solve_relaxation", True)
    h.run()
    return h.getInfo().objective_function_value


def fixed_roster_terms(problem, roster, rules=None) -> dict[str, float]:
    """The model's objective terms (``"rule: label" -> value``) for exactly ``roster``.

    The model is built in elastic mode (a roster that bends a hard rule stays solvable;
    the slacks are not penalty terms), every assignment is fixed to the roster, and the
    rest of the model -- overtime, shortfall and other auxiliary columns -- is solved for
    its cheapest values, which is what the roster costs in the model.
    """
    import pulp

    rules = default_rules(problem.config) if rules is None else rules
    m = roster_model.build(problem, rules, elastic=True)
    a = m.assign
    key = {(r.staff_id, r.date, r.shift, r.district) for r in roster.itertuples()}
    chosen = [(s, d, sh, di) in key for s, d, sh, di in zip(a["staff_id"], a["date"], a["shift"], a["district"])]
    missing = key - {k for k, c in zip(zip(a["staff_id"], a["date"], a["shift"], a["district"]), chosen) if c}
    assert not missing, f"roster rows with no candidate in the model: {sorted(missing)[:3]}"
    for var, on in zip(a["x"], chosen):
        var.lowBound = var.upBound = 1 if on else 0
    highs.BulkHiGHS.use_threads(1)
    m.prob.solve(highs.BulkHiGHS(msg=False, threads=1))
    assert m.prob.status == pulp.LpStatusOptimal, pulp.LpStatus[m.prob.status]
    return roster_model.penalty_values(m)
