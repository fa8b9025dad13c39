"""Count predictive distributions: Poisson and negative binomial (NB2), pure numpy/scipy.

A predictive distribution per cell is given by its mean ``mu`` and NB2
dispersion ``alpha`` (variance ``mu + alpha * mu**2``); ``alpha == 0`` is Poisson.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

_TINY = 1e-12


def _nb_params(mu, alpha):
    n = 1.0 / alpha
    p = n / (n + mu)
    return n, p


def count_cdf(k, mu, alpha=0.0):
    """P(Y <= k) for integer ``k`` (broadcasting)."""
    k, mu, alpha = np.broadcast_arrays(np.asarray(k, dtype=float), np.asarray(mu, dtype=float),
                                       np.asarray(alpha, dtype=float))
    mu = np.maximum(mu, _TINY)
    out = np.empty(k.shape, dtype=float)
    pois = alpha <= 0
    out[pois] = stats.poisson.cdf(k[pois], mu[pois])
    if (~pois).any():
        n, p = _nb_params(mu[~pois], alpha[~pois])
        out[~pois] = stats.nbinom.cdf(k[~pois], n, p)
    return out


def count_ppf(q: float, mu, alpha=0.0) -> np.ndarray:
    """Smallest integer ``k >= 0`` with ``P(Y <= k) >= q`` (int64, never negative)."""
    mu, alpha = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(alpha, dtype=float))
    mu_c = np.maximum(np.nan_to_num(mu, nan=0.0), _TINY)
    out = np.empty(mu.shape, dtype=float)
    pois = alpha <= 0
    out[pois] = stats.poisson.ppf(q, mu_c[pois])
    if (~pois).any():
        n, p = _nb_params(mu_c[~pois], alpha[~pois])
        out[~pois] = stats.nbinom.ppf(q, n, p)
    out = np.where(np.isfinite(out), out, 0.0)
    return np.maximum(out, 0).astype(np.int64)


def poisson_deviance(y, mu, floor: float = 1e-3) -> np.ndarray:
    """Unit Poisson deviance ``2 (y log(y/mu) - (y - mu))`` with ``mu`` clipped at ``floor``."""
    y = np.asarray(y, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * (term - (y - mu))


def crps_count(y, mu, alpha=0.0, *, tail: float = 1e-10, chunk: int = 20000) -> np.ndarray:
    """Exact CRPS of a count predictive distribution: ``sum_k (F(k) - 1{y <= k})**2``.

    The sum runs over the integer support up to where both the outcome is
    passed and the remaining tail mass is below ``tail`` (the neglected part is
    at most ``tail`` times the expected exceedance, i.e. negligible).
    """
    y = np.asarray(y, dtype=float).ravel()
    mu, alpha = (np.broadcast_to(np.asarray(a, dtype=float), y.shape).ravel() for a in (mu, alpha))
    out = np.empty(y.shape, dtype=float)
    for s in range(0, len(y), chunk):
        yy, mm, aa = y[s:s + chunk], mu[s:s + chunk], alpha[s:s + chunk]
        if len(yy) == 0:
            continue
        kmax = int(max(np.nanmax(yy), np.max(count_ppf(1 - tail, mm, aa)))) + 2
        k = np.arange(kmax + 1, dtype=float)
        F = count_cdf(k[None, :], mm[:, None], aa[:, None])
        ind = (yy[:, None] <= k[None, :]).astype(float)
        out[s:s + chunk] = ((F - ind) ** 2).sum(axis=1)
    return out


def pinball(y, q_forecast, q: float) -> np.ndarray:
    """Pinball (quantile) loss of quantile forecast ``q_forecast`` at level ``q``."""
    y = np.asarray(y, dtype=float)
    f = np.asarray(q_forecast, dtype=float)
    return np.where(y >= f, q * (y - f), (1 - q) * (f - y))


def sum_dispersion(mu, alpha, axis) -> tuple[np.ndarray, np.ndarray]:
    """Mean and moment-matched NB2 dispersion of a sum of independent counts along ``axis``."""
    mu = np.asarray(mu, dtype=float)
    alpha = np.broadcast_to(np.asarray(alpha, dtype=float), mu.shape)
    m = mu.sum(axis=axis)
    extra = (alpha * mu ** 2).sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(m > 0, extra / np.maximum(m, _TINY) ** 2, 0.0)
    return m, a
