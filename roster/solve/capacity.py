"""Capacity reasoning for a diagnosis: hours a hard rule needs against hours the staff can give.

Cheap, before any solve.  Each hard rule that demands cover declares it through
:meth:`constraints.base.Rule.cover_needs`; each person's hours are bounded from above by
the rules' hard hours bands (``max_hours_per_week`` …), one shift a day, days off, and
the shifts their leave, nights and districts still allow (the candidates of the model).
When the need is larger than that bound, or some hour has fewer eligible people free
than it needs, no roster can exist, and the finding says which rules meet there and by
how many hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from constraints.base import CoverNeed, Rule, hour_ranges
from constraints.problem import Problem, covered_hours


@dataclass
class PersonCap:
    """The most paid hours one person can work over the horizon, and the rules that set it."""

    staff_id: str
    hours: float
    limits: set[str] = field(default_factory=set)
    detail: str = ""


@dataclass
class CapacityFinding:
    """A hard rule whose cover the eligible staff cannot give, with the numbers."""

    need: CoverNeed
    rules: list[str]  # the rule that needs the cover first, then the rules that limit the supply
    needed: float
    available: float
    text: str


def _week_bound(days: pd.DataFrame, n_days: int, off: int | None, run: int | None, per_day: int | None) -> tuple[float, set[str]]:
    """Most paid hours in one week of ``n_days`` from the longest shift the person may take each day."""
    limits: set[str] = set()
    best = days.sort_values(ascending=False).to_numpy(float)
    max_days = len(best)
    if len(best) < n_days:
        limits.add("days_unavailable")
    if off and n_days == 7 and 7 - off < max_days:
        max_days, limits = 7 - off, limits | {"min_days_off"}
    if run is not None and run < n_days:
        by_run = n_days - n_days // (run + 1)
        if by_run < max_days:
            max_days, limits = by_run, limits | {"max_consecutive_days"}
    if per_day is None:
        return 25.0 * max_days, limits  # no cap on shifts a day: a day's hours at most
    return float(best[:max_days].sum() * per_day), limits | {"one_shift_per_day"}


def person_caps(problem: Problem, rules: list[Rule], cand: pd.DataFrame) -> dict[str, PersonCap]:
    """Per person, an upper bound on the paid hours they can work in the horizon (see the module docstring)."""
    cfg = problem.config
    caps_per_day = [c for c in (r.shifts_per_day_cap() for r in rules) if c is not None]
    per_day = min(caps_per_day) if caps_per_day else None
    names = {r.name for r in rules}
    off = cfg.labour.min_days_off_per_week if "min_days_off" in names else None
    run = cfg.labour.max_consecutive_days if "max_consecutive_days" in names else None
    bands: dict[tuple[str, object], tuple[float, str]] = {}
    for rule in rules:
        for b in rule.hours_bands(problem):
            key = (b.staff_id, b.week)
            if b.high is not None and (key not in bands or b.high < bands[key][0]):
                bands[key] = (float(b.high), rule.name)
    longest = cand.groupby(["staff_id", "day"])["paid_hours"].max() if not cand.empty else pd.Series(dtype=float)
    out: dict[str, PersonCap] = {}
    for sid in problem.staff["staff_id"]:
        total, limits, parts = 0.0, set(), []
        mine = longest.loc[sid] if sid in longest.index.get_level_values(0) else pd.Series(dtype=float)
        for w, week_days in enumerate(problem.weeks()):
            days = mine[mine.index.isin(list(week_days))]
            by_shifts, why = _week_bound(days, len(week_days), off, run, per_day)
            band = bands.get((sid, w))
            if band is not None and band[0] <= by_shifts:
                total += band[0]
                limits.add(band[1])
                parts.append(f"{band[0]:g} h ({band[1]})")
            else:
                total += by_shifts
                limits |= why
                parts.append(f"{by_shifts:g} h ({', '.join(sorted(why)) or 'the shifts'})")
        horizon = bands.get((sid, None))
        if horizon is not None and horizon[0] < total:
            total, limits, parts = horizon[0], {horizon[1]}, [f"{horizon[0]:g} h ({horizon[1]})"]
        out[sid] = PersonCap(sid, total, limits, " + ".join(parts))
    return out


def _who(staff: list[str], limit: int = 6) -> str:
    shown = ", ".join(staff[:limit])
    return shown + (f" and {len(staff) - limit} more" if len(staff) > limit else "")


def _supply_words(caps: list[PersonCap]) -> str:
    values = sorted({round(c.hours, 2) for c in caps})
    if len(values) == 1:
        return f"{len(caps)} × {values[0]:g} h"
    return ", ".join(f"{c.staff_id} {c.hours:g} h" for c in caps[:8]) + (" …" if len(caps) > 8 else "")


def _limit_words(problem: Problem, limits: set[str]) -> str:
    lab = problem.config.labour
    words = {
        "max_hours_per_week": f"labour.max_hours_per_week = {lab.max_hours_per_week:g}" if lab.max_hours_per_week else "max_hours_per_week",
        "min_days_off": f"labour.min_days_off_per_week = {lab.min_days_off_per_week}",
        "max_consecutive_days": f"labour.max_consecutive_days = {lab.max_consecutive_days}",
        "one_shift_per_day": "one shift a day",
        "days_unavailable": "days with no shift they may take (leave, nights, frozen days)",
    }
    return ", ".join(words.get(x, x) for x in sorted(limits))


def _hours_covered(problem: Problem, cand: pd.DataFrame, need: CoverNeed) -> np.ndarray:
    """Per hour, how many of the need's people have some shift covering it (in its district)."""
    mine = cand[cand["staff_id"].isin(need.staff)]
    if need.district is not None:
        mine = mine[mine["district"] == need.district]
    pairs = mine[["staff_id", "inst"]].drop_duplicates()
    inst = problem.instances
    cov = covered_hours(inst["start"], inst["end"], problem.hours, wrap=problem.wrap).rename(columns={"row": "inst"})
    cov["inst"] = inst.index.to_numpy()[cov["inst"].to_numpy()]
    j = pairs.merge(cov, on="inst")[["staff_id", "hour"]].drop_duplicates()
    return np.bincount(j["hour"].to_numpy(dtype=np.int64), minlength=len(problem.hours)).astype(float)


