"""Coverage: enough people of each seat role on duty in each district, every hour.

Soft by design: a plan that cannot cover every hour must still be published, so
each missing staff-hour is allowed but costs ``objective.shortfall_penalty_per_hour``
and is reported by district, hour and role.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from constraints.base import ModelContext, RosterContext, Rule, Violation, hour_ranges


def _fixed_counts(fixed: pd.DataFrame, keys: list[str]) -> dict:
    if fixed.empty:
        return {}
    return fixed.groupby(keys).size().to_dict()


class Coverage(Rule):
    name = "coverage"
    hard = False
    description = "Required headcount per district, hour and role (shortfall allowed, penalised)."

    def apply(self, m: ModelContext) -> None:
        req = m.problem.requirements
        duty = m.on_duty()
        sums = m.sum_by(duty, ["district", "hour", "seat"])
        fixed = _fixed_counts(m.fixed_on_duty, ["district", "hour", "seat"])
        penalty = m.config.objective.shortfall_penalty_per_hour
        m.shortfall = {}
        terms = []
        for district, hour, role, required in req[["district", "hour", "role", "required"]].itertuples(index=False):
            if required <= 0:
                continue
            key = (district, int(hour), role)
            short = m.new_var("short", low=0)
            m.shortfall[key] = short
            lhs = sums.get(key, pulp.LpAffineExpression()) + short
            m.prob += lhs >= required - fixed.get(key, 0)
            terms.append((short, penalty))
        m.add_penalty(self.name, "uncovered staff-hours", terms)

    @staticmethod
    def table(ctx: RosterContext) -> pd.DataFrame:
        """Required vs scheduled for every district, hour and requirement role."""
        req = ctx.problem.requirements[["district", "hour", "role", "required"]]
        duty = ctx.on_duty
        sched = duty.groupby(["district", "hour", "seat"]).size().rename("scheduled").reset_index()
        sched = sched.rename(columns={"seat": "role"})
        out = req.merge(sched, on=["district", "hour", "role"], how="left")
        out["scheduled"] = out["scheduled"].fillna(0).astype(int)
        out["shortfall"] = np.maximum(out["required"] - out["scheduled"], 0).astype(int)
        return out

    def check(self, ctx: RosterContext) -> list[Violation]:
        t = self.table(ctx)
        t = t[t["shortfall"] > 0]
        out = []
        for (district, role), grp in t.groupby(["district", "role"], sort=True):
            out.append(
                Violation(
                    rule=self.name,
                    hard=False,
                    district=district,
                    amount=float(grp["shortfall"].sum()),
                    when=hour_ranges(ctx.problem.hours, grp["hour"]),
                    message=(
                        f"{district}: {int(grp['shortfall'].sum())} {role} staff-hour(s) short of the requirement "
                        f"at {hour_ranges(ctx.problem.hours, grp['hour'])}"
                    ),
                )
            )
        return out
