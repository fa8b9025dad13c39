"""Calls → complete hourly grids per district on the local clock (pure, no I/O).

The long hourly frame used everywhere in ``forecast`` has columns
``district`` (str), ``hour_start`` (tz-aware local hour start) and ``calls``.
``calls`` is an integer count; after :func:`forecast.outages.mask_outages` it is
float with NaN for masked (unobserved) hours.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

log = logging.getLogger("forecast")


def local_hour_start(ts: pd.Series | pd.DatetimeIndex, timezone: str) -> pd.DatetimeIndex:
    """The start of the local clock hour containing each instant.

    Works on the wall clock, so zones with a half-hour UTC offset get local hour
    starts, and the two copies of the repeated DST hour stay distinct.
    """
    idx = pd.DatetimeIndex(ts).tz_convert(ZoneInfo(timezone))
    naive = idx.tz_localize(None)
    into_hour = naive - naive.floor("h")
    return idx - into_hour


def _to_local_ts(value, timezone: str, *, end: bool = False) -> pd.Timestamp:
    tz = ZoneInfo(timezone)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pd.Timestamp(value).tz_localize(tz, ambiguous=False, nonexistent="shift_forward")
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        return ts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return ts.tz_convert(tz)


def hour_grid(start, end, timezone: str) -> pd.DatetimeIndex:
    """Local hour starts from ``start`` (inclusive) to ``end`` (exclusive), built in UTC.

    ``start``/``end`` may be dates (local midnight), naive local datetimes or
    tz-aware timestamps; ``start`` is moved back to its local hour start.
    """
    s = local_hour_start(pd.DatetimeIndex([_to_local_ts(start, timezone)]), timezone)[0]
    e = _to_local_ts(end, timezone)
    utc = pd.date_range(s.tz_convert("UTC"), e.tz_convert("UTC"), freq="h", inclusive="left")
    return utc.tz_convert(ZoneInfo(timezone))


def hourly_counts(
    calls: pd.DataFrame,
    timezone: str,
    *,
    start=None,
    end=None,
    districts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Count calls per district and local clock hour on a complete grid.

    Returns a long frame ``district, hour_start, calls`` (int64) sorted by
    district then hour, with every hour of ``[start, end)`` for every district
    (true zeros filled).  DST days have 23 or 25 rows per district.  Defaults:
    ``start`` = the hour of the first call, ``end`` = the end of the hour of the
    last call (so partial first/last days are not padded with false zeros).
    ``districts`` fixes the district list (districts without calls get zeros;
    calls in districts not listed are dropped with a warning).
    """
    tz = ZoneInfo(timezone)
    ts = pd.DatetimeIndex(calls["timestamp"]).tz_convert(tz)
    hs = local_hour_start(ts, timezone)
    if start is None:
        if len(hs) == 0:
            raise ValueError("no calls and no start given")
        start = hs.min()
    if end is None:
        if len(hs) == 0:
            raise ValueError("no calls and no end given")
        end = hs.max() + pd.Timedelta(hours=1)
    grid = hour_grid(start, end, timezone)
    district = calls["district"].astype(str).to_numpy()
    if districts is None:
        names = sorted(set(district))
    else:
        names = [str(d) for d in districts]
    name_pos = {d: i for i, d in enumerate(names)}
    d_idx = np.array([name_pos.get(d, -1) for d in district], dtype=np.int64)
    other = d_idx < 0
    if other.any():
        log.warning("hourly_counts: dropped %d calls in districts not in the district list (%s).",
                    int(other.sum()), ", ".join(sorted(set(district[other]))[:10]))
    h_idx = grid.get_indexer(hs)
    out_of_range = (h_idx < 0) & ~other
    if out_of_range.any():
        log.info("hourly_counts: %d calls outside [%s, %s) were not counted.",
                 int(out_of_range.sum()), grid[0] if len(grid) else start, end)
    ok = (h_idx >= 0) & ~other
    counts = np.zeros((len(names), len(grid)), dtype=np.int64)
    np.add.at(counts, (d_idx[ok], h_idx[ok]), 1)
    return pd.DataFrame({
        "district": np.repeat(np.array(names, dtype=object), len(grid)),
        "hour_start": grid[np.tile(np.arange(len(grid)), len(names))],
        "calls": counts.ravel(),
    })


def complete_grid(counts: pd.DataFrame, timezone: str, start=None, end=None) -> pd.DataFrame:
    """Re-index a long hourly frame onto a complete hour grid (missing rows → 0 calls).

    Existing NaN ``calls`` (masked or unobserved hours) are kept as NaN; the
    result's ``calls`` is int64 when no NaN remains, else float.
    """
    hs = pd.DatetimeIndex(counts["hour_start"]).tz_convert(ZoneInfo(timezone))
    grid = hour_grid(hs.min() if start is None else start,
                     (hs.max() + pd.Timedelta(hours=1)) if end is None else end, timezone)
    names = sorted(set(counts["district"].astype(str)))
    pos = {d: i for i, d in enumerate(names)}
    d_idx = np.array([pos[d] for d in counts["district"].astype(str)], dtype=np.int64)
    h_idx = grid.get_indexer(hs)
    ok = h_idx >= 0
    arr = np.zeros((len(names), len(grid)), dtype=float)
    arr[d_idx[ok], h_idx[ok]] = counts["calls"].to_numpy(dtype=float)[ok]
    out = pd.DataFrame({
        "district": np.repeat(np.array(names, dtype=object), len(grid)),
        "hour_start": grid[np.tile(np.arange(len(grid)), len(names))],
        "calls": arr.ravel(),
    })
    if not np.isnan(arr).any():
        out["calls"] = out["calls"].astype(np.int64)
    return out


def to_wide(counts: pd.DataFrame, grid: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Long ``district, hour_start, calls`` → float frame (districts × hours), NaN where absent."""
    wide = counts.pivot_table(index="district", columns="hour_start", values="calls",
                              aggfunc="first", dropna=False, sort=True)
    if grid is not None:
        wide = wide.reindex(columns=grid)
    return wide.astype(float)


def long_from_wide(wide: pd.DataFrame, value: str = "calls") -> pd.DataFrame:
    """Districts × hours frame → long ``district, hour_start, <value>``."""
    cols = pd.DatetimeIndex(wide.columns)
    return pd.DataFrame({
        "district": np.repeat(wide.index.to_numpy(dtype=object), len(cols)),
        "hour_start": cols[np.tile(np.arange(len(cols)), len(wide.index))],
        value: wide.to_numpy(dtype=float).ravel(),
    })
