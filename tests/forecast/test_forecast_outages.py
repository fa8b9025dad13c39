import datetime as dt
import logging

import numpy as np
import pandas as pd

from forecast.models import get_model
from forecast.outages import detect_outages, mask_outages, mask_windows
from forecast.timegrid import local_hours, week_hours

TZ = "America/New_York"


def city(levels, weeks=6, seed=0):
    hrs = local_hours(dt.date(2016, 1, 4), 7 * weeks, TZ)
    rng = np.random.default_rng(seed)
    return pd.concat([pd.DataFrame({"district": f"d{i}", "hour_start": hrs, "calls": rng.poisson(lvl, len(hrs))})
                      for i, lvl in enumerate(levels)], ignore_index=True), hrs


def test_outage_detected_padded_masked_and_logged(caplog):
    counts, hrs = city([2.0, 1.0, 1.0])
    out_start, out_end = hrs[300], hrs[310]
    gap = (counts.hour_start >= out_start) & (counts.hour_start < out_end)
    counts.loc[gap, "calls"] = 0
    found = detect_outages(counts)
    assert len(found) == 1
    o = found[0]
    assert o.start == hrs[299] and o.end == hrs[311] and o.zero_hours == 10  # padded by one hour
    with caplog.at_level(logging.WARNING, logger="forecast"):
        masked, outs = mask_outages(counts)
    assert "outage" in caplog.text and hrs[299].isoformat() in caplog.text
    nan = masked["calls"].isna()
    assert nan.sum() == 3 * 12
    # masking makes the forecast closer to the truth than fitting the false zeros
    target = week_hours(dt.date(2016, 2, 15), TZ)
    f_mask = get_model("poisson_glm", trend=False).fit(masked).predict(target)["mean"].sum()
    f_raw = get_model("poisson_glm", trend=False).fit(counts).predict(target)["mean"].sum()
    assert f_mask > f_raw


def test_quiet_city_has_no_false_outages():
    counts, _ = city([0.05, 0.03], weeks=20)
    assert detect_outages(counts) == []


def test_mask_windows_overlapping_hours():
    counts, hrs = city([1.0], weeks=3)
    m = mask_windows(counts, [("2016-01-05 10:30", "2016-01-05 12:00")])
    masked = m[m.calls.isna()]["hour_start"].dt.hour.tolist()
    assert masked == [10, 11]
