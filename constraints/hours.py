"""Hours per person per week: a guaranteed minimum for full-time staff, a cap for part-timers.

``guaranteed_hours``: full-time staff (contract hours >= ``full_time_from``) are
rostered at least ``share`` x contract hours a week (or ``hours`` if given).
Approved leave lowers the guarantee in proportion to the hours of the week it
covers (a person on leave all week is guaranteed nothing).  A person's own
``guaranteed_hours`` column in the staff file overrides the rule (and applies to
part-timers too).  Soft by default (``weight`` per hour short) or hard.

    [rules.guaranteed_hours]
    full_time_from = 35
    share = 0.8          # 32 h of a 40 h contract
    weight = 40          # per hour short
    hard = false

``part_time_cap``: part-time staff (contract hours < ``full_time_from``) work at
most contract hours + ``extra_hours`` a week.  Hard by default, or soft with
``weight`` per hour over.

    [rules.part_time_cap]
    extra_hours = 4
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pydantic import Field

from constraints.base import HoursBand, ModelContext, RosterContext, Rule, Violation
from constraints.problem import epoch_seconds
from constraints.registry import RuleParams, register, staff_column
from forecast.timegrid import local_midnight

GUARANTEED_COLUMN = staff_column("guaranteed_hours", "hours per week guaranteed to this person (rules.guaranteed_hours)")


def week_bounds(problem) -> list[tuple[int, int, int]]:
    """(week number, start epoch s, end epoch s) of each planning week."""
    out = []
    for w, days in enumerate(problem.weeks()):
        a = local_midnight(problem.monday + dt.timedelta(days=days[0]), problem.tz)
        b = local_midnight(problem.monday + dt.timedelta(days=days[-1] + 1), problem.tz)
        out.append((w, int(epoch_seconds([a])[0]), int(epoch_seconds([b])[0])))
    return out


def leave_share(problem) -> dict[tuple[str, int], float]:
    """Share of each planning week a person is on approved leave: {(staff_id, week): share}."""
    leave = problem.leave
    if leave is None or leave.empty:
        return {}
    s, e = epoch_seconds(leave["start"]), epoch_seconds(leave["end"])
    out: dict[tuple[str, int], float] = {}
    for w, a, b in week_bounds(problem):
        for sid, ls, le in zip(leave["staff_id"], s, e):
            ov = max(0, min(le, b) - max(ls, a))
            if ov > 0:
                out[(sid, w)] = min(1.0, out.get((sid, w), 0.0) + ov / (b - a))
    return out


def weekly_hours(ctx: RosterContext) -> pd.Series:
    r = ctx.roster.assign(week=[(d - ctx.problem.monday).days // 7 for d in ctx.roster["date"]])
    return r.groupby(["staff_id", "week"])["paid_hours"].sum()


@register
class GuaranteedHours(Rule):
    name = "guaranteed_hours"
    hard = False
    description = "Full-time staff get at least a guaranteed number of hours a week."

    class Params(RuleParams):
        full_time_from: float = Field(default=35.0, ge=0)
        share: float = Field(default=1.0, ge=0, le=2)
        hours: float | None = Field(default=None, ge=0)
        hard: bool = False
        weight: float = Field(default=40.0, ge=0)

    def __init__(self, params=None):
        self.params = params or self.Params()
        self.hard = self.params.hard

    def targets(self, problem) -> dict[tuple[str, int], float]:
        """Guaranteed hours per (person, week), after leave and for short weeks."""
        p = self.params
        staff = problem.staff
        own = staff[GUARANTEED_COLUMN] if GUARANTEED_COLUMN in staff.columns else pd.Series(np.nan, index=staff.index)
        leave = leave_share(problem)
        out = {}
        for sid, contract, mine in zip(staff["staff_id"], staff["contract_hours"], own):
            if mine is not None and not pd.isna(mine):
                g = float(mine)
            elif float(contract) >= p.full_time_from:
                g = p.hours if p.hours is not None else p.share * float(contract)
            else:
                continue
            for w, days in enumerate(problem.weeks()):
                t = g * len(days) / 7 * (1 - leave.get((sid, w), 0.0))
                if t > 1e-9:
                    out[(sid, w)] = round(t, 4)
        return out

    def apply(self, m: ModelContext) -> None:
        p = self.params
        a = m.assign.assign(week=m.assign["day"] // 7)
        sums = m.sum_by(a, ["staff_id", "week"], coef="paid_hours")
        terms = []
        for (sid, w), target in self.targets(m.problem).items():
            expr = sums.get((sid, w), ModelContext.expr([]))
            where = f"{sid}, week of {m.problem.monday + dt.timedelta(days=7 * w)}"
            if p.hard:
                m.add_hard(self.name, expr, ">=", target, where)
            else:
                u = m.new_var("under")
                m.prob += expr + u >= target
                terms.append((u, p.weight))
        if terms:
            m.add_penalty(self.name, "hours short of the guarantee", terms)

    def diagnose_context(self, problem, places: list[str]) -> str:
        return (
            "rules.guaranteed_hours is hard: these people cannot get their guaranteed hours within the other hard rules "
            "(leave, nights, districts, labour limits); lower share/hours, let them float, or set hard = false."
        )

    def check(self, ctx: RosterContext) -> list[Violation]:
        hours = weekly_hours(ctx)
        out = []
        for (sid, w), target in self.targets(ctx.problem).items():
            got = float(hours.get((sid, w), 0.0))
            if got < target - 1e-6:
                out.append(
                    Violation(
                        self.name,
                        f"{sid} is rostered {got:g} h in the week of {ctx.problem.monday + dt.timedelta(days=7 * w)}; "
                        f"{target:g} h are guaranteed",
                        staff_id=sid,
                        amount=round(target - got, 4),
                        hard=self.params.hard,
                    )
                )
        return out


@register
class PartTimeCap(Rule):
    name = "part_time_cap"
    hard = True
    description = "Part-time staff work at most contract hours plus a margin a week."

    class Params(RuleParams):
        full_time_from: float = Field(default=35.0, ge=0)
        extra_hours: float = Field(default=0.0, ge=0)
        hard: bool = True
        weight: float = Field(default=100.0, ge=0)

    def __init__(self, params=None):
        self.params = params or self.Params()
        self.hard = self.params.hard

    def caps(self, problem) -> dict[tuple[str, int], float]:
        p = self.params
        out = {}
        for sid, contract in zip(problem.staff["staff_id"], problem.staff["contract_hours"]):
            if float(contract) >= p.full_time_from:
                continue
            for w, days in enumerate(problem.weeks()):
                out[(sid, w)] = float(contract) * len(days) / 7 + p.extra_hours
        return out

    def hours_bands(self, problem) -> list[HoursBand]:
        if not self.params.hard:
            return []
        return [HoursBand(sid, w, None, cap, f"{sid}, whole shifts within the part-time cap, week of "
                                             f"{problem.monday + dt.timedelta(days=7 * w)}")
                for (sid, w), cap in self.caps(problem).items()]

    def apply(self, m: ModelContext) -> None:
        p = self.params
        a = m.assign.assign(week=m.assign["day"] // 7)
        sums = m.sum_by(a, ["staff_id", "week"], coef="paid_hours")
        caps = self.caps(m.problem)
        terms = []
        for (sid, w), expr in sums.items():
            cap = caps.get((sid, int(w)))
            if cap is None:
                continue
            where = f"{sid}, week of {m.problem.monday + dt.timedelta(days=7 * int(w))}"
            if p.hard:
                m.add_hard(self.name, expr, "<=", cap, where)
            else:
                o = m.new_var("over_cap")
                m.prob += expr - o <= cap
                terms.append((o, p.weight))
        if terms:
            m.add_penalty(self.name, "part-time hours over the cap", terms)

    def check(self, ctx: RosterContext) -> list[Violation]:
        hours = weekly_hours(ctx)
        caps = self.caps(ctx.problem)
        out = []
        for (sid, w), got in hours.items():
            cap = caps.get((sid, int(w)))
            if cap is not None and got > cap + 1e-6:
                out.append(
                    Violation(
                        self.name,
                        f"{sid} (part-time) is rostered {got:g} h in the week of {ctx.problem.monday + dt.timedelta(days=7 * int(w))}; "
                        f"the cap is {cap:g} h",
                        staff_id=sid,
                        amount=round(got - cap, 4),
                        hard=self.params.hard,
                    )
                )
        return out
