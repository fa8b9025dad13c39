"""How far past the call history a week is, and where the history really ends.

The history fitted for a week ends with the last local day that has a call, not at the
planned week: the days between the end of a call export and a week planned later were
never observed, so they are neither zero counts nor a feed outage.  A week is planned at
most :data:`MAX_WEEKS_AHEAD` weeks after the first week the history could plan (the model
carries its trend, hour-of-week shape and holidays forward; it has no yearly seasonality to
go further on), and a week more than ``warn_after`` weeks ahead is planned with a warning.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from forecast.errors import ForecastInputError
from forecast.timegrid import local_midnight

MAX_WEEKS_AHEAD = 52


def history_end(timestamps: pd.Series, tz: str, cap: pd.Timestamp | None = None) -> pd.Timestamp:
    """Local midnight after the last call's day (at most ``cap``): the end of the observed history."""
    last = pd.Timestamp(timestamps.max()).tz_convert(tz).date()
    end = local_midnight(last + dt.timedelta(days=1), tz)
    return min(end, cap) if cap is not None else end


def first_plannable_week(end: pd.Timestamp, tz: str) -> dt.date:
    """The first Monday on or after the end of the history (local date)."""
    day = (end - pd.Timedelta(microseconds=1)).tz_convert(tz).date() + dt.timedelta(days=1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def weeks_ahead(end: pd.Timestamp, monday: dt.date, tz: str) -> int:
    """Whole weeks between the first week the history can plan and ``monday`` (0 = that week; < 0 = inside it)."""
    return (monday - first_plannable_week(end, tz)).days // 7


def check_horizon(end: pd.Timestamp, monday: dt.date, tz: str, warn_after: int, where: str) -> tuple[int, str | None]:
    """``(weeks ahead, warning or None)``; raises :class:`ForecastInputError` past :data:`MAX_WEEKS_AHEAD`."""
    ahead = weeks_ahead(end, monday, tz)
    first = first_plannable_week(end, tz)
    last_day = (end - pd.Timedelta(hours=1)).tz_convert(tz).date()
    if ahead > MAX_WEEKS_AHEAD:
        latest = first + dt.timedelta(weeks=MAX_WEEKS_AHEAD)
        raise ForecastInputError(
            f"{where}: the call history ends on {last_day} and the week of {monday} is {ahead} weeks after the first "
            f"week it can plan ({first}); the forecast reaches at most {MAX_WEEKS_AHEAD} weeks ahead (the week of "
            f"{latest} at the latest), because it has no yearly pattern to carry further. Add newer call records or "
            "choose an earlier --week."
        )
    if ahead > warn_after:
        return ahead, (
            f"The week of {monday} is {ahead} weeks past the end of the call history ({last_day}); its forecast "
            f"carries the trend, the hour-of-week pattern and the holidays forward but knows nothing newer, so treat "
            f"it as a budget estimate (forecast.warn_after_weeks = {warn_after})."
        )
    return ahead, None
