"""Sequence rules: how working days, days off, weekends and nights may follow each other.

Fatigue in crisis work comes from patterns, not only from totals: long runs of
days or of nights, isolated single shifts between days off (which break sleep
without giving rest), a single day off between long runs, too many weekends, a
late shift followed by an early one.  These optional rules bound such patterns,
each with a default in ``[rules.NAME]`` and, where people differ (part-time
contracts, agreed arrangements), a per-person column of the staff file.

Formulation (the strong, standard one): for every person and day the rules
work on the *sum* of that person's candidate variables of the day (over
districts and shifts), so districts do not multiply the constraints.  A
sequence rule forbids a *pattern* -- "these days worked, those days off" -- with
one linear inequality ``sum(1 - w[worked]) + sum(w[off]) >= 1``:

* maximum run ``c``: every window of ``c + 1`` days may not be all worked;
* minimum run ``m``: for each ``k < m``, "off, k working days, off" is forbidden
  (one row per window, much tighter than counting run lengths with big-M);
* minimum days off ``r``: for each ``k < r``, "work, k days off, work" is forbidden.

Horizon edges (a run touching an edge continues in another week):

* without last week's roster, days before the horizon are unknown: a maximum
  run is measured inside the horizon, and a run that starts on the first day
  is never too short;
* with last week's roster (``problem.previous``), its days are known: a run
  continues across the start, so it counts against the maximum, and a short run
  that ended last Sunday must be continued on Monday to reach the minimum;
* the days after the horizon are not planned yet, so a run that reaches the
  last day is never too short.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import numpy as np
import pandas as pd
import pulp
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation, unknown_names
from constraints.labour import sharing_rows
from constraints.registry import RuleParams, register, staff_column

# --------------------------------------------------------------------------- shared helpers

MIN_DAYS_COLUMN = staff_column("min_consecutive_days", "shortest run of consecutive working days (min_consecutive_days rule)")
MAX_DAYS_COLUMN = staff_column("max_consecutive_days", "longest run of consecutive working days (max_consecutive_days_per_person rule)")
MIN_OFF_COLUMN = staff_column("min_consecutive_days_off", "shortest run of consecutive days off (min_consecutive_days_off rule)")
MAX_WEEKENDS_COLUMN = staff_column("max_weekends", "most weekends worked in the planning horizon (max_weekends rule)")
MAX_NIGHTS_RUN_COLUMN = staff_column("max_consecutive_nights", "longest run of consecutive night shifts (max_consecutive_nights rule)")


def person_limits(staff: pd.DataFrame, column: str, default) -> dict[str, float | None]:
    """Each person's limit: their own value in ``column`` when given, else ``default`` (None = no limit)."""
    own = staff[column] if column in staff.columns else pd.Series(np.nan, index=staff.index)
    out = {}
    for sid, v in zip(staff["staff_id"], own):
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and not pd.isna(v):
            out[sid] = float(v)
        else:
            out[sid] = None if default is None else float(default)
    return out


def _cache(m: ModelContext) -> dict:
    c = getattr(m, "_sequence_cache", None)
    if c is None:
        c = {}
        m._sequence_cache = c
    return c


def day_vars(m: ModelContext) -> dict[str, dict[int, list]]:
    """Per person and day, the candidate variables of that day (over shifts and districts)."""
    c = _cache(m)
    if "day" not in c:
        out: dict[str, dict[int, list]] = {}
        for sid, day, x in zip(m.assign["staff_id"], m.assign["day"], m.assign["x"]):
            out.setdefault(sid, {}).setdefault(int(day), []).append(x)
        c["day"] = out
    return c["day"]


def shift_vars(m: ModelContext) -> dict[tuple[str, int, str], list]:
    """Per (person, day, shift name), the candidate variables (one per district they may work in)."""
    c = _cache(m)
    if "shift" not in c:
        out: dict[tuple, list] = {}
        for sid, day, shift, x in zip(m.assign["staff_id"], m.assign["day"], m.assign["shift"], m.assign["x"]):
            out.setdefault((sid, int(day), shift), []).append(x)
        c["shift"] = out
    return c["shift"]


def day_label(problem, day: int) -> str:
    return str(problem.monday + dt.timedelta(days=int(day)))


def roster_days(problem, rows: pd.DataFrame) -> pd.Series:
    """Day number (0 = the horizon's first day; negative = before it) of each roster row."""
    if rows.empty:
        return pd.Series([], dtype="int64")
    dates = pd.to_datetime(pd.Series(rows["date"]).astype(str)).dt.date
    return pd.Series([(d - problem.monday).days for d in dates], index=rows.index, dtype="int64")


