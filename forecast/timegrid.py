"""Local wall-clock hour grids.

Everything in crisis-roster is planned on the city's local clock, but stored as
timezone-aware timestamps so that a DST day really has 23 or 25 hours.  These
helpers are the one place that builds such grids, so the forecast, the
requirements and the roster all agree on which hours exist.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd


def local_midnight(day: dt.date, tz: str) -> pd.Timestamp:
    """The instant a local calendar day starts (midnight local; no zone skips midnight here)."""
    return pd.Timestamp(day).tz_localize(ZoneInfo(tz), ambiguous=False, nonexistent="shift_forward")


def local_hours(start_day: dt.date, days: int, tz: str) -> pd.DatetimeIndex:
    """Every real hour from local midnight of ``start_day`` for ``days`` calendar days.

    The grid is built in UTC and converted, so a spring-forward day has 23 hours
    and a fall-back day 25 (the repeated 01:00 appears twice, with different
    UTC offsets).
    """
    start = local_midnight(start_day, tz)
    end = local_midnight(start_day + dt.timedelta(days=days), tz)
    utc = pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="h", inclusive="left")
    return utc.tz_convert(tz)


def week_hours(monday: dt.date, tz: str) -> pd.DatetimeIndex:
    """The 166, 167, 168 or 169 local hours of the week that starts on ``monday``."""
    return local_hours(monday, 7, tz)


def iso_local(ts: pd.Timestamp) -> str:
    """ISO 8601 local time with UTC offset, e.g. ``2026-03-08T03:00:00-04:00``."""
    return ts.isoformat()
