"""Pooled Poisson regression (statsmodels GLM): the default forecast model.

Model for district ``d`` and local hour ``t``::

    log mu[d, t] = level[d] + s[how(t)] + b_hol * holiday(t) + b_trend * t
                   + log m[d, bucket(t)] + log event_multiplier[d, t]

* ``s`` is the city's hour-of-week shape (168 local (weekday, hour) levels;
  holidays use the Sunday profile plus the holiday term ``b_hol``);
* ``level[d]`` is the district's own level;
* ``m[d, bucket]`` lets a district keep its own coarse shape (12 buckets:
  weekday/weekend × six 4-hour blocks) where its data supports it: a
  Poisson–gamma (empirical Bayes) multiplier ``(O + k) / (E + k)`` shrunk
  towards 1, with ``k`` estimated from the spread of the districts' observed
  over expected counts (no per-city tuning).

Fitting is exact and fast: with a shared time pattern, the Poisson likelihood
factorises into the city total (Poisson with the time pattern) times a
multinomial split across districts, so the time pattern is fitted by a
statsmodels Poisson GLM on the city-total hourly series (one row per hour, not
per district-hour) and each district level is its share.  A fit on 20
districts × 1 year takes a fraction of a second.

Predictive distribution: Poisson, or negative binomial (NB2) when the
district-hour residuals show over-dispersion (``family="auto"``, the
default), with the dispersion estimated by moments from in-sample residuals.
Quantiles are the integer quantiles of that distribution.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from forecast.events import holiday_flags
from forecast.models.base import ForecastModel, hour_keys

log = logging.getLogger("forecast")

_N_BUCKETS = 12


def _buckets(keys: pd.DataFrame, holiday: np.ndarray) -> np.ndarray:
    weekend = (keys["weekday"].to_numpy() >= 5) | holiday
    return weekend.astype(np.int64) * 6 + keys["hour"].to_numpy() // 4


class PoissonGLM(ForecastModel):
    """Pooled Poisson GLM on hour-of-week, holidays and trend with per-district level and shrunk shape.

    Options: ``family`` ("auto" | "poisson" | "negbin"), ``trend`` (bool),
    ``district_shape`` (bool), ``max_weeks`` (history used, default 52),
    plus the common ``holidays_country``, ``holidays_subdivision``, ``events``.
    """

    name = "poisson_glm"

    def __init__(self, *, family: str = "auto", trend: bool = True, district_shape: bool = True,
                 max_weeks: int = 52, **kw):
        super().__init__(**kw)
        if family not in ("auto", "poisson", "negbin"):
            raise ValueError("family must be 'auto', 'poisson' or 'negbin'")
        self.family = family
        self.trend = trend
        self.district_shape = district_shape
        self.max_weeks = max_weeks

    # ---------------------------------------------------------------------------------------------
    def _features(self, hours: pd.DatetimeIndex):
        keys = hour_keys(hours)
        hol = holiday_flags(hours, self.holidays_country, self.holidays_subdivision)
        weekday = np.where(hol, 6, keys["weekday"].to_numpy())
        how = weekday * 24 + keys["hour"].to_numpy()
        t_years = ((hours - self.history_end_) / pd.Timedelta(days=365.25)).to_numpy(dtype=float)
        return keys, hol, how, t_years

    def _design(self, how, hol, t_years):
        X = np.zeros((len(how), 168 + 2))
        X[np.arange(len(how)), how] = 1.0
        X[:, 168] = hol
        X[:, 169] = t_years
        return X

    def _fit(self, Y: np.ndarray, hours: pd.DatetimeIndex) -> None:
        import statsmodels.api as sm

        if self.max_weeks:
            keep = hours >= hours[-1] - pd.Timedelta(weeks=self.max_weeks)
            Y, hours = Y[:, keep], hours[keep]
        D, T = Y.shape
        observed = ~np.isnan(Y)
        obs_t = observed.all(axis=0)
        partial = (~obs_t & observed.any(axis=0)).sum()
        if partial:
            log.info("poisson_glm: %d hours observed in only some districts are left out of the fit.", partial)
        Yo = np.where(observed, Y, 0.0)
        mult = self._event_multipliers(hours)
        keys, hol, how, t_years = self._features(hours)

        totals = Yo[:, obs_t].sum(axis=1)
        if (totals <= 0).any():
            empty = [d for d, t in zip(self.districts_, totals) if t <= 0]
            log.warning("poisson_glm: district(s) %s have no calls in the history; their forecast is 0.",
                        ", ".join(empty))
        share0 = totals / np.maximum(mult[:, obs_t].sum(axis=1), 1e-12)
        share0 = share0 / max(share0.sum(), 1e-12)

        X = self._design(how, hol, t_years)
        cols = np.ones(X.shape[1], dtype=bool)
        present = X[obs_t].any(axis=0)
        cols[:168] = present[:168]
        cols[168] = bool(hol[obs_t].any())
        cols[169] = self.trend
        y_city = Yo[:, obs_t].sum(axis=0)
        exposure = np.maximum((share0[:, None] * mult[:, obs_t]).sum(axis=0), 1e-12)
        # Collapse hours with identical covariates (exact for Poisson): cells of (hour-of-week,
        # holiday, 4-week trend bucket) with summed counts and exposures; the trend inside a
        # cell is its exposure-weighted mean time (4 weeks of a slow trend: negligible error).
        tb = np.floor((t_years[obs_t] - t_years[obs_t].min()) / (28 / 365.25)).astype(np.int64)
        cell_key = (tb * 168 + how[obs_t]) * 2 + hol[obs_t].astype(np.int64)
        uniq, inv = np.unique(cell_key, return_inverse=True)
        n_cells = len(uniq)
        y_cell = np.bincount(inv, weights=y_city, minlength=n_cells)
        e_cell = np.bincount(inv, weights=exposure, minlength=n_cells)
        t_cell = np.bincount(inv, weights=exposure * t_years[obs_t], minlength=n_cells) / e_cell
        how_cell = (uniq // 2) % 168
        X_cell = self._design(how_cell, (uniq % 2).astype(float), t_cell)[:, cols]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y_cell, X_cell, family=sm.families.Poisson(), offset=np.log(e_cell),
                         hasconst=True).fit()
        beta = np.zeros(X.shape[1])
        beta[cols] = res.params
        if not cols[:168].all():  # hour-of-week levels never observed: use the mean of the others
            beta[:168][~cols[:168]] = beta[:168][cols[:168]].mean()
        self._beta = beta

        g = X @ beta
        base = mult * np.exp(g)[None, :]
        level = totals / np.maximum(np.where(observed, base, 0.0)[:, obs_t].sum(axis=1), 1e-12)
        mu = level[:, None] * base

        m = np.ones((D, _N_BUCKETS))
        if self.district_shape and D > 1:
            b = _buckets(keys, hol)
            O = np.zeros((D, _N_BUCKETS))
            E = np.zeros((D, _N_BUCKETS))
            for d in range(D):
                w = obs_t
                np.add.at(O[d], b[w], Yo[d, w])
                np.add.at(E[d], b[w], mu[d, w])
            tau2 = ((O - E) ** 2 - E).sum() / max((E ** 2).sum(), 1e-12)
            if tau2 > 0:
                k = 1.0 / tau2
                m = (O + k) / (E + k)
                mu = mu * m[np.arange(D)[:, None], b[None, :]]
                rescale = totals / np.maximum(mu[:, obs_t].sum(axis=1), 1e-12)
                level = level * rescale
                mu = mu * rescale[:, None]
            self.shape_prior_k_ = (1.0 / tau2) if tau2 > 0 else np.inf
        self._level = level
        self._m = m

        alpha = 0.0
        if self.family in ("auto", "negbin"):
            r = Yo[:, obs_t] - mu[:, obs_t]
            mm = mu[:, obs_t]
            alpha = max(0.0, float(((r ** 2 - mm).sum()) / max((mm ** 2).sum(), 1e-12)))
            if self.family == "auto" and alpha < 0.01:
                alpha = 0.0
        self.alpha_ = alpha

    def _predict(self, hours: pd.DatetimeIndex):
        keys, hol, how, t_years = self._features(hours)
        X = self._design(how, hol, t_years)
        g = X @ self._beta
        mu = self._level[:, None] * np.exp(g)[None, :]
        b = _buckets(keys, hol)
        mu = mu * self._m[np.arange(len(self._level))[:, None], b[None, :]]
        return mu, self.alpha_
