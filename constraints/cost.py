"""Wage cost: what the roster pays, including overtime and pay differentials.

Every rostered hour is paid at the person's hourly rate.  Overtime is counted per
person and per week of the horizon (days 0-6, 7-13, ... from the plan's Monday, by the
day a shift starts): hours beyond the person's weekly contract hours in that week cost
``overtime_multiplier`` times the rate.  With ``[pay.night]`` or ``[pay.weekend]`` in
roster.toml, each hour of a shift inside a night window or on a weekend day also earns
that differential (:func:`differential_hours` measures the real elapsed hours, so DST
days count 23 or 25).  :func:`roster.evaluate.pay.price` computes the same amounts
from the rows, so the model's cost of a roster equals its pay.  This is the
objective's main term; it is never violated, only paid.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from constraints.base import ModelContext, RosterContext, Rule, Violation

WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _local(day: dt.date, clock: str, tz: str) -> pd.Timestamp:
    """The instant ``clock`` (HH:MM) on local ``day``; a time the clock skips moves forward, a repeated one is its first."""
    h, m = (int(p) for p in clock.split(":"))
    wall = pd.Timestamp(dt.datetime.combine(day, dt.time(h, m)))
    return wall.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")


def _overlap_hours(start: pd.Timestamp, end: pd.Timestamp, lo: pd.Timestamp, hi: pd.Timestamp) -> float:
    return max(0.0, (min(end, hi) - max(start, lo)).total_seconds() / 3600.0)


def differential_hours(start: pd.Timestamp, end: pd.Timestamp, pay, tz: str) -> tuple[float, float]:
    """Real elapsed hours of ``[start, end)`` inside ``pay.night``'s window and on ``pay.weekend``'s days."""
    days = [start.tz_convert(tz).date() + dt.timedelta(days=k)
            for k in range(-1, (end.tz_convert(tz).date() - start.tz_convert(tz).date()).days + 1)]
    night = weekend = 0.0
    if pay is not None and pay.night is not None:
        overnight = pay.night.end <= pay.night.start
        for d in days:
            lo = _local(d, pay.night.start, tz)
            hi = _local(d + dt.timedelta(days=1) if overnight else d, pay.night.end, tz)
            night += _overlap_hours(start, end, lo, hi)
    if pay is not None and pay.weekend is not None:
        for d in days:
            if WEEKDAY_NAMES[d.weekday()] in pay.weekend.days:
                weekend += _overlap_hours(start, end, _local(d, "00:00", tz), _local(d + dt.timedelta(days=1), "00:00", tz))
    return night, weekend


def differential_pay(start: pd.Timestamp, end: pd.Timestamp, pay, tz: str) -> float:
    """What the night and weekend differentials add to one shift (per person, not per rate)."""
    night, weekend = differential_hours(start, end, pay, tz)
    return (night * pay.night.per_hour if night else 0.0) + (weekend * pay.weekend.per_hour if weekend else 0.0)


def has_differentials(config) -> bool:
    pay = getattr(config, "pay", None)
    return pay is not None and (pay.night is not None or pay.weekend is not None)


class WageCost(Rule):
    name = "wage_cost"
    hard = False
    description = "Pay at the hourly rate, overtime above weekly contract hours at the role's multiplier, and pay differentials."

    def apply(self, m: ModelContext) -> None:
        a = m.assign
        m.add_penalty(self.name, "pay at the hourly rate", zip(a["x"], a["hourly_rate"] * a["paid_hours"]))
        if has_differentials(m.config):
            self._differentials(m)
        staff = m.problem.staff.set_index("staff_id")
        weekly = a.assign(week=a["day"] // 7)
        hours = m.sum_by(weekly, ["staff_id", "week"], coef="paid_hours")
        m.overtime = {}
        terms = []
        for (sid, week), expr in hours.items():
            row = staff.loc[sid]
            ot = m.new_var("ot", low=0)
            m.overtime[(sid, int(week))] = ot
            m.prob += ot >= expr - float(row["contract_hours"])
            mult = m.config.roles[row["role"]].overtime_multiplier
            if mult > 1:
                terms.append((ot, float(row["hourly_rate"]) * (mult - 1)))
        m.add_penalty(self.name, "overtime premium above contract hours", terms)

    def _differentials(self, m: ModelContext) -> None:
        """Each candidate shift's night and weekend differential, priced once per shift instance."""
        a = m.assign
        inst = a.drop_duplicates("inst")
        extra = {i: differential_pay(s, e, m.config.pay, m.config.timezone)
                 for i, s, e in zip(inst["inst"], inst["start"], inst["end"])}
        amounts = a["inst"].map(extra)
        m.add_penalty(self.name, "night and weekend differentials",
                      [(x, float(v)) for x, v in zip(a["x"], amounts) if v > 0])

    def check(self, ctx: RosterContext) -> list[Violation]:
        return []
