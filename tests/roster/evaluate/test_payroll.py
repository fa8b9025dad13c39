"""Payroll by overtime rule, against hand-computed cases (weekly 40, daily 8/12, 8-and-80, DST weeks, differentials)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cities import person, small_config
from roster.errors import InputError
from roster.evaluate.payroll import payroll

TZ = "America/New_York"


def shift(day: str, clock: str, hours: float, sid="C0", district="North", name="day"):
    """A roster row starting at local ``clock`` on ``day`` and lasting ``hours`` on the wall clock."""
    wall = pd.Timestamp(f"{day} {clock}")
    start = wall.tz_localize(TZ, ambiguous=True, nonexistent="shift_forward")
    end = (wall + pd.Timedelta(hours=hours)).tz_localize(TZ, ambiguous=False, nonexistent="shift_forward")
    return {"staff_id": sid, "district": district, "date": dt.date.fromisoformat(day), "shift": name, "start": start,
            "end": end, "paid_hours": (end - start).total_seconds() / 3600}


def run(rows, **pay):
    cfg = small_config(pay=pay, rules={})
    staff = pd.DataFrame([person("C0", "clinician", "North", contract=40.0, rate=40.0, cfg=cfg),
                          person("C1", "clinician", "South", contract=40.0, rate=50.0, cfg=cfg)])
    table, rec = payroll(pd.DataFrame(rows), staff, None, cfg)
    return table, rec


def hours(table, code, sid="C0", day=None):
    t = table[(table["staff_id"] == sid) & (table["pay_code"] == code)]
    if day is not None:
        t = t[t["workday"] == dt.date.fromisoformat(day)]
    return round(float(t["hours"].sum()), 4)


def test_weekly_40_overtime_is_the_last_hours_of_the_workweek():
    rows = [shift(f"2026-11-0{d}", "08:00", 10) for d in range(2, 7)]  # Mon-Fri, 50 h
    table, rec = run(rows, overtime="weekly_40")
    assert (hours(table, "REG"), hours(table, "OT"), hours(table, "OT", day="2026-11-06")) == (40, 10, 10)
    assert table.loc[table["pay_code"] == "OT", "rate"].eq(60.0).all()
    assert rec.loc[rec["staff_id"] == "C0", "payroll_amount"].item() == 40 * 40 + 10 * 60


def test_the_workweek_starts_on_the_configured_day():
    rows = [shift(f"2026-11-0{d}", "08:00", 8) for d in range(2, 7)] + [shift("2026-11-08", "08:00", 8)]
    monday_week, _ = run(rows, overtime="weekly_40")
    sunday_week, _ = run(rows, overtime="weekly_40", workweek_start_day="sunday")
    assert hours(monday_week, "OT") == 8  # 48 h Monday to Sunday
    assert hours(sunday_week, "OT") == 0  # Sunday the 8th opens the next workweek
    assert set(sunday_week["pay_period_start"]) == {dt.date(2026, 11, 1), dt.date(2026, 11, 8)}


def test_daily_8_and_12_with_the_weekly_40_backstop():
    rows = [shift("2026-11-02", "06:00", 13)] + [shift(f"2026-11-0{d}", "08:00", 8) for d in range(3, 8)]  # Mon 13 h, Tue-Sat 8 h
    table, _ = run(rows, overtime="daily_8_12")
    assert (hours(table, "OT", day="2026-11-02"), hours(table, "DT", day="2026-11-02")) == (4, 1)
    assert hours(table, "OT", day="2026-11-07") == 8  # straight-time hours 41-48 of the week
    assert (hours(table, "REG"), hours(table, "OT"), hours(table, "DT")) == (40, 12, 1)
    assert table.loc[table["pay_code"] == "DT", "rate"].eq(80.0).all()


def test_daily_overtime_splits_a_night_at_the_workday_boundary():
    table, _ = run([shift("2026-11-02", "20:00", 12)], overtime="daily_8_12")  # 20:00-08:00: 4 h Monday, 8 h Tuesday
    assert (hours(table, "REG", day="2026-11-02"), hours(table, "REG", day="2026-11-03"), hours(table, "OT")) == (4, 8, 0)


def test_8_and_80_takes_the_greater_of_daily_and_period_overtime():
    week1 = [shift(f"2026-11-0{d}", "08:00", 10) for d in range(2, 7)]  # 50 h, 10 h over 8 a day
    week2 = [shift(f"2026-11-{d:02d}", "08:00", 8) for d in range(9, 13)]  # 32 h
    table, _ = run(week1 + week2, overtime="8_and_80", period_days=14)
    assert (hours(table, "REG"), hours(table, "OT")) == (72, 10)  # max(10 daily, 82 - 80)
    eleven = [shift(f"2026-11-{d:02d}", "08:00", 8) for d in [2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]]  # 88 h, none over 8 a day
    table, _ = run(eleven, overtime="8_and_80", period_days=14)
    assert (hours(table, "REG"), hours(table, "OT"), hours(table, "OT", day="2026-11-13")) == (80, 8, 8)
    assert set(table["pay_period_end"]) == {dt.date(2026, 11, 15)}


@pytest.mark.parametrize("rule", ["contract", "weekly_40", "daily_8_12"])
def test_a_night_across_the_autumn_change_is_paid_9_hours(rule):
    rows = [shift(f"2026-10-{d}", "08:00", 8) for d in (26, 27, 28, 29)] + [shift("2026-10-31", "23:00", 8, name="night")]
    table, _ = run(rows, overtime=rule)
    assert hours(table, "REG") + hours(table, "OT") == 41  # 32 h + the 9-hour night
    assert hours(table, "OT") == 1
    if rule != "contract":  # split at midnight: 1 h on Saturday, 8 real hours (00:00-07:00 EDT->EST) on Sunday
        assert hours(table, "REG", day="2026-11-01") + hours(table, "OT", day="2026-11-01") == 8


@pytest.mark.parametrize("rule", ["weekly_40", "daily_8_12"])
def test_a_night_across_the_spring_change_is_paid_7_hours(rule):
    rows = [shift(f"2026-03-0{d}", "08:00", 8) for d in (2, 3, 4, 5, 6)] + [shift("2026-03-07", "23:00", 8, name="night")]
    table, _ = run(rows, overtime=rule)
    assert (hours(table, "REG"), hours(table, "OT")) == (40, 7)
    assert hours(table, "OT", day="2026-03-08") == 6  # 00:00-07:00 on the 23-hour Sunday


def test_differentials_raise_the_regular_rate_for_overtime():
    rows = [shift(f"2026-11-0{d}", "20:00", 10, name="night") for d in range(2, 7)]  # 8 night hours each
    table, rec = run(rows, overtime="weekly_40", night={"start": "22:00", "end": "06:00", "per_hour": 2.0})
    assert (hours(table, "REG"), hours(table, "OT"), hours(table, "NIGHT"), hours(table, "OTADJ")) == (40, 10, 40, 10)
    # regular rate = (50 h x 40 + 80) / 50 = 41.60; premium 0.5 x 1.60 over the base-rate overtime per OT hour
    assert table.loc[table["pay_code"] == "OTADJ", "amount"].sum() == pytest.approx(8.0)
    mine = rec[rec["staff_id"] == "C0"].iloc[0]
    assert mine["payroll_amount"] == pytest.approx(1600 + 600 + 80 + 8)
    assert mine["regular_rate_adjustment"] == pytest.approx(8.0) and mine["rounding"] == 0


def test_contract_rule_reconciles_with_the_roster_cost_to_the_cent():
    rows = [shift(f"2026-11-0{d}", "07:00", 8) for d in range(2, 8)] + [shift("2026-11-03", "23:00", 8, sid="C1", district="South")]
    table, rec = run(rows)
    assert hours(table, "OT") == 8
    assert (rec["difference"] == 0).all() and rec.loc[rec["staff_id"] == "TOTAL", "roster_cost"].item() == 48 * 40 + 8 * 20 + 8 * 50


def test_a_pay_period_that_does_not_divide_the_roster_is_bad_input():
    with pytest.raises(InputError, match="pay.period_days = 14 does not divide"):
        run([shift("2026-11-02", "08:00", 8)], period_days=14)


def test_a_workweek_starting_at_07_keeps_early_monday_hours_in_the_week_before():
    rows = [shift(f"2026-11-0{d}", "08:00", 8) for d in range(2, 8)] + [shift("2026-11-09", "00:00", 6)]
    table, _ = run(rows, overtime="weekly_40", workweek_start_hour=7)
    assert hours(table, "OT") == 14  # 48 h + 6 h before Monday 07:00, all in the workweek from Nov 2 07:00
    assert hours(table, "OT", day="2026-11-08") == 6  # the workday from Sunday 07:00 holds Monday 00:00-06:00


def test_paid_leave_is_a_weekday_covered_whole_at_the_base_rate():
    cfg = small_config(pay={"paid_leave_hours_per_day": 8}, rules={})
    staff = pd.DataFrame([person("C0", "clinician", "North", contract=40.0, rate=40.0, cfg=cfg)])
    tz = cfg.timezone
    leave = pd.DataFrame([{"staff_id": "C0", "start": pd.Timestamp("2026-11-04").tz_localize(tz),
                           "end": pd.Timestamp("2026-11-09").tz_localize(tz)},  # Wednesday to Sunday
                          {"staff_id": "C0", "start": pd.Timestamp("2026-11-02 12:00").tz_localize(tz),
                           "end": pd.Timestamp("2026-11-02 16:00").tz_localize(tz)}])  # part of Monday: not paid
    table, rec = payroll(pd.DataFrame([shift("2026-11-03", "08:00", 8)]), staff, leave, cfg)
    paid = table[table["pay_code"] == "LEAVE"]
    assert list(paid["workday"]) == [dt.date(2026, 11, 4), dt.date(2026, 11, 5), dt.date(2026, 11, 6)]
    assert (paid["hours"] == 8).all() and (paid["amount"] == 320).all() and (paid["cost_centre"] == "North").all()
    assert rec.loc[rec["staff_id"] == "C0", "paid_leave"].item() == 960 == rec.loc[rec["staff_id"] == "C0", "difference"].item()
