"""The cheapest lawful roster: what the hard rules alone cost, with coverage left aside.

Used to explain a budget cap that no roster can meet: the model is built with every
rule but the cap and solved for wage cost only, so its optimum is the least a roster
that keeps every hard rule (supervisors on duty, pinned shifts, hard hours bands) can
cost.
"""

from __future__ import annotations

import pulp

from constraints.base import Rule
from constraints.problem import Problem
from roster.solve.highs import solve_model
from roster.solve.model import build


def cheapest_lawful_cost(problem: Problem, rules: list[Rule], *, time_limit: float | None = None,
                         without: str = "budget_cap") -> tuple[str, float | None, float | None]:
    """(status, cost, lower bound) of the least-cost roster under every hard rule except ``without``."""
    m = build(problem, [r for r in rules if r.name != without])
    wage = [p.expr for p in m.penalties if p.rule == "wage_cost"]
    m.prob.setObjective(pulp.lpSum(wage))
    status, objective, bound, _ = solve_model(m, time_limit=time_limit)
    return status, objective, bound
