"""Weeks planned after the history: no false feed outage for the unobserved gap, a year ahead plans, beyond is exit 2."""

import datetime as dt
import logging

import pandas as pd
import pytest

from cities import small_config
from examples.generate import make_city_calls
from forecast.horizon import MAX_WEEKS_AHEAD, check_horizon, first_plannable_week, history_end
from roster.errors import InputError
from roster.pipeline import forecast_stage

END = dt.date(2026, 11, 1)  # a Sunday: the first plannable week is 2026-11-02


@pytest.fixture(scope="module")
def calls():
    frame = make_city_calls(["North", "South"], END, weeks=60)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True).dt.tz_convert("America/New_York")
    return frame


def test_history_ends_with_its_last_day_and_weeks_are_counted_from_the_first_plannable():
    tz = "America/New_York"
    ts = pd.Series([pd.Timestamp("2026-10-20 08:00", tz=tz), pd.Timestamp("2026-11-01 22:40", tz=tz)])
    end = history_end(ts, tz)
    assert end == pd.Timestamp("2026-11-02 00:00", tz=tz)
    assert first_plannable_week(end, tz) == dt.date(2026, 11, 2)
    assert check_horizon(end, dt.date(2026, 11, 2), tz, 8, "calls.csv") == (0, None)
    ahead, warning = check_horizon(end, dt.date(2027, 1, 4), tz, 8, "calls.csv")
    assert ahead == 9 and "9 weeks past the end of the call history (2026-11-01)" in warning
    assert check_horizon(end, dt.date(2027, 11, 1), tz, 52, "calls.csv") == (MAX_WEEKS_AHEAD, None)
    with pytest.raises(InputError, match=r"calls.csv: .*2027-11-08 is 53 weeks .* at most 52 weeks ahead .*2027-11-01"):
        check_horizon(end, dt.date(2027, 11, 8), tz, 8, "calls.csv")


def test_a_week_after_a_gap_has_no_false_outage(calls, caplog):
    cfg = small_config()
    with caplog.at_level(logging.WARNING):
        fc = forecast_stage(calls, cfg, dt.date(2026, 11, 9), "calls.csv")
    assert "outage" not in caplog.text
    assert fc.meta["masked_outages"] == [] and fc.meta["weeks_ahead"] == 1
    assert fc.table["mean"].sum() > 0


def test_a_real_outage_inside_the_history_is_still_found(calls, caplog):
    cfg = small_config()
    ts = calls["timestamp"]
    gap = (ts >= pd.Timestamp("2026-10-12 06:00", tz="America/New_York")) & \
          (ts < pd.Timestamp("2026-10-16 06:00", tz="America/New_York"))
    assert gap.sum() > 14  # enough calls that four silent days are implausible
    with caplog.at_level(logging.WARNING):
        fc = forecast_stage(calls[~gap], cfg, dt.date(2026, 11, 9), "calls.csv")
    assert len(fc.meta["masked_outages"]) == 1
    o = fc.meta["masked_outages"][0]
    assert o[:10] in ("2026-10-11", "2026-10-12") and " to 2026-10-16T" in o
    assert "Suspected feed outage" in caplog.text


def test_a_week_a_year_ahead_plans_with_a_warning_and_beyond_is_refused(calls, caplog):
    cfg = small_config()
    near = forecast_stage(calls, cfg, dt.date(2026, 11, 2), "calls.csv").table
    with caplog.at_level(logging.WARNING):
        far = forecast_stage(calls, cfg, dt.date(2027, 11, 1), "calls.csv")
    assert far.meta["weeks_ahead"] == 52 and far.meta["masked_outages"] == []
    assert "52 weeks past the end of the call history" in caplog.text and "outage" not in caplog.text
    # the level with its fitted trend and the hour-of-week shape are carried forward: no collapse, no blow-up
    assert 0.8 < far.table["mean"].sum() / near["mean"].sum() < 1.25
    by_hour = lambda t: t.groupby(t["hour_start"].map(lambda h: h.hour))["mean"].sum()  # noqa: E731
    assert by_hour(far.table).corr(by_hour(near)) > 0.95
    with pytest.raises(InputError, match="at most 52 weeks ahead"):
        forecast_stage(calls, cfg, dt.date(2027, 11, 8), "calls.csv")


@pytest.mark.parametrize("model", ["seasonal_naive", "historical_average", "seasonal_naive_4w"])
def test_seasonal_baselines_reach_a_year_ahead(calls, model):
    cfg = small_config(**{"forecast.model": model})
    fc = forecast_stage(calls, cfg, dt.date(2027, 11, 1), "calls.csv").table
    assert fc["mean"].sum() > 0 and fc["mean"].notna().all()


def test_warn_after_weeks_is_a_validated_key():
    assert small_config(**{"forecast.warn_after_weeks": 20}).forecast.warn_after_weeks == 20
    with pytest.raises(InputError, match="forecast.warn_after_weeks"):
        small_config(**{"forecast.warn_after_weeks": 60})


@pytest.mark.parametrize("weeks", [3, 4, 5])
def test_a_short_history_gets_no_trend_and_a_sane_level(calls, weeks):
    start = pd.Timestamp("2026-11-02", tz="America/New_York") - pd.Timedelta(weeks=weeks)
    short = calls[calls["timestamp"] >= start]
    fc = forecast_stage(short, small_config(), dt.date(2026, 11, 2), "calls.csv").table
    per_week = len(short) / weeks
    assert 0.75 < fc["mean"].sum() / per_week < 1.33


def test_the_example_forecasts_a_week_a_year_ahead_and_no_false_outage(tmp_path, caplog):
    from typer.testing import CliRunner

    from cities import ROOT
    from roster.cli import app

    runner = CliRunner()
    config = str(ROOT / "roster.toml")
    with caplog.at_level(logging.WARNING):
        gap = runner.invoke(app, ["requirements", "--config", config, "--week", "2026-11-09", "--out", str(tmp_path / "a")])
    assert gap.exit_code == 0, gap.output
    assert "outage" not in caplog.text and "outage" not in gap.output
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        far = runner.invoke(app, ["requirements", "--config", config, "--week", "2027-11-01", "--out", str(tmp_path / "b")])
    assert far.exit_code == 0, far.output
    assert "52 weeks past the end of the call history (2026-11-01)" in caplog.text + far.output
    req = pd.read_csv(tmp_path / "b" / "requirements.csv")
    assert req["hour_start"].str.startswith("2027-11-0").all() and (req["required"] >= 1).all()
    beyond = runner.invoke(app, ["forecast", "--config", config, "--week", "2027-11-08", "--out", str(tmp_path / "c")])
    assert beyond.exit_code == 2 and "at most 52 weeks ahead" in beyond.output and "Traceback" not in beyond.output
    assert not (tmp_path / "c").exists()
