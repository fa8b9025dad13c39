"""Coverage: enough people of each seat role on duty in each district, every hour.

Soft by design: a plan that cannot cover every hour must still be published, so
each missing staff-hour is allowed but costs ``objective.shortfall_penalty_per_hour``
and is reported by district, hour and role.

A horizon planned after last week's roster also covers the next week's first hours that
only its last shifts reach (``Problem.boundary``, requirements ``Problem.boundary_requirements``),
at the same price; in the table their ``hour`` is ``len(problem.hours) + k``
(``Problem.span_hours``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from constraints.base import ModelContext, RosterContext, Rule, Violation, hour_ranges

# Said of a shortfall in the next week's first hours (Problem.boundary): only this roster can fix it.
NEXT_WEEK = " (the next week's first hours, which only this roster's last shifts reach)"


def _fixed_counts(fixed: pd.DataFrame, keys: list[str]) -> dict:
    if fixed.empty:
        return {}
    return fixed.groupby(keys).size().to_dict()


class Coverage(Rule):
    name = "coverage"
    hard = False
    description = "Required headcount per district, hour and role (shortfall allowed, penalised)."

    def apply(self, m: ModelContext) -> None:
        penalty = m.config.objective.shortfall_penalty_per_hour
        m.shortfall = {}
        fixed = _fixed_counts(m.fixed_on_duty, ["district", "hour", "seat"])
        terms = self._cover(m, m.problem.requirements, m.on_duty(), fixed, 0)
        bound = m.problem.boundary_requirements
        if bound is not None and len(bound) and len(m.problem.boundary):
            terms += self._cover(m, bound, m.boundary_on_duty(), {}, len(m.problem.hours))
        m.add_penalty(self.name, "uncovered staff-hours", [(short, penalty) for short in terms])

    @staticmethod
    def _cover(m: ModelContext, req: pd.DataFrame, duty: pd.DataFrame, fixed: dict, offset: int) -> list:
        """On duty + shortfall >= required for each row of ``req``; the shortfall variables, keyed in
        ``m.shortfall`` by (district, hour + ``offset``, role)."""
        sums = m.sum_by(duty, ["district", "hour", "seat"])
        out = []
        for district, hour, role, required in req[["district", "hour", "role", "required"]].itertuples(index=False):
            if required <= 0:
                continue
            key = (district, int(hour), role)
            short = m.new_var("short", low=0)
            m.shortfall[(district, int(hour) + offset, role)] = short
            lhs = sums.get(key, pulp.LpAffineExpression()) + short
            m.prob += lhs >= required - fixed.get(key, 0)
            out.append(short)
        return out

    @staticmethod
    def table(ctx: RosterContext) -> pd.DataFrame:
        """Required vs scheduled for every district, hour and requirement role; the next week's
        first hours (``Problem.boundary``) follow with ``hour`` = ``len(problem.hours) + k``."""
        p = ctx.problem
        out = _table(p.requirements, ctx.on_duty)
        bound = p.boundary_requirements
        if bound is not None and len(bound) and len(p.boundary):
            extra = _table(bound, ctx.boundary_duty)
            extra["hour"] = extra["hour"].astype(np.int64) + len(p.hours)
            out = pd.concat([out, extra], ignore_index=True)
        return out

    def check(self, ctx: RosterContext) -> list[Violation]:
        t = self.table(ctx)
        t = t[t["shortfall"] > 0]
        n, hours = len(ctx.problem.hours), ctx.problem.span_hours
        out = []
        for (district, role), grp in t.groupby(["district", "role"], sort=True):
            for part, note in ((grp[grp["hour"] < n], ""), (grp[grp["hour"] >= n], NEXT_WEEK)):
                if part.empty:
                    continue
                when = hour_ranges(hours, part["hour"])
                out.append(
                    Violation(
                        rule=self.name,
                        hard=False,
                        district=district,
                        amount=float(part["shortfall"].sum()),
                        when=when,
                        message=(f"{district}: {int(part['shortfall'].sum())} {role} staff-hour(s) short of the "
                                 f"requirement at {when}{note}"),
                    )
                )
        return out


def _table(req: pd.DataFrame, duty: pd.DataFrame) -> pd.DataFrame:
    req = req[["district", "hour", "role", "required"]]
    sched = duty.groupby(["district", "hour", "seat"]).size().rename("scheduled").reset_index()
    sched = sched.rename(columns={"seat": "role"})
    out = req.merge(sched, on=["district", "hour", "role"], how="left")
    out["scheduled"] = out["scheduled"].fillna(0).astype(int)
    out["shortfall"] = np.maximum(out["required"] - out["scheduled"], 0).astype(int)
    return out
