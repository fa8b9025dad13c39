"""Feed-outage detection and masking (pure; warnings go to the ``forecast`` logger).

An outage shows up as a long run of hours with no call in *any* district.  A
run is flagged when a run of zeros that long is implausible under the city's
usual rate for those hours of the week: with ``E`` the expected number of city
calls in the run (mean city total per local hour-of-week over the whole
series), a Poisson count is 0 with probability ``exp(-E)``; runs with
``exp(-E) < p_value`` (default 1e-6, i.e. ``E`` > 13.8 calls) are outages.
Quiet cities never trigger this, which is right: their zero runs are plausible.

Masked windows are widened by ``pad_hours`` (default 1) on each side, because
a feed rarely fails exactly on the hour: the hours at the edges are partial.
Masked hours get ``calls = NaN`` in every district; models skip them when
fitting and the backtest does not score them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.models.base import hour_keys

log = logging.getLogger("forecast")


@dataclass(frozen=True)
class Outage:
    start: pd.Timestamp  # first masked local hour start
    end: pd.Timestamp  # exclusive end of the masked window
    zero_hours: int  # length of the run with no calls
    expected_calls: float  # calls expected in that run at the usual rate

    def describe(self) -> str:
        return (f"{self.start.isoformat()} to {self.end.isoformat()} ({self.zero_hours} hours without any call "
                f"where {self.expected_calls:.1f} were expected)")


def _city_series(counts: pd.DataFrame) -> tuple[pd.DatetimeIndex, np.ndarray]:
    s = counts.groupby("hour_start", sort=True)["calls"].sum(min_count=1)
    return pd.DatetimeIndex(s.index), s.to_numpy(dtype=float)


def detect_outages(counts: pd.DataFrame, *, p_value: float = 1e-6, pad_hours: int = 1,
                   min_hours: int = 2) -> list[Outage]:
    """Find implausibly long runs of hours with no call in any district (see module doc)."""
    hours, city = _city_series(counts)
    if len(hours) == 0:
        return []
    keys = hour_keys(hours)
    how = keys["how"].to_numpy()
    ok = ~np.isnan(city)
    tot = np.bincount(how[ok], weights=city[ok], minlength=168)
    n = np.bincount(how[ok], minlength=168)
    rate = np.where(n > 0, tot / np.maximum(n, 1), np.nanmean(city))
    expected = rate[how]
    zero = ok & (city == 0)
    threshold = -np.log(p_value)
    out: list[Outage] = []
    i, T = 0, len(city)
    while i < T:
        if not zero[i]:
            i += 1
            continue
        j = i
        while j < T and zero[j]:
            j += 1
        e = float(expected[i:j].sum())
        if j - i >= min_hours and e > threshold:
            a = max(0, i - pad_hours)
            b = min(T, j + pad_hours)
            end = hours[b] if b < T else hours[-1] + pd.Timedelta(hours=1)
            out.append(Outage(hours[a], end, j - i, e))
        i = j
    return out


def mask_windows(counts: pd.DataFrame, windows: Iterable[tuple]) -> pd.DataFrame:
    """Set ``calls`` to NaN in every district for hours in ``[start, end)`` of each window."""
    out = counts.copy()
    out["calls"] = out["calls"].astype(float)
    hs = out["hour_start"]
    for start, end in windows:
        start = pd.Timestamp(start)
        end = pd.Timestamp(end)
        tz = hs.dt.tz
        if start.tzinfo is None:
            start = start.tz_localize(tz)
        if end.tzinfo is None:
            end = end.tz_localize(tz)
        # an hour overlapping the window at all is masked
        sel = (hs + pd.Timedelta(hours=1) > start) & (hs < end)
        out.loc[sel, "calls"] = np.nan
    return out


def mask_outages(counts: pd.DataFrame, outages: list[Outage] | None = None, **detect_options) -> tuple[
        pd.DataFrame, list[Outage]]:
    """Detect (unless given) and mask outages; logs one warning naming the windows."""
    if outages is None:
        outages = detect_outages(counts, **detect_options)
    if not outages:
        return counts, []
    log.warning("Suspected feed outage(s), masked from fitting and scoring: %s.",
                "; ".join(o.describe() for o in outages))
    return mask_windows(counts, [(o.start, o.end) for o in outages]), outages
