import datetime as dt
import logging

import numpy as np
import pandas as pd
import pytest

from forecast.models import get_model
from forecast.timegrid import local_hours, week_hours

TZ = "America/New_York"


def dense(weeks=4, level=6.0, seed=2):
    hrs = local_hours(dt.date(2016, 1, 4), 7 * weeks, TZ)
    h = hrs.tz_localize(None).hour.to_numpy()
    rate = level * (1 + 0.6 * np.sin((h - 9) / 24 * 2 * np.pi))
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"district": "city", "hour_start": hrs, "calls": rng.poisson(rate)}), rate[:168]


def test_mstl_recovers_dense_rate():
    hist, rate = dense(weeks=6)
    fc = get_model("mstl").fit(hist).predict(week_hours(dt.date(2016, 2, 15), TZ))
    assert abs(fc["mean"].mean() / rate.mean() - 1) < 0.1
    assert np.corrcoef(fc["mean"], rate)[0, 1] > 0.7
    assert fc["p90"].dtype.kind == "i" and (fc["p10"] >= 0).all()


def test_prophet_tiny_fit_quiet(caplog):
    pytest.importorskip("prophet")
    hist, rate = dense(weeks=3)
    with caplog.at_level(logging.INFO):
        fc = get_model("prophet", holidays_country="US").fit(hist).predict(week_hours(dt.date(2016, 1, 25), TZ))
    assert not [r for r in caplog.records if r.name.startswith(("cmdstanpy", "prophet")) and r.levelno < logging.WARNING]
    assert abs(fc["mean"].mean() / rate.mean() - 1) < 0.15
    assert (fc["p10"] >= 0).all() and fc["p50"].dtype.kind == "i"


def test_backtest_command_writes_csv(tmp_path, capsys):
    from roster.cli.backtest import backtest

    rng = np.random.default_rng(0)
    hrs = local_hours(dt.date(2016, 1, 3), 7 * 3 + 2, TZ)
    rows = []
    for h in hrs:
        for d, lvl in (("a", 0.8), ("b", 0.3)):
            for _ in range(rng.poisson(lvl)):
                rows.append((h + pd.Timedelta(minutes=int(rng.integers(60)))).isoformat() + f",{d}")
    p = tmp_path / "calls.csv"
    p.write_text("timestamp,district\n" + "\n".join(rows) + "\n")
    code = backtest(p, None, TZ, ["seasonal_naive"], 1, 7, 8, tmp_path / "out")
    assert code == 0
    table = pd.read_csv(tmp_path / "out" / "backtest.csv")
    assert set(table["model"]) == {"seasonal_naive", "seasonal_naive_4w", "historical_average", "prophet"}
    assert set(table["district"]) == {"a", "b", "ALL"} and set(table["level"]) == {"hour", "block"}
    out = capsys.readouterr().out
    assert "poisson_deviance" in out and "backtest.csv" in out
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_backtest_command_accepts_hourly_counts(tmp_path):
    from roster.cli.backtest import backtest

    hrs = local_hours(dt.date(2016, 1, 4), 7 * 3, TZ)
    y = np.random.default_rng(1).poisson(1.0, len(hrs))
    p = tmp_path / "hourly.csv"
    pd.DataFrame({"hour_start": [h.isoformat() for h in hrs], "district": "a", "calls": y}).to_csv(p, index=False)
    assert backtest(p, None, TZ, [], 1, 7, 8, tmp_path) == 0
    table = pd.read_csv(tmp_path / "backtest.csv")
    assert "poisson_glm" in set(table["model"]) and table["origins"].max() == 1