def previous_rows(problem) -> pd.DataFrame | None:
    """Last week's roster rows with a ``day`` column (negative days), or None when not given."""
    prev = problem.previous
    if prev is None or prev.empty:
        return None
    p = prev.copy()
    p["day"] = roster_days(problem, p).to_numpy()
    return p[p["day"] < 0]


def known_start(problem) -> int:
    """First day whose work is known: 0 without last week's roster; with it, the week before the
    horizon (a day of that week without a row for a person is a day off), or earlier if it has earlier rows."""
    p = previous_rows(problem)
    if p is None:
        return 0
    return int(min(p["day"].min(), -7)) if not p.empty else -7


class DayView:
    """What one person works, day by day, as the model sees it.

    ``value(d)`` is a list of variables for a day inside the horizon, ``1``/``0``
    for a known day of last week, and ``None`` for an unknown day (before the
    known history, or after the horizon).
    """

    def __init__(self, vars_by_day: dict[int, list], days: int, first_known: int, past_worked: set[int]):
        self.vars_by_day = vars_by_day
        self.days = days
        self.first_known = first_known
        self.past_worked = past_worked

    def value(self, d: int):
        if 0 <= d < self.days:
            return self.vars_by_day.get(d, [])
        if self.first_known <= d < 0:
            return 1 if d in self.past_worked else 0
        return None


def forbid_pattern(m: ModelContext, rule: str, view: DayView, worked: Iterable[int], off: Iterable[int], where: str) -> None:
    """Forbid "every day of ``worked`` worked and every day of ``off`` off": Σ(1 − w) + Σ w ≥ 1.

    Skipped when a day is unknown (the pattern cannot be judged) or when known
    days already break the pattern (nothing to forbid).
    """
    terms: list = []
    const = 0
    for d in worked:
        v = view.value(d)
        if v is None:
            return
        if isinstance(v, int):
            if v == 0:
                return  # known off: pattern already broken
            continue
        if not v:
            return  # no candidate that day: cannot be worked
        const += 1
        terms.extend((x, -1) for x in v)
    for d in off:
        v = view.value(d)
        if v is None:
            return
        if isinstance(v, int):
            if v == 1:
                return
            continue
        terms.extend((x, 1) for x in v)
    if not terms:
        # The whole pattern lies in known history: nothing left to decide.
        return
    m.add_hard(rule, pulp.LpAffineExpression(terms), ">=", 1 - const, where)


def person_views(m: ModelContext, by_day: dict[str, dict[int, list]] | None = None, *, past_filter=None) -> dict[str, DayView]:
    """A :class:`DayView` per person (``past_filter`` selects which of last week's rows count)."""
    problem = m.problem
    by_day = day_vars(m) if by_day is None else by_day
    first = known_start(problem)
    prev = previous_rows(problem)
    past: dict[str, set[int]] = {}
    if prev is not None:
        p = prev if past_filter is None else prev[past_filter(prev)]
        for sid, d in zip(p["staff_id"], p["day"]):
            past.setdefault(sid, set()).add(int(d))
    return {sid: DayView(by_day.get(sid, {}), problem.days, first, past.get(sid, set())) for sid in problem.staff["staff_id"]}


def worked_days_by_person(ctx: RosterContext, rows: pd.DataFrame | None = None, *, include_previous: bool = True,
                          past_filter=None) -> dict[str, set[int]]:
    """Day numbers each person works in the roster (and, optionally, in last week's roster)."""
    rows = ctx.roster if rows is None else rows
    out: dict[str, set[int]] = {}
    days = roster_days(ctx.problem, rows)
    for sid, d in zip(rows["staff_id"], days):
        out.setdefault(sid, set()).add(int(d))
    if include_previous:
        prev = previous_rows(ctx.problem)
        if prev is not None:
            p = prev if past_filter is None else prev[past_filter(prev)]
            for sid, d in zip(p["staff_id"], p["day"]):
                out.setdefault(sid, set()).add(int(d))
    return out


def runs(flags: dict[int, bool], first: int, last: int, value: bool) -> list[tuple[int, int]]:
    """Maximal runs ``(a, b)`` of days in ``first..last`` whose flag equals ``value``."""
    out, start = [], None
    for d in range(first, last + 1):
        if flags.get(d, False) == value:
            if start is None:
                start = d
        elif start is not None:
            out.append((start, d - 1))
            start = None
    if start is not None:
        out.append((start, last))
    return out


def _int_limit(v: float | None) -> int | None:
    return None if v is None else int(round(v))


# --------------------------------------------------------------------------- rules


class _LimitParams(RuleParams):
    """One numeric default that a staff column can override per person."""


