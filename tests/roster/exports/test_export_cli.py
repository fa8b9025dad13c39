"""`roster export` in every format: contents, formula-injection safety, DST instants, UIDs, payroll hours, bad input."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import icalendar
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from export_city import FALL_BACK, PLAIN, RISKY_NAMES, SPRING_FORWARD, write_city, write_roster
from roster.cli import app
from roster.exports.calendar import shift_uid

runner = CliRunner()
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def city(tmp_path):
    """(roster.toml path, config) of the copied city."""
    from roster.config import load_config

    path = write_city(tmp_path / "city", '[privacy]\npseudonym_key_env = "ROSTER_TEST_PSEUDONYM_KEY"\n')
    return path, load_config(path)


def export(config, roster, fmt, out, *extra):
    return runner.invoke(app, ["export", "--roster", str(roster), "--config", str(config), "--format", fmt,
                               "--out", str(out), *extra])


def exported(city, tmp_path, fmt, monday=PLAIN, *extra):
    config, cfg = city
    roster = tmp_path / "plan" / "roster.csv"
    priced = write_roster(roster, cfg, monday)
    result = export(config, roster, fmt, tmp_path / fmt, *extra)
    assert result.exit_code == 0, result.output
    return priced, roster, tmp_path / fmt


def test_csv_long_is_roster_csv_and_round_trips_through_check(city, tmp_path):
    _, roster, out = exported(city, tmp_path, "csv-long")
    assert (out / "roster_long.csv").read_text() == roster.read_text()
    checks = [runner.invoke(app, ["check", str(p), "--config", str(city[0])]).output.replace(str(p), "ROSTER")
              for p in (roster, out / "roster_long.csv")]
    assert checks[0] == checks[1] and "Checked 30 shifts of 6 people" in checks[0]


def test_csv_long_date_format_and_bom(city, tmp_path):
    _, _, out = exported(city, tmp_path, "csv-long", PLAIN, "--datetime-format", "%d/%m/%Y %H:%M", "--bom")
    raw = (out / "roster_long.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    back = pd.read_csv(out / "roster_long.csv", encoding="utf-8-sig")
    assert back["start"].str.fullmatch(r"\d\d/11/2026 \d\d:\d\d").all()


@pytest.mark.parametrize("fmt,file,column", [("csv-long", "roster_long.csv", "name"), ("csv-grid", "roster_grid.csv", "name"),
                                             ("payroll", "payroll.csv", "name"), ("payroll", "payroll_reconciliation.csv", "name")])
def test_risky_names_are_neutralised_and_numbers_stay_numbers(city, tmp_path, fmt, file, column):
    _, _, out = exported(city, tmp_path, fmt)
    back = pd.read_csv(out / file, keep_default_na=False)
    names = set(back[column])
    for name in RISKY_NAMES:
        assert "'" + name in names and name not in names
    numeric = [c for c in back.columns if c.startswith(("paid_hours", "hours", "amount", "roster_cost")) or c == "cost"]
    assert numeric and all(pd.api.types.is_numeric_dtype(back[c]) for c in numeric)


def test_xlsx_opens_its_shifts_match_the_long_csv_and_cells_are_safe(city, tmp_path):
    _, roster, out = exported(city, tmp_path, "xlsx")
    wb = openpyxl.load_workbook(out / "roster.xlsx")
    assert wb.sheetnames == ["Grid", "Shifts", "Hours", "Coverage"]
    ws = wb["Shifts"]
    assert ws.freeze_panes == "A2"
    values = list(ws.values)
    sheet = pd.DataFrame(values[1:], columns=values[0])
    long = pd.read_csv(roster, keep_default_na=False)
    long["name"] = long["name"].map(lambda n: "'" + n if n in RISKY_NAMES else n)
    pd.testing.assert_frame_equal(sheet, long, check_dtype=False)
    for sheet_name in ("Grid", "Shifts", "Hours"):
        cells = [c for row in wb[sheet_name].iter_rows() for c in row]
        assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "@")) for c in cells)
        assert all(c.data_type != "f" for c in cells)
    assert isinstance(ws.cell(row=2, column=9).value, (int, float))  # paid_hours is a number


@pytest.mark.parametrize("monday", [FALL_BACK, SPRING_FORWARD], ids=["fall-back", "spring-forward"])
def test_each_calendar_parses_and_its_instants_match_the_roster(city, tmp_path, monday):
    priced, _, out = exported(city, tmp_path, "ics", monday, "--per-district")
    files = sorted(p.name for p in out.glob("*.ics"))
    assert [f for f in files if not f.startswith("district-")] == [f"{sid}.ics" for sid in sorted(set(priced["staff_id"]))]
    for sid, rows in priced.groupby("staff_id"):
        cal = icalendar.Calendar.from_ical((out / f"{sid}.ics").read_bytes())
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]
        events = cal.walk("VEVENT")
        got = sorted((e.decoded("DTSTART").astimezone(dt.timezone.utc), e.decoded("DTEND").astimezone(dt.timezone.utc),
                      str(e["LOCATION"])) for e in events)
        want = sorted((s.tz_convert("UTC").to_pydatetime(), e.tz_convert("UTC").to_pydatetime(), d)
                      for s, e, d in zip(rows["start"], rows["end"], rows["district"]))
        assert got == want
        assert all("DTSTAMP" in e and int(e["SEQUENCE"]) == 0 for e in events)
    nights = priced[priced["shift"] == "night"]
    crossing = nights[nights["date"] == monday + dt.timedelta(days=5)]
    assert set(crossing["paid_hours"]) == {9.0 if monday == FALL_BACK else 7.0}


def test_sub_second_roster_times_become_whole_seconds_without_a_warning(city, tmp_path):
    """Times with a fraction of a second (micro- and nanoseconds) are exported at the whole second, with their
    UTC offset on both sides of the autumn change, silently; and a re-export sees the same shifts (SEQUENCE 0)."""
    config, cfg = city
    roster = tmp_path / "plan" / "roster.csv"
    priced = write_roster(roster, cfg, FALL_BACK)
    fine = re.sub(r"(T\d\d:\d\d:\d\d)([+-]\d\d:\d\d)", r"\1.400000250\2", roster.read_text())
    assert fine.count(".400000250") == 2 * len(priced)
    roster.write_text(fine)
    out = tmp_path / "ics"
    for _ in range(2):  # the second export reads the first's events as the previous ones
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = export(config, roster, "ics", out)
        assert result.exit_code == 0, result.output
    offsets = set()
    for sid, rows in priced.groupby("staff_id"):
        raw = (out / f"{sid}.ics").read_bytes()
        assert b".4" not in raw and b"DTSTART;TZID=America/New_York:" in raw
        events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
        got = sorted((e.decoded("DTSTART"), e.decoded("DTEND")) for e in events)
        want = sorted(zip(rows["start"].map(pd.Timestamp.to_pydatetime), rows["end"].map(pd.Timestamp.to_pydatetime)))
        assert got == want and all(g.utcoffset() == w.utcoffset() for pair in zip(got, want) for g, w in zip(*pair))
        assert all(int(e["SEQUENCE"]) == 0 and "STATUS" not in e for e in events)
        offsets |= {t.utcoffset() for pair in got for t in pair}
    assert offsets == {dt.timedelta(hours=-4), dt.timedelta(hours=-5)}


def test_uids_are_stable_and_a_changed_shift_raises_sequence(city, tmp_path):
    config, cfg = city
    first = tmp_path / "a" / "roster.csv"
    priced = write_roster(first, cfg, PLAIN)
    second = tmp_path / "b" / "roster.csv"
    write_roster(second, cfg, PLAIN)  # the same week planned again
    out = tmp_path / "ics"
    assert export(config, first, "ics", out).exit_code == 0
    before = {str(e["UID"]): e for p in out.glob("*.ics") for e in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")}
    assert export(config, second, "ics", tmp_path / "ics2").exit_code == 0
    again = {str(e["UID"]) for p in (tmp_path / "ics2").glob("*.ics") for e in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")}
    assert again == set(before) and len(before) == len(priced)
    moved = pd.read_csv(second, dtype=str, keep_default_na=False)
    moved.loc[0, "district"] = "Eastgate" if moved.loc[0, "district"] != "Eastgate" else "Harbor"
    dropped = moved.iloc[1]
    moved.drop(index=1).to_csv(second, index=False)
    assert export(config, second, "ics", out).exit_code == 0  # re-export into the same folder
    after = {str(e["UID"]): e for p in out.glob("*.ics") for e in icalendar.Calendar.from_ical(p.read_bytes()).walk("VEVENT")}
    assert set(after) == set(before)
    seq = {u: (int(e["SEQUENCE"]), str(e.get("STATUS", ""))) for u, e in after.items()}
    changed = [u for u, e in after.items() if str(e["LOCATION"]) != str(before[u]["LOCATION"])]
    cancelled = [u for u, (_, status) in seq.items() if status == "CANCELLED"]
    assert len(changed) == 1 and seq[changed[0]] == (1, "")
    assert cancelled == [shift_uid(cfg.city.name, dropped["staff_id"], dropped["date"], dropped["shift"])]
    assert seq[cancelled[0]][0] == 1
    assert sum(s == (0, "") for s in seq.values()) == len(before) - 2


@pytest.mark.parametrize("rule", ["contract", "weekly_40", "daily_8_12"])
def test_payroll_hours_per_person_equal_roster_paid_hours(tmp_path, rule):
    from roster.config import load_config

    config = write_city(tmp_path / "city", f'[pay]\novertime = "{rule}"\n[pay.night]\nper_hour = 2.5\n')
    cfg = load_config(config)
    roster = tmp_path / "plan" / "roster.csv"
    priced = write_roster(roster, cfg, FALL_BACK)
    result = export(config, roster, "payroll", tmp_path / "pay")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "pay" / "payroll.csv")
    worked = table[table["pay_code"].isin(["REG", "OT", "DT"])].groupby("staff_id")["hours"].sum()
    pd.testing.assert_series_equal(worked.round(6), priced.groupby("staff_id")["paid_hours"].sum().round(6), check_names=False)
    rec = pd.read_csv(tmp_path / "pay" / "payroll_reconciliation.csv", keep_default_na=False)
    total = rec[rec["staff_id"] == "TOTAL"].iloc[0]
    assert total["roster_cost"] == pytest.approx(priced["cost"].sum(), abs=0.01)
    parts = total["paid_leave"] + total["regular_rate_adjustment"] + total["overtime_rule"] - total["repricing"] + total["rounding"]
    assert total["difference"] == pytest.approx(parts, abs=0.005)
    assert abs(total["rounding"]) <= 0.01 * len(priced)


def test_pseudonymised_exports_carry_no_names_and_need_the_key(city, tmp_path, monkeypatch):
    config, cfg = city
    roster = tmp_path / "plan" / "roster.csv"
    write_roster(roster, cfg, PLAIN)
    monkeypatch.delenv("ROSTER_TEST_PSEUDONYM_KEY", raising=False)
    refused = export(config, roster, "csv-grid", tmp_path / "grid", "--pseudonymise")
    assert refused.exit_code == 2 and "ROSTER_TEST_PSEUDONYM_KEY" in refused.output and not (tmp_path / "grid").exists()
    monkeypatch.setenv("ROSTER_TEST_PSEUDONYM_KEY", KEY)
    staff = pd.read_csv(tmp_path / "city" / "staff.csv", dtype=str)
    for fmt in ("csv-long", "csv-grid", "payroll", "ics", "xlsx"):
        out = tmp_path / f"p-{fmt}"
        assert export(config, roster, fmt, out, "--pseudonymise").exit_code == 0
        blob = b"".join(p.read_bytes() for p in out.iterdir())
        if fmt == "xlsx":
            wb = openpyxl.load_workbook(out / "roster.xlsx")
            blob = repr([list(ws.values) for ws in wb]).encode()
        assert not any(n.encode() in blob for n in staff["name"] if len(n) > 4), fmt
        if fmt == "ics":
            assert not any(p.name.startswith("S0") for p in out.iterdir())


def _bad(tmp_path, city, text=None, fmt="csv-long", extra_toml=None):
    config, cfg = city
    if extra_toml is not None:
        config = write_city(tmp_path / "city2", extra_toml)
    roster = tmp_path / "plan" / "roster.csv"
    write_roster(roster, cfg, PLAIN)
    if text is not None:
        roster.write_text(text(roster.read_text()))
    result = export(config, roster, fmt, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    return result.output


def test_bad_input_is_named_and_writes_nothing(city, tmp_path):
    assert "lacks the column(s) start" in _bad(tmp_path, city, lambda t: t.replace("start,", "begin,", 1))
    assert "row 2: staff_id S99" in _bad(tmp_path, city, lambda t: t.replace("\nS00", "\nS99", 1))
    assert "no UTC offset" in _bad(tmp_path, city, lambda t: t.replace("-05:00", "", 1))
    assert "not an export format" in _bad(tmp_path, city, fmt="pdf")
    assert "pay.period_days = 14 does not divide" in _bad(tmp_path, city, fmt="payroll", extra_toml="[pay]\nperiod_days = 14\n")
    assert "pay.overtime" in _bad(tmp_path, city, fmt="payroll", extra_toml='[pay]\novertime = "weekly_41"\n')


@pytest.mark.slow
def test_a_plan_with_risky_names_writes_only_safe_cells_and_its_exports_round_trip(city, tmp_path):
    config, _ = city
    plan = runner.invoke(app, ["plan", "--config", str(config), "--out", str(tmp_path / "plan"), "--time-limit", "20", "--quiet"])
    assert plan.exit_code == 0, plan.output
    for path in (tmp_path / "plan").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        cells = [c for col in frame.columns for c in frame[col]]
        assert not any(c.startswith(("=", "+", "@")) for c in cells), path.name
    roster = pd.read_csv(tmp_path / "plan" / "roster.csv", keep_default_na=False)
    assert set("'" + n for n in RISKY_NAMES) & set(roster["name"])  # at least one of them is rostered, neutralised
    assert pd.api.types.is_float_dtype(roster["paid_hours"]) and pd.api.types.is_float_dtype(roster["cost"])
    assert export(config, tmp_path / "plan" / "roster.csv", "csv-long", tmp_path / "long").exit_code == 0
    check = runner.invoke(app, ["check", str(tmp_path / "long" / "roster_long.csv"), "--config", str(config)])
    assert check.exit_code == 0 and "No hard-rule violations" in check.output
    assert export(config, tmp_path / "plan" / "roster.csv", "xlsx", tmp_path / "xlsx").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "xlsx" / "roster.xlsx")
    assert wb["Coverage"].max_row == len(pd.read_csv(tmp_path / "plan" / "coverage.csv")) + 1  # the plan's coverage.csv
