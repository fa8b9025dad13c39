import datetime as dt

import pandas as pd

from forecast.aggregate import hourly_counts, local_hour_start

TZ = "America/New_York"


def _calls(stamps_utc, districts):
    return pd.DataFrame({"timestamp": pd.to_datetime(stamps_utc, utc=True).tz_convert(TZ), "district": districts})


def test_fall_back_day_has_25_hours_and_repeat_kept_apart():
    calls = _calls(["2016-11-06 05:30", "2016-11-06 06:10", "2016-11-06 06:20"], ["a", "a", "b"])
    h = hourly_counts(calls, TZ, start=dt.date(2016, 11, 6), end=dt.date(2016, 11, 7), districts=["a", "b", "c"])
    assert len(h) == 3 * 25
    a = h[h.district == "a"].reset_index(drop=True)
    assert a.loc[1, "calls"] == 1 and a.loc[2, "calls"] == 1  # 01:00 EDT and 01:00 EST
    assert a.loc[1, "hour_start"].utcoffset() != a.loc[2, "hour_start"].utcoffset()
    assert h[h.district == "c"]["calls"].sum() == 0
    assert h["calls"].sum() == 3


def test_spring_forward_day_has_23_hours():
    calls = _calls(["2016-03-13 07:15"], ["a"])  # 03:15 EDT
    h = hourly_counts(calls, TZ, start=dt.date(2016, 3, 13), end=dt.date(2016, 3, 14))
    assert len(h) == 23
    local = h["hour_start"].dt.hour.tolist()
    assert 2 not in local and local[2] == 3 and h["calls"].iloc[2] == 1


def test_default_span_and_zero_fill():
    calls = _calls(["2016-01-01 10:10", "2016-01-01 14:59"], ["a", "b"])
    h = hourly_counts(calls, TZ)
    assert h.groupby("district").size().tolist() == [5, 5]
    assert h["calls"].tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_half_hour_offset_zone():
    ts = pd.DatetimeIndex(pd.to_datetime(["2020-01-01 10:10"], utc=True))
    hs = local_hour_start(ts, "Asia/Kolkata")
    assert hs[0].minute == 0 and hs[0].hour == 15
