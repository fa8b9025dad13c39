"""``roster check``: validate any roster against the rules, straight from its rows.

This path never builds the MIP: it reads the roster table, works out who is on
duty when, and asks each rule's own ``check``.  So it catches mistakes in a
hand-edited roster and in the model alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from constraints import RosterContext, Rule, default_rules
from constraints.base import Violation
from constraints.problem import Problem
from roster.config import MAX_WEEKS, period_weeks
from roster.errors import InputError
from roster.io.readers import check_roster_rows, load_people, load_roster
from roster.io.sick import with_sick_leave


@dataclass
class CheckReport:
    monday: dt.date
    shifts: int
    staff: int
    violations: list[Violation]
    weeks: int = 1


def check_frame(problem: Problem, roster: pd.DataFrame, rules: list[Rule] | None = None) -> list[Violation]:
    """Every rule's violations in ``roster``, from its rows alone (the one place rosters are checked)."""
    ctx = RosterContext(problem, roster)
    return [v for rule in (default_rules(problem.config) if rules is None else rules) for v in rule.check(ctx)]


def check_roster(cfg, roster_path: Path, *, previous: Path | None = None, requirements: pd.DataFrame | None = None,
                 weeks: int | None = None) -> CheckReport:
    """Check ``roster_path`` against the staff file, leave and every hard rule of ``cfg``.

    The period starts on the Monday of the roster's first date and lasts ``weeks`` (default:
    every week up to its last date, as ``roster plan --weeks`` wrote it).
    """
    staff, leave = load_people(cfg)
    leave = with_sick_leave(cfg, staff, leave)  # recorded sick calls count as leave
    roster = load_roster(roster_path, cfg)
    if roster.empty:
        raise InputError(f"{roster_path} has no shifts to check.")
    monday = min(roster["date"])
    monday = monday - dt.timedelta(days=monday.weekday())
    span_weeks = (max(roster["date"]) - monday).days // 7 + 1
    if span_weeks > MAX_WEEKS:
        raise InputError(f"{roster_path} spans {span_weeks} weeks ({monday} to {max(roster['date'])}); a roster period is "
                         f"at most {MAX_WEEKS} weeks, so check it in parts.")
    if weeks is None:
        weeks = span_weeks
    elif period_weeks(cfg, weeks) < span_weeks:
        raise InputError(f"{roster_path} has shifts up to {max(roster['date'])}, beyond the {weeks} week(s) from {monday} "
                         f"that --weeks {weeks} gives; leave --weeks out or give at least {span_weeks}.")
    if requirements is None:
        # Coverage needs the week's requirements; without them only hard rules are checked.
        requirements = pd.DataFrame(columns=["district", "hour", "role", "required"])
    prev = load_roster(previous, cfg, "Previous roster") if previous is not None else None
    if prev is not None:
        check_roster_rows(previous, prev, cfg, staff["staff_id"], fix="fix the row, or remove it if the person has "
                          "left the staff file.")
    problem = Problem.build(cfg, monday, staff, leave, requirements, previous=prev, days=7 * weeks)
    return CheckReport(monday, len(roster), roster["staff_id"].nunique(), check_frame(problem, roster), weeks)
