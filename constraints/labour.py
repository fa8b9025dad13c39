"""Labour rules: how much and how often one person may work.

All hard.  Each reads its limit from ``[labour]`` in roster.toml.  Rest and
consecutive-day rules also look at last week's roster when one is given, so a
night shift on Sunday still counts against Monday's early start.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pulp

from constraints.base import HoursBand, ModelContext, RosterContext, Rule, Violation, fmt_time


class OneShiftPerDay(Rule):
    name = "one_shift_per_day"
    hard = True
    description = "At most one shift per person per calendar day (the day a shift starts)."

    def shifts_per_day_cap(self) -> int | None:
        return 1

    def apply(self, m: ModelContext) -> None:
        for (sid, day), expr in m.sum_by(m.assign, ["staff_id", "day"]).items():
            if len(expr) > 1:
                m.add_hard(self.name, expr, "<=", 1, f"{sid}, {m.problem.monday + dt.timedelta(days=int(day))}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        counts = ctx.roster.groupby(["staff_id", "date"]).size()
        return [
            Violation(self.name, f"{sid} has {n} shifts starting on {d}; at most one is allowed", staff_id=sid, when=str(d), amount=n - 1)
            for (sid, d), n in counts[counts > 1].items()
        ]


def sharing_rows(forbids: dict) -> dict:
    """For each first shift, the first shifts that forbid at least the same followers.

    ``forbids``: first shift -> set of followers it forbids (all on one later day).  With
    one shift a day, at most one of the returned shifts and the followers is worked, so
    they share one row: tighter than a row per first shift (late and night both barring
    tomorrow's early: "late 1/2, night 1/2, early 1/2" meets each shift's own row, not
    the shared one).  Lists are sorted for a stable model.
    """
    return {f: sorted(g for g, then in forbids.items() if then >= mine) for f, mine in forbids.items()}


def forbidden_followers(instances: pd.DataFrame, min_rest_hours: float) -> pd.DataFrame:
    """Pairs (first, then) of shift instances on different days too close to work both.

    ``then`` starts after ``first`` but less than ``min_rest_hours`` after it ends
    (or overlaps it).  Computed from real instants, so DST is handled.
    """
    inst = instances.reset_index()
    a = inst[["inst", "day", "start", "end"]].rename(columns=lambda c: c + "_1")
    b = inst[["inst", "day", "start", "end"]].rename(columns=lambda c: c + "_2")
    pairs = a.merge(b, how="cross")
    pairs = pairs[pairs["day_2"] > pairs["day_1"]]
    gap = (pairs["start_2"] - pairs["end_1"]).dt.total_seconds() / 3600.0
    overlap = pairs["start_2"] < pairs["end_1"]
    pairs = pairs[(gap < min_rest_hours) | overlap]
    return pairs[["inst_1", "day_1", "inst_2", "day_2"]].rename(
        columns={"inst_1": "first", "day_1": "first_day", "inst_2": "then", "day_2": "then_day"}
    )


class MinRest(Rule):
    name = "min_rest"
    hard = True
    description = "Minimum hours of rest between the end of one shift and the start of the next."

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        """Rest after last week's shifts: never create a candidate that starts too soon after
        (or overlaps) the person's last shift of the previous roster, as leave does."""
        rest = problem.config.labour.min_rest_hours
        prev = problem.previous
        if rest is None or prev is None or prev.empty or cand.empty:
            return cand
        last = prev.groupby("staff_id")["end"].max()
        ends = cand["staff_id"].map(last)
        has = ends.notna().to_numpy()
        if not has.any():
            return cand
        gap = np.full(len(cand), np.inf)
        gap[has] = (
            pd.DatetimeIndex(cand["start"][has]).tz_convert("UTC") - pd.DatetimeIndex(ends[has]).tz_convert("UTC")
        ).total_seconds() / 3600.0
        return cand[gap >= rest - 1e-9]

    def apply(self, m: ModelContext) -> None:
        rest = m.config.labour.min_rest_hours
        if rest is None:
            return
        pairs = forbidden_followers(m.problem.instances, rest)
        if pairs.empty:
            return
        # One expression per person and shift instance (summing over districts).
        per = m.sum_by(m.assign, ["staff_id", "inst"])
        by_staff: dict[str, dict[int, pulp.LpAffineExpression]] = {}
        for (sid, inst), expr in per.items():
            by_staff.setdefault(sid, {})[int(inst)] = expr
        groups = pairs.groupby(["first", "then_day"])["then"].apply(list).to_dict()
        first_day = pairs.groupby("first")["first_day"].first().to_dict()
        for sid, insts in by_staff.items():
            # The followers share a day, so at most one of them is worked: one row for them
            # all, shared by the first shifts of that day that bar at least the same ones
            # (not in elastic mode, where a bend should name one first shift).
            forbids: dict[tuple, dict] = {}
            for (first, then_day), thens in groups.items():
                if first in insts:
                    here = frozenset(t for t in thens if t in insts)
                    if here:
                        forbids.setdefault((first_day[first], then_day), {})[first] = here
            for firsts in forbids.values():
                sharing = {f: [f] for f in firsts} if m.elastic else sharing_rows(firsts)
                seen = set()
                for first, thens in firsts.items():
                    key = (tuple(sharing[first]), thens)
                    if key in seen:
                        continue
                    seen.add(key)
                    lhs = pulp.lpSum(insts[f] for f in sharing[first]) + pulp.lpSum(insts[t] for t in sorted(thens))
                    m.add_hard(self.name, lhs, "<=", 1, f"{sid}, after {fmt_time(m.problem.instances.loc[first, 'start'])}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        rest = ctx.config.labour.min_rest_hours
        if rest is None:
            return []
        rows = ctx.roster[["staff_id", "start", "end"]]
        prev = ctx.problem.previous
        if prev is not None and not prev.empty:
            rows = pd.concat([prev[["staff_id", "start", "end"]], rows], ignore_index=True)
        out = []
        for sid, grp in rows.sort_values("start").groupby("staff_id", sort=True):
            starts, ends = grp["start"].tolist(), grp["end"].tolist()
            for i in range(1, len(starts)):
                gap = (starts[i] - ends[i - 1]).total_seconds() / 3600.0
                if gap < rest - 1e-9:
                    out.append(
                        Violation(
                            self.name,
                            f"{sid} rests only {gap:g} h between the shift ending {fmt_time(ends[i - 1])} and the one "
                            f"starting {fmt_time(starts[i])}; at least {rest:g} h are required",
                            staff_id=sid,
                            when=fmt_time(starts[i]),
                            amount=rest - gap,
                        )
                    )
        return out


class MaxHoursPerWeek(Rule):
    name = "max_hours_per_week"
    hard = True
    description = "Paid hours in the week at most labour.max_hours_per_week."

    def hours_bands(self, problem) -> list[HoursBand]:
        cap = problem.config.labour.max_hours_per_week
        if cap is None:
            return []
        return [HoursBand(sid, w, None, cap, f"{sid}, whole shifts within the hours of the week of "
                                             f"{problem.monday + dt.timedelta(days=7 * w)}")
                for sid in problem.staff["staff_id"] for w in range(len(problem.weeks()))]

    def apply(self, m: ModelContext) -> None:
        cap = m.config.labour.max_hours_per_week
        if cap is None:
            return
        a = m.assign.assign(week=m.assign["day"] // 7)
        for (sid, week), expr in m.sum_by(a, ["staff_id", "week"], coef="paid_hours").items():
            m.add_hard(self.name, expr, "<=", cap, f"{sid}, week of {m.problem.monday + dt.timedelta(days=7 * int(week))}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        cap = ctx.config.labour.max_hours_per_week
        if cap is None:
            return []
        r = ctx.roster.assign(week=[(d - ctx.problem.monday).days // 7 for d in ctx.roster["date"]])
        hours = r.groupby(["staff_id", "week"])["paid_hours"].sum()
        return [
            Violation(self.name, f"{sid} is rostered {h:g} h in the week of {ctx.problem.monday + dt.timedelta(days=7 * int(w))}; the maximum is {cap:g} h", staff_id=sid, amount=h - cap)
            for (sid, w), h in hours[hours > cap + 1e-9].items()
        ]


class MinDaysOff(Rule):
    name = "min_days_off"
    hard = True
    description = "At least labour.min_days_off_per_week days without a shift start in the week."

    def apply(self, m: ModelContext) -> None:
        off = m.config.labour.min_days_off_per_week
        if not off:
            return
        a = m.assign.assign(week=m.assign["day"] // 7)
        for (sid, week), expr in m.sum_by(a, ["staff_id", "week"]).items():
            length = len(m.problem.weeks()[int(week)])
            if length == 7:  # a shorter last week has no full-week allowance to enforce
                m.add_hard(self.name, expr, "<=", 7 - off, f"{sid}, week of {m.problem.monday + dt.timedelta(days=7 * int(week))}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        off = ctx.config.labour.min_days_off_per_week
        if not off:
            return []
        weeks = ctx.problem.weeks()
        r = ctx.roster.assign(week=[(d - ctx.problem.monday).days // 7 for d in ctx.roster["date"]])
        days = r.groupby(["staff_id", "week"])["date"].nunique()
        return [
            Violation(self.name, f"{sid} works on {n} days in the week of {ctx.problem.monday + dt.timedelta(days=7 * int(w))}, leaving {7 - n} off; at least {off} days off are required", staff_id=sid, amount=off - (7 - n))
            for (sid, w), n in days[days > 7 - off].items()
            if 0 <= w < len(weeks) and len(weeks[int(w)]) == 7
        ]


def _previous_run(previous: pd.DataFrame | None, monday: dt.date) -> dict[str, int]:
    """Consecutive days each person worked up to the Sunday before ``monday``."""
    if previous is None or previous.empty:
        return {}
    out = {}
    for sid, grp in previous.groupby("staff_id"):
        dates = set(pd.to_datetime(grp["date"]).dt.date)
        run, d = 0, monday - dt.timedelta(days=1)
        while d in dates:
            run += 1
            d -= dt.timedelta(days=1)
        if run:
            out[sid] = run
    return out


class MaxConsecutiveDays(Rule):
    name = "max_consecutive_days"
    hard = True
    description = "No more than labour.max_consecutive_days working days in a row (across the week boundary too)."

    def run_limits(self, problem) -> dict[str, dict[str, int | None]]:
        cap = problem.config.labour.max_consecutive_days
        if cap is None:
            return {}
        return {"max_run": dict.fromkeys(problem.staff["staff_id"], cap)}

    def apply(self, m: ModelContext) -> None:
        cap = m.config.labour.max_consecutive_days
        if cap is None or cap >= m.problem.days + 7:
            return
        carried = _previous_run(m.problem.previous, m.problem.monday)
        per_day = m.sum_by(m.assign, ["staff_id", "day"])
        by_staff: dict[str, dict[int, pulp.LpAffineExpression]] = {}
        for (sid, day), expr in per_day.items():
            by_staff.setdefault(sid, {})[int(day)] = expr
        for sid, days in by_staff.items():
            run = carried.get(sid, 0)
            # Window of cap+1 days starting at w (w < 0 reaches into last week).
            for w in range(-min(run, cap), m.problem.days - cap):
                inside = [days[d] for d in range(max(w, 0), w + cap + 1) if d in days]
                before = max(0, -w)
                if not inside:
                    continue
                m.add_hard(self.name, pulp.lpSum(inside), "<=", cap - before, f"{sid}, from {m.problem.monday + dt.timedelta(days=w)}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        cap = ctx.config.labour.max_consecutive_days
        if cap is None:
            return []
        rows = ctx.roster[["staff_id", "date"]]
        prev = ctx.problem.previous
        if prev is not None and not prev.empty:
            rows = pd.concat([prev[["staff_id", "date"]], rows], ignore_index=True)
        out = []
        for sid, grp in rows.groupby("staff_id"):
            dates = sorted(set(pd.to_datetime(grp["date"]).dt.date))
            run, best, best_end = 1, 1, dates[0]
            for a, b in zip(dates, dates[1:]):
                run = run + 1 if (b - a).days == 1 else 1
                if run > best:
                    best, best_end = run, b
            if best > cap:
                out.append(
                    Violation(self.name, f"{sid} works {best} days in a row (ending {best_end}); at most {cap} are allowed", staff_id=sid, when=str(best_end), amount=best - cap)
                )
        return out
