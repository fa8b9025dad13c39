import datetime as dt

import numpy as np
import pandas as pd

from forecast.events import Event
from forecast.models import DEFAULT_MODEL, get_model
from forecast.timegrid import local_hours, week_hours

TZ = "America/New_York"


def rate_fn(hrs, level, trend_per_year=0.0, t0=None):
    naive = hrs.tz_localize(None)
    h = naive.hour.to_numpy()
    wd = naive.day_of_week.to_numpy()
    shape = np.exp(0.7 * np.sin((h - 10) / 24 * 2 * np.pi) + 0.25 * (wd >= 5) - 0.1 * (wd == 0))
    years = ((hrs - hrs[0]) / pd.Timedelta(days=365.25)).to_numpy() if t0 is None else \
        ((hrs - t0) / pd.Timedelta(days=365.25)).to_numpy()
    return level * shape * np.exp(trend_per_year * years)


def make_history(levels, weeks=26, start=dt.date(2016, 1, 4), seed=1, trend=0.0):
    hrs = local_hours(start, 7 * weeks, TZ)
    rng = np.random.default_rng(seed)
    frames = [pd.DataFrame({"district": f"d{i:02d}", "hour_start": hrs,
                            "calls": rng.poisson(rate_fn(hrs, lvl, trend, hrs[0]))})
              for i, lvl in enumerate(levels)]
    return pd.concat(frames, ignore_index=True), hrs


def test_default_is_glm():
    assert DEFAULT_MODEL == "poisson_glm"


def test_glm_recovers_rates_and_pools_sparse_districts():
    levels = [2.0, 1.0, 0.5, 0.2, 0.05, 0.02]
    hist, hrs = make_history(levels)
    target = week_hours(dt.date(2016, 7, 4), TZ)
    model = get_model("poisson_glm").fit(hist)
    fc = model.predict(target)
    for i, lvl in enumerate(levels):
        f = fc[fc.district == f"d{i:02d}"]["mean"].to_numpy()
        true = rate_fn(target, lvl, 0.0, hrs[0])
        # level within sampling error of ~26 weeks of counts
        n_calls = lvl * true.mean() / lvl * lvl * len(hrs)
        tol = 4 / np.sqrt(max(n_calls, 1)) + 0.03
        assert abs(f.sum() / true.sum() - 1) < tol, (i, f.sum(), true.sum())
        # even the sparsest district gets the city's weekly shape
        assert np.corrcoef(f, true)[0, 1] > 0.97
    for col in ("p10", "p50", "p90"):
        assert fc[col].dtype.kind == "i" and (fc[col] >= 0).all()
    assert model.alpha_ == 0.0  # Poisson data: no over-dispersion detected


def test_glm_coverage_near_nominal():
    levels = [3.0, 1.5, 0.8, 0.4, 0.2, 0.1]
    hist, hrs = make_history(levels, weeks=20)
    target = week_hours(dt.date(2016, 5, 23), TZ)
    fc = get_model("poisson_glm").fit(hist).predict(target)
    rng = np.random.default_rng(7)
    true = np.concatenate([rate_fn(target, lvl, 0.0, hrs[0]) for lvl in levels])
    y = rng.poisson(np.tile(true, (20, 1)))  # 20 replicate weeks
    p10, p90 = fc["p10"].to_numpy(), fc["p90"].to_numpy()
    assert (y < p10).mean() <= 0.13 and (y <= p10).mean() >= 0.07
    assert (y < p90).mean() <= 0.93 and (y <= p90).mean() >= 0.87


def test_glm_trend_and_overdispersion():
    hist, hrs = make_history([2.0, 1.0], weeks=52, trend=0.4, start=dt.date(2015, 1, 5))
    target = week_hours(dt.date(2016, 1, 4), TZ)
    fc = get_model("poisson_glm").fit(hist).predict(target)
    true = rate_fn(target, 3.0, 0.4, hrs[0])
    assert abs(fc["mean"].sum() / true.sum() - 1) < 0.05
    # gamma-Poisson data -> negative binomial predictive with alpha near the truth
    rng = np.random.default_rng(3)
    hrs2 = local_hours(dt.date(2016, 1, 4), 7 * 26, TZ)
    lam = rate_fn(hrs2, 2.0) * rng.gamma(1 / 0.3, 0.3, size=len(hrs2))
    h2 = pd.DataFrame({"district": "x", "hour_start": hrs2, "calls": rng.poisson(lam)})
    m = get_model("poisson_glm").fit(h2)
    assert 0.2 < m.alpha_ < 0.4
    assert get_model("poisson_glm", family="poisson").fit(h2).alpha_ == 0.0


def test_glm_holidays_and_events():
    import holidays

    hrs = local_hours(dt.date(2016, 1, 4), 7 * 26, TZ)
    days = hrs.tz_localize(None).normalize()
    hol_days = pd.DatetimeIndex([pd.Timestamp(d) for d in holidays.country_holidays("US", years=2016)])
    boost = np.where(days.isin(hol_days), 1.5, 1.0)
    rng = np.random.default_rng(5)
    hist = pd.concat([pd.DataFrame({"district": f"d{i:02d}", "hour_start": hrs,
                                    "calls": rng.poisson(rate_fn(hrs, lvl) * boost)})
                      for i, lvl in enumerate([2.0, 1.0])], ignore_index=True)
    target = week_hours(dt.date(2016, 7, 4), TZ)  # Monday 4 July is a US holiday
    plain = get_model("poisson_glm").fit(hist).predict(target)
    hol = get_model("poisson_glm", holidays_country="US").fit(hist).predict(target)
    mon = (plain.hour_start.dt.day == 4).to_numpy()
    ratio = hol[mon]["mean"].sum() / plain[mon]["mean"].sum()
    assert 1.25 < ratio < 1.8, ratio
    assert np.allclose(hol[~mon]["mean"].sum(), plain[~mon]["mean"].sum(), rtol=0.05)
    ev = Event("festival", dt.date(2016, 7, 6), dt.date(2016, 7, 7), ["d01"], 2.0)
    evf = get_model("poisson_glm", events=[ev]).fit(hist).predict(target)
    sel = (evf.district == "d01") & evf.hour_start.dt.day.isin([6, 7])
    assert np.allclose(evf[sel]["mean"].to_numpy(), 2 * plain[sel]["mean"].to_numpy())
    assert np.allclose(evf[~sel]["mean"].to_numpy(), plain[~sel]["mean"].to_numpy())


def test_glm_ignores_masked_hours():
    hist, hrs = make_history([2.0, 1.0], weeks=10)
    hist = hist.assign(calls=hist["calls"].astype(float))
    outage = (hist.hour_start >= pd.Timestamp("2016-02-01", tz=TZ)) & (hist.hour_start < pd.Timestamp("2016-02-15", tz=TZ))
    zeroed = hist.copy()
    zeroed.loc[outage, "calls"] = 0.0
    masked = hist.copy()
    masked.loc[outage, "calls"] = np.nan
    target = week_hours(dt.date(2016, 3, 14), TZ)
    t = rate_fn(target, 3.0).sum()
    f_masked = get_model("poisson_glm", trend=False).fit(masked).predict(target)["mean"].sum()
    f_zero = get_model("poisson_glm", trend=False).fit(zeroed).predict(target)["mean"].sum()
    assert abs(f_masked / t - 1) < abs(f_zero / t - 1)
    assert f_masked > f_zero
