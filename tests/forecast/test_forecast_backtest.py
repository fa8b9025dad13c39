import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from forecast.backtest import SCORE_COLUMNS, _blocks, backtest, default_origins, select_model
from forecast.distributions import count_ppf, crps_count
from forecast.timegrid import local_hours

TZ = "America/New_York"


def tiny():
    hist = local_hours(dt.date(2016, 1, 4), 14, TZ)
    target = local_hours(dt.date(2016, 1, 18), 1, TZ)
    y = np.r_[np.ones(len(hist)), np.zeros(12), np.full(12, 2.0)]
    hrs = hist.append(target)
    return pd.DataFrame({"district": "a", "hour_start": hrs, "calls": y})


def poisson_crps_by_hand(y, mu, kmax=60):
    total, cdf = 0.0, 0.0
    for k in range(kmax):
        cdf += math.exp(-mu) * mu ** k / math.factorial(k)
        total += (cdf - (1.0 if y <= k else 0.0)) ** 2
    return total


def test_scores_match_hand_computation():
    counts = tiny()
    assert default_origins(counts, 3, horizon_days=1) == [dt.date(2016, 1, 18)]
    table = backtest(counts, ["seasonal_naive"], origins=1, horizon_days=1, block_hours=12)
    assert list(table.columns) == SCORE_COLUMNS
    h = table[(table.level == "hour") & (table.district == "a")].iloc[0]
    assert h.origins == 1
    assert h.poisson_deviance == pytest.approx((2.0 + 2 * (2 * math.log(2) - 1)) / 2)
    assert h.crps == pytest.approx((poisson_crps_by_hand(0, 1) + poisson_crps_by_hand(2, 1)) / 2)
    assert h.mae == pytest.approx(1.0) and h.rmse == pytest.approx(1.0)
    # Poisson(1): p10 = 0, p90 = 2
    assert (h.p10_below, h.p10_atmost, h.p90_below, h.p90_atmost) == (0.0, 0.5, 0.5, 1.0)
    assert h.pinball_p90 == pytest.approx((0.1 * 2 + 0) / 2)
    b = table[(table.level == "block") & (table.district == "a")].iloc[0]
    assert b.poisson_deviance == pytest.approx((24.0 + 2 * (24 * math.log(2) - 12)) / 2)
    assert b.mae == pytest.approx(12.0)
    assert b.crps == pytest.approx((poisson_crps_by_hand(0, 12) + poisson_crps_by_hand(24, 12)) / 2)
    # ALL row equals the single district here
    all_row = table[(table.level == "hour") & (table.district == "ALL")].iloc[0]
    assert all_row.poisson_deviance == pytest.approx(h.poisson_deviance)


def test_all_row_is_mean_over_cells_and_masked_hours_not_scored():
    a = tiny()
    b = a.assign(district="b", calls=a["calls"] * 0 + 1.0)
    counts = pd.concat([a, b], ignore_index=True)
    counts.loc[(counts.district == "b") & (counts.hour_start == counts.hour_start.max()), "calls"] = np.nan
    table, cells = backtest(counts, ["seasonal_naive"], origins=1, horizon_days=1, block_hours=12,
                            return_cells=True)
    hour = table[table.level == "hour"].set_index("district")
    n_a, n_b = 24, 23
    assert hour.loc["ALL", "poisson_deviance"] == pytest.approx(
        (hour.loc["a", "poisson_deviance"] * n_a + hour.loc["b", "poisson_deviance"] * n_b) / (n_a + n_b))
    assert hour.loc["b", "poisson_deviance"] == pytest.approx(0.0)
    blocks = cells[(cells.level == "block") & (cells.district == "b")]
    assert len(blocks) == 1  # the block containing the masked hour is not scored


def test_dst_blocks_and_crps_properties():
    hrs = local_hours(dt.date(2016, 11, 6), 1, TZ)
    blk = _blocks(hrs, 8)
    assert np.bincount(blk).tolist() == [9, 8, 8]  # 25-hour day: first block holds the repeated hour
    hrs = local_hours(dt.date(2016, 3, 13), 1, TZ)
    assert np.bincount(_blocks(hrs, 8)).tolist() == [7, 8, 8]
    # CRPS: NB with tiny alpha ~ Poisson; perfect point mass has CRPS 0
    assert crps_count([3], [3.0], [1e-9])[0] == pytest.approx(crps_count([3], [3.0], [0.0])[0], rel=1e-4)
    assert crps_count([0], [0.0])[0] == pytest.approx(0.0, abs=1e-9)
    assert count_ppf(0.9, np.array([0.0, 1.0, 12.0])).tolist() == [0, 2, 17]


def test_select_model():
    table = backtest(tiny(), ["seasonal_naive", "seasonal_naive_4w"], origins=1, horizon_days=1)
    assert select_model(table) in ("seasonal_naive", "seasonal_naive_4w")
    with pytest.raises(ValueError):
        select_model(table, metric="mae")


def test_choose_model_picks_by_deviance():
    from forecast.backtest import choose_model

    rng = np.random.default_rng(4)
    hrs = local_hours(dt.date(2016, 1, 4), 7 * 10, TZ)
    rate = 1.5 + np.sin(np.arange(len(hrs)) / 24 * 2 * np.pi)
    counts = pd.DataFrame({"district": "a", "hour_start": hrs, "calls": rng.poisson(rate)})
    choice, table = choose_model(counts, ["seasonal_naive", "historical_average"], origins=2)
    assert choice == "historical_average"  # the 1-week naive forecast is much noisier
    assert set(table["model"]) == {"seasonal_naive", "historical_average"}
