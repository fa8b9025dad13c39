"""Holidays (from the ``holidays`` package) and user-declared events, as plain Python values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Event:
    """A known event: calls in ``districts`` (None = all) are multiplied by ``multiplier``
    on every local hour of the days ``start`` .. ``end`` (both inclusive)."""

    name: str
    start: dt.date
    end: dt.date
    districts: list[str] | None = field(default=None)
    multiplier: float = 1.0

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"event {self.name!r}: end {self.end} is before start {self.start}")
        if not (self.multiplier > 0):
            raise ValueError(f"event {self.name!r}: multiplier must be > 0, got {self.multiplier}")


def event_multipliers(events: Sequence[Event], districts: Sequence[str], hours: pd.DatetimeIndex) -> np.ndarray:
    """Multiplier per (district, hour) from ``events`` (1.0 where no event applies; overlaps multiply)."""
    out = np.ones((len(districts), len(hours)), dtype=float)
    if not events:
        return out
    local_dates = hours.tz_localize(None).normalize() if hours.tz is not None else hours.normalize()
    pos = {d: i for i, d in enumerate(districts)}
    for ev in events:
        in_ev = np.asarray((local_dates >= pd.Timestamp(ev.start)) & (local_dates <= pd.Timestamp(ev.end)))
        if not in_ev.any():
            continue
        rows = list(range(len(districts))) if ev.districts is None else [pos[d] for d in ev.districts if d in pos]
        for r in rows:
            out[r, in_ev] *= ev.multiplier
    return out


def holiday_dates(country: str | None, subdivision: str | None, start: dt.date, end: dt.date) -> set[dt.date]:
    """Public holidays between ``start`` and ``end`` (inclusive) for a ``holidays`` country code."""
    if not country:
        return set()
    import holidays

    years = range(start.year, end.year + 1)
    try:
        cal = holidays.country_holidays(country, subdiv=subdivision, years=years)
    except NotImplementedError as exc:
        from forecast.errors import ForecastInputError

        raise ForecastInputError(
            f"Unknown holidays country/subdivision {country!r}/{subdivision!r}: {exc}. Use the codes of the "
            "Python 'holidays' package, e.g. country 'US' with subdivision 'PA'."
        ) from exc
    return {d for d in cal if start <= d <= end}


def holiday_flags(hours: pd.DatetimeIndex, country: str | None, subdivision: str | None) -> np.ndarray:
    """Boolean per hour: does the hour's local date fall on a public holiday?"""
    if not country or len(hours) == 0:
        return np.zeros(len(hours), dtype=bool)
    naive = hours.tz_localize(None) if hours.tz is not None else hours
    days = holiday_dates(country, subdivision, naive.min().date(), naive.max().date())
    if not days:
        return np.zeros(len(hours), dtype=bool)
    return np.asarray(naive.normalize().isin(pd.DatetimeIndex([pd.Timestamp(d) for d in days])))
