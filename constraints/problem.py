"""The planning problem every rule sees, built from validated inputs.

A :class:`Problem` is plain data: who can work, which shift instances exist in
the week (with real start/end instants, so DST is already resolved), which hours
must be covered and how many people each needs.  Both halves of a rule use it:
``apply`` turns it into PuLP expressions, ``check`` reads a finished roster
against it.  Keeping it free of PuLP and of files is what lets the checker stay
independent of the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from forecast.timegrid import local_hours, local_midnight

STAFF_COLUMNS = [
    "staff_id",
    "name",
    "role",
    "supervisor",
    "contract_hours",
    "hourly_rate",
    "home_district",
    "float_districts",
    "languages",
    "works_nights",
]


def shift_instances(templates: dict, monday: dt.date, tz: str, days: int = 7) -> pd.DataFrame:
    """Every shift template on every day of the horizon, with real start and end instants.

    ``templates`` maps a name to an object with ``start_time`` (``datetime.time``),
    ``hours`` and ``night``.  The end is the start's wall clock plus ``hours``, so
    a 23:00–07:00 night stays 23:00–07:00 on the clock; ``paid_hours`` is the real
    elapsed time (7 or 9 hours across a DST change).  A start that does not exist
    on the clock (spring-forward) moves to the first valid instant.
    """
    rows = []
    for d in range(days):
        day = monday + dt.timedelta(days=d)
        for name, t in templates.items():
            wall_start = pd.Timestamp(dt.datetime.combine(day, t.start_time))
            wall_end = wall_start + pd.Timedelta(hours=t.hours)
            start = wall_start.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
            end = wall_end.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")
            rows.append(
                {
                    "day": d,
                    "date": day,
                    "shift": name,
                    "start": start,
                    "end": end,
                    "paid_hours": (end - start).total_seconds() / 3600.0,
                    "night": bool(t.night),
                    "weekend": day.weekday() >= 5,
                }
            )
    frame = pd.DataFrame(rows)
    frame.index.name = "inst"
    return frame


_EPOCH = pd.Timestamp(0, tz="UTC")


def epoch_seconds(values) -> np.ndarray:
    """Whole seconds since 1970 for tz-aware timestamps, whatever pandas' time unit."""
    idx = pd.DatetimeIndex(values)
    if len(idx) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray((idx.tz_convert("UTC") - _EPOCH) // pd.Timedelta(seconds=1), dtype=np.int64)


def covered_hours(start: pd.Series, end: pd.Series, hours: pd.DatetimeIndex, *, wrap: bool) -> pd.DataFrame:
    """Which hours of ``hours`` each interval [start, end) covers, as a long table.

    Returns columns ``row`` (position in ``start``) and ``hour`` (position in
    ``hours``).  An hour counts when the interval covers all of it; shifts start
    on whole hours, so in practice that is every hour they touch.  With
    ``wrap`` the planning week repeats: the part of a Sunday night shift that
    runs past the week's end covers the same wall-clock hours of this Monday
    (the roster is planned as a repeating week unless last week's roster is
    given).
    """
    h_utc = epoch_seconds(hours)
    week_start, week_end = h_utc[0], h_utc[-1] + 3600
    s = epoch_seconds(start)
    e = epoch_seconds(end)
    rows, cols = [], []
    pos = {v: i for i, v in enumerate(h_utc)}
    wall = None
    if wrap:
        # First occurrence: over a multi-week horizon the spill wraps to the first Monday.
        wall = {}
        for i, ts in enumerate(hours):
            wall.setdefault((ts.weekday(), ts.hour, ts.minute), i)
    for r, (a, b) in enumerate(zip(s, e)):
        t = a - (a % 3600)
        if t < a:
            t += 3600
        while t + 3600 <= b:
            if week_start <= t < week_end:
                rows.append(r)
                cols.append(pos[t])
            elif wrap and t >= week_end:
                local = pd.Timestamp(t, unit="s", tz="UTC").tz_convert(hours.tz)
                i = wall.get((local.weekday(), local.hour, local.minute))
                if i is not None:
                    rows.append(r)
                    cols.append(i)
            t += 3600
    return pd.DataFrame({"row": np.asarray(rows, dtype=np.int64), "hour": np.asarray(cols, dtype=np.int64)})


@dataclass
class Problem:
    """Inputs of one planning week.

    staff:        one row per person (columns :data:`STAFF_COLUMNS`, plus ``seat``
                  and ``clinical`` derived from the role).
    leave:        ``staff_id, start, end`` (tz-aware instants, end exclusive).
    requirements: ``district, hour, role, required`` where ``hour`` indexes ``hours``.
    previous:     shifts of last week (same columns as a roster) that reach into
                  this one, used for coverage, rest and consecutive-day rules.
    pinned:       shifts that must stay as published: ``staff_id, date, shift, district``.
    requests:     ``staff_id, day, shift, kind, weight``: a wish to work (``on``) or
                  not work (``off``) a shift (``shift`` empty = the whole day).
    shift_requirements: ``day, shift, district, role, required, under_weight,
                  over_weight`` when requirements are given per shift.
    boundary_requirements: ``district, hour, role, required`` where ``hour`` indexes
                  :attr:`boundary` (the next week's first hours this horizon must cover).
    """

    config: object
    monday: dt.date
    hours: pd.DatetimeIndex
    staff: pd.DataFrame
    leave: pd.DataFrame
    requirements: pd.DataFrame
    instances: pd.DataFrame
    previous: pd.DataFrame | None = None
    pinned: pd.DataFrame | None = None
    requests: pd.DataFrame | None = None
    shift_requirements: pd.DataFrame | None = None
    days: int = 7
    boundary_requirements: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def tz(self) -> str:
        return self.config.timezone

    @property
    def wrap(self) -> bool:
        """Plan as a repeating week unless last week's roster says who covers Monday's early hours."""
        return self.previous is None

    @cached_property
    def boundary(self) -> pd.DatetimeIndex:
        """The next week's first hours that only this horizon's last shifts can reach.

        A horizon planned after last week's roster does not repeat, so the part of its Sunday
        night that runs past its end belongs to the next week, which will be planned with this
        roster as ``previous``.  The hours from the end until the first shift of the next
        Monday starts (00:00–07:00 for a 23:00–07:00 night and a 07:00 early shift) can be
        covered by nothing the next plan can add; hard rules that must hold every hour
        (supervision) hold there from this horizon's shifts, and coverage asks for
        ``boundary_requirements`` there.  Empty for a repeating week (its Sunday night covers
        its own Monday) and for a horizon not made of whole weeks.
        """
        if self.wrap or self.days % 7 or self.instances.empty:
            return self.hours[:0]
        return boundary_hours(self.config, self.monday, self.days)

    @property
    def span_hours(self) -> pd.DatetimeIndex:
        """The horizon's hours followed by :attr:`boundary`: position ``len(hours) + k`` is boundary hour ``k``
        (the index of ``hour`` in coverage.csv's and requirements.csv's rows)."""
        return self.hours.append(self.boundary)

    @classmethod
    def build(cls, config, monday: dt.date, staff, leave, requirements, previous=None, pinned=None, days: int = 7,
              requests=None, shift_requirements=None, boundary_requirements=None) -> "Problem":
        tz = config.timezone
        hours = local_hours(monday, days, tz)
        staff = staff.copy()
        staff["seat"] = [config.roles[r].seat(r) for r in staff["role"]]
        staff["clinical"] = [config.roles[r].clinical for r in staff["role"]]
        instances = shift_instances(config.shifts, monday, tz, days=days)
        out = cls(
            config=config,
            monday=monday,
            hours=hours,
            staff=staff.reset_index(drop=True),
            leave=leave.reset_index(drop=True),
            requirements=requirements.reset_index(drop=True),
            instances=instances,
            previous=previous,
            pinned=pinned,
            requests=requests,
            shift_requirements=shift_requirements,
            days=days,
        )
        out.boundary_requirements = out._boundary_need(boundary_requirements)
        return out

    def _boundary_need(self, given: pd.DataFrame | None) -> pd.DataFrame:
        """``given`` (the forecast's requirements of the boundary hours), or, when the caller has none,
        the assumption a repeating week makes: the same clock hours of the horizon's first Monday."""
        if given is not None or len(self.boundary) == 0:
            cols = ["district", "hour", "role", "required"]
            return given.reset_index(drop=True) if given is not None else pd.DataFrame(columns=cols)
        assumed = same_clock_hours(self.requirements, self.hours, self.boundary)
        if len(assumed):
            self.notes.append(f"the next week's first hours ({len(self.boundary)} from {self.boundary[0].isoformat()}) "
                              "have no requirements of their own; assumed equal to this period's first Monday "
                              "at the same clock hours")
        return assumed

    def week_end(self) -> pd.Timestamp:
        return local_midnight(self.monday + dt.timedelta(days=self.days), self.tz)

    def weeks(self) -> list[range]:
        """The horizon's weeks as ranges of day numbers (the last may be shorter)."""
        return [range(w, min(w + 7, self.days)) for w in range(0, self.days, 7)]


def boundary_hours(config, monday: dt.date, days: int) -> pd.DatetimeIndex:
    """The hours after a horizon of ``days`` from ``monday`` that its last shifts reach and no shift
    of the day after it does (:attr:`Problem.boundary`, for a horizon planned after ``previous``)."""
    tz = config.timezone
    end = local_midnight(monday + dt.timedelta(days=days), tz)
    last = shift_instances(config.shifts, monday + dt.timedelta(days=days - 1), tz, days=1)
    reach = last["end"].max() if len(last) else end
    if reach <= end:
        return local_hours(monday, 1, tz)[:0]
    tail = pd.date_range(end.tz_convert("UTC"), reach.tz_convert("UTC"), freq="h", inclusive="left").tz_convert(tz)
    after = shift_instances(config.shifts, monday + dt.timedelta(days=days), tz, days=1)
    reached = covered_hours(after["start"], after["end"], tail, wrap=False)["hour"].to_numpy()
    return tail[~np.isin(np.arange(len(tail)), reached)]


def same_clock_hours(requirements: pd.DataFrame, hours: pd.DatetimeIndex, boundary: pd.DatetimeIndex) -> pd.DataFrame:
    """The requirements of ``hours``' first day at each boundary hour's clock time (the same UTC offset
    first, so the repeated autumn hour maps onto its own twin), re-indexed onto ``boundary``."""
    cols = ["district", "hour", "role", "required"]
    first = {}
    for i, ts in enumerate(hours[:25]):
        if ts.date() == hours[0].date():
            first.setdefault((ts.hour, ts.utcoffset()), i)
            first.setdefault((ts.hour, None), i)
    rows = []
    for k, ts in enumerate(boundary):
        j = first.get((ts.hour, ts.utcoffset()), first.get((ts.hour, None)))
        if j is not None:
            rows.append(requirements.loc[requirements["hour"] == j, cols].assign(hour=k))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
