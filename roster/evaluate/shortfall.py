"""Why each uncovered hour is uncovered, and how many more people would close the gap.

For every district, hour and seat the roster leaves short (coverage.csv), one of:

* ``no_shift`` — no shift template covers that hour;
* ``previous_roster`` — only the previous week's roster reaches that hour: in a horizon planned
  after last week's roster (``--previous``), the first hours of its first Monday are reached
  only by last week's last shifts, which belong to that published roster, not to this plan;
* ``no_one_free`` — no eligible person is free: nobody of the role may work there then
  (district, leave, nights), or all who may are at their weekly hours, resting, already
  on a shift that day, out of working days, or (non-clinical staff) would have too few
  clinicians on duty with them (supervision ratio);
* ``too_costly`` — a free person could cover it, but the cheapest such shift (pay as the
  wage rule prices it, overtime included) costs more than the shortfall price of the
  uncovered hours it would fill;
* ``other_rules`` — a free person could cover it for less than the shortfall it removes;
  another soft rule, a rule not checked here (e.g. supervision ratio) or the solver's gap
  kept it uncovered.

Consecutive hours with the same reason make one row of ``shortfalls.csv``.  The sizing
hint adds people of each short seat greedily (one shift a day, rest, days off, hours up
to a usual contract) and says how many would cover how much.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from constraints.base import RosterContext, fmt_time
from constraints.cost import differential_pay, has_differentials
from constraints.labour import forbidden_followers
from constraints.problem import Problem, covered_hours, shift_instances
from roster.currency import prefix

SHORTFALL_COLUMNS = ["district", "role", "start", "end", "hours", "uncovered_staff_hours", "reason", "detail"]
REASONS = ("no_shift", "previous_roster", "no_one_free", "too_costly", "other_rules")
BUSY_WORDS = {
    "one_shift_per_day": "already work a shift that day",
    "min_rest": "would rest too little",
    "max_hours_per_week": "are at their weekly hours",
    "min_days_off": "have no day off left to give",
    "supervision_ratio": "would have too few clinicians on duty with them",
}


def _cover(problem: Problem) -> pd.DataFrame:
    """Which hours each shift instance covers, the next week's first hours (``Problem.boundary``)
    as ``len(problem.hours) + k``, as coverage.csv counts them."""
    inst = problem.instances
    cov = covered_hours(inst["start"], inst["end"], problem.hours, wrap=problem.wrap)
    if len(problem.boundary):
        ahead = covered_hours(inst["start"], inst["end"], problem.boundary, wrap=False)
        cov = pd.concat([cov, ahead.assign(hour=ahead["hour"] + len(problem.hours))], ignore_index=True)
    return pd.DataFrame({"inst": inst.index.to_numpy()[cov["row"].to_numpy()], "hour": cov["hour"].to_numpy()})


def _previous_reach(problem: Problem) -> dict[int, list[str]]:
    """Hours of a horizon planned after ``previous`` that the day before's shifts reach (its first
    Monday's first hours, which it does not wrap onto), each with those shifts in words."""
    if problem.wrap:
        return {}
    before = shift_instances(problem.config.shifts, problem.monday - dt.timedelta(days=1), problem.tz, days=1)
    before = before.reset_index(drop=True)
    cov = covered_hours(before["start"], before["end"], problem.hours, wrap=False)
    out: dict[int, list[str]] = {}
    for row, hour in zip(cov["row"], cov["hour"]):
        out.setdefault(int(hour), []).append(_instance_words(before.loc[int(row)]))
    return out


def _previous_words(shifts: list[str]) -> str:
    return (f"only the previous week's roster reaches this hour: {' or '.join(shifts)} belongs to last week's "
            "published roster (--previous), which this plan does not change; add someone to that shift there, "
            "or plan this week as a repeating week (without --previous) if last week is not fixed")


