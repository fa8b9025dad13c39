"""Wage cost: what the roster pays, including overtime.

Every rostered hour is paid at the person's hourly rate; hours beyond their
contract hours in the week are overtime and cost ``overtime_multiplier`` times
the rate.  This is the objective's main term; it is never violated, only paid.
"""

from __future__ import annotations


from constraints.base import ModelContext, RosterContext, Rule, Violation


class WageCost(Rule):
    name = "wage_cost"
    hard = False
    description = "Pay at the hourly rate, and overtime above contract hours at the role's multiplier."

    def apply(self, m: ModelContext) -> None:
        a = m.assign
        m.add_penalty(self.name, "pay at the hourly rate", zip(a["x"], a["hourly_rate"] * a["paid_hours"]))
        staff = m.problem.staff.set_index("staff_id")
        hours = m.sum_by(a, ["staff_id"], coef="paid_hours")
        m.overtime = {}
        terms = []
        for (sid,), expr in hours.items():
            row = staff.loc[sid]
            ot = m.new_var("ot", low=0)
            m.overtime[sid] = ot
            m.prob += ot >= expr - float(row["contract_hours"])
            mult = m.config.roles[row["role"]].overtime_multiplier
            if mult > 1:
                terms.append((ot, float(row["hourly_rate"]) * (mult - 1)))
        m.add_penalty(self.name, "overtime premium above contract hours", terms)

    def check(self, ctx: RosterContext) -> list[Violation]:
        return []
