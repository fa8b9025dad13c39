"""Wage cost: what the roster pays, including overtime.

Every rostered hour is paid at the person's hourly rate.  Overtime is counted per
person and per week of the horizon (days 0-6, 7-13, ... from the plan's Monday, by the
day a shift starts): hours beyond the person's weekly contract hours in that week cost
``overtime_multiplier`` times the rate.  :func:`roster.evaluate.pay.price` computes the
same amounts from the rows, so the model's cost of a roster equals its pay.  This is
the objective's main term; it is never violated, only paid.
"""

from __future__ import annotations

from constraints.base import ModelContext, RosterContext, Rule, Violation


class WageCost(Rule):
    name = "wage_cost"
    hard = False
    description = "Pay at the hourly rate, and overtime above weekly contract hours at the role's multiplier."

    def apply(self, m: ModelContext) -> None:
        a = m.assign
        m.add_penalty(self.name, "pay at the hourly rate", zip(a["x"], a["hourly_rate"] * a["paid_hours"]))
        staff = m.problem.staff.set_index("staff_id")
        weekly = a.assign(week=a["day"] // 7)
        hours = m.sum_by(weekly, ["staff_id", "week"], coef="paid_hours")
        m.overtime = {}
        terms = []
        for (sid, week), expr in hours.items():
            row = staff.loc[sid]
            ot = m.new_var("ot", low=0)
            m.overtime[(sid, int(week))] = ot
            m.prob += ot >= expr - float(row["contract_hours"])
            mult = m.config.roles[row["role"]].overtime_multiplier
            if mult > 1:
                terms.append((ot, float(row["hourly_rate"]) * (mult - 1)))
        m.add_penalty(self.name, "overtime premium above contract hours", terms)

    def check(self, ctx: RosterContext) -> list[Violation]:
        return []
