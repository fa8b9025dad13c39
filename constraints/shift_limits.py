"""Count limits over the planning horizon: shifts of a kind per person, total hours per person.

A weekly cap does not express a four-week contract: a person contracted for
152 hours in four weeks may work 44 one week and 32 the next, and should not be
left at 100 hours either.  Likewise "at most 8 night shifts in four weeks" is a
common agreement for crisis staff.  These rules count over the whole horizon
(``problem.days`` days), with a default in roster.toml and per-person values.
"""

from __future__ import annotations

import pandas as pd
import pulp
from pydantic import Field, model_validator

from constraints.base import HoursBand, ModelContext, RosterContext, Rule, Violation, unknown_names
from constraints.registry import STAFF_NUMBER_COLUMNS, RuleParams, register, staff_column
from constraints.sequences import person_limits

MAX_NIGHT_SHIFTS_COLUMN = staff_column("max_night_shifts", "most shifts of a capped kind in the horizon (max_shifts_of_type rule with column = \"max_night_shifts\")")
MIN_TOTAL_HOURS_COLUMN = staff_column("min_total_hours", "fewest paid hours over the planning horizon (total_hours rule)")
MAX_TOTAL_HOURS_COLUMN = staff_column("max_total_hours", "most paid hours over the planning horizon (total_hours rule)")


@register
class MaxShiftsOfType(Rule):
    """At most ``max`` shifts of the listed kinds per person over the horizon.

    ``per_person`` (staff id -> cap) or a staff ``column`` gives a person their
    own cap; a cap of 0 means the person never works these shifts (the
    candidates are not even created).  Use a list of tables for several kinds.
    """

    name = "max_shifts_of_type"
    hard = True
    description = "At most `max` shifts of the kinds in `shifts` per person over the horizon (per-person: `per_person` or a staff `column`)."

    class Params(RuleParams):
        shifts: list[str] = Field(min_length=1)
        max: int | None = Field(default=None, ge=0)
        per_person: dict[str, int] = Field(default_factory=dict)
        column: str | None = None

        @model_validator(mode="after")
        def _check(self):
            if self.column is not None and self.column not in STAFF_NUMBER_COLUMNS:
                raise ValueError(f"column '{self.column}' is not a per-person staff column; known columns are {sorted(STAFF_NUMBER_COLUMNS)}")
            if any(v < 0 for v in self.per_person.values()):
                raise ValueError("per_person caps must be 0 or more")
            return self

    def __init__(self, params):
        self.params = params

    def validate(self, config) -> list[str]:
        return unknown_names("rules.max_shifts_of_type.shifts", self.params.shifts, config.shifts, "shifts")

    def _shifts(self, config) -> set[str]:
        return set(self.params.shifts)

    def shift_caps(self, problem) -> dict[str, tuple[frozenset, int]]:
        kinds = frozenset(self.params.shifts)
        return {sid: (kinds, int(cap)) for sid, cap in self.limits(problem).items() if cap is not None}

    def limits(self, problem) -> dict[str, int | None]:
        if self.params.column is not None:
            base = person_limits(problem.staff, self.params.column, self.params.max)
        else:
            base = {sid: (None if self.params.max is None else float(self.params.max)) for sid in problem.staff["staff_id"]}
        for sid, v in self.params.per_person.items():
            if sid in base:
                base[sid] = float(v)
        return {sid: (None if v is None else int(round(v))) for sid, v in base.items()}

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        zero = {sid for sid, v in self.limits(problem).items() if v == 0}
        if not zero:
            return cand
        kinds = self._shifts(problem.config)
        drop = cand["staff_id"].isin(zero).to_numpy() & cand["shift"].isin(kinds).to_numpy()
        return cand[~drop]

    def apply(self, m: ModelContext) -> None:
        kinds = self._shifts(m.config)
        lim = self.limits(m.problem)
        a = m.assign[m.assign["shift"].isin(kinds)]
        per: dict[str, list] = {}
        days: dict[str, set] = {}
        for sid, day, x in zip(a["staff_id"], a["day"], a["x"]):
            per.setdefault(sid, []).append(x)
            days.setdefault(sid, set()).add(int(day))
        for sid, xs in per.items():
            cap = lim.get(sid)
            if cap is None or cap >= len(days[sid]):
                continue  # cannot bind: at most one shift a day
            m.add_hard(self.name, pulp.LpAffineExpression([(x, 1) for x in xs]), "<=", cap, f"{sid}, {'/'.join(sorted(kinds))} shifts")

    def check(self, ctx: RosterContext) -> list[Violation]:
        kinds = self._shifts(ctx.config)
        lim = self.limits(ctx.problem)
        counts = ctx.roster[ctx.roster["shift"].isin(kinds)].groupby("staff_id").size()
        out = []
        for sid, n in counts.items():
            cap = lim.get(sid)
            if cap is not None and n > cap:
                out.append(Violation(self.name, f"{sid} works {n} {'/'.join(sorted(kinds))} shift(s) in the horizon; at most {cap} are allowed",
                                     staff_id=sid, amount=float(n - cap)))
        return out


