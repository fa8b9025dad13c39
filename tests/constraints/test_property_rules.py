"""Property test: random small cities with random rule settings.

Every roster the model returns passes every rule's independent check (hard
rules: no violation at all), coverage.csv's scheduled counts agree with a
recount straight from the roster rows, and an infeasible city always gets a
diagnosis naming at least one rule.
"""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cities import person
from constraints import default_rules
from forecast.timegrid import local_midnight
from roster.solve.diagnose import diagnose
from roster.solve.model import solve as model_solve
from roster.pipeline import coverage_table
from rule_helpers import MONDAY, cfg_with, check, make_problem, requirements

DISTRICTS = ["North", "South"]
ROLES = ["clinician", "peer_supporter", "community_health_worker"]

people = st.lists(
    st.tuples(
        st.sampled_from(ROLES),
        st.sampled_from(DISTRICTS),
        st.booleans(),  # floats to the other district
        st.booleans(),  # supervisor (clinicians only)
        st.sampled_from([20.0, 40.0]),
        st.booleans(),  # works nights
        st.sampled_from([["en"], ["en", "es"]]),
    ),
    min_size=2,
    max_size=6,
)
windows = st.lists(
    st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(["clinician", "peer_supporter"]),
              st.integers(0, 6), st.sampled_from([(7, 15), (15, 23), (23, 24), (0, 7), (10, 14)])),
    min_size=1,
    max_size=5,
)
rule_sets = st.fixed_dictionaries(
    {},
    optional={
        "fair_nights": st.fixed_dictionaries({"weight": st.sampled_from([10.0, 500.0]), "mode": st.sampled_from(["max", "deviation"])}),
        "fair_weekends": st.fixed_dictionaries({"weight": st.sampled_from([10.0, 500.0]), "group_by": st.sampled_from(["role", "seat", "all"])}),
        "district_equity": st.fixed_dictionaries({"weight": st.sampled_from([1000.0, 20000.0])}),
        "language_cover": st.fixed_dictionaries({"language": st.just("es"), "start": st.just("08:00"), "end": st.just("12:00"),
                                                 "hard": st.booleans(), "districts": st.just(["North"])}),
        "cross_cover": st.just({"allow": {"clinician": ["peer_supporter"]}}),
        "guaranteed_hours": st.fixed_dictionaries({"share": st.sampled_from([0.2, 0.5]), "hard": st.booleans()}),
        "part_time_cap": st.fixed_dictionaries({"extra_hours": st.sampled_from([0.0, 8.0]), "hard": st.booleans()}),
        "float_cost": st.fixed_dictionaries({"per_hour": st.sampled_from([1.0, 20.0])}),
        "float_pool": st.just({"staff": ["X0"]}),
    },
)


def recount(problem, roster) -> dict:
    """Scheduled people per (district, hour, seat) straight from the rows, hour by hour (week wraps)."""
    hours = problem.hours
    pos = {ts: i for i, ts in enumerate(hours)}
    wall = {(ts.weekday(), ts.hour): i for i, ts in enumerate(hours)}
    seat_of = {r: problem.config.roles[r].seat(r) for r in problem.config.roles}
    role = problem.staff.set_index("staff_id")["role"]
    out: dict = {}
    for row in roster.itertuples():
        seat = getattr(row, "seat", None) or seat_of[role[row.staff_id]]
        t = row.start
        while t + pd.Timedelta(hours=1) <= row.end:
            i = pos.get(t)
            if i is None and t >= hours[-1]:
                local = t.tz_convert(hours.tz)
                i = wall.get((local.weekday(), local.hour))
            if i is not None:
                key = (row.district, i, seat)
                out[key] = out.get(key, 0) + 1
            t = t + pd.Timedelta(hours=1)
    return out


@settings(max_examples=14, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(people=people, windows=windows, rules=rule_sets, supervisors=st.sampled_from([0, 0, 0, 1]),
       leave_day=st.one_of(st.none(), st.integers(0, 6)))
def test_random_cities_pass_every_check_or_get_a_diagnosis(people, windows, rules, supervisors, leave_day):
    c = cfg_with(rules, **{"supervision.min_supervisors_citywide": supervisors})
    staff = []
    for i, (role, home, floats, sup, contract, nights, langs) in enumerate(people):
        p = person(f"X{i}", role, home, supervisor=sup and role == "clinician", contract=contract, nights=nights,
                   floats=[d for d in DISTRICTS if d != home] if floats else [], cfg=c)
        p["languages"] = langs
        staff.append(p)
    req = requirements(c, [(d, r, [day], h0, h1) for d, r, day, (h0, h1) in windows])
    leave = None
    if leave_day is not None:
        day = MONDAY + dt.timedelta(days=leave_day)
        leave = pd.DataFrame([{"staff_id": "X0", "start": local_midnight(day, c.timezone),
                               "end": local_midnight(day + dt.timedelta(days=1), c.timezone)}])
    problem = make_problem(c, staff, req, leave=leave)
    rule_list = default_rules(c)
    res = model_solve(problem, rule_list, time_limit=15)
    if res.status == "infeasible":
        text = diagnose(problem, rule_list, time_limit=15)
        assert any(r.name in text for r in rule_list), text
        return
    assert res.status in ("optimal", "feasible")
    roster = res.roster
    for r in rule_list:
        hook = getattr(r, "annotate_roster", None)
        if hook is not None:
            roster = hook(roster, c)
    hard = [v for v in check(problem, roster, rule_list) if v.hard]
    assert not hard, [v.message for v in hard]

    cov = coverage_table(problem, roster)
    counts = recount(problem, roster)
    for row in cov.itertuples():
        assert row.scheduled == counts.get((row.district, row.hour, row.role), 0)
        assert row.shortfall == max(row.required - row.scheduled, 0)


def test_a_city_without_supervisors_is_diagnosed_by_name():
    c = cfg_with(**{"supervision.min_supervisors_citywide": 1})
    staff = [person("X0", "clinician", "North", cfg=c), person("X1", "peer_supporter", "South", cfg=c)]
    problem = make_problem(c, staff, requirements(c, [("North", "clinician", [0], 7, 15)]))
    assert model_solve(problem, default_rules(c), time_limit=15).status == "infeasible"
    text = diagnose(problem, time_limit=15)
    assert "citywide_supervisor" in text and "0 supervisor-flagged" in text