class _People:
    """What each person already works in the roster, for "could they take one more shift?"."""

    def __init__(self, problem: Problem, roster: pd.DataFrame, inst_cover: dict):
        self.problem, self.cfg, self.inst_cover = problem, problem.config, inst_cover
        self.staff = problem.staff.set_index("staff_id")
        inst = problem.instances.reset_index()
        r = roster.merge(inst[["date", "shift", "inst", "day"]], on=["date", "shift"], how="left") if len(roster) else roster
        self.shifts = {sid: g for sid, g in r.groupby("staff_id")} if len(r) else {}
        rest = self.cfg.labour.min_rest_hours
        pairs = forbidden_followers(problem.instances, rest) if rest is not None else pd.DataFrame(columns=["first", "then"])
        self.clash = set(zip(pairs["first"], pairs["then"])) | set(zip(pairs["then"], pairs["first"]))
        self._busy: dict[tuple[str, int, str], str | None] = {}
        self.headroom: dict[tuple[str, int], float] = {}  # (district, hour) -> non-clinical staff the ratio still allows
        if self.cfg.supervision is not None and len(roster):
            ctx = RosterContext(problem, roster)
            ahead = ctx.boundary_duty.assign(hour=ctx.boundary_duty["hour"] + len(problem.hours))
            duty = pd.concat([ctx.on_duty, ahead[[c for c in ctx.on_duty.columns if c in ahead.columns]]], ignore_index=True)
            g = duty.groupby(["district", "hour"])["clinical"].agg(["sum", "size"])
            ratio = self.cfg.supervision.max_non_clinical_per_clinician
            self.headroom = {k: ratio * c - (n - c) for k, c, n in zip(g.index, g["sum"], g["size"])}

    def busy(self, sid: str, i: int, district: str) -> str | None:
        """The hard rule one more shift ``i`` in ``district`` would break for ``sid``, or None when they are free."""
        key = (sid, i, district)
        if key not in self._busy:
            self._busy[key] = self._first_broken(sid, i) or self._unsupervised(sid, i, district)
        return self._busy[key]

    def _unsupervised(self, sid: str, i: int, district: str) -> str | None:
        if self.cfg.supervision is None or bool(self.staff.at[sid, "clinical"]):
            return None
        if any(self.headroom.get((district, h), 0.0) < 1 - 1e-9 for h in self.inst_cover.get(i, ())):
            return "supervision_ratio"
        return None

    def _first_broken(self, sid: str, i: int) -> str | None:
        lab, inst = self.cfg.labour, self.problem.instances
        mine = self.shifts.get(sid)
        if mine is None or mine.empty:
            return None
        day, week = int(inst.at[i, "day"]), int(inst.at[i, "day"]) // 7
        if (mine["day"] == day).any():
            return "one_shift_per_day"
        if any((int(j), i) in self.clash for j in mine["inst"]):
            return "min_rest"
        in_week = mine[mine["day"] // 7 == week]
        if lab.max_hours_per_week is not None and in_week["paid_hours"].sum() + inst.at[i, "paid_hours"] > lab.max_hours_per_week + 1e-9:
            return "max_hours_per_week"
        if lab.min_days_off_per_week and in_week["day"].nunique() + 1 > 7 - lab.min_days_off_per_week:
            return "min_days_off"
        return None

    def extra_pay(self, sid: str, i: int) -> float:
        """What one more shift ``i`` costs for ``sid``: overtime above the week's contract hours included."""
        row, inst = self.staff.loc[sid], self.problem.instances
        rate, hours = float(row["hourly_rate"]), float(inst.at[i, "paid_hours"])
        mine = self.shifts.get(sid)
        week = int(inst.at[i, "day"]) // 7
        used = float(mine.loc[mine["day"] // 7 == week, "paid_hours"].sum()) if mine is not None else 0.0
        regular = max(0.0, min(hours, float(row["contract_hours"]) - used))
        pay = rate * regular + rate * self.cfg.roles[row["role"]].overtime_multiplier * (hours - regular)
        if has_differentials(self.cfg):
            pay += differential_pay(inst.at[i, "start"], inst.at[i, "end"], self.cfg.pay, self.cfg.timezone)
        return pay


def _shift_words(problem: Problem, i: int) -> str:
    return _instance_words(problem.instances.loc[i])


def _instance_words(r: pd.Series) -> str:
    return f"the {r['shift']} shift of {r['date']} ({r['start'].strftime('%H:%M')}–{r['end'].strftime('%H:%M')})"


def _nobody(problem: Problem, district: str, role: str) -> str:
    staff = problem.staff
    seat = staff[staff["seat"] == role]
    may = seat[[district == h or district in f for h, f in zip(seat["home_district"], seat["float_districts"])]]
    return (f"no eligible person is free: of {len(seat)} {role}(s), {len(may)} may work in {district}, and their leave "
            "and night work leave none of them a shift that covers this hour")


def _reason(problem, people: _People, cov_rows: pd.DataFrame, short: dict, key: tuple, has_shift: bool) -> tuple[str, str]:
    district, hour, role = key
    if not has_shift:
        return "no_shift", "no shift covers this hour; add a shift template that does"
    options = cov_rows
    if options.empty:
        return "no_one_free", _nobody(problem, district, role)
    busy = {}
    free = []
    for sid, i in options[["staff_id", "inst"]].drop_duplicates().itertuples(index=False):
        why = people.busy(sid, int(i), district)
        if why is None:
            free.append((sid, int(i)))
        else:
            busy[sid] = busy.get(sid) or why
    if not free:
        counts = pd.Series(list(busy.values())).value_counts()
        named = ", ".join(f"{n} {BUSY_WORDS.get(rule, rule)} ({rule})" for rule, n in counts.items())
        return "no_one_free", f"no eligible person is free: of the {len(busy)} who may work then, {named}"
    price = problem.config.objective.shortfall_penalty_per_hour
    cover = people.inst_cover
    best = None
    for sid, i in free:
        hrs = cover.get(i, ())
        saving = price * sum(1 for h in hrs if short.get((district, h, role), 0) > 0)
        cost = people.extra_pay(sid, i)
        if best is None or cost - saving < best[0] - best[1]:
            best = (cost, saving, i)
    cost, saving, i = best
    n = round(saving / price) if price else 0
    cur = prefix(problem.config.city.currency)
    if cost > saving:
        return "too_costly", (f"covering it costs more than the shortfall price: the cheapest shift that would, {_shift_words(problem, i)}, "
                              f"costs {cur}{cost:,.0f} and would remove {cur}{saving:,.0f} of shortfall ({n} uncovered hour(s) × {cur}{price:,.0f})")
    return "other_rules", (f"{_shift_words(problem, i)} by a free person costs {cur}{cost:,.0f} and would remove {cur}{saving:,.0f} of "
                           "shortfall; another soft rule, a rule not checked here or the solver's gap kept it uncovered")


def shortfall_table(problem: Problem, roster: pd.DataFrame, coverage: pd.DataFrame, cand: pd.DataFrame) -> pd.DataFrame:
    """``shortfalls.csv``: each run of uncovered hours by district and seat with its reason (see the module docstring).

    ``cand``: the model's candidate assignments (who may work which shift where)."""
    short_rows = coverage[coverage["shortfall"] > 0]
    if short_rows.empty:
        return pd.DataFrame(columns=SHORTFALL_COLUMNS)
    cover = _cover(problem)
    people = _People(problem, roster, cover.groupby("inst")["hour"].apply(tuple).to_dict())
    covered = set(cover["hour"])
    cc = cand[["staff_id", "inst", "district", "seat"]].drop_duplicates().merge(cover, on="inst")
    by_place = {k: g for k, g in cc.groupby(["district", "hour", "seat"])}
    short = {(d, int(h), r): s for d, h, r, s in short_rows[["district", "hour", "role", "shortfall"]].itertuples(index=False)}
    empty = cc.iloc[:0]
    before = _previous_reach(problem)
    found = []
    for (d, h, r), s in sorted(short.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        if h not in covered and h in before:
            code, detail = "previous_roster", _previous_words(before[h])
        else:
            code, detail = _reason(problem, people, by_place.get((d, h, r), empty), short, (d, h, r), h in covered)
        found.append((d, r, h, s, code, detail))
    return _runs(problem, found)


def _runs(problem: Problem, found: list) -> pd.DataFrame:
    rows, hours = [], problem.span_hours
    for d, r, h, s, code, detail in found:
        last = rows[-1] if rows else None
        if last and last["district"] == d and last["role"] == r and last["reason"] == code and last["_h"] == h - 1:
            last["_h"], last["hours"], last["uncovered_staff_hours"] = h, last["hours"] + 1, last["uncovered_staff_hours"] + s
            last["end"] = hours[h] + pd.Timedelta(hours=1)
            continue
        rows.append({"district": d, "role": r, "start": hours[h], "end": hours[h] + pd.Timedelta(hours=1),
                     "hours": 1, "uncovered_staff_hours": s, "reason": code, "detail": detail, "_h": h})
    out = pd.DataFrame(rows).drop(columns="_h")
    return out[SHORTFALL_COLUMNS]


def shortfall_report(problem: Problem, roster: pd.DataFrame, coverage: pd.DataFrame, cand: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """(shortfalls.csv, the summary.json keys ``shortfall_reasons`` and ``sizing``)."""
    table = shortfall_table(problem, roster, coverage, cand)
    top = table.sort_values("uncovered_staff_hours", ascending=False, kind="stable").head(10)
    places = [{"district": r.district, "role": r.role, "start": r.start.isoformat(), "end": r.end.isoformat(),
               "uncovered_staff_hours": float(r.uncovered_staff_hours), "reason": r.reason, "detail": r.detail}
              for r in top.itertuples()]
    return table, {"shortfall_reasons": reason_totals(table), "shortfall_places": places, "sizing": sizing_hints(problem, coverage)}


def reason_totals(table: pd.DataFrame) -> dict[str, float]:
    """Uncovered staff-hours by reason, for summary.json."""
    return {code: float(table.loc[table["reason"] == code, "uncovered_staff_hours"].sum()) for code in REASONS}


def shortfall_lines(table: pd.DataFrame, top: int = 3) -> list[str]:
    """A few lines for the printed summary: staff-hours by reason and the largest places with their reason."""
    if table.empty:
        return []
    totals = reason_totals(table)
    lines = ["why uncovered: " + ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in totals.items() if v > 0) + " staff-hours (see shortfalls.csv)"]
    for r in table.sort_values("uncovered_staff_hours", ascending=False, kind="stable").head(top).itertuples():
        lines.append(f"  {r.district} {r.role} {fmt_time(r.start)}–{r.end.strftime('%H:%M')}: {r.detail}")
    return lines


def _best_week(problem: Problem, gain_hours: dict, cap_hours: float, max_days: int) -> list[int]:
    """Shifts for one new person, greedily by uncovered hours covered: one a day, rest kept, hours and days capped."""
    inst = problem.instances
    rest = problem.config.labour.min_rest_hours
    pairs = forbidden_followers(inst, rest) if rest is not None else pd.DataFrame(columns=["first", "then"])
    clash = set(zip(pairs["first"], pairs["then"])) | set(zip(pairs["then"], pairs["first"]))
    chosen: list[int] = []
    while True:
        used = sum(float(inst.at[i, "paid_hours"]) for i in chosen)
        days = {int(inst.at[i, "day"]) for i in chosen}
        best, best_gain = None, 0
        for i, g in gain_hours.items():
            d = int(inst.at[i, "day"])
            if g <= best_gain or d in days or len(days) >= max_days or used + inst.at[i, "paid_hours"] > cap_hours + 1e-9:
                continue
            if any((i, j) in clash for j in chosen):
                continue
            best, best_gain = i, g
        if best is None:
            return chosen
        chosen.append(best)


def sizing_hints(problem: Problem, coverage: pd.DataFrame, max_people: int = 50) -> list[dict]:
    """Per district and seat with a shortfall: about how many more people would cover how much of it."""
    short = coverage[coverage["shortfall"] > 0]
    if short.empty:
        return []
    cfg, cover = problem.config, _cover(problem)
    by_inst = cover.groupby("inst")["hour"].apply(list).to_dict()
    lab = cfg.labour
    max_days = 7 - (lab.min_days_off_per_week or 0)
    out = []
    for (d, role), g in short.groupby(["district", "role"], sort=True):
        seat = problem.staff[problem.staff["seat"] == role]
        contract = float(seat["contract_hours"].median()) if len(seat) else 40.0
        cap = min(contract, lab.max_hours_per_week) if lab.max_hours_per_week is not None else contract
        left = dict(zip(g["hour"].astype(int), g["shortfall"].astype(float)))
        total, people, covered = sum(left.values()), 0, 0.0
        while people < max_people and covered < total:
            gain = {i: sum(1 for h in hs if left.get(h, 0) > 0) for i, hs in by_inst.items()}
            week = _best_week(problem, {i: v for i, v in gain.items() if v > 0}, cap * len(problem.weeks()), max_days * len(problem.weeks()))
            got = sum(gain_after(left, by_inst[i]) for i in week)
            if got <= 0 or got < min(4.0, total - covered):  # not even half a shift's worth: stop adding people
                break
            people, covered = people + 1, covered + got
        if people:
            out.append({"district": d, "role": role, "people": people, "hours_each": cap, "covers_hours": covered,
                        "uncovered_hours": total,
                        "text": f"about {people} more {role}{'' if people == 1 else 's'} in {d} ({cap:g} h a week each) would "
                                f"cover {covered:g} of the {total:g} uncovered staff-hours"})
    return out


def gain_after(left: dict, hours: list[int]) -> int:
    """Take one person's cover off ``left`` for ``hours``; return how many uncovered hours it filled."""
    n = 0
    for h in hours:
        if left.get(h, 0) > 0:
            left[h] -= 1
            n += 1
    return n
