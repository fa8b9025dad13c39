"""MSTL (statsmodels) multiple-seasonal decomposition forecaster, meant for dense series.

Per district, the last ``max_weeks`` weeks of hourly counts are decomposed by
``statsmodels.tsa.seasonal.MSTL`` into trend + daily (24 h) + weekly (168 h)
seasonal components + remainder.  The forecast is the trend level over the last
day plus the sum of the seasonal components at the same local (weekday, hour)
in the most recent week (DST handled like the seasonal naive model), clipped at
a small floor, with a Poisson predictive distribution.  On sparse district-hour
counts (mostly 0/1) the decomposition is noisy; prefer ``poisson_glm`` there.
Masked hours are filled by linear interpolation before decomposing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecast.models.base import ForecastModel
from forecast.models.naive import lag_columns

_FLOOR = 1e-3


class MSTLModel(ForecastModel):
    name = "mstl"

    def __init__(self, *, max_weeks: int = 12, **kw):
        super().__init__(**kw)
        self.max_weeks = max_weeks

    def _fit(self, Y, hours):
        from statsmodels.tsa.seasonal import MSTL

        keep = hours >= hours[-1] - pd.Timedelta(weeks=self.max_weeks)
        Y, hours = Y[:, keep], hours[keep]
        self._hours = hours
        self._level = np.zeros(Y.shape[0])
        self._seasonal = np.zeros_like(Y)
        periods = (24, 168) if len(hours) >= 2 * 168 + 1 else (24,)
        for d in range(Y.shape[0]):
            y = pd.Series(Y[d]).interpolate(limit_direction="both").fillna(0.0).to_numpy()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = MSTL(y, periods=periods).fit()
            seas = np.asarray(res.seasonal)
            self._seasonal[d] = seas.sum(axis=1) if seas.ndim == 2 else seas
            self._level[d] = float(np.mean(np.asarray(res.trend)[-24:]))

    def _predict(self, hours):
        D, H = len(self._level), len(hours)
        seas = np.zeros((D, H))
        todo = np.ones(H, dtype=bool)
        for k in range(1, 60):
            cols = lag_columns(self._hours, hours, k)
            ok = (cols >= 0) & todo
            seas[:, ok] = self._seasonal[:, cols[ok]]
            todo &= ~ok
            if not todo.any():
                break
        return np.maximum(self._level[:, None] + seas, _FLOOR), 0.0
