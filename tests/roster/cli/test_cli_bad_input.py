"""Bad input: a clear message naming the file/row/key, exit code 2, and nothing written."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cities import ROOT
from roster.cli import app

runner = CliRunner()


@pytest.fixture
def city(tmp_path):
    """A private copy of the example city (inputs are never modified; we modify the copy)."""
    shutil.copy(ROOT / "roster.toml", tmp_path / "roster.toml")
    shutil.copytree(ROOT / "examples" / "metro", tmp_path / "examples" / "metro")
    return tmp_path


def plan(city: Path):
    out = city / "out"
    result = runner.invoke(app, ["plan", "--config", str(city / "roster.toml"), "--out", str(out), "--quiet"])
    return result, out


def assert_bad(result, out, *needles):
    assert result.exit_code == 2, result.output
    for n in needles:
        assert n in result.output, result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def edit(path: Path, fn):
    lines = path.read_text().splitlines()
    path.write_text("\n".join(fn(lines)) + "\n")


def test_missing_file(city):
    (city / "examples/metro/staff.csv").unlink()
    result, out = plan(city)
    assert_bad(result, out, "staff.csv", "not found")


def test_csv_missing_required_column(city):
    edit(city / "examples/metro/staff.csv", lambda ls: [ls[0].replace("home_district", "home")] + ls[1:])
    result, out = plan(city)
    assert_bad(result, out, "staff.csv", "home_district")


def test_unparseable_timestamp(city):
    edit(city / "examples/metro/calls.csv", lambda ls: ls[:5] + ["yesterday at noon,Downtown,welfare_check"] + ls[6:])
    result, out = plan(city)
    assert_bad(result, out, "calls.csv", "Row 6", "yesterday at noon")


def test_call_in_unknown_district(city):
    def f(ls):
        ts = ls[10].split(",")[0]
        return ls[:10] + [f"{ts},Atlantis,welfare_check"] + ls[11:]

    edit(city / "examples/metro/calls.csv", f)
    result, out = plan(city)
    assert_bad(result, out, "calls.csv", "Atlantis")


def test_staff_with_unknown_role(city):
    edit(city / "examples/metro/staff.csv", lambda ls: [ls[0], ls[1].replace("clinician", "wizard", 1).replace("peer_supporter", "wizard", 1).replace("community_health_worker", "wizard", 1)] + ls[2:])
    result, out = plan(city)
    assert_bad(result, out, "staff.csv", "row 2", "wizard")


def test_duplicate_staff_ids(city):
    edit(city / "examples/metro/staff.csv", lambda ls: ls + [ls[1]])
    result, out = plan(city)
    assert_bad(result, out, "staff.csv", "used again")


@pytest.mark.parametrize("value", ["-5", "forty"])
def test_negative_or_non_numeric_hours(city, value):
    def f(ls):
        header = ls[0].split(",")
        i = header.index("contract_hours")
        cells = ls[1].split(",")
        cells[i] = value
        return [ls[0], ",".join(cells)] + ls[2:]

    edit(city / "examples/metro/staff.csv", f)
    result, out = plan(city)
    assert_bad(result, out, "staff.csv", "row 2", "contract_hours")


def test_leave_ending_before_it_starts(city):
    def f(ls):
        sid = ls[1].split(",")[0]
        return ls + [f"{sid},2026-11-05,2026-11-03"]

    edit(city / "examples/metro/time_off.csv", f)
    result, out = plan(city)
    assert_bad(result, out, "time_off.csv", "ends", "before it starts")


def test_unknown_time_zone(city):
    edit(city / "roster.toml", lambda ls: [l.replace('"America/New_York"', '"America/Springfield"') for l in ls])
    result, out = plan(city)
    assert_bad(result, out, "city.timezone", "America/Springfield")


def test_week_that_is_not_a_monday(city):
    out = city / "out"
    result = runner.invoke(app, ["plan", "--config", str(city / "roster.toml"), "--out", str(out), "--week", "2026-11-04", "-q"])
    assert_bad(result, out, "Wednesday", "2026-11-02")


def test_inputs_are_never_modified(city):
    before = {p: p.read_bytes() for p in (city / "examples/metro").iterdir()}
    runner.invoke(app, ["forecast", "--config", str(city / "roster.toml"), "--out", str(city / "out")])
    assert {p: p.read_bytes() for p in (city / "examples/metro").iterdir()} == before


def test_request_with_unknown_kind(city):
    edit(city / "examples/metro/requests.csv", lambda ls: ls + [ls[1].split(",")[0] + ",2026-11-03,,maybe,10"])
    result, out = plan(city)
    assert_bad(result, out, "requests.csv", "maybe", "on", "off")


def test_request_for_unknown_shift(city):
    edit(city / "examples/metro/requests.csv", lambda ls: ls + [ls[1].split(",")[0] + ",2026-11-03,brunch,on,10"])
    result, out = plan(city)
    assert_bad(result, out, "requests.csv", "brunch")


def test_shift_requirements_with_unknown_shift(city):
    bad = city / "shift_req.csv"
    bad.write_text("date,shift,district,role,required\n2026-11-02,brunch,Downtown,clinician,1\n")
    out = city / "out"
    result = runner.invoke(app, ["plan", "--config", str(city / "roster.toml"), "--out", str(out), "-q",
                                 "--shift-requirements", str(bad)])
    assert_bad(result, out, "shift_req.csv", "brunch")
