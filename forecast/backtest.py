"""Rolling-origin backtest of forecast models (pure: takes frames, returns frames).

Origins are Mondays 00:00 local.  At each origin every model is fitted on the
hours strictly before it and forecasts the next ``horizon_days`` days.  Scores
are computed for each ``level``:

* ``hour``: every observed district-hour;
* ``block``: totals over consecutive blocks of ``block_hours`` local clock
  clock hours starting at local midnight (on a DST day the block holding the
  repeated/skipped clock hour has one hour more/less); a block with a masked hour is not scored.  The predictive
  distribution of a block total is the sum of the hourly ones (Poisson stays
  Poisson; NB2 sums are moment-matched).

Score columns (means over the scored cells): ``poisson_deviance`` (forecast
mean clipped at ``floor``), ``crps`` (exact, summed over the integer support
of the whole predictive distribution), ``mae``/``rmse`` of the forecast mean,
``pinball_p90`` of the p90 quantile, ``p10_below``/``p10_atmost`` (share of
outcomes strictly below / at or below the p10 forecast) and the same for p90,
and ``fit_predict_seconds`` (total fit + predict time of the model over all
origins, all districts; the same value on each of the model's rows).
District ``ALL`` is the mean over all scored district-hours (or blocks).
Masked hours (NaN calls) are never scored.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from forecast.distributions import count_ppf, crps_count, pinball, poisson_deviance, sum_dispersion
from forecast.models import get_model
from forecast.models.base import CountForecast, ForecastModel
from forecast.timegrid import local_hours

log = logging.getLogger("forecast")

SCORE_COLUMNS = ["level", "model", "district", "origins", "poisson_deviance", "crps", "mae", "rmse",
                 "pinball_p90", "p10_below", "p10_atmost", "p90_below", "p90_atmost", "fit_predict_seconds"]


def default_origins(counts: pd.DataFrame, n: int, horizon_days: int = 7, min_history_days: int = 14) -> list[dt.date]:
    """The last ``n`` Mondays whose horizon lies inside the data and that have enough history."""
    hs = counts["hour_start"]
    tz = hs.dt.tz
    first = hs.min()
    last_end = hs.max() + pd.Timedelta(hours=1)
    day = (last_end - pd.Timedelta(days=horizon_days)).tz_convert(tz).date()
    day -= dt.timedelta(days=day.weekday())
    out = []
    while len(out) < n:
        start = pd.Timestamp(day).tz_localize(tz)
        end = pd.Timestamp(day + dt.timedelta(days=horizon_days)).tz_localize(tz)
        if start - first < pd.Timedelta(days=min_history_days):
            break
        if end <= last_end:
            out.append(day)
        day -= dt.timedelta(days=7)
    return sorted(out)


class OracleModel(ForecastModel):
    """Forecast = a known true rate function ``rate(district, hours) -> array`` (Poisson); ignores history."""

    name = "oracle"

    def __init__(self, rate: Callable[[str, pd.DatetimeIndex], np.ndarray], **kw):
        super().__init__(**kw)
        self.rate = rate

    def _fit(self, Y, hours):
        pass

    def _predict(self, hours):
        return np.vstack([np.asarray(self.rate(d, hours), dtype=float) for d in self.districts_]), 0.0


def _blocks(hours: pd.DatetimeIndex, block_hours: int) -> np.ndarray:
    naive = hours.tz_localize(None)
    day = (naive.normalize() - naive.normalize().min()).days.to_numpy()
    # blocks follow the local clock (like shifts): on a 25-hour day the block holding the
    # repeated hour has one hour more, on a 23-hour day the one holding the skipped hour one less
    per_day = int(np.ceil(24 / block_hours))
    blk = naive.hour.to_numpy() // block_hours
    return day * per_day + blk


def _score_cells(y, mu, alpha, floor):
    """Per-cell scores for flat arrays of outcomes and predictive (mu, alpha)."""
    p10 = count_ppf(0.1, mu, alpha)
    p90 = count_ppf(0.9, mu, alpha)
    return {
        "poisson_deviance": poisson_deviance(y, mu, floor),
        "crps": crps_count(y, mu, alpha),
        "abs": np.abs(y - mu),
        "sq": (y - mu) ** 2,
        "pinball_p90": pinball(y, p90, 0.9),
        "p10_below": (y < p10).astype(float),
        "p10_atmost": (y <= p10).astype(float),
        "p90_below": (y < p90).astype(float),
        "p90_atmost": (y <= p90).astype(float),
    }


def _summarise(cells: pd.DataFrame) -> dict:
    return {
        "origins": int(cells["origin"].nunique()),
        "poisson_deviance": cells["poisson_deviance"].mean(),
        "crps": cells["crps"].mean(),
        "mae": cells["abs"].mean(),
        "rmse": float(np.sqrt(cells["sq"].mean())),
        "pinball_p90": cells["pinball_p90"].mean(),
        "p10_below": cells["p10_below"].mean(),
        "p10_atmost": cells["p10_atmost"].mean(),
        "p90_below": cells["p90_below"].mean(),
        "p90_atmost": cells["p90_atmost"].mean(),
    }


def _serial_map(fn, items):
    return [fn(item) for item in items]


@dataclass
class _OriginTask:
    """One origin of the backtest: everything its fits and scores need."""

    day: dt.date
    tz: str
    horizon_days: int
    block_hours: int
    floor: float
    items: list
    model_options: dict
    common_options: dict
    counts: pd.DataFrame
    wide: pd.DataFrame
    districts: list


def _build(task: _OriginTask, spec):
    if isinstance(spec, str):
        return get_model(spec, **{**task.common_options, **task.model_options.get(spec, {})})
    if isinstance(spec, ForecastModel):
        return spec
    return spec()


def _block_cells(task: _OriginTask, label, y, mu, alpha, blocks) -> pd.DataFrame:
    districts = task.districts
    ub, inv = np.unique(blocks, return_inverse=True)
    nb = len(ub)
    yb = np.zeros((len(districts), nb))
    mb_list, ab_list, bad = [], [], np.zeros((len(districts), nb), dtype=bool)
    for b in range(nb):
        cols = inv == b
        yy = y[:, cols]
        bad[:, b] = np.isnan(yy).any(axis=1)
        yb[:, b] = np.nansum(yy, axis=1)
        m, a = sum_dispersion(mu[:, cols], alpha[:, cols], axis=1)
        mb_list.append(m)
        ab_list.append(a)
    mb = np.column_stack(mb_list)
    ab = np.column_stack(ab_list)
    okb = ~bad
    d_idx, _ = np.nonzero(okb)
    sc = _score_cells(yb[okb], mb[okb], ab[okb], task.floor)
    return pd.DataFrame({"level": "block", "model": label, "origin": task.day,
                         "district": np.array(districts, dtype=object)[d_idx],
                         "y": yb[okb], "mean": mb[okb], **sc})


def _score_origin(task: _OriginTask) -> tuple[list[pd.DataFrame], dict[str, float]]:
    """Fit every model on the history before one origin and score its horizon (hour and block cells)."""
    districts = task.districts
    col_index = pd.DatetimeIndex(task.wide.columns)
    Y_all = task.wide.to_numpy(dtype=float)
    hours = local_hours(task.day, task.horizon_days, task.tz)
    origin = hours[0]
    history = task.counts[task.counts["hour_start"] < origin]
    pos = col_index.get_indexer(hours)
    y = np.full((len(districts), len(hours)), np.nan)
    y[:, pos >= 0] = Y_all[:, pos[pos >= 0]]
    blocks = _blocks(hours, task.block_hours)
    frames, seconds = [], {}
    for label, spec in task.items:
        model = _build(task, spec)
        t0 = time.perf_counter()
        model.fit(history)
        fc: CountForecast = model.predict_distribution(hours)
        seconds[label] = time.perf_counter() - t0
        dpos = [fc.districts.index(d) if d in fc.districts else -1 for d in districts]
        if min(dpos) < 0:
            raise ValueError(f"model {label} did not forecast districts {[d for d, p in zip(districts, dpos) if p < 0]}")
        mu = fc.mean[dpos]
        alpha = fc.alpha_array()[dpos]
        ok = ~np.isnan(y)
        d_idx, h_idx = np.nonzero(ok)
        sc = _score_cells(y[ok], mu[ok], alpha[ok], task.floor)
        frames.append(pd.DataFrame({"level": "hour", "model": label, "origin": task.day,
                                    "district": np.array(districts, dtype=object)[d_idx],
                                    "y": y[ok], "mean": mu[ok], **sc}))
        frames.append(_block_cells(task, label, y, mu, alpha, blocks))
    return frames, seconds


def backtest(
    counts: pd.DataFrame,
    models: Sequence[str | ForecastModel] | Mapping[str, str | ForecastModel | Callable[[], ForecastModel]],
    *,
    origins: int | Sequence[dt.date] = 8,
    horizon_days: int = 7,
    block_hours: int = 8,
    model_options: Mapping[str, dict] | None = None,
    common_options: dict | None = None,
    floor: float = 1e-3,
    return_cells: bool = False,
    map_fn: Callable | None = None,
):
    """Rolling-origin backtest; returns the score table (columns :data:`SCORE_COLUMNS`).

    ``counts`` is the long hourly frame (``calls`` NaN where masked).  ``models``
    are registry names, model instances (re-fitted at every origin) or a
    mapping ``label -> name | instance | factory``.  ``model_options`` gives
    options per registry name; ``common_options`` (e.g. holidays, events) go to
    every model built by name.  With ``return_cells=True`` also returns the
    per-cell frame (for tests and diagnostics).  ``map_fn(fn, items)`` (results in input
    order) runs the origins, e.g. an executor's ``map`` for processes or a Dask cluster;
    by default they run one after the other.  Models given as instances or factories
    must then be picklable.
    """
    tz = counts["hour_start"].dt.tz
    if isinstance(origins, int):
        origin_days = default_origins(counts, origins, horizon_days)
    else:
        origin_days = list(origins)
    if not origin_days:
        raise ValueError("no backtest origin has both two weeks of history and a full horizon of data")
    if isinstance(models, Mapping):
        items = list(models.items())
    else:
        items = [(m if isinstance(m, str) else m.name, m) for m in models]
    model_options = dict(model_options or {})
    common_options = dict(common_options or {})

    wide = (counts.assign(district=counts["district"].astype(str))
            .groupby(["district", "hour_start"], sort=True)["calls"].sum(min_count=1).unstack())
    districts = [str(d) for d in wide.index]
    tasks = [_OriginTask(day, str(tz), horizon_days, block_hours, floor, items, model_options, common_options,
                         counts, wide, districts) for day in origin_days]
    results = (map_fn or _serial_map)(_score_origin, tasks)
    cell_frames = [f for frames, _ in results for f in frames]
    seconds = {label: 0.0 for label, _ in items}
    for _, spent in results:
        for label, v in spent.items():
            seconds[label] += v
    cells = pd.concat(cell_frames, ignore_index=True)
    rows = []
    for level in ("hour", "block"):
        for label, _ in items:
            sub = cells[(cells["level"] == level) & (cells["model"] == label)]
            for d in districts:
                part = sub[sub["district"] == d]
                if len(part):
                    rows.append({"level": level, "model": label, "district": d, **_summarise(part),
                                 "fit_predict_seconds": seconds[label]})
            if len(sub):
                rows.append({"level": level, "model": label, "district": "ALL", **_summarise(sub),
                             "fit_predict_seconds": seconds[label]})
    table = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    return (table, cells) if return_cells else table


def select_model(scores: pd.DataFrame, *, metric: str = "poisson_deviance", level: str = "block",
                 per_district: bool = False) -> str | dict[str, str]:
    """Pick the model with the lowest ``metric`` at ``level`` (overall, or per district).

    Used by ``--model auto``.  Only proper scores should pick a model
    (``poisson_deviance`` or ``crps``); MAE is refused.
    """
    if metric not in ("poisson_deviance", "crps", "pinball_p90"):
        raise ValueError(f"model selection by {metric!r} is not allowed; use poisson_deviance or crps")
    sub = scores[scores["level"] == level]
    if not per_district:
        allrows = sub[sub["district"] == "ALL"]
        return str(allrows.sort_values([metric, "model"]).iloc[0]["model"])
    sub = sub[sub["district"] != "ALL"]
    return {d: str(g.sort_values([metric, "model"]).iloc[0]["model"]) for d, g in sub.groupby("district")}


def choose_model(counts: pd.DataFrame, candidates: Sequence[str] | None = None, *, origins: int = 4,
                 horizon_days: int = 7, block_hours: int = 8, metric: str = "poisson_deviance",
                 level: str = "block", per_district: bool = False, common_options: dict | None = None,
                 ) -> tuple[str | dict[str, str], pd.DataFrame]:
    """``--model auto``: backtest ``candidates`` (default: the default model and the cheap
    baselines) and pick by a proper score.  Returns ``(choice, score_table)``; record both in
    the forecast's metadata."""
    from forecast.models import DEFAULT_MODEL

    cands = list(candidates or [DEFAULT_MODEL, "seasonal_naive_4w", "historical_average"])
    table = backtest(counts, cands, origins=origins, horizon_days=horizon_days, block_hours=block_hours,
                     common_options=common_options)
    return select_model(table, metric=metric, level=level, per_district=per_district), table
