"""Map an Employee Shift Scheduling Benchmark instance onto the project's own model.

Nothing here is a benchmark-only constraint: every benchmark rule becomes a
configuration of a general crisis-service rule (see ``docs/ssb.md``):

=============================  ==============================================
benchmark                      crisis-roster
=============================  ==============================================
shift type, length             ``[shifts.ID]`` template, ``hours = length/60``
ForbiddenNext                  ``[rules.forbidden_successions] pairs``
MaxShifts[e][s]                ``[[rules.max_shifts_of_type]]`` per shift,
                               caps in ``per_person`` (0 = never)
Min/MaxTotalMinutes            ``[rules.total_hours]``, staff columns
                               ``min_total_hours`` / ``max_total_hours``
MaxConsecutiveShifts           ``[rules.max_consecutive_days_per_person]``,
                               staff column ``max_consecutive_days``
MinConsecutiveShifts           ``[rules.min_consecutive_days]``, column
MinConsecutiveDaysOff          ``[rules.min_consecutive_days_off]``, column
MaxWeekends                    ``[rules.max_weekends]``, column
days off                       approved leave (whole days)
shift on/off requests          ``problem.requests`` + ``[rules.shift_requests]``
cover with weights             ``problem.shift_requirements`` +
                               ``[rules.shift_cover]``
=============================  ==============================================

The instance becomes a one-district, one-role service in UTC starting on a
Monday; every shift starts at 08:00 (the benchmark gives no clock times; its
successions are explicit).  There is no wage cost and no hourly requirement, so
the objective is exactly the benchmark's penalty.  :func:`solve_instance` goes
through :func:`roster.solve.model.solve`, the path real rosters take, and
:func:`roster_to_assignment` turns the roster back into the benchmark's
``(staff, day) -> shift`` form for :func:`benchmarks.ssb.evaluate.evaluate`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from constraints import default_rules
from constraints.problem import Problem
from roster.config import Config, parse_config
from benchmarks.ssb.instance import SSBInstance

MONDAY = dt.date(2024, 1, 1)  # a Monday: benchmark day 0
DISTRICT = "ward"
ROLE = "nurse"
START = "08:00"


def ssb_config(inst: SSBInstance, *, solver: str = "highs", time_limit: float = 600.0, threads: int = 2,
               relative_gap: float = 0.0, strategy: str = "mip") -> Config:
    """The roster.toml equivalent of ``inst`` (validated like any user config)."""
    H = inst.horizon
    max_shifts = []
    for s in inst.shifts:
        caps = {e.id: int(e.max_shifts[s.id]) for e in inst.staff if e.max_shifts[s.id] < H}
        if caps:
            max_shifts.append({"shifts": [s.id], "per_person": caps})
    pairs = [[s.id, t] for s in inst.shifts for t in sorted(s.forbidden_next)]
    rules: dict = {
        "min_consecutive_days": {},
        "max_consecutive_days_per_person": {},
        "min_consecutive_days_off": {},
        "max_weekends": {},
        "total_hours": {},
        "shift_requests": {},
        "shift_cover": {},
    }
    if pairs:
        rules["forbidden_successions"] = {"pairs": pairs}
    if max_shifts:
        rules["max_shifts_of_type"] = max_shifts
    raw = {
        "city": {"name": inst.name, "timezone": "UTC"},
        "districts": {DISTRICT: {}},
        "roles": {ROLE: {"clinical": True, "hourly_rate": 0.0, "overtime_multiplier": 1.0}},
        "shifts": {s.id: {"start": START, "hours": s.length_minutes / 60.0} for s in inst.shifts},
        "solver": {"name": solver, "time_limit_seconds": time_limit, "relative_gap": relative_gap, "threads": threads,
                   "strategy": strategy},
        "rules": rules,
    }
    return parse_config(raw, where=f"{inst.name} (benchmark mapping)")


def ssb_staff(inst: SSBInstance) -> pd.DataFrame:
    """Staff rows with the per-person limit columns the rules read."""
    rows = []
    for e in inst.staff:
        rows.append({
            "staff_id": e.id, "name": e.id, "role": ROLE, "supervisor": False, "contract_hours": 0.0,
            "hourly_rate": 0.0, "home_district": DISTRICT, "float_districts": [], "languages": [],
            "works_nights": True,
            "max_consecutive_days": float(e.max_consecutive_shifts),
            "min_consecutive_days": float(e.min_consecutive_shifts),
            "min_consecutive_days_off": float(e.min_consecutive_days_off),
            "max_weekends": float(e.max_weekends),
            "min_total_hours": e.min_total_minutes / 60.0,
            "max_total_hours": e.max_total_minutes / 60.0,
        })
    return pd.DataFrame(rows)


def ssb_leave(inst: SSBInstance) -> pd.DataFrame:
    """Days off as whole-day approved leave (UTC midnight to midnight)."""
    rows = []
    for sid, days in inst.days_off.items():
        for d in sorted(days):
            start = pd.Timestamp(MONDAY + dt.timedelta(days=d), tz="UTC")
            rows.append({"staff_id": sid, "start": start, "end": start + pd.Timedelta(days=1)})
    if not rows:
        return pd.DataFrame({"staff_id": pd.Series(dtype=str), "start": pd.Series(dtype="datetime64[ns, UTC]"),
                             "end": pd.Series(dtype="datetime64[ns, UTC]")})
    return pd.DataFrame(rows)


def ssb_problem(inst: SSBInstance, config: Config | None = None) -> Problem:
    config = config or ssb_config(inst)
    requests = pd.DataFrame(
        [(r.staff_id, r.day, r.shift_id, "on", r.weight) for r in inst.shift_on_requests]
        + [(r.staff_id, r.day, r.shift_id, "off", r.weight) for r in inst.shift_off_requests],
        columns=["staff_id", "day", "shift", "kind", "weight"],
    )
    cover = pd.DataFrame(
        [(c.day, c.shift_id, DISTRICT, ROLE, c.requirement, c.weight_under, c.weight_over) for c in inst.cover],
        columns=["day", "shift", "district", "role", "required", "under_weight", "over_weight"],
    )
    no_hourly = pd.DataFrame({"district": pd.Series(dtype=str), "hour": pd.Series(dtype="int64"),
                              "role": pd.Series(dtype=str), "required": pd.Series(dtype="int64")})
    return Problem.build(config, MONDAY, ssb_staff(inst), ssb_leave(inst), no_hourly, days=inst.horizon,
                         requests=requests, shift_requirements=cover)


def ssb_rules(config: Config) -> list:
    """The normal rule set for the config: core rules (inactive ones add nothing) plus the configured optional rules."""
    return default_rules(config)


def roster_to_assignment(roster: pd.DataFrame) -> pd.DataFrame:
    """Roster rows -> benchmark assignment (``staff_id, day, shift``)."""
    if roster.empty:
        return pd.DataFrame({"staff_id": pd.Series(dtype=str), "day": pd.Series(dtype="int64"), "shift": pd.Series(dtype=str)})
    dates = pd.to_datetime(pd.Series(roster["date"]).astype(str)).dt.date
    return pd.DataFrame({
        "staff_id": roster["staff_id"].to_numpy(),
        "day": [(d - MONDAY).days for d in dates],
        "shift": roster["shift"].to_numpy(),
    })


def solve_instance(inst: SSBInstance, *, solver: str = "highs", time_limit: float = 600.0, threads: int = 2,
                   strategy: str = "mip"):
    """Build and solve ``inst`` through :func:`roster.solve.model.solve`; returns ``(SolveResult, assignment)``."""
    from roster.solve.model import solve

    config = ssb_config(inst, solver=solver, time_limit=time_limit, threads=threads, strategy=strategy)
    problem = ssb_problem(inst, config)
    result = solve(problem, ssb_rules(config), time_limit=time_limit)
    return result, roster_to_assignment(result.roster)