def _blockers(problem: Problem, need: CoverNeed, hours: np.ndarray) -> list[str]:
    """The availability rules that keep the need's people off duty at ``hours``: leave, nights, frozen pins."""
    staff = problem.staff[problem.staff["staff_id"].isin(need.staff)]
    out = []
    lo, hi = problem.hours[hours.min()], problem.hours[hours.max()] + pd.Timedelta(hours=1)
    leave = problem.leave
    if not leave.empty and ((leave["staff_id"].isin(need.staff)) & (leave["start"] < hi) & (leave["end"] > lo)).any():
        out.append("approved_leave")
    if not staff["works_nights"].astype(bool).all():
        out.append("night_work")
    if problem.pinned is not None:
        out.append("pinned_shifts")
    if need.district is not None:
        out.append("district_eligibility")
    return out


def check_need(problem: Problem, need: CoverNeed, caps: dict[str, PersonCap], cand: pd.DataFrame) -> CapacityFinding | None:
    """A finding when ``need`` cannot be met whatever the roster, else None."""
    needed = float(need.per_hour.sum())
    if needed <= 0:
        return None
    where = f" in {need.district}" if need.district else ""
    people = [caps[s] for s in need.staff if s in caps]
    available = float(sum(c.hours for c in people))
    free = _hours_covered(problem, cand, need)
    short_hours = np.flatnonzero(need.per_hour > free + 1e-9)
    if len(short_hours):
        gap = float((need.per_hour - free).clip(min=0).sum())
        who = (f"fewer of the {len(people)} people who can give it ({_who([c.staff_id for c in people])}) may be on "
               "duty than it needs" if people else "no one can give it")
        text = (
            f"{need.rule} needs {need.what}{where} ({need.setting}), but at {hour_ranges(problem.hours, short_hours)} "
            f"{who} ({gap:g} staff-hour(s) short)"
            + (": their leave, night work or districts leave no shift that covers those hours." if people else ".")
        )
        return CapacityFinding(need, [need.rule, *_blockers(problem, need, short_hours)], needed, float(free.sum()), text)
    if needed <= available + 1e-9:
        return None
    limits = set().union(*(c.limits for c in people)) if people else set()
    short = needed - available
    typical = max((c.hours for c in people), default=0.0)
    text = (
        f"{need.rule} needs {needed:g} hours of {need.what}{where} in the {problem.days}-day horizon "
        f"({need.setting}), but the {len(people)} people who can give it"
        + (f" ({_who([c.staff_id for c in people])})" if people else "")
        + f" can work at most {available:g} hours ({_supply_words(people)}"
        + (f"; limited by {_limit_words(problem, limits)}" if limits else "")
        + f"): {short:g} hours short."
    )
    fixes = []
    if typical > 0:
        more = math.ceil(short / typical)
        fixes.append(f"about {more} more such {'person' if more == 1 else 'people'} (at {typical:g} h each)")
    if "max_hours_per_week" in limits and people:
        weeks = len(problem.weeks())
        fixes.append(f"labour.max_hours_per_week of at least {math.ceil(needed / len(people) / weeks):g}")
    if fixes:
        text += " It would take " + " or ".join(fixes) + ", or a lower need."
    ordered = [need.rule] + sorted(limits)
    return CapacityFinding(need, ordered, needed, available, text)


def need_words(problem: Problem, rules: list[Rule], cand: pd.DataFrame, rule_name: str) -> str:
    """For a rule in a conflict: the hours of cover it needs against the most its people can give."""
    needs = [n for rule in rules if rule.name == rule_name and rule.hard for n in rule.cover_needs(problem)]
    if not needs:
        return ""
    caps = person_caps(problem, rules, cand)
    parts = []
    for n in needs:
        people = [caps[s] for s in n.staff if s in caps]
        where = f" in {n.district}" if n.district else ""
        needed, most = float(n.per_hour.sum()), sum(c.hours for c in people)
        verdict = ("fewer than it needs" if most < needed else
                   "enough in all, so it is when, where or at what cost they can give them that clashes with the other rules named")
        parts.append(f"It needs {needed:g} hours of {n.what}{where}; its {len(people)} people can work at most "
                     f"{most:g} hours in all: {verdict}")
    return " " + "; ".join(parts) + "."


def capacity_conflicts(problem: Problem, rules: list[Rule], cand: pd.DataFrame) -> list[CapacityFinding]:
    """Every hard cover need the staff cannot give, whatever the roster (``cand``: the model's candidates)."""
    needs = [n for rule in rules if rule.hard for n in rule.cover_needs(problem)]
    if not needs:
        return []
    caps = person_caps(problem, rules, cand)
    found = [check_need(problem, n, caps, cand) for n in needs]
    return [f for f in found if f is not None]
