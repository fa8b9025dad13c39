"""The report's inputs: a plan's output tables as frames, and the period they cover.

The frames have the shape of the files ``roster plan`` writes (timestamps as ISO 8601
text with UTC offsets, or tz-aware timestamps); nothing here reads a file.  The period
is taken from the data, so a week, a DST week of 167 or 169 hours and a four-week
roster are drawn the same way: on an axis of real elapsed hours since the period began,
with a tick at every local midnight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

PSEUDONYM = re.compile(r"^Person [0-9a-f]{12}$")


@dataclass
class PlanFrames:
    """One plan's outputs; every table but roster, coverage and summary is optional."""

    roster: pd.DataFrame
    coverage: pd.DataFrame
    summary: dict
    forecast: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    simulation: pd.DataFrame | None = None
    penalties: pd.DataFrame | None = None
    explain: pd.DataFrame | None = None
    shortfalls: pd.DataFrame | None = None  # shortfalls.csv: each run of uncovered hours with its reason

    @classmethod
    def from_files(cls, files: dict[str, object]) -> "PlanFrames":
        """From the name → content mapping a plan writes (``PlanResult.files()``)."""
        return cls(roster=files["roster.csv"], coverage=files["coverage.csv"], summary=files["summary.json"],
                   forecast=files.get("forecast.csv"), requirements=files.get("requirements.csv"),
                   simulation=files.get("simulation.csv"), penalties=files.get("penalties.csv"),
                   explain=files.get("explain.csv"), shortfalls=files.get("shortfalls.csv"))


@dataclass
class ScenarioFrames:
    """Scenario results; each table is optional and its section appears only when it is present."""

    scenarios: pd.DataFrame | None = None
    districts: pd.DataFrame | None = None
    frontier: pd.DataFrame | None = None
    headcount: pd.DataFrame | None = None
    findings: str | None = None

    def empty(self) -> bool:
        return (all(f is None or f.empty for f in (self.scenarios, self.districts, self.frontier, self.headcount))
                and not (self.findings or "").strip())


def zone_of(summary: dict):
    """The plan's IANA zone from summary.json, or None (timestamps keep their own offsets)."""
    try:
        return ZoneInfo(str(summary.get("timezone"))) if summary.get("timezone") else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_times(values: pd.Series, zone) -> pd.Series:
    """ISO text with offsets (or tz-aware timestamps) as tz-aware local timestamps."""
    ts = pd.to_datetime(values, utc=True, format="ISO8601")
    return ts.dt.tz_convert(zone) if zone is not None else ts.dt.tz_convert(_offset_zone(values))


def _offset_zone(values: pd.Series):
    first = pd.Timestamp(str(values.iloc[0])) if len(values) else None
    return first.tzinfo if first is not None and first.tzinfo is not None else "UTC"


@dataclass
class Period:
    """The hours a plan covers on the local clock; ``beyond``: of those, the next week's first hours after
    the period's end (summary.json ``period_end``) that only its last shifts reach (a plan after --previous)."""

    start: pd.Timestamp
    end: pd.Timestamp
    hours: pd.DatetimeIndex = field(repr=False)
    beyond: int = 0

    @classmethod
    def of(cls, frames: PlanFrames) -> "Period":
        zone = zone_of(frames.summary)
        hours = pd.DatetimeIndex(local_times(frames.coverage["hour_start"], zone).drop_duplicates().sort_values())
        if len(hours) == 0:
            start = pd.Timestamp(frames.summary.get("week_start", "1970-01-01T00:00:00+00:00"))
            return cls(start=start, end=start, hours=pd.DatetimeIndex([start]))
        end = frames.summary.get("period_end")
        beyond = int((hours >= pd.Timestamp(end)).sum()) if end else 0
        return cls(start=hours[0], end=hours[-1] + pd.Timedelta(hours=1), hours=hours, beyond=beyond)

    @property
    def length_hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def elapsed(self, ts: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """Real hours since the period began (DST-safe: a 25-hour day is 25 units long)."""
        delta = pd.DatetimeIndex(ts).tz_convert("UTC") - self.start.tz_convert("UTC")
        return (delta.total_seconds() / 3600).to_numpy()

    def day_ticks(self) -> tuple[list[float], list[str]]:
        """A tick at the first hour of each local day, labelled with the day; 23- and 25-hour days say so."""
        local_days = self.hours.tz_localize(None).normalize()
        vals, text = [], []
        for day in local_days.unique():
            on_day = self.hours[local_days == day]
            vals.append(float(self.elapsed(on_day[:1])[0]))
            text.append(f"{on_day[0]:%a %d %b}" + (f" ({len(on_day)} h)" if len(on_day) in (23, 25) else ""))
        return vals, text

    def hour_labels(self) -> list[str]:
        """Each hour as the local clock shows it, with its UTC offset (tells the repeated DST hour apart)."""
        return [f"{h:%a %d %b %H:%M} ({h.isoformat()[-6:]})" for h in self.hours]

    def describe(self) -> str:
        own = self.hours[:max(len(self.hours) - self.beyond, 1)]
        days = len(pd.Series(own.normalize().tz_localize(None)).drop_duplicates())
        end = own[-1] + pd.Timedelta(hours=1)
        after = (f", and the next week's first {self.beyond} hours, which only its last shifts reach" if self.beyond else "")
        return (f"{self.start:%a %d %b %Y} to {(end - pd.Timedelta(seconds=1)):%a %d %b %Y}: "
                f"{days} days, {int(round((end - self.start).total_seconds() / 3600))} hours{after}")
