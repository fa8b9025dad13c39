"""The common model interface: ``fit(history)`` then ``predict(hours, quantiles)``.

``history`` is the long hourly frame ``district, hour_start, calls`` (tz-aware
local ``hour_start``; ``calls`` NaN for masked hours).  The model sees nothing
but ``history``: the caller cuts it at the forecast origin.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.distributions import count_ppf
from forecast.errors import ForecastInputError
from forecast.events import Event, event_multipliers

log = logging.getLogger("forecast")

DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


def quantile_name(q: float) -> str:
    """Column name for quantile ``q``: 0.1 → ``p10``, 0.5 → ``p50``, 0.975 → ``p97.5``."""
    pct = round(q * 100, 6)
    return f"p{int(pct)}" if float(pct).is_integer() else f"p{pct:g}"


@dataclass
class CountForecast:
    """Predictive count distributions on a districts × hours grid.

    ``mean[d, h]`` is the forecast mean, ``alpha`` the NB2 dispersion
    (scalar or array broadcastable to ``mean``; 0 means Poisson).
    """

    districts: list[str]
    hours: pd.DatetimeIndex
    mean: np.ndarray
    alpha: np.ndarray | float = 0.0

    def alpha_array(self) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.alpha, dtype=float), self.mean.shape)

    def quantile(self, q: float) -> np.ndarray:
        return count_ppf(q, self.mean, self.alpha_array())

    def to_frame(self, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        D, H = self.mean.shape
        out = pd.DataFrame({
            "district": np.repeat(np.array(self.districts, dtype=object), H),
            "hour_start": self.hours[np.tile(np.arange(H), D)],
            "mean": self.mean.ravel(),
        })
        for q in quantiles:
            out[quantile_name(q)] = self.quantile(q).ravel()
        return out


def hour_keys(hours: pd.DatetimeIndex) -> pd.DataFrame:
    """Local calendar keys of tz-aware hours: date ordinal, weekday, hour, repeat flag, hour-of-week."""
    naive = hours.tz_localize(None)
    ordinal = (naive.normalize() - pd.Timestamp("1970-01-01")).days.to_numpy()
    hour = naive.hour.to_numpy()
    key = ordinal.astype(np.int64) * 24 + hour
    repeat = pd.Index(key).duplicated(keep="first")
    return pd.DataFrame({
        "ordinal": ordinal, "weekday": naive.day_of_week.to_numpy(), "hour": hour,
        "repeat": repeat, "how": naive.day_of_week.to_numpy() * 24 + hour,
    })


def check_history(history: pd.DataFrame, *, min_days: float = 14) -> None:
    missing = [c for c in ("district", "hour_start", "calls") if c not in history.columns]
    if missing:
        raise ForecastInputError(
            f"The history passed to the forecast model lacks column(s) {missing}; it must be the long "
            "hourly frame district, hour_start, calls (see forecast.aggregate.hourly_counts)."
        )
    hs = history["hour_start"]
    if not isinstance(hs.dtype, pd.DatetimeTZDtype):
        raise ForecastInputError("history.hour_start must be tz-aware local hour starts.")
    if len(history) == 0:
        raise ForecastInputError("The history is empty; at least two weeks of hourly counts are needed.")
    span = hs.max() - hs.min() + pd.Timedelta(hours=1)
    if span < pd.Timedelta(days=min_days):
        raise ForecastInputError(
            f"The history covers only {span} (from {hs.min().isoformat()} to {hs.max().isoformat()}); "
            "at least two weeks of hourly counts are needed to forecast a week. Provide a longer history."
        )


class ForecastModel:
    """Base class. Subclasses implement ``_fit(wide, hours)`` and ``_predict_mean(hours)``.

    Options common to all models: ``holidays_country``, ``holidays_subdivision``
    (``holidays`` package codes, e.g. ``"US"``, ``"PA"``) and ``events`` (a list of
    :class:`forecast.events.Event`).  Event multipliers are applied to every
    model's forecast mean in the event's hours and districts.
    """

    name = "base"
    min_history_days = 14

    def __init__(self, *, holidays_country: str | None = None, holidays_subdivision: str | None = None,
                 events: Sequence[Event] | None = None, **options):
        if options:
            raise TypeError(f"{self.name}: unknown option(s) {sorted(options)}")
        self.holidays_country = holidays_country
        self.holidays_subdivision = holidays_subdivision
        self.events = list(events or [])

    # -- public API -------------------------------------------------------------------------
    def fit(self, history: pd.DataFrame) -> "ForecastModel":
        check_history(history, min_days=self.min_history_days)
        tz = history["hour_start"].dt.tz
        wide = (history.assign(district=history["district"].astype(str))
                .groupby(["district", "hour_start"], sort=True)["calls"].sum(min_count=1).unstack())
        hours = pd.DatetimeIndex(wide.columns).tz_convert(tz)
        # a complete UTC-built grid (missing rows are unobserved, not zero)
        full = pd.date_range(hours.min().tz_convert("UTC"), hours.max().tz_convert("UTC"), freq="h").tz_convert(tz)
        wide = wide.reindex(columns=full)
        wide.columns = full
        self.timezone_ = tz
        self.districts_ = [str(d) for d in wide.index]
        self.history_end_ = full[-1] + pd.Timedelta(hours=1)
        Y = wide.to_numpy(dtype=float)
        self._fit(Y, full)
        return self

    def predict_distribution(self, hours: pd.DatetimeIndex) -> CountForecast:
        if not hasattr(self, "districts_"):
            raise RuntimeError(f"{self.name}: call fit() before predict()")
        hours = pd.DatetimeIndex(hours)
        if hours.tz is None:
            raise ValueError("hours must be tz-aware (e.g. forecast.timegrid.week_hours)")
        hours = hours.tz_convert(self.timezone_)
        mean, alpha = self._predict(hours)
        mean = np.nan_to_num(np.asarray(mean, dtype=float), nan=0.0)
        mean = np.maximum(mean, 0.0) * self._event_multipliers(hours)
        return CountForecast(list(self.districts_), hours, mean, alpha)

    def predict(self, hours: pd.DatetimeIndex, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> pd.DataFrame:
        """Long frame ``district, hour_start, mean, p10, p50, p90`` (quantiles are int64, >= 0)."""
        return self.predict_distribution(hours).to_frame(quantiles)

    # -- helpers for subclasses --------------------------------------------------------------
    def _event_multipliers(self, hours: pd.DatetimeIndex) -> np.ndarray:
        return event_multipliers(self.events, self.districts_, hours)

    def _holiday_dates(self, start: dt.date, end: dt.date) -> set[dt.date]:
        from forecast.events import holiday_dates

        return holiday_dates(self.holidays_country, self.holidays_subdivision, start, end)

    def _fit(self, Y: np.ndarray, hours: pd.DatetimeIndex) -> None:  # pragma: no cover
        raise NotImplementedError

    def _predict(self, hours: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray | float]:  # pragma: no cover
        raise NotImplementedError