@register
class TotalHours(Rule):
    """Paid hours over the whole horizon between ``min`` and ``max`` per person.

    For contract hours over a multi-week period (e.g. 4 weeks: ``min = 140``,
    ``max = 168``); the staff columns ``min_total_hours`` / ``max_total_hours``
    give a person their own band (part-time staff).
    """

    name = "total_hours"
    hard = True
    description = "Paid hours over the horizon within [min, max] (per-person columns min_total_hours, max_total_hours)."

    class Params(RuleParams):
        min: float | None = Field(default=None, ge=0)
        max: float | None = Field(default=None, gt=0)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def limits(self, problem) -> dict[str, tuple[float | None, float | None]]:
        lo = person_limits(problem.staff, MIN_TOTAL_HOURS_COLUMN, self.params.min)
        hi = person_limits(problem.staff, MAX_TOTAL_HOURS_COLUMN, self.params.max)
        return {sid: (lo[sid], hi[sid]) for sid in problem.staff["staff_id"]}

    def hours_bands(self, problem) -> list[HoursBand]:
        return [HoursBand(sid, None, lo, hi, f"{sid}, whole shifts within the hours of the horizon")
                for sid, (lo, hi) in self.limits(problem).items() if (lo is not None and lo > 0) or hi is not None]

    def apply(self, m: ModelContext) -> None:
        lim = self.limits(m.problem)
        per: dict[str, list] = {}
        for sid, x, h in zip(m.assign["staff_id"], m.assign["x"], m.assign["paid_hours"]):
            per.setdefault(sid, []).append((x, float(h)))
        for sid, (lo, hi) in lim.items():
            terms = per.get(sid, [])
            expr = pulp.LpAffineExpression(terms)
            if lo is not None and lo > 0:
                m.add_hard(self.name, expr, ">=", lo, f"{sid}, at least {lo:g} h in the horizon")
            if hi is not None and terms:
                m.add_hard(self.name, expr, "<=", hi, f"{sid}, at most {hi:g} h in the horizon")

    def check(self, ctx: RosterContext) -> list[Violation]:
        lim = self.limits(ctx.problem)
        hours = ctx.roster.groupby("staff_id")["paid_hours"].sum()
        out = []
        for sid, (lo, hi) in lim.items():
            h = float(hours.get(sid, 0.0))
            if hi is not None and h > hi + 1e-6:
                out.append(Violation(self.name, f"{sid} is rostered {h:g} h in the horizon; at most {hi:g} h are allowed", staff_id=sid, amount=h - hi))
            if lo is not None and h < lo - 1e-6:
                out.append(Violation(self.name, f"{sid} is rostered {h:g} h in the horizon; at least {lo:g} h are required", staff_id=sid, amount=lo - h))
        return out
