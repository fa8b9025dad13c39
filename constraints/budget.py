"""A weekly budget cap: the roster's wage cost in every week of the horizon stays at or below it.

Hard: the model's pay for each week (hours at the person's rate, the overtime premium
above weekly contract hours, and the ``[pay]`` night and weekend differentials, exactly
as :class:`constraints.cost.WageCost` prices them) must not exceed ``weekly``.  Within
the cap the objective is unchanged, so the optimiser still minimises shortfall (with
the district-equity rule as configured) and then cost.  Coverage is soft, so a cap
only makes a plan infeasible when the hard rules alone (supervision on duty every
hour, pinned shifts, hard hours bands) cost more than it.

    [rules.budget_cap]
    weekly = 150000      # in the currency of the hourly rates
"""

from __future__ import annotations

import pandas as pd
import pulp
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.cost import differential_pay, has_differentials
from constraints.registry import RuleParams, register


@register
class BudgetCap(Rule):
    name = "budget_cap"
    hard = True
    description = "The roster's wage cost in each week stays within the weekly budget."

    class Params(RuleParams):
        weekly: float = Field(gt=0)

    def __init__(self, params=None):
        self.params = params or self.Params(weekly=1e12)

    @staticmethod
    def week_cost(m: ModelContext) -> dict[int, pulp.LpAffineExpression]:
        """The model's wage cost of each week of the horizon (needs WageCost's overtime variables)."""
        a = m.assign
        week = (a["day"] // 7).astype(int).to_numpy()
        amount = (a["hourly_rate"] * a["paid_hours"]).to_numpy(dtype=float)
        if has_differentials(m.config):
            inst = a.drop_duplicates("inst")
            extra = {i: differential_pay(s, e, m.config.pay, m.config.timezone)
                     for i, s, e in zip(inst["inst"], inst["start"], inst["end"])}
            amount = amount + a["inst"].map(extra).to_numpy(dtype=float)
        terms: dict[int, list] = {}
        for x, w, v in zip(a["x"], week, amount):
            terms.setdefault(int(w), []).append((x, float(v)))
        staff = m.problem.staff.set_index("staff_id")
        for (sid, w), ot in getattr(m, "overtime", {}).items():
            row = staff.loc[sid]
            mult = m.config.roles[row["role"]].overtime_multiplier
            if mult > 1:
                terms.setdefault(int(w), []).append((ot, float(row["hourly_rate"]) * (mult - 1)))
        return {w: pulp.LpAffineExpression(t) for w, t in terms.items()}

    def apply(self, m: ModelContext) -> None:
        if not hasattr(m, "overtime"):
            raise RuntimeError("budget_cap needs the wage_cost rule applied first")
        # In the diagnosis every unit of slack costs the same; in thousands, bending the cap is
        # cheaper than bending any rule counted in people or hours, so an unmeetable cap is named.
        scale, unit = (1000.0, "; amounts in thousands") if m.elastic else (1.0, "")
        for w, expr in sorted(self.week_cost(m).items()):
            m.add_hard(self.name, expr * (1.0 / scale), "<=", float(self.params.weekly) / scale,
                       f"week {w + 1} of the plan (cap {self.params.weekly:,.2f}{unit})")

    @staticmethod
    def roster_week_cost(ctx: RosterContext) -> dict[int, float]:
        """Each week's pay of a finished roster, computed from its rows alone."""
        r = ctx.roster
        if r.empty:
            return {}
        staff = ctx.problem.staff.set_index("staff_id")
        days = [(d - ctx.problem.monday).days for d in r["date"]]
        frame = pd.DataFrame({"staff_id": r["staff_id"].to_numpy(), "week": [d // 7 for d in days],
                              "hours": r["paid_hours"].astype(float).to_numpy()})
        cfg = ctx.config
        if has_differentials(cfg):
            frame["extra"] = [differential_pay(s, e, cfg.pay, cfg.timezone) for s, e in zip(r["start"], r["end"])]
        else:
            frame["extra"] = 0.0
        out: dict[int, float] = {}
        for (sid, w), g in frame.groupby(["staff_id", "week"]):
            rate = float(staff.at[sid, "hourly_rate"])
            mult = cfg.roles[staff.at[sid, "role"]].overtime_multiplier
            hours = float(g["hours"].sum())
            over = max(0.0, hours - float(staff.at[sid, "contract_hours"]))
            out[int(w)] = out.get(int(w), 0.0) + rate * hours + rate * (mult - 1) * over + float(g["extra"].sum())
        return out

    def check(self, ctx: RosterContext) -> list[Violation]:
        cap = float(self.params.weekly)
        out = []
        for w, cost in sorted(self.roster_week_cost(ctx).items()):
            if cost > cap + 0.005:
                out.append(Violation(self.name, f"week {w + 1} costs {cost:,.2f}, above the weekly budget cap of {cap:,.2f}",
                                     when=f"week {w + 1}", amount=round(cost - cap, 2)))
        return out

    def diagnose_context(self, problem, places: list[str]) -> str | None:
        return (f"The weekly budget cap of {self.params.weekly:,.2f} is below what the hard rules alone cost "
                "(supervisors on duty every hour, pinned shifts, hard hours bands): the amount it is short by is what "
                "the cheapest lawful roster costs above the cap; raise the cap or relax those rules.")
