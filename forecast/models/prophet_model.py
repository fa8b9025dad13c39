"""Prophet, as users know it: one model per district with daily and weekly seasonality and holidays.

Prophet works on naive timestamps; it is given the local wall-clock time (the
repeated fall-back hour appears twice, the skipped spring-forward hour not at
all), so its daily seasonality follows the local clock.  Masked hours are left
out (Prophet handles gaps).  Its mean forecast ``yhat`` is clipped at a small
floor and used as the mean of a Poisson predictive distribution (Prophet's
own intervals are Gaussian and can go negative, which makes no sense for
counts; Poisson gives it integer quantiles and a proper CRPS).  ``cmdstanpy``
and ``prophet`` logging is quieted to WARNING.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from forecast.models.base import ForecastModel

_FLOOR = 1e-3


def _quiet() -> None:
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # prophet.plot logs "Importing plotly failed" at ERROR on import; plots are never used here
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)


class ProphetModel(ForecastModel):
    name = "prophet"

    def __init__(self, *, seasonality_mode: str = "additive", **kw):
        super().__init__(**kw)
        self.seasonality_mode = seasonality_mode

    def _holidays_frame(self, hours: pd.DatetimeIndex, until: pd.Timestamp) -> pd.DataFrame | None:
        if not self.holidays_country:
            return None
        import holidays

        years = range(hours.min().year, until.year + 2)
        cal = holidays.country_holidays(self.holidays_country, subdiv=self.holidays_subdivision, years=years)
        if not cal:
            return None
        return pd.DataFrame({"holiday": list(cal.values()), "ds": pd.to_datetime(list(cal.keys())),
                             "lower_window": 0, "upper_window": 0})

    def _fit(self, Y, hours):
        _quiet()
        from prophet import Prophet

        _quiet()
        ds = hours.tz_localize(None)
        hol = self._holidays_frame(hours, hours.max())
        self._models = []
        for d in range(Y.shape[0]):
            ok = ~np.isnan(Y[d])
            m = Prophet(daily_seasonality=True, weekly_seasonality=True, yearly_seasonality="auto",
                        holidays=hol, seasonality_mode=self.seasonality_mode, uncertainty_samples=0)
            with warnings.catch_warnings():  # Prophet's own pandas deprecation warnings
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                m.fit(pd.DataFrame({"ds": ds[ok], "y": Y[d, ok]}))
            self._models.append(m)

    def _predict(self, hours):
        future = pd.DataFrame({"ds": hours.tz_localize(None)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            rows = [np.maximum(m.predict(future)["yhat"].to_numpy(dtype=float), _FLOOR) for m in self._models]
        return np.vstack(rows), 0.0