@register
class MinConsecutiveDays(Rule):
    """No isolated shifts: a run of working days between days off lasts at least ``min`` days.

    Single shifts between days off disturb sleep without the continuity a team
    needs; many services agree blocks of at least two or three days.  A run
    touching the end of the horizon (or its start, without last week's roster)
    continues in another week and is not judged short.
    """

    name = "min_consecutive_days"
    hard = True
    description = "Every run of consecutive working days lasts at least `min` days (per-person column min_consecutive_days)."

    class Params(_LimitParams):
        min: int | None = Field(default=None, ge=1)

    def __init__(self, params: "MinConsecutiveDays.Params | None" = None):
        self.params = params or self.Params()

    def run_limits(self, problem) -> dict[str, dict[str, int | None]]:
        return {"min_run": self.limits(problem)}

    def limits(self, problem) -> dict[str, int | None]:
        return {k: _int_limit(v) for k, v in person_limits(problem.staff, MIN_DAYS_COLUMN, self.params.min).items()}

    def apply(self, m: ModelContext) -> None:
        lim = self.limits(m.problem)
        H = m.problem.days
        for sid, view in person_views(m).items():
            need = lim.get(sid)
            if not need or need <= 1:
                continue
            for k in range(1, need):
                # off at d, work d+1..d+k, off at d+k+1 (which must lie inside the horizon)
                for d in range(view.first_known - 1, H - k - 1):
                    forbid_pattern(m, self.name, view, range(d + 1, d + k + 1), (d, d + k + 1),
                                   f"{sid}, {k}-day run from {day_label(m.problem, d + 1)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        lim = self.limits(ctx.problem)
        worked = worked_days_by_person(ctx)
        first, H = known_start(ctx.problem), ctx.problem.days
        out = []
        for sid, need in lim.items():
            if not need or need <= 1:
                continue
            flags = {d: True for d in worked.get(sid, ())}
            for a, b in runs(flags, first, H - 1, True):
                n = b - a + 1
                if a == first or b == H - 1 or b < -1 or n >= need:
                    continue  # touches an edge (continues in another week), lies wholly in the past, or long enough
                out.append(Violation(self.name, f"{sid} works a run of only {n} day(s) from {day_label(ctx.problem, a)} "
                                     f"to {day_label(ctx.problem, b)}; runs of at least {need} are required",
                                     staff_id=sid, when=day_label(ctx.problem, a), amount=need - n))
        return out


@register
class MaxConsecutiveDaysPerPerson(Rule):
    """A person's own cap on consecutive working days (the staff column overrides ``max``).

    The core ``labour.max_consecutive_days`` is one cap for everybody; part-time
    contracts and return-to-work plans need a lower personal one.  Both apply.
    """

    name = "max_consecutive_days_per_person"
    hard = True
    description = "No run of consecutive working days longer than `max` (per-person column max_consecutive_days)."

    class Params(_LimitParams):
        max: int | None = Field(default=None, ge=1)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def run_limits(self, problem) -> dict[str, dict[str, int | None]]:
        return {"max_run": self.limits(problem)}

    def limits(self, problem) -> dict[str, int | None]:
        return {k: _int_limit(v) for k, v in person_limits(problem.staff, MAX_DAYS_COLUMN, self.params.max).items()}

    def apply(self, m: ModelContext) -> None:
        lim = self.limits(m.problem)
        H = m.problem.days
        for sid, view in person_views(m).items():
            cap = lim.get(sid)
            if cap is None or cap >= H:
                continue
            for d in range(max(view.first_known, -cap), H - cap):
                forbid_pattern(m, self.name, view, range(d, d + cap + 1), (), f"{sid}, {cap + 1} days from {day_label(m.problem, d)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        lim = self.limits(ctx.problem)
        worked = worked_days_by_person(ctx)
        first, H = known_start(ctx.problem), ctx.problem.days
        out = []
        for sid, cap in lim.items():
            if cap is None:
                continue
            flags = {d: True for d in worked.get(sid, ())}
            for a, b in runs(flags, first, H - 1, True):
                n = b - a + 1
                if n > cap and b >= 0:
                    out.append(Violation(self.name, f"{sid} works {n} days in a row ({day_label(ctx.problem, a)} to "
                                         f"{day_label(ctx.problem, b)}); at most {cap} are allowed",
                                         staff_id=sid, when=day_label(ctx.problem, b), amount=n - cap))
        return out


@register
class MinConsecutiveDaysOff(Rule):
    """Days off come in blocks of at least ``min`` days.

    One day off between long runs is not recovery; agreements often ask for two
    consecutive days off.  A block touching the end of the horizon (or its start,
    without last week's roster) continues in another week and is not judged short.
    """

    name = "min_consecutive_days_off"
    hard = True
    description = "Every run of consecutive days off lasts at least `min` days (per-person column min_consecutive_days_off)."

    class Params(_LimitParams):
        min: int | None = Field(default=None, ge=1)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def run_limits(self, problem) -> dict[str, dict[str, int | None]]:
        return {"min_off": self.limits(problem)}

    def limits(self, problem) -> dict[str, int | None]:
        return {k: _int_limit(v) for k, v in person_limits(problem.staff, MIN_OFF_COLUMN, self.params.min).items()}

    def apply(self, m: ModelContext) -> None:
        lim = self.limits(m.problem)
        H = m.problem.days
        for sid, view in person_views(m).items():
            need = lim.get(sid)
            if not need or need <= 1:
                continue
            for k in range(1, need):
                for d in range(view.first_known - 1, H - k - 1):
                    forbid_pattern(m, self.name, view, (d, d + k + 1), range(d + 1, d + k + 1),
                                   f"{sid}, {k} day(s) off from {day_label(m.problem, d + 1)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        lim = self.limits(ctx.problem)
        worked = worked_days_by_person(ctx)
        first, H = known_start(ctx.problem), ctx.problem.days
        out = []
        for sid, need in lim.items():
            if not need or need <= 1:
                continue
            flags = {d: True for d in worked.get(sid, ())}
            for a, b in runs(flags, first, H - 1, False):
                n = b - a + 1
                if a == first or b == H - 1 or b < -1 or n >= need:
                    continue
                out.append(Violation(self.name, f"{sid} has only {n} day(s) off from {day_label(ctx.problem, a)} to "
                                     f"{day_label(ctx.problem, b)}; blocks of at least {need} days off are required",
                                     staff_id=sid, when=day_label(ctx.problem, a), amount=need - n))
        return out


def weekends(problem) -> list[tuple[int, ...]]:
    """Each weekend of the horizon as the day numbers of its Saturday and Sunday inside it."""
    out = []
    for d in range(problem.days):
        wd = (problem.monday + dt.timedelta(days=d)).weekday()
        if wd == 5:
            out.append(tuple(x for x in (d, d + 1) if x < problem.days))
        elif wd == 6 and d == 0:
            out.append((0,))
    return out


@register
class MaxWeekends(Rule):
    """At most ``max`` weekends worked in the horizon (worked = a shift starts on Saturday or Sunday).

    Weekend work is shared fairly and capped by many agreements (e.g. two in
    four); one shift on either day uses up the weekend.  With ``period_weeks``
    the cap is over a rolling period that reaches back before this horizon:
    weekends worked in the previous roster (``--previous``) within that period
    count against it, so "two in four" holds across week boundaries.
    """

    name = "max_weekends"
    hard = True
    description = "At most `max` weekends with any shift starting on Saturday or Sunday (per-person column max_weekends)."

    class Params(_LimitParams):
        max: int | None = Field(default=None, ge=0)
        period_weeks: int | None = Field(default=None, ge=1)  # e.g. max = 2, period_weeks = 4: two in four

    def __init__(self, params=None):
        self.params = params or self.Params()

    def carried_weeks(self, problem) -> dict[str, dict[int, int]]:
        """Weekends each person worked in the previous roster, by week number (negative: before the horizon)."""
        prev = problem.previous
        if self.params.period_weeks is None or prev is None or prev.empty:
            return {}
        first = problem.monday - dt.timedelta(days=7 * (self.params.period_weeks - 1))
        out: dict[str, dict[int, int]] = {}
        for sid, grp in prev.groupby("staff_id"):
            saturdays = {
                d - dt.timedelta(days=d.weekday() - 5)
                for d in pd.to_datetime(grp["date"]).dt.date
                if first <= d < problem.monday and d.weekday() >= 5
            }
            for sat in saturdays:
                week = (sat - problem.monday).days // 7
                out.setdefault(sid, {})[week] = out.get(sid, {}).get(week, 0) + 1
        return out

    def carried(self, problem) -> dict[str, int]:
        """Weekends each person worked in the previous roster, inside the period that ends with the horizon."""
        first = -(-problem.days // 7) - (self.params.period_weeks or 0)
        return {sid: sum(n for wk, n in weeks.items() if wk >= first) for sid, weeks in self.carried_weeks(problem).items()}

    def windows(self, problem) -> list[tuple[int, int, list[int]]]:
        """The periods the cap holds over: ``(first week, last week, indices into weekends(problem))``.

        Without ``period_weeks``, the whole horizon.  With it, every run of ``period_weeks``
        consecutive weeks that ends inside the horizon (a rolling period: over 8 weeks, "two in
        four" holds for weeks 1-4, 2-5, ... 5-8, and for the windows reaching back into the
        previous roster's weeks).
        """
        wks = weekends(problem)
        week_of = [w[0] // 7 for w in wks]
        n_weeks = -(-problem.days // 7)
        period = self.params.period_weeks
        if period is None:
            return [(0, n_weeks - 1, list(range(len(wks))))]
        return [(e - period + 1, e, [i for i, wk in enumerate(week_of) if e - period + 1 <= wk <= e]) for e in range(n_weeks)]

    def window_caps(self, problem) -> dict[str, list[tuple[list[int], int, int]]]:
        """Per person, each window that can bind: ``(weekend indices, cap left, weekends carried in)``.

        A window is left out when it cannot bind (no more weekends than its cap) or when a
        window holding all its weekends has a cap at most as large.
        """
        carried = self.carried_weeks(problem)
        base = person_limits(problem.staff, MAX_WEEKENDS_COLUMN, self.params.max)
        wins = self.windows(problem)
        out: dict[str, list] = {}
        for sid, v in base.items():
            if v is None:
                continue
            mine = carried.get(sid, {})
            caps = []
            for first, last, idx in wins:
                before = sum(n for wk, n in mine.items() if first <= wk <= last)
                caps.append((idx, max(0, _int_limit(v) - before), before))
            keep = []
            for i, (idx, cap, before) in enumerate(caps):
                if len(idx) <= cap:
                    continue
                if any(j != i and set(idx) <= set(o) and (c < cap or (c == cap and (set(idx) < set(o) or j < i)))
                       for j, (o, c, _) in enumerate(caps)):
                    continue
                keep.append((idx, cap, before))
            out[sid] = keep
        return out

    def run_limits(self, problem) -> dict[str, dict[str, int | None]]:
        return {"max_weekends": self.limits(problem)}

    def limits(self, problem) -> dict[str, int | None]:
        """Each person's cap on the horizon's weekends in total, for the run flow (None: none that holds
        over the whole horizon, as when the rolling period is shorter than it)."""
        n_weeks = -(-problem.days // 7)
        base = person_limits(problem.staff, MAX_WEEKENDS_COLUMN, self.params.max)
        if self.params.period_weeks is not None and self.params.period_weeks < n_weeks:
            return dict.fromkeys(base)
        carried = self.carried(problem)
        return {k: None if v is None else max(0, _int_limit(v) - carried.get(k, 0)) for k, v in base.items()}

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        """A window with a cap of 0 means no weekend shift in it: such candidates are never created."""
        wks = weekends(problem)
        banned = {(sid, d) for sid, wins in self.window_caps(problem).items()
                  for idx, cap, _ in wins if cap == 0 for i in idx for d in wks[i]}
        if not banned:
            return cand
        drop = [(sid, d) in banned for sid, d in zip(cand["staff_id"], cand["day"])]
        return cand[~pd.Series(drop, index=cand.index, dtype=bool)]

    def apply(self, m: ModelContext) -> None:
        wks = weekends(m.problem)
        by_day = day_vars(m)
        for sid, wins in self.window_caps(m.problem).items():
            days = by_day.get(sid, {})
            worked: dict[int, list] = {}
            for i, w in enumerate(wks):
                vs = [v for v in (days.get(d, []) for d in w) if v]
                if not vs:
                    continue
                if len(vs) == 1:
                    worked[i] = [(x, 1) for x in vs[0]]  # one day: the day's work itself
                    continue
                k = m.new_var("weekend", low=0, up=1)
                for v in vs:
                    m.add_hard(self.name, pulp.LpAffineExpression([(k, 1)] + [(x, -1) for x in v]), ">=", 0,
                               f"{sid}, weekend of {day_label(m.problem, w[0])}")
                worked[i] = [(k, 1)]
            for idx, cap, _ in wins:
                terms = [t for i in idx if i in worked for t in worked[i]]
                if sum(1 for i in idx if i in worked) > cap:
                    where = "horizon" if self.params.period_weeks is None else f"period with weekends from {day_label(m.problem, wks[idx[0]][0])}"
                    m.add_hard(self.name, pulp.LpAffineExpression(terms), "<=", cap, f"{sid}, {where}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        worked = worked_days_by_person(ctx, include_previous=False)
        wks = weekends(ctx.problem)
        period = self.params.period_weeks
        out = []
        for sid, wins in self.window_caps(ctx.problem).items():
            days = worked.get(sid, set())
            for idx, cap, before in wins:
                n = sum(1 for i in idx if any(d in days for d in wks[i]))
                if n <= cap:
                    continue
                why = f" after {before} in the previous weeks of the {period}-week period" if before else ""
                where = "the horizon" if period is None else \
                    f"the {period}-week period with weekends from {day_label(ctx.problem, wks[idx[0]][0])}"
                out.append(Violation(self.name, f"{sid} works {n} weekends in {where}; at most {cap} are allowed{why}",
                                     staff_id=sid, amount=n - cap))
        return out


def _night_shifts(config, names: list[str] | None) -> set[str]:
    if names:
        return set(names)
    return {n for n, t in config.shifts.items() if t.night}


@register
class MaxConsecutiveNights(Rule):
    """No more than ``max`` night shifts on consecutive days.

    Long runs of nights are the strongest fatigue risk for mobile crisis teams
    driving at 4 a.m.; the run continues across the week start when last week's
    roster is given.
    """

    name = "max_consecutive_nights"
    hard = True
    description = "At most `max` night shifts on consecutive days (per-person column max_consecutive_nights)."

    class Params(_LimitParams):
        max: int = Field(default=3, ge=1)
        shifts: list[str] | None = None  # default: the templates with night = true

    def __init__(self, params=None):
        self.params = params or self.Params()

    def limits(self, problem) -> dict[str, int | None]:
        return {k: _int_limit(v) for k, v in person_limits(problem.staff, MAX_NIGHTS_RUN_COLUMN, self.params.max).items()}

    def validate(self, config) -> list[str]:
        return unknown_names("rules.max_consecutive_nights.shifts", self.params.shifts or [], config.shifts, "shifts")

    def apply(self, m: ModelContext) -> None:
        nights = _night_shifts(m.config, self.params.shifts)
        lim = self.limits(m.problem)
        H = m.problem.days
        by_day: dict[str, dict[int, list]] = {}
        for (sid, day, shift), vs in shift_vars(m).items():
            if shift in nights:
                by_day.setdefault(sid, {}).setdefault(day, []).extend(vs)
        views = person_views(m, by_day, past_filter=lambda p: p["shift"].isin(nights))
        for sid, view in views.items():
            cap = lim.get(sid)
            if cap is None or cap >= H or sid not in by_day:
                continue
            for d in range(max(view.first_known, -cap), H - cap):
                forbid_pattern(m, self.name, view, range(d, d + cap + 1), (), f"{sid}, nights from {day_label(m.problem, d)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        nights = _night_shifts(ctx.config, self.params.shifts)
        lim = self.limits(ctx.problem)
        rows = ctx.roster[ctx.roster["shift"].isin(nights)]
        worked = worked_days_by_person(ctx, rows, past_filter=lambda p: p["shift"].isin(nights))
        first, H = known_start(ctx.problem), ctx.problem.days
        out = []
        for sid, cap in lim.items():
            if cap is None:
                continue
            flags = {d: True for d in worked.get(sid, ())}
            for a, b in runs(flags, first, H - 1, True):
                n = b - a + 1
                if n > cap and b >= 0:
                    out.append(Violation(self.name, f"{sid} works {n} night shifts in a row ({day_label(ctx.problem, a)} to "
                                         f"{day_label(ctx.problem, b)}); at most {cap} are allowed",
                                         staff_id=sid, when=day_label(ctx.problem, b), amount=n - cap))
        return out


@register
class ForbiddenSuccessions(Rule):
    """Named shift pairs that may not be worked on consecutive days (no "quick returns").

    ``pairs = [["late", "early"]]`` forbids an early shift the day after a late
    one, whatever the clock says -- the way agreements are usually written (the
    core ``min_rest`` rule computes rest from clock times instead).  Applies
    across the week start when last week's roster is given.
    """

    name = "forbidden_successions"
    hard = True
    description = "Shift `then` may not be worked the day after shift `first`, for each [first, then] in `pairs`."

    class Params(RuleParams):
        pairs: list[tuple[str, str]] = Field(min_length=1)

    def __init__(self, params):
        self.params = params

    def validate(self, config) -> list[str]:
        names = sorted({n for p in self.params.pairs for n in p})
        return unknown_names("rules.forbidden_successions.pairs", names, config.shifts, "shifts")

    def followers(self, config) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for a, b in self.params.pairs:
            out.setdefault(a, set()).add(b)
        return out

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        """Monday's shifts that may not follow what the person worked last Sunday are never created."""
        prev = previous_rows(problem)
        if prev is None:
            return cand
        nxt = self.followers(problem.config)
        last = prev[prev["day"] == -1]
        banned = {(sid, t) for sid, s in zip(last["staff_id"], last["shift"]) for t in nxt.get(s, ())}
        if not banned:
            return cand
        hit = [(d == 0 and (sid, s) in banned) for sid, d, s in zip(cand["staff_id"], cand["day"], cand["shift"])]
        return cand[~np.asarray(hit, dtype=bool)]

    def apply(self, m: ModelContext) -> None:
        nxt = self.followers(m.config)
        sv = shift_vars(m)
        by_person: dict[str, dict[tuple[int, str], list]] = {}
        for (sid, day, shift), vs in sv.items():
            by_person.setdefault(sid, {})[(day, shift)] = vs
        # Every shift that forbids at least what ``shift`` forbids shares its row (``sharing_rows``;
        # one shift a day is a core rule).  Elastic mode keeps a row per shift, so that a bend
        # names the shift that breaks it.
        shared = {} if m.elastic else sharing_rows({s: frozenset(t) for s, t in nxt.items()})
        for sid, cells in by_person.items():
            seen = set()
            for (day, shift), first in cells.items():
                thens = nxt.get(shift)
                if not thens:
                    continue
                follow = [x for t in sorted(thens) for x in cells.get((day + 1, t), [])]
                if not follow:
                    continue
                today = shared.get(shift, [shift])
                key = (day, tuple(today), frozenset(thens))
                if key in seen:
                    continue
                seen.add(key)
                first = [x for s in today for x in cells.get((day, s), [])]
                m.add_hard(self.name, pulp.LpAffineExpression([(x, 1) for x in first] + [(x, 1) for x in follow]), "<=", 1,
                           f"{sid}, {shift} on {day_label(m.problem, day)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        nxt = self.followers(ctx.config)
        rows = ctx.roster[["staff_id", "date", "shift"]].copy()
        rows["day"] = roster_days(ctx.problem, rows).to_numpy()
        prev = previous_rows(ctx.problem)
        if prev is not None:
            rows = pd.concat([prev[["staff_id", "date", "shift", "day"]], rows], ignore_index=True)
        worked = {(sid, int(d), s) for sid, d, s in zip(rows["staff_id"], rows["day"], rows["shift"])}
        out = []
        for sid, d, s in sorted(worked):
            for t in sorted(nxt.get(s, ())):
                if (sid, d + 1, t) in worked and d + 1 >= 0:
                    out.append(Violation(self.name, f"{sid} works {t} on {day_label(ctx.problem, d + 1)} right after {s} on "
                                         f"{day_label(ctx.problem, d)}; {t} may not follow {s}",
                                         staff_id=sid, when=day_label(ctx.problem, d + 1), amount=1))
        return out


# --------------------------------------------------------------------------- extended formulation


def run_automaton(max_run: int | None, min_run: int | None, min_off: int | None):
    """States and moves of a person's day-by-day work pattern under the three run rules.

    States: ``("W", n, first)`` = working, the run so far ``n`` days long;
    ``("O", n, first)`` = off for ``n`` days (``n`` capped at the minimum).
    ``first`` marks the run that began on the horizon's first day, which is never
    too short (it continues from the week before).  The last run may end at any
    length (it continues into the next horizon).  Returns ``(states, moves,
    starts)`` where ``moves[s]`` lists the states ``s`` may be followed by.
    """
    mw = max(min_run or 1, 1)
    mo = max(min_off or 1, 1)
    top = max_run if max_run is not None else mw
    states = []
    moves: dict[tuple, list[tuple]] = {}
    for first in (True, False):
        for n in range(1, top + 1):
            states.append(("W", n, first))
        for n in range(1, (1 if first else mo) + 1):
            states.append(("O", n, first))
    for s in states:
        kind, n, first = s
        out = []
        if kind == "W":
            if n < top:
                out.append(("W", n + 1, first))
            elif max_run is None:
                out.append(s)  # no maximum: "at least top days" continues
            if first or n >= mw:
                out.append(("O", 1, False))
        else:
            out.append(s if first else ("O", min(n + 1, mo), False))
            if first or n >= mo:
                out.append(("W", 1, False))
        moves[s] = out
    starts = [("W", 1, True), ("O", 1, True)]
    return states, moves, starts


def history_state(past_worked: set[int], first_known: int, top: int, mo: int):
    """The automaton state at the end of day -1 from last week's roster (None if unknown)."""
    if first_known > -1:
        return None
    if -1 in past_worked:
        n, d = 0, -1
        while d in past_worked and d >= first_known:
            n, d = n + 1, d - 1
        return ("W", min(n, top), d < first_known)
    n, d = 0, -1
    while d not in past_worked and d >= first_known:
        n, d = n + 1, d - 1
    return ("O", 1, True) if d < first_known else ("O", min(n, mo), False)


def add_run_flow(m: ModelContext, rules: list, *, max_states: int = 60) -> int:
    """Strengthen the run rules with one small network flow per person (an extended formulation).

    Each person's days are a path through :func:`run_automaton`'s states; the
    path's working states must match the person's day variables.  A path exists
    exactly when the day pattern obeys the max-run, min-run and min-days-off rules
    (with the same horizon-edge conventions), so this adds nothing a real roster
    could not do -- but its LP relaxation is the convex hull of all allowed
    patterns, far tighter than the pattern rows alone (e.g. with runs of at most
    5 days and days off in pairs, a fractional roster can no longer work 5/6 of
    the days).  Flows are continuous: integral day variables force a path.  The
    flow variables are listed in ``m.implied`` (see :mod:`roster.solve.lns.submip`).
    Skipped in elastic mode (the hard rules may bend there).  Returns the number
    of flow variables added.
    """
    if m.elastic:
        return 0
    problem = m.problem
    ids = list(problem.staff["staff_id"])
    cap = dict.fromkeys(ids)
    mw = dict.fromkeys(ids)
    mo = dict.fromkeys(ids)
    wk_cap = dict.fromkeys(ids)

    def tighten(target, values, pick):
        for sid, v in values.items():
            if v is not None and sid in target:
                target[sid] = v if target[sid] is None else pick(target[sid], v)

    limits = {"max_run": cap, "min_run": mw, "min_off": mo, "max_weekends": wk_cap}
    tighter = {"max_run": min, "min_run": max, "min_off": max, "max_weekends": min}
    for rule in rules:
        for kind, values in rule.run_limits(problem).items():
            tighten(limits[kind], values, tighter[kind])
    H = problem.days
    n_weekends = len(weekends(problem))
    weekday = [(problem.monday + dt.timedelta(days=d)).weekday() for d in range(H)]
    views = person_views(m)
    added = 0
    autos: dict[tuple, tuple] = {}
    for sid in ids:
        key = (cap[sid], mw[sid], mo[sid])
        wcap = wk_cap[sid]
        if wcap is not None and wcap >= n_weekends:
            wcap = None
        if (key[0] is None or key[0] >= H) and (key[1] or 1) <= 1 and (key[2] or 1) <= 1 and wcap is None:
            continue  # no run or weekend rule binds this person
        if key not in autos:
            autos[key] = run_automaton(*key)
        states, moves, starts = autos[key]
        if len(states) * ((wcap or 0) + 1) > max_states:
            wcap = None  # too many states with the weekend count: runs only
            if len(states) > max_states:
                continue
        view = views[sid]
        top = key[0] if key[0] is not None else max(key[1] or 1, 1)
        hist = history_state(view.past_worked, view.first_known, top, max(key[2] or 1, 1)) if view.first_known < 0 else None
        day0 = moves[hist] if hist is not None and hist in moves else starts

        # Composite state: (run state, weekends worked so far) when the weekend cap binds.
        def counted(prev, base, d):
            if wcap is None:
                return 0
            if base[0] != "W":
                return 0
            if weekday[d] == 5 or (weekday[d] == 6 and (d == 0 or prev is None or prev[0] != "W")):
                return 1
            return 0

        # inflow[s] at the current day: expression terms of the flow reaching state s
        inflow: dict[tuple, list] = {}
        for b in day0:
            used = counted(None, b, 0)
            if wcap is not None and used > wcap:
                continue
            v = m.new_var("run")
            m.implied.append(v)
            inflow.setdefault((b, used), []).append((v, 1))
            added += 1
        m.prob += pulp.LpAffineExpression([t for ts in inflow.values() for t in ts]) == 1
        for d in range(H):
            xs = view.value(d)
            work = [t for s, ts in inflow.items() if s[0][0] == "W" for t in ts]
            if not xs:
                # no candidate that day: no working state may be reached
                if work:
                    m.prob += pulp.LpAffineExpression(work) == 0
            else:
                m.prob += pulp.LpAffineExpression(work + [(x, -1) for x in xs]) == 0
            if d == H - 1:
                break
            nxt: dict[tuple, list] = {}
            for (b, used), ts in inflow.items():
                outs = []
                for t in moves[b]:
                    u = used + counted(b, t, d + 1)
                    if wcap is not None and u > wcap:
                        continue
                    v = m.new_var("run")
                    m.implied.append(v)
                    outs.append((v, 1))
                    nxt.setdefault((t, u), []).append((v, 1))
                    added += 1
                m.prob += pulp.LpAffineExpression(ts + [(v, -1) for v, _ in outs]) == 0
            inflow = nxt
    m.constraint_count["run_flow (extended formulation; flow variables)"] = added
    return added
