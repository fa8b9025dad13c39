"""The bundled example city "Metro": reproducible, realistic in shape, and consistent with roster.toml."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `examples` is not an installed package
    sys.path.insert(0, str(ROOT))

from examples import generate as gen  # noqa: E402
from forecast.timegrid import local_hours, week_hours  # noqa: E402
from roster.config import load_config  # noqa: E402

METRO = ROOT / "examples" / "metro"


@pytest.fixture(scope="module")
def cfg():
    return load_config(ROOT / "roster.toml")


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return gen.generate(gen.DEFAULT_SEED)


@pytest.fixture(scope="module")
def calls() -> pd.DataFrame:
    df = pd.read_csv(METRO / "calls.csv", dtype=str)
    instant = pd.to_datetime(df["timestamp"], utc=True)
    local = instant.dt.tz_convert(gen.TIMEZONE)
    return df.assign(instant=instant, hour=local.dt.hour, weekday=local.dt.day_of_week, day=local.dt.date)


@pytest.fixture(scope="module")
def staff() -> pd.DataFrame:
    return pd.read_csv(METRO / "staff.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def time_off() -> pd.DataFrame:
    return pd.read_csv(METRO / "time_off.csv", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("name", ["calls.csv", "staff.csv", "time_off.csv", "requests.csv"])
def test_committed_files_are_reproduced_byte_for_byte(generated, name):
    committed = (METRO / name).read_bytes()
    assert generated[name].encode("utf-8") == committed, (
        f"examples/metro/{name} differs from `python -m examples.generate`; regenerate and commit it"
    )


def test_main_writes_the_same_files(tmp_path, generated):
    gen.main(["--out", str(tmp_path)])
    for name, text in generated.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob(".*.tmp"))


def test_another_seed_gives_other_data():
    a = gen.make_staff(1)
    b = gen.make_staff(gen.DEFAULT_SEED)
    assert not a.equals(b)


# --------------------------------------------------------------------------- consistency with roster.toml


def test_generator_constants_match_roster_toml(cfg):
    assert list(cfg.districts) == gen.DISTRICTS
    assert {d: v.neighbours for d, v in cfg.districts.items()} == gen.NEIGHBOURS
    assert {r: v.hourly_rate for r, v in cfg.roles.items()} == gen.ROLE_RATES
    assert {r: v.seat(r) for r, v in cfg.roles.items()} == gen.SEAT
    s = cfg.service
    assert (s.busy_minutes, s.target_minutes, s.target_share, s.shrinkage, s.min_teams_per_district) == (
        gen.BUSY_MINUTES, gen.TARGET_MINUTES, gen.TARGET_SHARE, gen.SHRINKAGE, gen.MIN_TEAMS)
    assert cfg.timezone == gen.TIMEZONE
    assert cfg.data.calls == (METRO / "calls.csv").resolve()


# --------------------------------------------------------------------------- calls


def test_calls_columns_sorted_and_in_span(calls):
    assert list(calls.columns[:3]) == ["timestamp", "district", "call_type"]
    assert calls["instant"].is_monotonic_increasing
    assert calls["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d").all()
    assert min(calls["day"]) == gen.HISTORY_START and max(calls["day"]) == gen.HISTORY_END
    assert set(calls["call_type"]) == set(gen.CALL_TYPES)


def test_city_volume_and_district_sizes(calls):
    days = (gen.HISTORY_END - gen.HISTORY_START).days + 1
    assert 45 <= len(calls) / days <= 60
    per_district = calls["district"].value_counts()
    assert set(per_district.index) == set(gen.DISTRICTS)
    assert 6 <= per_district.max() / per_district.min() <= 10


def test_quiet_district_hours_are_sparse(calls):
    hours = local_hours(gen.HISTORY_START, (gen.HISTORY_END - gen.HISTORY_START).days + 1, gen.TIMEZONE)
    quiet = calls[calls["district"] == "Hillcrest"]
    counts = quiet["instant"].dt.floor("h").value_counts().reindex(hours.tz_convert("UTC"), fill_value=0)
    assert (counts <= 1).mean() > 0.9


def test_daily_cycle(calls):
    per_hour = calls.groupby("hour").size()
    assert per_hour.loc[4:5].mean() < 0.5 * per_hour.loc[12:15].mean()


def test_friday_saturday_nights_busier_than_tuesday(calls):
    def night(evening_day: int) -> int:
        evening = (calls["weekday"] == evening_day) & (calls["hour"] >= 20)
        after = (calls["weekday"] == (evening_day + 1) % 7) & (calls["hour"] < 3)
        return int((evening | after).sum())

    assert min(night(4), night(5)) > 1.15 * night(1)


def test_weekday_daytime_surge(calls):
    daytime = calls[calls["hour"].between(10, 15)]
    weekday = (daytime["weekday"] < 5).sum() / 5
    weekend = (daytime["weekday"] >= 5).sum() / 2
    assert weekday > 1.1 * weekend


def test_dst_days_present(calls):
    for fall_back in (dt.date(2025, 11, 2), dt.date(2026, 11, 1)):
        one_am = calls.loc[(calls["day"] == fall_back) & (calls["hour"] == 1), "timestamp"]
        assert len(local_hours(fall_back, 1, gen.TIMEZONE)) == 25
        # Both copies of 01:00 exist in the data's clock (offsets -04:00 and -05:00) when calls fall there;
        # at minimum the day's offsets change.
        day = calls.loc[calls["day"] == fall_back, "timestamp"]
        assert {"-04:00", "-05:00"} <= set(day.str[-6:])
        assert one_am.str[-6:].isin(["-04:00", "-05:00"]).all()
    spring = calls.loc[calls["day"] == dt.date(2026, 3, 8)]
    assert len(spring) > 0 and not (spring["hour"] == 2).any()
    assert {"-05:00", "-04:00"} <= set(spring["timestamp"].str[-6:])


def test_call_type_shares_do_not_depend_on_district(calls):
    shares = pd.crosstab(calls["district"], calls["call_type"], normalize="index")
    expected = pd.Series(gen.CALL_TYPES)
    for district in ["Downtown", "Harbor", "Eastgate"]:
        assert (shares.loc[district, expected.index] - expected).abs().max() < 0.03


# --------------------------------------------------------------------------- the oracle


def test_hourly_rates_oracle(calls):
    hours = gen.history_hours()
    rates = gen.hourly_rates(hours)
    assert list(rates.columns) == ["district", "hour_start", "rate"]
    assert len(rates) == len(hours) * len(gen.DISTRICTS)
    assert (rates["rate"] > 0).all()
    # The calls were sampled from these rates.
    assert rates["rate"].sum() == pytest.approx(len(calls), rel=0.02)
    by_district = rates.groupby("district")["rate"].sum()
    observed = calls["district"].value_counts()
    assert ((observed / by_district[observed.index]) - 1).abs().max() < 0.05
    # A sub-range (and a subset of districts) gives the same rates as the full history.
    week = week_hours(dt.date(2026, 3, 2), gen.TIMEZONE)
    sub = gen.hourly_rates(week, districts=["Hillcrest", "Downtown"])
    full = rates[rates["hour_start"].isin(week)].set_index(["district", "hour_start"])["rate"]
    np.testing.assert_allclose(sub.set_index(["district", "hour_start"])["rate"], full.loc[sub.set_index(["district", "hour_start"]).index])


def test_hourly_rates_rejects_naive_hours_and_unknown_districts():
    with pytest.raises(ValueError):
        gen.hourly_rates(pd.date_range("2026-01-01", periods=3, freq="h"))
    with pytest.raises(ValueError):
        gen.hourly_rates(week_hours(gen.PLAN_WEEK, gen.TIMEZONE), districts=["Atlantis"])


def test_erlang_c_teams():
    assert gen.erlang_c_teams(0.0) == 1
    assert gen.erlang_c_teams(0.05) == 1
    rates = [0.1, 0.5, 1.0, 2.0, 4.0]
    teams = [gen.erlang_c_teams(r) for r in rates]
    assert teams == sorted(teams) and teams[-1] > rates[-1] * 75 / 60


# --------------------------------------------------------------------------- staff and leave


def test_staff_valid_against_config(staff, cfg):
    assert list(staff.columns) == ["staff_id", "name", "role", "supervisor", "contract_hours", "hourly_rate",
                                   "home_district", "float_districts", "languages", "works_nights"]
    assert staff["staff_id"].is_unique and staff["staff_id"].str.fullmatch(r"S\d{3}").all()
    assert staff["name"].is_unique
    assert set(staff["role"]) == set(cfg.roles)
    assert set(staff["home_district"]) == set(cfg.districts)
    for home, floats in zip(staff["home_district"], staff["float_districts"]):
        if floats:
            assert set(floats.split(";")) <= set(cfg.districts[home].neighbours)
    for col in ["supervisor", "works_nights"]:
        assert set(staff[col]) == {"true", "false"}
    assert set(staff["contract_hours"].astype(int)) <= {20, 24, 30, 40}
    assert staff["languages"].str.startswith("en").all()
    sup = staff[staff["supervisor"] == "true"]
    assert set(sup["role"]) == {"clinician"} and 8 <= len(sup) <= 12
    rates = pd.to_numeric(staff["hourly_rate"].replace("", np.nan))
    default = staff["role"].map(gen.ROLE_RATES)
    assert ((rates / default).dropna().between(0.9, 1.3)).all()
    assert staff["hourly_rate"].eq("").any()


def test_staff_mix_and_night_cover(staff):
    assert 100 <= len(staff) <= 130
    clin = staff[staff["role"] == "clinician"]
    for district in gen.DISTRICTS:
        night_clin = clin[(clin["home_district"] == district) & (clin["works_nights"] == "true")]
        assert len(night_clin) >= 2
    assert 0.5 <= (staff["works_nights"] == "true").mean() <= 0.75
    assert 0.35 <= (staff["float_districts"] != "").mean() <= 0.65
    assert 0.65 <= (staff["contract_hours"] == "40").mean() <= 0.85


def test_staff_sized_with_modest_spare(staff, time_off):
    frame = staff.assign(contract_hours=staff["contract_hours"].astype(int))
    summary = gen.sizing_summary(frame, time_off)
    assert (summary["required"] >= 1008).all()  # the one-team floor alone
    assert summary["spare_before_leave"].between(0.03, 0.15).all()
    assert summary["spare_after_leave"].between(0.0, 0.12).all()


def test_time_off(time_off, staff):
    assert list(time_off.columns) == ["staff_id", "start", "end"]
    assert 15 <= len(time_off) <= 25
    assert time_off["staff_id"].isin(staff["staff_id"]).all()
    partial = time_off["start"].str.contains("T")
    assert 1 <= partial.sum() < len(time_off) / 2
    for start, end, is_partial in zip(time_off["start"], time_off["end"], partial):
        if is_partial:
            assert pd.Timestamp(start).tzinfo is not None and pd.Timestamp(start) < pd.Timestamp(end)
        else:
            assert dt.date.fromisoformat(start) <= dt.date.fromisoformat(end)
    first = pd.to_datetime(time_off["start"].str[:10]).dt.date
    last = pd.to_datetime(time_off["end"].str[:10]).dt.date
    assert min(first) >= dt.date(2026, 10, 1) and max(last) <= dt.date(2027, 1, 31)
    week_end = gen.PLAN_WEEK + dt.timedelta(days=6)
    in_plan_week = (first <= week_end) & (last >= gen.PLAN_WEEK)
    assert 3 <= in_plan_week.sum() <= 8
