"""Bad options and files given to any command end in exit 2 with a message naming them, never a traceback:
a folder where a file is expected, an empty forecast file, a negative seed, a non-finite frontier grid
(refused before the inputs are read), a --datetime-format that shows no time."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from edge_city import PIN_HEADER, assert_refused, short_city, snapshot
from roster.cli import app

runner = CliRunner()

ROW16 = "S001,x,clinician,Harbor,2025-06-16,early,2025-06-16T07:00:00-04:00,2025-06-16T15:00:00-04:00,8,0,480"


@pytest.fixture
def city(tmp_path):
    config = short_city(tmp_path / "city")
    (config.parent / "adir").mkdir()
    (config.parent / "r16.csv").write_text(f"{PIN_HEADER}\n{ROW16}\n")
    return config


def _refused(city: Path, args: list[str], *needles: str, out: str = "o1") -> None:
    before = snapshot(city.parent)
    result = runner.invoke(app, args)
    assert_refused(result, city.parent / out, *needles, before=before, folder=city.parent)


@pytest.mark.parametrize("command", [
    ["plan", "--quiet"], ["forecast"], ["validate"], ["frontier", "--quiet"], ["check", "R"], ["simulate", "--roster", "R"],
])
def test_config_that_is_a_folder(city, command):
    args = [a.replace("R", str(city.parent / "r16.csv")) for a in command]
    args += ["--config", str(city.parent / "adir")]
    if command[0] in ("plan", "forecast", "frontier", "simulate"):
        args += ["--out", str(city.parent / "o1")]
    _refused(city, args, "adir", "is a folder, not a file")


@pytest.mark.parametrize("option", ["--pin", "--previous", "--shift-requirements"])
def test_plan_input_that_is_a_folder(city, option):
    _refused(city, ["plan", "--config", str(city), "--out", str(city.parent / "o1"), "--quiet", option,
                    str(city.parent / "adir")], "adir", "is a folder, not a file")


def test_data_file_that_is_a_folder(city):
    (city.parent / "examples/metro/staff.csv").unlink()
    (city.parent / "examples/metro/staff.csv").mkdir()
    _refused(city, ["validate", "--config", str(city)], "staff.csv", "is a folder, not a file")


def test_calls_and_scenario_file_that_are_folders(city):
    _refused(city, ["backtest", "--calls", str(city.parent / "adir"), "--timezone", "America/New_York", "--out",
                    str(city.parent / "o1")], "adir", "is a folder, not a file")
    _refused(city, ["scenarios", str(city.parent / "adir"), "--config", str(city), "--out", str(city.parent / "o1"),
                    "--quiet"], "adir", "is a folder, not a file")


@pytest.mark.parametrize("content", ["", "\n", "hour_start\n", "a,b\n1,2\n", "x\n\"unclosed\n"])
def test_simulate_with_an_unreadable_forecast_file(city, content):
    fc = city.parent / "fc.csv"
    fc.write_text(content)
    _refused(city, ["simulate", "--roster", str(city.parent / "r16.csv"), "--forecast", str(fc), "--config", str(city),
                    "--out", str(city.parent / "o1")], "fc.csv")


def test_simulate_with_a_negative_seed(city):
    _refused(city, ["simulate", "--roster", str(city.parent / "r16.csv"), "--config", str(city), "--seed", "-1",
                    "--out", str(city.parent / "o1")], "--seed -1")


@pytest.mark.parametrize("option,values", [("--budgets", "nan"), ("--budgets", "20000,inf"), ("--targets", "nan"),
                                           ("--targets", "2"), ("--budgets", "-5")])
def test_frontier_grid_is_checked_before_the_inputs_are_read(city, option, values, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the inputs were read before the grid was checked")

    monkeypatch.setattr("roster.pipeline.load.load_inputs", no_work)
    _refused(city, ["frontier", "--config", str(city), "--out", str(city.parent / "o1"), "--quiet", option, values],
             option)


@pytest.mark.parametrize("fmt", ["", "%Q", "Shift", "%%Y"])
def test_export_datetime_format_that_shows_no_time(city, fmt):
    _refused(city, ["export", "--roster", str(city.parent / "r16.csv"), "--format", "csv-long", "--config", str(city),
                    "--datetime-format", fmt, "--out", str(city.parent / "o1")], "--datetime-format")


def test_export_datetime_format_that_shows_the_time_is_used(city):
    out = city.parent / "o1"
    result = runner.invoke(app, ["export", "--roster", str(city.parent / "r16.csv"), "--format", "csv-long", "--config",
                                 str(city), "--datetime-format", "%d.%m.%Y %H:%M", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "16.06.2025 07:00" in (out / "roster_long.csv").read_text()


@pytest.mark.parametrize("rel", ["examples/metro/staff.csv", "examples/metro/calls.csv", "examples/metro/time_off.csv",
                                 "examples/metro/requests.csv"])
def test_a_first_row_with_an_extra_cell_is_named(city, rel):
    """pandas would take the first column as an index and shift the others (staff_id read as name, ...)."""
    path = city.parent / rel
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",", ",,", 1)
    path.write_text("\n".join(lines) + "\n")
    _refused(city, ["validate", "--config", str(city)], Path(rel).name, "row 2", "cells but the header has")


@pytest.mark.parametrize("option", ["--pin", "--shift-requirements"])
def test_a_plan_input_with_an_extra_cell_is_named(city, option):
    path = city.parent / ("pin.csv" if option == "--pin" else "shift_req.csv")
    lines = path.read_text().splitlines()
    lines[1] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    _refused(city, ["plan", "--config", str(city), "--out", str(city.parent / "o1"), "--quiet", "--week", "2026-11-02",
                    option, str(path)], path.name, "row 2", "cells but the header has")


@pytest.mark.parametrize("patience", ["1e-300", "0.005"])
def test_erlang_patience_outside_what_the_model_computes(patience):
    result = runner.invoke(app, ["erlang", "--rate", "3", "--busy-minutes", "60", "--target-minutes", "30",
                                 "--target-share", "0.9", "--patience-minutes", patience])
    assert result.exit_code == 2, result.output
    assert "patience minutes must be at least 0.01" in result.output and "Traceback" not in result.output


def test_simulate_replications_have_a_ceiling(city):
    _refused(city, ["simulate", "--roster", str(city.parent / "r16.csv"), "--config", str(city), "--replications",
                    "100000000", "--out", str(city.parent / "o1")], "--replications")
