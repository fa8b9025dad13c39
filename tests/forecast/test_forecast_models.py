import datetime as dt

import numpy as np
import pandas as pd
import pytest

from forecast.errors import ForecastInputError
from forecast.models import available_models, forecast_hours, get_model
from forecast.timegrid import local_hours, week_hours

TZ = "America/New_York"


def synthetic(start, weeks, levels=(2.0, 0.3), seed=0, tz=TZ):
    hrs = local_hours(start, 7 * weeks, tz)
    naive = hrs.tz_localize(None)
    shape = 1 + 0.8 * np.sin((naive.hour.to_numpy() - 9) / 24 * 2 * np.pi) + 0.3 * (naive.day_of_week.to_numpy() >= 5)
    rng = np.random.default_rng(seed)
    frames, rates = [], {}
    for i, lvl in enumerate(levels):
        rate = lvl * shape
        rates[f"d{i}"] = rate
        frames.append(pd.DataFrame({"district": f"d{i}", "hour_start": hrs, "calls": rng.poisson(rate)}))
    return pd.concat(frames, ignore_index=True), hrs, rates


def test_registry():
    assert {"seasonal_naive", "seasonal_naive_4w", "historical_average", "poisson_glm", "prophet"} <= set(
        available_models())
    with pytest.raises(ForecastInputError, match="Unknown forecast model"):
        get_model("crystal_ball")


def test_seasonal_naive_is_last_week_and_uses_only_history():
    hist, hrs, _ = synthetic(dt.date(2016, 1, 4), 3)
    target = week_hours(dt.date(2016, 1, 25), TZ)
    fc = get_model("seasonal_naive").fit(hist).predict(target)
    last = hist[hist.hour_start >= pd.Timestamp("2016-01-18", tz=TZ)]
    assert np.array_equal(fc[fc.district == "d0"]["mean"].to_numpy(), last[last.district == "d0"]["calls"].to_numpy())
    # changing the far past changes nothing for seasonal_naive; 4w uses exactly 3 weeks available here
    fc4 = get_model("seasonal_naive_4w").fit(hist).predict(target)
    d0 = hist[hist.district == "d0"]["calls"].to_numpy().reshape(3, 168).mean(axis=0)
    assert np.allclose(fc4[fc4.district == "d0"]["mean"].to_numpy(), d0)


def test_seasonal_naive_dst_weeks():
    # history ends on the Monday after spring-forward: the target week has a 02:00 on Sunday 2016-03-20
    # but the source day (2016-03-13) does not -> takes the neighbouring 01:00.
    hist, hrs, _ = synthetic(dt.date(2016, 2, 15), 5)  # through 2016-03-20
    target = week_hours(dt.date(2016, 3, 21), TZ)
    fc = get_model("seasonal_naive").fit(hist).predict(target)
    assert len(fc) == 2 * 168
    # fall-back: target week with 169 hours, source week 168
    hist, hrs, _ = synthetic(dt.date(2016, 10, 3), 5)  # through 2016-11-06 (25-hour day is the last one)
    target = week_hours(dt.date(2016, 11, 7), TZ)
    fc = get_model("seasonal_naive").fit(hist[hist.hour_start < pd.Timestamp("2016-11-06", tz=TZ)]).predict(
        week_hours(dt.date(2016, 10, 31), TZ))
    assert len(fc) == 2 * 169
    d0 = fc[fc.district == "d0"].reset_index(drop=True)
    sun = d0[d0.hour_start.dt.day == 6]
    assert len(sun) == 25 and sun["mean"].iloc[1] == sun["mean"].iloc[2]  # both 01:00 copies
    # source week with the repeated hour: the first occurrence is used
    fc2 = get_model("seasonal_naive").fit(hist).predict(target)
    assert len(fc2) == 2 * 168
    d0h = hist[(hist.district == "d0") & (hist.hour_start.dt.day == 6) & (hist.hour_start.dt.month == 11)]
    d0f = fc2[(fc2.district == "d0") & (fc2.hour_start.dt.day == 13)]
    assert d0f["mean"].iloc[1] == d0h["calls"].iloc[1]


@pytest.mark.parametrize("name", ["seasonal_naive_4w", "historical_average"])
def test_baselines_recover_rate_and_quantiles_integer(name):
    hist, hrs, rates = synthetic(dt.date(2016, 1, 4), 30, levels=(3.0, 0.4))
    target = week_hours(dt.date(2016, 8, 1), TZ)
    fc = get_model(name).fit(hist).predict(target, quantiles=(0.1, 0.5, 0.9))
    for col in ("p10", "p50", "p90"):
        assert fc[col].dtype.kind == "i" and (fc[col] >= 0).all()
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()
    m = fc.groupby("district")["mean"].mean()
    tol = 0.12 if name == "seasonal_naive_4w" else 0.06
    assert abs(m["d0"] / rates["d0"].mean() - 1) < tol
    assert abs(m["d1"] / rates["d1"].mean() - 1) < 2 * tol


def test_masked_hours_are_skipped():
    hist, hrs, _ = synthetic(dt.date(2016, 1, 4), 3)
    hist = hist.assign(calls=hist["calls"].astype(float))
    last_week = hist.hour_start >= pd.Timestamp("2016-01-18", tz=TZ)
    hist.loc[last_week, "calls"] = np.nan
    fc = get_model("seasonal_naive").fit(hist).predict(week_hours(dt.date(2016, 1, 25), TZ))
    prev = hist[(hist.hour_start >= pd.Timestamp("2016-01-11", tz=TZ)) & ~last_week & (hist.district == "d0")]
    assert np.array_equal(fc[fc.district == "d0"]["mean"].to_numpy(), prev["calls"].to_numpy())


def test_short_history_refused():
    hist, _, _ = synthetic(dt.date(2016, 1, 4), 1)
    with pytest.raises(ForecastInputError, match="two weeks"):
        get_model("seasonal_naive").fit(hist)


def test_forecast_hours_convenience():
    hist, _, _ = synthetic(dt.date(2016, 1, 4), 5)
    fc = forecast_hours(hist, week_hours(dt.date(2016, 2, 8), TZ), model="seasonal_naive_4w", quantiles=(0.9,))
    assert list(fc.columns) == ["district", "hour_start", "mean", "p90"]


def test_historical_average_coverage_near_nominal():
    hist, hrs, rates = synthetic(dt.date(2016, 1, 4), 30, levels=(3.0, 1.0, 0.3))
    target = week_hours(dt.date(2016, 8, 1), TZ)
    fc = get_model("historical_average").fit(hist).predict(target)
    true = np.concatenate([r[:168] for r in rates.values()])
    y = np.random.default_rng(11).poisson(np.tile(true, (20, 1)))
    p10, p90 = fc["p10"].to_numpy(), fc["p90"].to_numpy()
    assert (y < p10).mean() <= 0.13 and (y <= p10).mean() >= 0.07
    assert (y < p90).mean() <= 0.93 and (y <= p90).mean() >= 0.87
