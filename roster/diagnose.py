"""Explain an infeasible plan in plain words.

When the hard rules cannot all hold, the model is rebuilt in *elastic* form:
every hard constraint gets a slack variable with a large cost, and the solver
finds the smallest set of bends that makes a roster possible.  The bent
constraints are grouped by rule and district and turned into sentences, with
the facts a lead needs to act (who could have worked there, who is on leave).
"""

from __future__ import annotations

import pandas as pd
import pulp

from constraints.base import ModelContext
from constraints.problem import Problem


def _context(problem: Problem, rule: str, where: str) -> str:
    """Facts about the place a rule failed: people who may work there and who is on leave."""
    staff = problem.staff
    district = where.split(",")[0].strip()
    if rule == "supervision_ratio" and district in problem.config.districts:
        may = staff[staff["clinical"] & staff.apply(lambda r: district == r["home_district"] or district in r["float_districts"], axis=1)]
        on_leave = may["staff_id"].isin(set(problem.leave["staff_id"])) if not problem.leave.empty else pd.Series(False, index=may.index)
        return (
            f" {len(may)} clinician(s) may work in {district}"
            + (f", of whom {int(on_leave.sum())} have approved leave this period" if len(may) else "")
            + "; let more clinicians float there, move leave, or lower supervision.max_non_clinical_per_clinician's demand by rostering fewer non-clinical staff."
        )
    if rule == "citywide_supervisor":
        sup = staff[staff["supervisor"] & staff["clinical"]]
        nights = int(sup["works_nights"].sum())
        return (
            f" There are {len(sup)} supervisor-flagged clinician(s), {nights} of whom work nights; "
            "flag more clinicians as supervisors, approve fewer overlapping leaves, or lower supervision.min_supervisors_citywide."
        )
    return ""


def diagnose(problem: Problem, rules=None, *, time_limit: float = 60) -> str:
    """A plain-language explanation of which hard rules conflict, where and when."""
    from roster.model import build, solve_model  # the solver lives in roster/

    m: ModelContext = build(problem, rules, elastic=True)
    constant_failures = [s for s in m.slacks if s.var is None]
    status, _, _, _ = solve_model(m, time_limit=time_limit)
    bent = [(s.rule, s.where, s.var.varValue or 0.0) for s in m.slacks if s.var is not None and (s.var.varValue or 0) > 1e-6]
    bent += [(s.rule, s.where, 1.0) for s in constant_failures]
    if status not in ("optimal", "feasible") and not constant_failures:
        return "No roster satisfies the hard rules, and the relaxed model could not be solved either within the time limit; try a longer solver.time_limit_seconds to get a diagnosis."
    if not bent:
        return "The hard rules can all be met; the solver stopped before finding a roster. Raise solver.time_limit_seconds."
    frame = pd.DataFrame(bent, columns=["rule", "where", "amount"])
    lines = ["No roster meets every hard rule. The smallest set of rules that would have to bend:"]
    for rule, grp in frame.groupby("rule", sort=False):
        places = grp["where"].tolist()
        shown = "; ".join(places[:6]) + (f"; and {len(places) - 6} more" if len(places) > 6 else "")
        lines.append(f"- {rule} cannot be met at {len(places)} place(s): {shown}.{_context(problem, rule, places[0])}")
    return "\n".join(lines)
