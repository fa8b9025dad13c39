"""Explain an infeasible plan in plain words.

When the hard rules cannot all hold, the capacity check
(:mod:`roster.solve.capacity`) first weighs the hours each hard cover rule needs
against the hours the eligible staff can give.  Otherwise the model is rebuilt in
*elastic* form: every hard constraint gets a slack variable with a large cost, the
solver finds the cheapest bends that make a roster possible, and a deletion filter
(:mod:`roster.solve.conflicts`) narrows the rules to a smallest conflicting set.  The
bent constraints are grouped by rule and district and turned into sentences, with
the facts a lead needs to act (who could have worked there, who is on leave).
"""

from __future__ import annotations

import pandas as pd

from constraints import default_rules
from constraints.base import ModelContext, fmt_time, hour_ranges
from constraints.problem import Problem
from roster.solve.capacity import capacity_conflicts, need_words
from roster.solve.conflicts import minimal_conflict
from roster.solve.highs import solve_model
from roster.solve.model import build, candidates
from roster.solve.nobody import nobody_can_work


def _collapse(problem: Problem, places: list[str]) -> list[str]:
    """'North, Mon … 20:00', 'North, Mon … 21:00' → 'North: Mon … 20:00–22:00' (other places unchanged)."""
    pos: dict[str, int] = {}
    for i, ts in enumerate(problem.hours):
        pos.setdefault(fmt_time(ts), i)
    by_area: dict[str, list[int]] = {}
    other: list[str] = []
    for w in places:
        area, _, rest = w.rpartition(", ")
        if area and rest in pos:
            by_area.setdefault(area, []).append(pos[rest])
        else:
            other.append(w)
    return [f"{area}: {hour_ranges(problem.hours, hrs)}" for area, hrs in by_area.items()] + other


def _rule_context(rules, problem: Problem, rule: str, places: list[str]) -> str:
    """The bent rule's own sentence on why it binds and what to change (its ``diagnose_context``)."""
    for r in rules:
        if r.name == rule:
            try:
                text = r.diagnose_context(problem, places)
            except (IndexError, KeyError, ValueError):  # a rule's sentence must never hide the diagnosis
                text = None
            if text:
                return " " + text
    return ""


def _capacity_text(problem: Problem, rules, findings) -> str:
    lines = ["No roster meets every hard rule. Checked before any solve, these rules conflict on capacity:"]
    for f in findings:
        lines.append(f"- {' and '.join(f.rules)}: {f.text}{_rule_context(rules, problem, f.need.rule, [])}")
    return "\n".join(lines)


def _places_line(problem: Problem, rules, rule: str, grp: pd.DataFrame, numbers: str = "") -> str:
    places = grp["where"].tolist()
    shown_places = _collapse(problem, places)
    shown = "; ".join(shown_places[:6]) + (f"; and {len(shown_places) - 6} more" if len(shown_places) > 6 else "")
    return (
        f"- {rule} cannot be met at {len(places)} place(s) (short by {grp['amount'].sum():g} in total): {shown}."
        f"{numbers}{_rule_context(rules, problem, rule, places)}"
    )


def diagnose(problem: Problem, rules=None, *, time_limit: float = 60) -> str:
    """A plain-language explanation of which hard rules conflict, where and when.

    First the capacity check (hours each hard cover rule needs against the hours the
    eligible staff can give; no solve).  Otherwise the elastic model is solved for the
    places where rules must bend, and a deletion filter over rule groups narrows the
    rules to a smallest conflicting set (the elastic solve may take ``time_limit`` seconds,
    the filter half as long again).  Always names at least one rule: if even the relaxed
    model cannot be solved in time, the hard rules in the model are listed.
    """
    rules = default_rules(problem.config) if rules is None else rules
    nobody = nobody_can_work(problem, rules, candidates(problem, rules))
    if nobody:
        return nobody
    m: ModelContext = build(problem, rules, elastic=True)
    findings = capacity_conflicts(problem, rules, m.assign)
    if findings:
        return _capacity_text(problem, rules, findings)
    constant_failures = [s for s in m.slacks if s.var is None]
    status, _, _, _ = solve_model(m, time_limit=time_limit)
    bent = []
    if status in ("optimal", "feasible"):
        bent = [(s.rule, s.where, s.var.varValue or 0.0) for s in m.slacks if s.var is not None and (s.var.varValue or 0) > 1e-6]
    bent += [(s.rule, s.where, 1.0) for s in constant_failures]
    if status not in ("optimal", "feasible") and not constant_failures:
        named = ", ".join(sorted(m.constraint_count)) or "(none)"
        return (
            "No roster satisfies the hard rules, and the relaxed model could not be solved within the time limit to say "
            f"which; the hard rules in play are: {named}. Try a longer solver.time_limit_seconds to get a diagnosis."
        )
    if not bent:
        return "The hard rules can all be met; the solver stopped before finding a roster. Raise solver.time_limit_seconds."
    frame = pd.DataFrame(bent, columns=["rule", "where", "amount"])
    bent_rules = list(dict.fromkeys(frame["rule"]))
    conflict = None if constant_failures else minimal_conflict(m, bent_rules, time_limit=time_limit / 2)
    if conflict is None or not conflict.rules:
        lines = ["No roster meets every hard rule. The rules that would have to bend:"]
        named = bent_rules
    else:
        named = conflict.rules
        how = "the smallest set of rules that conflict" if conflict.minimal else "a set of rules that conflict (maybe not the smallest: a test ran out of time)"
        lines = [f"No roster meets every hard rule; {how}: {', '.join(named)}. "
                 "Every other hard rule could be dropped and these would still conflict."]
    for rule in named:
        grp = frame[frame["rule"] == rule]
        if len(grp):
            lines.append(_places_line(problem, rules, rule, grp, need_words(problem, rules, m.assign, rule)))
        else:
            lines.append(f"- {rule} is part of the conflict.{need_words(problem, rules, m.assign, rule)}{_rule_context(rules, problem, rule, [])}")
    return "\n".join(lines)
