"""The smallest set of hard rules that conflict, by a deletion filter on the elastic model.

The elastic model (:func:`roster.solve.model.build` with ``elastic=True``) has a slack on
every hard constraint.  A set of rules is tested by fixing its rules' slacks at zero and
leaving every other rule's slacks free, with no objective: if that is infeasible, the set
alone conflicts.  Starting from every hard rule, each rule is dropped in turn when the rest
still conflict (Chinneck's deletion filter over rule groups), so what remains is a set in
which every rule is needed for the conflict.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pulp

from constraints.base import ModelContext
from roster.solve.highs import solve_model


@dataclass
class Conflict:
    rules: list[str]  # the conflicting rules, in the order given
    minimal: bool  # False when a test ran out of time (the set conflicts but may not be the smallest)
    tests: int


def conflicts(m: ModelContext, keep: set[str], *, time_limit: float) -> str:
    """'yes' when the rules in ``keep`` cannot all hold (the others may bend freely), 'no', or 'unknown'."""
    for s in m.slacks:
        if s.var is not None:
            s.var.upBound = 0 if s.rule in keep else None
    status, _, _, _ = solve_model(m, time_limit=time_limit)
    if status == "infeasible":
        return "yes"
    return "no" if status in ("optimal", "feasible") else "unknown"


def minimal_conflict(m: ModelContext, order: list[str] | None = None, *, time_limit: float = 30) -> Conflict:
    """Deletion filter over the rules with slacks in ``m`` (an elastic model), trying ``order`` first.

    Rules earlier in ``order`` are tried for removal first, so put the likely culprits
    (e.g. the rules that bent in the elastic solve) last.  ``m``'s objective and slack bounds
    are restored afterwards.
    """
    names = list(dict.fromkeys(s.rule for s in m.slacks if s.var is not None))
    order = [r for r in (order or []) if r in names]
    candidates = [r for r in names if r not in order] + order
    objective = m.prob.objective
    bounds = [(s.var, s.var.upBound) for s in m.slacks if s.var is not None]
    m.prob.setObjective(pulp.LpAffineExpression())
    deadline = time.monotonic() + time_limit
    keep, minimal, tests = set(candidates), True, 0
    try:
        for rule in candidates:
            left = deadline - time.monotonic()
            if left <= 0.5:
                minimal = False
                break
            tests += 1
            verdict = conflicts(m, keep - {rule}, time_limit=max(left / 2, 0.5))
            if verdict == "yes":
                keep.discard(rule)
            elif verdict == "unknown":
                minimal = False
    finally:
        m.prob.setObjective(objective)
        for var, up in bounds:
            var.upBound = up
    return Conflict([r for r in names if r in keep], minimal, tests)
