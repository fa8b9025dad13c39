"""`roster plan --weeks N` end to end on a one-district copy of the example city (tests/period_city.py):
every output over the period, the checker, DST changes inside the period, --previous chaining, --pin
across the period, overtime per workweek, and --weeks validation."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from period_city import DISTRICT, write_period_city
from roster.cli import app

runner = CliRunner()


def plan(config, out, week, *extra, code=0):
    result = runner.invoke(app, ["plan", "--config", str(config), "--out", str(out), "--week", week, "--quiet", *extra])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return write_period_city(tmp_path_factory.mktemp("period_city"))


@pytest.fixture(scope="module")
def autumn(city, tmp_path_factory):
    out = tmp_path_factory.mktemp("autumn")
    plan(city, out, "2026-10-05", "--weeks", "4")
    return out


def _weeks_of(dates, monday):
    return [(dt.date.fromisoformat(d) - monday).days // 7 for d in dates]


@pytest.mark.parametrize("week,hours,dst_day,night_hours", [
    ("2026-10-05", 4 * 168 + 1, "2026-10-31", 9),  # autumn: 2026-11-01 has 25 hours
    ("2026-03-02", 4 * 168 - 1, "2026-03-07", 7),  # spring: 2026-03-08 has 23 hours
], ids=["autumn", "spring"])
def test_four_weeks_write_every_output_over_28_days_and_pass_check(city, autumn, tmp_path, week, hours, dst_day, night_hours):
    out = autumn if week == "2026-10-05" else tmp_path / "out"
    if week != "2026-10-05":
        plan(city, out, week, "--weeks", "4")
    monday = dt.date.fromisoformat(week)
    names = {p.name for p in out.iterdir()}
    assert {"roster.csv", "coverage.csv", "forecast.csv", "requirements.csv", "summary.json", "simulation.csv",
            "explain.csv", "penalties.csv"} <= names
    s = json.loads((out / "summary.json").read_text())
    assert s["weeks"] == 4 and s["hours_in_period"] == hours
    assert s["period_start"].startswith(week) and s["period_end"].startswith(str(monday + dt.timedelta(days=28)))
    assert s["trace"] and {"seconds", "objective", "bound", "gap"} == set(s["trace"][-1])
    assert s["trace"][-1]["objective"] == pytest.approx(s["objective"], rel=1e-6)

    roster = pd.read_csv(out / "roster.csv")
    assert sorted(set(_weeks_of(roster["date"], monday))) == [0, 1, 2, 3]
    assert roster["cost"].sum() == pytest.approx(s["total_cost"], abs=0.05)
    assert pd.read_csv(out / "forecast.csv").groupby("district").size().eq(hours).all()
    assert pd.read_csv(out / "coverage.csv").groupby(["district", "role"]).size().eq(hours).all()
    req = pd.read_csv(out / "requirements.csv")
    assert req["hour_start"].nunique() == hours
    # the night across the DST change inside the period is paid its real hours
    nights = roster[(roster["date"] == dst_day) & (roster["shift"] == "night")]
    assert not nights.empty and (nights["paid_hours"] == night_hours).all()
    # overtime per workweek of the period, as pay computes it: hours above the weekly contract in each week
    staff = pd.read_csv(city.parent / "staff.csv").set_index("staff_id")
    roster["week"] = _weeks_of(roster["date"], monday)
    weekly = roster.groupby(["staff_id", "week"])[["paid_hours", "overtime_hours"]].sum().reset_index()
    expected = (weekly["paid_hours"] - staff.loc[weekly["staff_id"], "contract_hours"].to_numpy()).clip(lower=0)
    assert weekly["overtime_hours"].to_numpy() == pytest.approx(expected.to_numpy())
    # explain.csv counts each person's shifts over the whole period
    explain = pd.read_csv(out / "explain.csv").set_index("staff_id")
    assert explain["shifts"].sum() == len(roster)

    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city)])
    assert check.exit_code == 0, check.output
    assert f"4 weeks from {week}" in check.output and "No hard-rule violations" in check.output


def test_check_refuses_a_period_shorter_than_the_roster(city, autumn):
    result = runner.invoke(app, ["check", str(autumn / "roster.csv"), "--config", str(city), "--weeks", "2"])
    assert result.exit_code == 2 and "beyond the 2 week(s)" in result.output


def test_next_period_chains_from_previous(city, autumn, tmp_path):
    out = tmp_path / "next"
    plan(city, out, "2026-11-02", "--weeks", "4", "--previous", str(autumn / "roster.csv"))
    s = json.loads((out / "summary.json").read_text())
    assert s["planned_as_repeating_week"] is False and s["weeks"] == 4
    prev = pd.read_csv(autumn / "roster.csv")
    # last period's Sunday nights cover the first hours of the new period (and not its own Monday's)
    spill = prev[(prev["date"] == "2026-11-01") & prev["end"].str.startswith("2026-11-02T0")]
    cov = pd.read_csv(out / "coverage.csv")
    first = cov[cov["hour_start"] == "2026-11-02T00:00:00-05:00"]
    assert first["scheduled"].sum() >= len(spill) > 0
    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city),
                                "--previous", str(autumn / "roster.csv")])
    assert check.exit_code == 0, check.output


def test_pin_across_the_period_releases_only_the_shift_on_new_leave(city, autumn, tmp_path):
    roster = pd.read_csv(autumn / "roster.csv")
    day = "2026-10-21"  # in the third week
    overnight = set(roster[(roster["date"] == "2026-10-20") & roster["end"].str.startswith(day)]["staff_id"])
    sick = next(sid for sid in roster[roster["date"] == day]["staff_id"] if sid not in overnight)
    folder = city.parent
    leave_path = folder / "time_off.csv"
    original = leave_path.read_text()
    try:
        leave = pd.read_csv(leave_path, dtype=str)
        leave = pd.concat([leave, pd.DataFrame([{"staff_id": sick, "start": day, "end": day}])])
        leave.to_csv(leave_path, index=False)
        out = tmp_path / "pinned"
        plan(city, out, "2026-10-05", "--weeks", "4", "--pin", str(autumn / "roster.csv"))
    finally:
        leave_path.write_text(original)
    changes = pd.read_csv(out / "changes.csv")
    forced = changes[changes["change"] == "forced"]
    on_leave = forced[forced["staff_id"] == sick]
    assert list(on_leave["date"]) == [day] and "approved leave" in on_leave["reason"].iloc[0]
    # every change is on the sick day: the other 27 days of the period stay as published
    assert set(changes.loc[changes["change"] != "kept", "date"]) == {day}
    s = json.loads((out / "summary.json").read_text())
    assert s["pins"]["published"] == len(roster) and s["pins"]["kept"] >= len(roster) - 2


def test_planning_weeks_in_roster_toml_is_the_default(tmp_path):
    city = write_period_city(tmp_path / "city", planning={"weeks": 2}, time_limit=10)
    out = tmp_path / "out"
    plan(city, out, "2026-11-02")
    s = json.loads((out / "summary.json").read_text())
    assert s["weeks"] == 2 and s["hours_in_period"] == 336
    plan(city, tmp_path / "one", "2026-11-02", "--weeks", "1")
    assert json.loads((tmp_path / "one" / "summary.json").read_text())["weeks"] == 1


@pytest.mark.parametrize("value", ["0", "9", "-1"])
def test_weeks_out_of_range_is_exit_2_with_the_range(city, tmp_path, value):
    result = plan(city, tmp_path / "bad", "2026-11-02", "--weeks", value, code=2)
    assert f"--weeks {value}: a roster period is 1 to 8 weeks" in result.output
    assert not (tmp_path / "bad").exists()


def test_weeks_not_a_number_is_exit_2(city, tmp_path):
    result = plan(city, tmp_path / "bad", "2026-11-02", "--weeks", "four", code=2)
    assert "--weeks" in result.output


def test_planning_weeks_out_of_range_names_the_key(tmp_path):
    city = write_period_city(tmp_path / "city", planning={"weeks": 12})
    result = plan(city, tmp_path / "out", "2026-11-02", code=2)
    assert "planning.weeks" in result.output and "1 to 8 weeks" in result.output
