"""staffing_requirements: schema, rounding, floors, DST weeks, bad input; shift-based requirements."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from forecast.timegrid import week_hours
from roster.config import parse_config
from roster.staffing.erlang import service_level, teams_needed
from roster.errors import InputError
from roster.io.readers import read_shift_requirements
from roster.staffing.requirements import (
    REQUIREMENT_COLUMNS,
    shift_requirements_to_hourly,
    staff_for_teams,
    staffing_requirements,
)

TZ = "America/New_York"


def make_cfg(**service):
    svc = {
        "target_minutes": 60, "target_share": 0.9, "busy_minutes": 75, "shrinkage": 0.0,
        "shrinkage_rounding": "nearest", "min_teams_per_district": 1, "staffing_basis": "mean",
        "team": {"clinician": 1, "peer_supporter": 1},
    }
    svc.update(service)
    raw = {
        "city": {"name": "T", "timezone": TZ},
        "data": {"calls": "c.csv", "staff": "s.csv"},
        "districts": {"North": {"neighbours": ["South"]}, "South": {"neighbours": ["North"], "busy_minutes": 30}},
        "roles": {
            "clinician": {"clinical": True, "hourly_rate": 50},
            "peer_supporter": {"clinical": False, "hourly_rate": 30},
            "chw": {"clinical": False, "hourly_rate": 29, "fills": "peer_supporter"},
        },
        "shifts": {"day": {"start": "08:00", "hours": 8}, "night": {"start": "23:00", "hours": 8, "night": True}},
        "labour": {"max_hours_per_week": 48, "min_rest_hours": 11, "max_consecutive_days": 6,
                   "min_days_off_per_week": 2},
        "supervision": {"max_non_clinical_per_clinician": 3},
        "service": svc,
    }
    return parse_config(raw)


def forecast_for(hours, rates: dict[str, float]) -> pd.DataFrame:
    rows = [(d, h, r) for d, r in rates.items() for h in hours]
    fc = pd.DataFrame(rows, columns=["district", "hour_start", "mean"])
    fc["p10"] = fc["mean"] * 0.5
    fc["p50"] = fc["mean"]
    fc["p90"] = fc["mean"] * 2
    return fc


def test_columns_rows_and_values():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 6, 1), TZ)
    fc = forecast_for(hours[:3], {"North": 2.0, "South": 0.0})
    out = staffing_requirements(fc, cfg)
    assert list(out.columns) == REQUIREMENT_COLUMNS
    assert len(out) == 2 * 3 * 2
    assert list(out["role"].iloc[:2]) == ["clinician", "peer_supporter"]
    north = out[out.district == "North"]
    n = teams_needed(2.0, 75, 60, 0.9)
    assert (north.teams == n).all() and (north.required == n).all()
    assert np.allclose(north.expected_service_level, service_level(n, 2.0, 75, 60))
    south = out[out.district == "South"]  # rate 0: the floor of one team
    assert (south.teams == 1).all() and (south.required == 1).all()
    assert (south.expected_service_level == 1.0).all()
    assert out["required"].dtype == np.int64 and out["teams"].dtype == np.int64


def test_district_busy_minutes_override_is_used():
    cfg = make_cfg(min_teams_per_district=0)
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    out = staffing_requirements(forecast_for(hours, {"North": 5.0, "South": 5.0}), cfg)
    t = out.groupby("district").teams.first()
    assert t["North"] == teams_needed(5.0, 75, 60, 0.9)
    assert t["South"] == teams_needed(5.0, 30, 60, 0.9)
    assert t["South"] < t["North"]


def test_floor_zero_gives_zero_teams_for_zero_rate():
    cfg = make_cfg(min_teams_per_district=0)
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:2]
    out = staffing_requirements(forecast_for(hours, {"North": 0.0, "South": 0.0}), cfg)
    assert (out.teams == 0).all() and (out.required == 0).all()


def test_floor_raises_teams():
    cfg = make_cfg(min_teams_per_district=3)
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    out = staffing_requirements(forecast_for(hours, {"North": 0.5, "South": 0.5}), cfg)
    assert (out.teams == 3).all()


@pytest.mark.parametrize(
    "teams, per_team, shrink, rounding, expected",
    [
        (4, 1, 0.10, "nearest", 4),  # 4.44 -> 4
        (5, 1, 0.10, "nearest", 6),  # 5.56 -> 6
        (9, 1, 0.10, "nearest", 10),  # 10.0 exactly (floating point 9/0.9)
        (3, 1, 0.40, "nearest", 5),  # 5.0
        (1, 1, 1 / 3, "nearest", 2),  # 1.5 -> half up
        (1, 1, 0.2, "nearest", 1),  # 1.25 -> 1
        (3, 0.5, 0.0, "nearest", 2),  # 1.5 -> 2 (never below 1.5)
        (1, 0.5, 0.0, "nearest", 1),  # 0.5 -> 1
        (4, 1, 0.10, "up", 5),
        (9, 1, 0.10, "up", 10),
        (2, 2, 0.0, "up", 4),
        (0, 1, 0.3, "nearest", 0),
    ],
)
def test_staff_rounding(teams, per_team, shrink, rounding, expected):
    assert int(staff_for_teams(np.array([teams]), per_team, shrink, rounding)[0]) == expected


def test_never_below_team_headcount_with_nearest():
    teams = np.arange(0, 200)
    for shrink in (0.0, 0.05, 0.1, 0.33):
        for per in (0.5, 1, 2, 1.5):
            got = staff_for_teams(teams, per, shrink, "nearest")
            assert (got >= np.ceil(np.round(teams * per, 9))).all()


def test_shrinkage_applied_per_role():
    cfg = make_cfg(shrinkage=0.25, shrinkage_rounding="up", team={"clinician": 1, "peer_supporter": 2})
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    out = staffing_requirements(forecast_for(hours, {"North": 3.0, "South": 0.0}), cfg)
    row = out[out.district == "North"].set_index("role")
    n = row.loc["clinician", "teams"]
    assert row.loc["clinician", "required"] == int(np.ceil(n / 0.75 - 1e-9))
    assert row.loc["peer_supporter", "required"] == int(np.ceil(2 * n / 0.75 - 1e-9))


def test_staffing_basis_quantile():
    cfg = make_cfg(staffing_basis="p90")
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    out = staffing_requirements(forecast_for(hours, {"North": 2.0, "South": 1.0}), cfg)
    assert np.allclose(out.groupby("district").arrival_rate.first().sort_index(), [4.0, 2.0])


@pytest.mark.parametrize("monday, n_hours", [(dt.date(2026, 3, 2), 167), (dt.date(2026, 3, 9), 168),
                                             (dt.date(2026, 10, 26), 169), (dt.date(2026, 11, 2), 168)])
def test_dst_weeks(monday, n_hours):
    cfg = make_cfg()
    hours = week_hours(monday, TZ)
    assert len(hours) == n_hours
    out = staffing_requirements(forecast_for(hours, {"North": 1.0, "South": 2.0}), cfg)
    assert len(out) == n_hours * 2 * 2
    per = out.groupby(["district", "role"]).size()
    assert (per == n_hours).all()
    assert out.hour_start.is_unique is False  # several rows per hour
    assert out.drop_duplicates(["district", "hour_start", "role"]).shape[0] == len(out)


def test_week_of_20_districts_is_fast():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 11, 2), TZ)
    rng = np.random.default_rng(3)
    fc = forecast_for(hours, {"North": 0.0})
    fc = pd.concat([fc] * 20, ignore_index=True)
    fc["mean"] = rng.gamma(2.0, 1.0, len(fc))
    fc["district"] = np.repeat(["North", "South"] * 10, len(hours))
    fc["hour_start"] = np.tile(hours, 20)
    fc = fc.assign(k=np.repeat(np.arange(20), len(hours)))
    # 20 districts: duplicate hours within North/South are not allowed, so spread over shifted weeks
    fc["hour_start"] = fc["hour_start"] + pd.to_timedelta(fc["k"] // 2 * 169, unit="h")
    t0 = time.perf_counter()
    out = staffing_requirements(fc.drop(columns="k"), cfg)
    elapsed = time.perf_counter() - t0
    assert len(out) == 2 * len(fc)
    assert elapsed < 0.5


# ---------------------------------------------------------------- bad input


def test_missing_basis_column():
    cfg = make_cfg(staffing_basis="p95")
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    with pytest.raises(InputError, match="p95"):
        staffing_requirements(forecast_for(hours, {"North": 1.0}), cfg)


def test_unknown_district():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    with pytest.raises(InputError, match="Westside"):
        staffing_requirements(forecast_for(hours, {"Westside": 1.0}), cfg)


def test_negative_and_nan_rates_name_the_hour():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:3]
    fc = forecast_for(hours, {"North": 1.0})
    fc.loc[1, "mean"] = -1
    with pytest.raises(InputError, match="North 2026-06-01T01:00:00-04:00"):
        staffing_requirements(fc, cfg)
    fc.loc[1, "mean"] = np.nan
    with pytest.raises(InputError, match="North"):
        staffing_requirements(fc, cfg)


def test_duplicate_hours():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:2]
    fc = forecast_for(hours, {"North": 1.0})
    with pytest.raises(InputError, match="more than one row"):
        staffing_requirements(pd.concat([fc, fc]), cfg)


def test_unservable_reports_districts_and_hours():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:2]
    fc = forecast_for(hours, {"North": 1.0, "South": 1.0})
    fc.loc[(fc.district == "South") & (fc.hour_start == hours[1]), "mean"] = 5000.0
    with pytest.raises(InputError) as exc:
        staffing_requirements(fc, cfg, max_teams=50)
    msg = str(exc.value)
    assert "South 2026-06-01T01:00:00-04:00" in msg and "North" not in msg and "50 teams" in msg


@pytest.mark.parametrize("field, value", [("busy_minutes", 0.0), ("busy_minutes", -5.0), ("target_share", 1.0),
                                          ("target_share", 0.0)])
def test_bad_service_values_rejected(field, value):
    # the config loader refuses these; a Config built around it is caught by staffing_requirements too
    with pytest.raises(InputError):
        make_cfg(**{field: value})
    cfg = make_cfg()
    bad = cfg.model_copy(update={"service": cfg.service.model_copy(update={field: value})})
    hours = week_hours(dt.date(2026, 6, 1), TZ)[:1]
    with pytest.raises(InputError, match=field):
        staffing_requirements(forecast_for(hours, {"North": 1.0}), bad)


# ---------------------------------------------------------------- requirements by shift


def test_shift_requirements_round_trip(tmp_path):
    cfg = make_cfg()
    p = tmp_path / "shift_req.csv"
    p.write_text(
        "date,shift,district,role,required\n"
        "2026-11-01,day,North,clinician,2\n"
        "2026-10-31,night,North,chw,1\n"  # fills peer_supporter; crosses the fall-back night: 9 real hours
        "2026-11-01,night,South,peer_supporter,1\n"
    )
    sr = read_shift_requirements(p, cfg)
    assert list(sr.role) == ["clinician", "peer_supporter", "peer_supporter"]
    hours = week_hours(dt.date(2026, 10, 26), TZ)
    hourly = shift_requirements_to_hourly(sr, cfg, hours)
    assert list(hourly.columns) == REQUIREMENT_COLUMNS
    assert len(hourly) == len(hours) * 2 * 2
    north_peer = hourly[(hourly.district == "North") & (hourly.role == "peer_supporter")]
    assert north_peer.required.sum() == 9  # 23:00 -> 07:00 wall clock across fall-back
    north_clin = hourly[(hourly.district == "North") & (hourly.role == "clinician")]
    assert north_clin.required.sum() == 16 and north_clin.required.max() == 2
    on = north_clin[north_clin.required > 0].hour_start
    assert on.min().hour == 8 and on.max().hour == 15
    # the Sunday night shift runs into Monday, past this week's grid: only its first hour is kept
    south_peer = hourly[(hourly.district == "South") & (hourly.role == "peer_supporter")]
    assert south_peer.required.sum() == 1


def test_shift_requirements_errors_name_rows(tmp_path):
    cfg = make_cfg()
    p = tmp_path / "bad.csv"
    p.write_text(
        "date,shift,district,role,required\n"
        "2026-11-01,day,North,clinician,2\n"
        "2026-13-01,day,North,clinician,2\n"
        "2026-11-01,brunch,North,clinician,2\n"
        "2026-11-01,day,Nowhere,clinician,2\n"
        "2026-11-01,day,North,clinician,-1\n"
        "2026-11-01,day,North,clinician,1.5\n"
    )
    with pytest.raises(InputError) as exc:
        read_shift_requirements(p, cfg)
    msg = str(exc.value)
    for row in ("row 3", "row 4", "row 5", "row 6", "row 7"):
        assert row in msg
    assert "row 2" not in msg and "bad.csv" in msg
    with pytest.raises(InputError, match="not found"):
        read_shift_requirements(tmp_path / "nope.csv", cfg)
    (tmp_path / "cols.csv").write_text("date,shift,district\n")
    with pytest.raises(InputError, match="lacks column"):
        read_shift_requirements(tmp_path / "cols.csv", cfg)


def test_text_hour_start_with_mixed_offsets():
    cfg = make_cfg()
    hours = week_hours(dt.date(2026, 3, 2), TZ)
    fc = forecast_for(hours, {"North": 1.0, "South": 2.0})
    as_text = staffing_requirements(fc.assign(hour_start=fc.hour_start.map(pd.Timestamp.isoformat)), cfg)
    pd.testing.assert_frame_equal(as_text, staffing_requirements(fc, cfg), check_dtype=False)  # s vs us
    with pytest.raises(InputError, match="time-zone aware"):
        staffing_requirements(fc.assign(hour_start="2026-03-02 00:00"), cfg)
