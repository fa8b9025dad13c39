"""Why nobody can work a single shift of the horizon, in plain words.

When every candidate assignment is ruled out before the model is built (everyone on leave
the whole week, nobody who works nights for a week of night shifts, a skills rule nobody
meets), there is nothing to optimise.  An empty roster with every required hour as a
shortfall would be written like any plan and read as the solver's answer; an operations
lead needs the cause instead (who is away, which rule shuts whom out) to fix the inputs,
so the plan stops as infeasible (exit 3) with this explanation.
"""

from __future__ import annotations

import pandas as pd

from constraints.problem import Problem
from roster.solve.model import candidates

# what a lead can change when a rule shuts people out of every shift
_ADVICE = {
    "approved_leave": "approve fewer overlapping leaves for this week, or add staff who are not away",
    "night_work": "let some staff work nights (works_nights = true in the staff file) or add day shifts",
    "district_eligibility": "check the staff's home_district and float_districts against [districts]",
}


def _base_candidates(problem: Problem) -> pd.DataFrame:
    """Every (person, shift instance, district) before any rule restricts them."""
    return candidates(problem, [])


def shut_out_by_rule(problem: Problem, rules) -> list[tuple[str, list[str]]]:
    """For each rule that removed someone's last possible shift: the rule and those people, in rule order."""
    cand = _base_candidates(problem)
    out: list[tuple[str, list[str]]] = []
    for rule in rules:
        before = set(cand["staff_id"])
        cand = rule.restrict(cand, problem)
        gone = sorted(before - set(cand["staff_id"]))
        if gone:
            out.append((rule.name, gone))
    return out


def _names(ids: list[str]) -> str:
    return ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")


def nobody_can_work(problem: Problem, rules, cand: pd.DataFrame) -> str | None:
    """The explanation when ``cand`` (the model's candidates) is empty; None when someone can work."""
    if len(cand):
        return None
    first, last = problem.hours[0], problem.hours[-1]
    span = f"{first:%a %Y-%m-%d} to {last:%a %Y-%m-%d}"
    staff = problem.staff
    if staff.empty:
        return (f"Nobody can work any shift from {span}: the staff file lists no one. Add the team to the staff "
                "file (see docs/your-city.md) and plan again.")
    lines = [f"Nobody can work any shift from {span}, so there is no roster to plan (all {len(staff)} people in "
             "the staff file are ruled out of every shift):"]
    if not len(_base_candidates(problem)):
        lines.append("- no shift instance falls in the week, or no one has a district to work in; check [shifts] "
                     "and the staff's home_district.")
    rule_by_name = {r.name: r for r in rules}
    for name, ids in shut_out_by_rule(problem, rules):
        rule = rule_by_name.get(name)
        why = rule.description.rstrip(".") if rule is not None and rule.description else name
        advice = _ADVICE.get(name, f"relax [rules.{name}] or the staff data it reads")
        lines.append(f"- {name} ({why}) rules out every remaining shift of {len(ids)} people: {_names(ids)}; "
                     f"{advice}.")
    return "\n".join(lines)
