"""Every penalty term of the model prices a fixed roster as the rule's own check does.

For each rule with a cost, a hand-made roster is fixed in the model
(:func:`rule_helpers.fixed_roster_terms`: elastic mode, every assignment fixed, the
auxiliary columns solved for their cheapest values) and the term's value is compared
with what the rule's ``check`` reports for the same rows -- ``Violation.amount`` times
the rule's weight, or the documented conversion where the check reports in other
units -- on a one-week and a multi-week horizon.  Expected values are computed from the
checker (or from the roster rows where the check has no amount for the term), never
read back from the model, and are non-zero in at least one case of every test.

This file: coverage, district_equity, fair_nights / fair_weekends, float_cost,
guaranteed_hours, part_time_cap.  test_penalties_match_check_plans.py: pinned_shifts,
shift_requests, shift_cover, language_cover, cross_cover.  wage_cost:
test_cost_matches_pay.py.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pulp
import pytest

from cities import no_leave, person
from constraints import RosterContext, default_rules
from constraints.fairness import DistrictEquity
from constraints.problem import Problem, shift_instances
from forecast.timegrid import local_hours
from roster.solve import highs
from roster.solve import model as roster_model
from rule_helpers import MONDAY, cfg_with, fixed_roster_terms

# -- shared helpers (also used by test_penalties_match_check_plans.py) ---------------


def hourly(cfg, spec, days: int) -> pd.DataFrame:
    """Hourly requirements over ``days``; spec: (district, role, day offsets, first hour, last hour exclusive[, required])."""
    hours = local_hours(MONDAY, days, cfg.timezone)
    out = []
    for district, role, on, h0, h1, *n in spec:
        on = set(on)
        for i, ts in enumerate(hours):
            if (ts.date() - MONDAY).days in on and h0 <= ts.hour < h1:
                out.append({"district": district, "hour": i, "hour_start": ts, "role": role, "required": n[0] if n else 1})
    if not out:
        return pd.DataFrame(columns=["district", "hour", "hour_start", "role", "required"])
    return pd.DataFrame(out).drop_duplicates(["district", "hour", "role"]).reset_index(drop=True)


def build(cfg, staff, days: int, spec=(), leave=None, **kw) -> Problem:
    return Problem.build(cfg, MONDAY, pd.DataFrame(staff), leave if leave is not None else no_leave(),
                         hourly(cfg, spec, days), days=days, **kw)


def roster_of(problem, spec, monday=MONDAY) -> pd.DataFrame:
    """spec: (staff_id, district, day, shift[, seat]) -> roster rows (``seat`` column only if some row names one)."""
    inst = shift_instances(problem.config.shifts, monday, problem.tz, days=max([problem.days] + [s[2] + 1 for s in spec]))
    inst = inst.set_index(["day", "shift"])
    out = []
    for sid, district, day, shift, *seat in spec:
        i = inst.loc[(day, shift)]
        row = {"staff_id": sid, "district": district, "date": i["date"], "shift": shift,
               "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}
        if seat:
            row["seat"] = seat[0]
        out.append(row)
    cols = ["staff_id", "district", "date", "shift", "start", "end", "paid_hours"]
    return pd.DataFrame(out, columns=cols + (["seat"] if any(len(s) > 4 for s in spec) else []))


def leave_days(problem_cfg, sid, first_day, last_day_inclusive) -> pd.DataFrame:
    tz = problem_cfg.timezone
    a = pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=first_day), dt.time())).tz_localize(tz)
    b = pd.Timestamp(dt.datetime.combine(MONDAY + dt.timedelta(days=last_day_inclusive + 1), dt.time())).tz_localize(tz)
    return pd.DataFrame({"staff_id": [sid], "start": [a], "end": [b]})


def fixed_terms(problem, roster, rules=None) -> dict[str, float]:
    """:func:`fixed_roster_terms`, and for rosters with a ``seat`` column (rules.cross_cover)
    the candidate of the named seat (empty = the role's own seat), not every seat of the shift."""
    rules = default_rules(problem.config) if rules is None else rules
    if "seat" not in roster.columns:
        return fixed_roster_terms(problem, roster, rules)
    m = roster_model.build(problem, rules, elastic=True)
    a = m.assign
    own = problem.staff.set_index("staff_id")["seat"]
    given = roster["seat"].astype(object)
    seat = [s if isinstance(s, str) and s.strip() else own[sid] for sid, s in zip(roster["staff_id"], given)]
    key = set(zip(roster["staff_id"], roster["date"], roster["shift"], roster["district"], seat))
    cand = list(zip(a["staff_id"], a["date"], a["shift"], a["district"], a["seat"]))
    missing = key - set(cand)
    assert not missing, f"roster rows with no candidate in the model: {sorted(missing)[:3]}"
    for var, k in zip(a["x"], cand):
        var.lowBound = var.upBound = 1 if k in key else 0
    highs.BulkHiGHS.use_threads(1)
    m.prob.solve(highs.BulkHiGHS(msg=False, threads=1))
    assert m.prob.status == pulp.LpStatusOptimal, pulp.LpStatus[m.prob.status]
    return roster_model.penalty_values(m)


def rules_named(problem, name):
    return [r for r in default_rules(problem.config) if r.name == name]


def violations(problem, roster, name):
    ctx = RosterContext(problem, roster)
    return [v for r in rules_named(problem, name) for v in r.check(ctx)]


def weekdays(days: int):
    return [d for d in range(days) if d % 7 < 5]


HORIZONS = [7, 14]


def base_staff(cfg):
    return [
        person("C0", "clinician", "North", cfg=cfg, floats=("South",)),
        person("C1", "clinician", "South", cfg=cfg),
        person("C2", "clinician", "North", cfg=cfg),
        person("C3", "clinician", "South", cfg=cfg, nights=False),
        person("P0", "peer_supporter", "North", cfg=cfg),
        person("P1", "peer_supporter", "South", cfg=cfg, contract=24.0),
    ]


# -- coverage -----------------------------------------------------------------------

def COVER_SPEC(days):
    return [("North", "clinician", weekdays(days), 7, 15), ("South", "peer_supporter", weekdays(days), 7, 15),
            ("North", "clinician", [0], 0, 7)]


def full_cover(days):
    """Covers COVER_SPEC exactly: early shifts on weekdays, and the last night of the horizon
    (which wraps to the first Monday's small hours on a repeating horizon)."""
    spec = [("C0" if d % 2 == 0 else "C2", "North", d, "early") for d in weekdays(days)]
    spec += [("P1", "South", d, "early") for d in weekdays(days)]
    spec += [("C2", "North", days - 1, "night")]
    return spec


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("gaps", [False, True])
def test_coverage_shortfall_is_the_checked_staff_hours_at_the_hourly_penalty(days, gaps):
    cfg = cfg_with()
    problem = build(cfg, base_staff(cfg), days, COVER_SPEC(days))
    spec = full_cover(days)
    if gaps:
        drop = {("C2", 1, "early"), ("C2", days - 1, "night")} | ({("P1", 9, "early")} if days > 7 else set())
        spec = [s for s in spec if (s[0], s[2], s[3]) not in drop]
        spec += [("P1", "South", 2, "day")]  # 10:00 instead of 07:00: three hours short (the early row stays)
        spec = [s for s in spec if not (s[0] == "P1" and s[2] == 2 and s[3] == "early")]
    roster = roster_of(problem, spec)
    v = violations(problem, roster, "coverage")
    expected = cfg.objective.shortfall_penalty_per_hour * sum(x.amount for x in v)
    assert (expected > 0) == gaps
    terms = fixed_terms(problem, roster)
    assert terms["coverage: uncovered staff-hours"] == pytest.approx(expected)


@pytest.mark.parametrize("days", HORIZONS)
def test_coverage_counts_last_weeks_night_as_the_check_does(days):
    cfg = cfg_with()
    spec = full_cover(days)[:-1]  # no wrapping night: last week's roster covers Monday's small hours, or not
    staff = base_staff(cfg)
    prev_inst = shift_instances(cfg.shifts, MONDAY - dt.timedelta(days=7), cfg.timezone).set_index(["day", "shift"])
    i = prev_inst.loc[(6, "long_night")]  # Sunday 19:00 - Monday 07:00
    previous = pd.DataFrame([{"staff_id": "C1", "district": "North", "date": i["date"], "shift": "long_night",
                              "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}])
    # Without its own last night the roster also leaves the next Monday's 00:00-07:00 uncovered
    # (Problem.boundary, assumed to need what the first Monday needs at those clock hours).
    for prev, short in ((previous, 7), (previous.assign(district="South"), 14)):
        problem = build(cfg, staff, days, COVER_SPEC(days), previous=prev)
        roster = roster_of(problem, spec)
        v = violations(problem, roster, "coverage")
        assert sum(x.amount for x in v) == short
        assert sum(x.amount for x in v if "next week" in x.message) == 7
        terms = fixed_terms(problem, roster)
        assert terms["coverage: uncovered staff-hours"] == pytest.approx(cfg.objective.shortfall_penalty_per_hour * sum(x.amount for x in v))


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("night", [None, "C2", "P1"])
def test_coverage_of_the_next_weeks_first_hours_is_priced_as_checked(days, night):
    """A horizon after last week's roster answers for the next Monday's 00:00-07:00 (Problem.boundary):
    2 clinicians asked for in North there; the last Sunday night (a North clinician, a peer in South or
    nobody) leaves 7, 14 or 14 staff-hours short, in the model's term as in the check."""
    cfg = cfg_with()
    empty = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    ahead = pd.DataFrame({"district": "North", "hour": range(7), "role": "clinician", "required": 2})
    problem = build(cfg, base_staff(cfg), days, COVER_SPEC(days), previous=empty, boundary_requirements=ahead)
    assert len(problem.boundary) == 7
    spec = full_cover(days)[:-1] + ([(night, "South" if night == "P1" else "North", days - 1, "night")] if night else [])
    roster = roster_of(problem, spec)
    v = [x for x in violations(problem, roster, "coverage") if "next week" in x.message]
    assert sum(x.amount for x in v) == (7 if night == "C2" else 14)
    everything = sum(x.amount for x in violations(problem, roster, "coverage"))
    terms = fixed_terms(problem, roster)
    assert terms["coverage: uncovered staff-hours"] == pytest.approx(cfg.objective.shortfall_penalty_per_hour * everything)


# -- district_equity ----------------------------------------------------------------


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("gaps", [False, True])
@pytest.mark.parametrize("after", [False, True], ids=["repeating", "after_previous"])
def test_district_equity_is_the_weight_times_the_worst_checked_ratio(days, gaps, after):
    """``after``: planned after an empty last week, so the first Monday's small hours are short and the
    next Monday's (Problem.boundary) count among the required and uncovered hours, model and check alike."""
    cfg = cfg_with({"district_equity": {"weight": 20000, "tolerance": 0.02}})
    empty = pd.DataFrame(columns=["staff_id", "district", "date", "shift", "start", "end", "paid_hours"])
    problem = build(cfg, base_staff(cfg), days, COVER_SPEC(days), previous=empty if after else None)
    assert len(problem.boundary) == (7 if after else 0)
    spec = full_cover(days)
    if gaps:  # North loses two early shifts (and a third in a longer horizon), South one
        drop = {("C2", 1, "early"), ("C2", 3, "early"), ("P1", 2, "early")} | ({("C0", 7, "early")} if days > 7 else set())
        spec = [s for s in spec if (s[0], s[2], s[3]) not in drop]
    roster = roster_of(problem, spec)
    ctx = RosterContext(problem, roster)
    ratios = DistrictEquity.ratios(ctx)
    worst = float(ratios["ratio"].max())
    v = violations(problem, roster, "district_equity")
    if gaps or after:
        # The check reports the worst district's ratio above the city-wide one.
        city = float(ratios["shortfall"].sum() / ratios["required"].sum())
        assert [x.district for x in v] == ["North"]
        assert v[0].amount + city == pytest.approx(worst)
        assert worst > 0
    else:
        assert v == [] and worst == 0
    own = problem.requirements.loc[problem.requirements["district"] == "North", "required"].sum()
    assert ratios.loc["North", "required"] == own + (7 if after else 0)  # the next Monday's 00:00-07:00
    terms = fixed_terms(problem, roster)
    assert terms["district_equity: largest district shortfall ratio"] == pytest.approx(20000 * worst)


# -- fair_nights / fair_weekends ------------------------------------------------------


def counts_by_group(problem, roster, kind, group_by):
    """Night (weekend) shifts per person, grouped by the person's own role/seat, eligible people only."""
    staff = problem.staff
    if kind == "night":
        staff = staff[staff["works_nights"].astype(bool)]
        flag = roster["shift"].isin([n for n, t in problem.config.shifts.items() if t.night])
    else:
        flag = pd.Series([pd.Timestamp(d).weekday() >= 5 for d in roster["date"]], index=roster.index)
    n = roster[flag].groupby("staff_id").size()
    group = staff["staff_id"].map(lambda s: "all") if group_by == "all" else staff[group_by]
    return {g: n.reindex(grp["staff_id"]).fillna(0).to_numpy() for g, grp in staff.assign(_g=group.to_numpy()).groupby("_g")}


def fair_expected(problem, roster, kind, mode, group_by, weight):
    """max: weight x the largest count in each group; deviation: weight x everyone's excess over the group mean."""
    total = 0.0
    for counts in counts_by_group(problem, roster, kind, group_by).values():
        if mode == "max":
            total += counts.max()
        else:
            total += sum(max(0.0, c - counts.sum() / len(counts)) for c in counts)
    return weight * total


# Days (of each week) on which each person works a night (a weekend early shift): lopsided or even
# within each group in the first week; the second week adds C1's shifts, lopsided the other way.
FAIR_PLANS = {
    ("night", False): {"C0": [0, 2, 4], "C1": [1], "P0": [0, 1]},
    ("night", True): {"C0": [0, 3], "C1": [1, 4], "C2": [2, 5], "P0": [0], "P1": [1]},
    ("weekend", False): {"C0": [5, 6], "P0": [5]},
    ("weekend", True): {"C0": [5], "C1": [6], "P1": [5]},
}
SECOND_WEEK_EXTRA = {"night": [2, 5], "weekend": [5, 6]}


def fair_roster(kind, days, even):
    shift = "night" if kind == "night" else "early"
    home = {"C0": "North", "C1": "South", "C2": "North", "P0": "North", "P1": "South"}
    rows = {(sid, 7 * w + d) for w in range(days // 7) for sid, ds in FAIR_PLANS[(kind, even)].items() for d in ds}
    if days > 7:
        rows |= {("C1", 7 + d) for d in SECOND_WEEK_EXTRA[kind]}
    return [(sid, home[sid], day, shift) for sid, day in sorted(rows)]


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("kind", ["night", "weekend"])
@pytest.mark.parametrize("mode", ["max", "deviation"])
@pytest.mark.parametrize("even", [False, True])
def test_fair_spread_term_is_the_documented_count(days, kind, mode, even):
    name = "fair_nights" if kind == "night" else "fair_weekends"
    weight = 50.0
    cfg = cfg_with({name: {"weight": weight, "mode": mode, "group_by": "role"}})
    problem = build(cfg, base_staff(cfg), days)
    roster = roster_of(problem, fair_roster(kind, days, even))
    expected = fair_expected(problem, roster, kind, mode, "role", weight)
    assert expected > 0 or (even and days == 7 and mode == "deviation")  # an even week: nobody above the mean
    v = violations(problem, roster, name)
    if even and days == 7:
        assert v == []  # nobody above the even share; the max mode still pays for the largest count
    else:
        assert v, "the lopsided roster should break the check"
    if mode == "max":
        # The check's amount is the count above the even share ceil(total / people): the busiest
        # person of a flagged group has exactly the largest count the model pays for.
        for g, counts in counts_by_group(problem, roster, kind, "role").items():
            flagged = [x.amount for x in v if problem.staff.set_index("staff_id").loc[x.staff_id, "role"] == g]
            if flagged:
                assert max(flagged) + math.ceil(counts.sum() / len(counts) - 1e-9) == counts.max()
    terms = fixed_terms(problem, roster)
    assert terms[f"{name}: uneven {kind} shifts"] == pytest.approx(expected)


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("mode", ["max", "deviation"])
def test_fair_nights_by_seat_counts_a_cross_covering_person_in_their_own_group(days, mode):
    """With cross_cover a clinician may work a night in the peer seat; the check groups people by
    their own seat (docs: "the largest number of night shifts any one person works"), so must the model."""
    weight = 50.0
    cfg = cfg_with({"fair_nights": {"weight": weight, "mode": mode, "group_by": "seat"},
                    "cross_cover": {"allow": {"clinician": ["peer_supporter"]}, "per_hour": 0}})
    problem = build(cfg, base_staff(cfg), days)
    spec = [("C0", "North", 0, "night", "peer_supporter"), ("C0", "North", 1, "night"), ("C0", "North", 2, "night"),
            ("C1", "South", 3, "night"), ("P0", "North", 4, "night")]
    if days > 7:
        spec += [("C0", "North", 8, "night", "peer_supporter"), ("C2", "North", 9, "night")]
    roster = roster_of(problem, spec)
    expected = fair_expected(problem, roster, "night", mode, "seat", weight)
    assert expected > 0
    assert any(x.staff_id == "C0" for x in violations(problem, roster, "fair_nights"))
    terms = fixed_terms(problem, roster)
    assert terms["fair_nights: uneven night shifts"] == pytest.approx(expected)


# -- float_cost -----------------------------------------------------------------------


@pytest.mark.parametrize("days", HORIZONS)
@pytest.mark.parametrize("away", [False, True])
def test_float_cost_is_the_checked_hours_away_at_the_hourly_price(days, away):
    cfg = cfg_with({"float_cost": {"per_hour": 5}})
    problem = build(cfg, base_staff(cfg), days)
    spec = [("C0", "North", 2, "late"), ("C1", "South", 3, "early")]
    if away:
        spec += [("C0", "South", 0, "early"), ("C0", "South", 4, "long_night")] + ([("C0", "South", 10, "evening")] if days > 7 else [])
    roster = roster_of(problem, spec)
    v = violations(problem, roster, "float_cost")
    expected = 5 * sum(x.amount for x in v)
    assert (expected > 0) == away
    terms = fixed_terms(problem, roster)
    assert terms.get("float_cost: hours outside the home district", 0.0) == pytest.approx(expected)


# -- guaranteed_hours / part_time_cap -----------------------------------------------------

HOURS_HORIZONS = [7, 10, 14]  # 10: a short last week, whose guarantee and cap are in proportion


def week_spec(sid, district, per_week, days, shift="early"):
    """``per_week[w]`` shifts in week w (Monday on), cut at the horizon's end."""
    return [(sid, district, 7 * w + d, shift) for w, n in enumerate(per_week) for d in range(n) if 7 * w + d < days]


@pytest.mark.parametrize("days", HOURS_HORIZONS)
@pytest.mark.parametrize("short", [False, True])
def test_guaranteed_hours_shortfall_is_the_checked_hours_at_the_weight(days, short):
    weight = 40.0
    cfg = cfg_with({"guaranteed_hours": {"share": 0.8, "weight": weight}})
    staff = base_staff(cfg)
    staff[4]["guaranteed_hours"] = 16.0  # P0's own guarantee
    for p in staff[:4] + staff[5:]:
        p["guaranteed_hours"] = float("nan")
    leave = leave_days(cfg, "C1", 0, 2)  # C1 away Mon-Wed: the first week's guarantee is 4/7 of 32 h
    problem = build(cfg, staff, days, leave=leave)
    n_weeks = len(problem.weeks())
    enough = {"C0": [4] * n_weeks, "C1": [3, 4], "C2": [4] * n_weeks, "C3": [4] * n_weeks, "P0": [2] * n_weeks}
    if short:
        enough.update({"C0": [3, 4], "C1": [2, 4], "P0": [1, 2]})
    home = problem.staff.set_index("staff_id")["home_district"]
    spec = [row for sid, per_week in enough.items() for row in week_spec(sid, home[sid], per_week, days)]
    # C1 works after the leave: the first week's rows from Thursday on
    spec = [(s, d, day + 3 if s == "C1" and day < 7 else day, sh) for s, d, day, sh in spec]
    roster = roster_of(problem, spec)
    v = violations(problem, roster, "guaranteed_hours")
    expected = weight * sum(x.amount for x in v)
    assert (expected > 0) == short
    terms = fixed_terms(problem, roster)
    assert terms["guaranteed_hours: hours short of the guarantee"] == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("days", HOURS_HORIZONS)
@pytest.mark.parametrize("over", [False, True])
def test_soft_part_time_cap_is_the_checked_hours_over_at_the_weight(days, over):
    weight = 100.0
    cfg = cfg_with({"part_time_cap": {"extra_hours": 4, "hard": False, "weight": weight}})
    staff = base_staff(cfg)
    staff.append(person("P2", "peer_supporter", "North", cfg=cfg, contract=20.0))
    problem = build(cfg, staff, days)
    # P1: 24 h contract, cap 28 h a week (24 x 3/7 + 4 in a 3-day week); P2: 20 h, cap 24 h; P0 full-time, no cap.
    plan = {"P1": [3, 1], "P2": [3, 1], "P0": [5, 5]}
    if over:
        plan.update({"P1": [4, 3], "P2": [3, 2]})
    home = problem.staff.set_index("staff_id")["home_district"]
    spec = [row for sid, per_week in plan.items() for row in week_spec(sid, home[sid], per_week, days)]
    roster = roster_of(problem, spec)
    v = violations(problem, roster, "part_time_cap")
    expected = weight * sum(x.amount for x in v)
    assert (expected > 0) == over
    terms = fixed_terms(problem, roster)
    assert terms.get("part_time_cap: part-time hours over the cap", 0.0) == pytest.approx(expected, abs=0.01)
