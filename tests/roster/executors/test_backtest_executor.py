"""The forecast backtest's origins through the executors: the same scores as the serial loop, in the same order."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from forecast.backtest import backtest
from forecast.timegrid import local_hours
from roster.executors import ProcessExecutor, SerialExecutor

TZ = "America/New_York"


def counts() -> pd.DataFrame:
    hours = local_hours(dt.date(2026, 8, 3), 7 * 8, TZ)
    rng = np.random.default_rng(5)
    frames = [pd.DataFrame({"district": d, "hour_start": hours,
                            "calls": rng.poisson(lam * (1 + 0.5 * np.sin(np.arange(len(hours)) * 2 * np.pi / 24))).astype(float)})
              for d, lam in (("a", 1.5), ("b", 0.6))]
    return pd.concat(frames, ignore_index=True)


def test_origins_on_processes_score_as_the_serial_loop():
    c = counts()
    models = ["seasonal_naive", "historical_average"]
    plain, plain_cells = backtest(c, models, origins=4, return_cells=True)
    serial, _ = backtest(c, models, origins=4, return_cells=True, map_fn=SerialExecutor().map)
    pooled, pooled_cells = backtest(c, models, origins=4, return_cells=True, map_fn=ProcessExecutor(2).map)
    scores = [col for col in plain.columns if col != "fit_predict_seconds"]
    pd.testing.assert_frame_equal(plain[scores], serial[scores])
    pd.testing.assert_frame_equal(plain[scores], pooled[scores])
    pd.testing.assert_frame_equal(plain_cells, pooled_cells)
    assert plain["origins"].max() == 4
