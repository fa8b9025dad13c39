"""Seasonal baselines with a Poisson predictive distribution.

"Same hour" means the same local (weekday, clock hour).  Around DST:

* a target hour whose source day lacks that clock hour (the skipped hour at
  spring-forward) takes the previous clock hour of that day (or the next one);
* a source day with a repeated clock hour (fall-back) contributes its first
  occurrence; both copies of a repeated target hour get the same source value.

Masked (NaN) source hours are skipped: the model looks one more week back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.models.base import ForecastModel, hour_keys


def lag_columns(history_hours: pd.DatetimeIndex, target_hours: pd.DatetimeIndex, weeks_back: int) -> np.ndarray:
    """Column position in ``history_hours`` of the same local (date - 7*weeks_back, hour); -1 if absent."""
    hk = hour_keys(history_hours)
    tk = hour_keys(target_hours)
    hist_key = hk["ordinal"].to_numpy(np.int64) * 24 + hk["hour"].to_numpy(np.int64)
    first = ~pd.Index(hist_key).duplicated(keep="first")
    index = pd.Index(hist_key[first])
    positions = np.flatnonzero(first)
    src_day = tk["ordinal"].to_numpy(np.int64) - 7 * weeks_back
    hour = tk["hour"].to_numpy(np.int64)
    src = src_day * 24 + hour
    day_present = np.isin(src_day, hk["ordinal"].to_numpy(np.int64))
    out = np.full(len(src), -1, dtype=np.int64)
    for shift in (0, -1, 1):
        todo = out < 0
        if shift:  # neighbouring clock hour, same source day only (DST gaps)
            todo &= day_present & (hour + shift >= 0) & (hour + shift <= 23)
        if not todo.any():
            break
        found = index.get_indexer(src[todo] + shift)
        ok = found >= 0
        idx = np.flatnonzero(todo)[ok]
        out[idx] = positions[found[ok]]
    return out


class _SeasonalWeeks(ForecastModel):
    """Mean of the same local hour-of-week over the ``weeks`` most recent weeks available."""

    weeks = 1
    max_lookback = 60 + 52  # a week up to 52 weeks past the history still finds its source weeks

    def __init__(self, *, weeks: int | None = None, **kw):
        super().__init__(**kw)
        if weeks is not None:
            self.weeks = int(weeks)

    def _fit(self, Y, hours):
        self._Y = Y
        self._hours = hours
        with np.errstate(invalid="ignore"):
            self._fallback = np.nan_to_num(np.nanmean(Y, axis=1), nan=0.0)

    def _predict(self, hours):
        D, H = self._Y.shape[0], len(hours)
        total = np.zeros((D, H))
        count = np.zeros((D, H))
        used_weeks = np.zeros(H, dtype=np.int64)  # per target: how many source weeks found (any district)
        for k in range(1, self.max_lookback + 1):
            need = used_weeks < self.weeks
            if not need.any():
                break
            cols = lag_columns(self._hours, hours, k)
            avail = (cols >= 0) & need
            if not avail.any():
                if k * 7 > (hours.max() - self._hours.min()).days + 7:
                    break
                continue
            vals = self._Y[:, cols[avail]]
            ok = ~np.isnan(vals)
            sub_total = total[:, avail]
            sub_count = count[:, avail]
            sub_total += np.where(ok, vals, 0.0)
            sub_count += ok
            total[:, avail] = sub_total
            count[:, avail] = sub_count
            # a week counts as used when it exists for the target, even if masked for some district;
            # masked weeks are replaced by looking further back only while nothing was observed yet
            used_weeks[avail] += (ok.any(axis=0)).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / np.maximum(count, 1), self._fallback[:, None])
        return mean, 0.0


class SeasonalNaive(_SeasonalWeeks):
    """Same local hour last week (Poisson predictive)."""

    name = "seasonal_naive"
    weeks = 1


class SeasonalNaive4w(_SeasonalWeeks):
    """Mean of the same local hour-of-week over the last 4 weeks (Poisson predictive)."""

    name = "seasonal_naive_4w"
    weeks = 4


class HistoricalAverage(_SeasonalWeeks):
    """Mean of the same local hour-of-week over the last 26 weeks (Poisson predictive).

    A seasonal historical average: with hourly crisis data a flat all-hours
    mean would be a straw man, so the baseline keeps the weekly profile.
    """

    name = "historical_average"
    weeks = 26
