"""Call timestamps finer than a microsecond (valid ISO 8601, as some phone systems export them) are read,
truncated to the microsecond; a timestamp the reader cannot parse is exit 2 naming the file, row and column."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from edge_city import assert_refused, short_city, snapshot
from forecast.io import load_calls, parse_timestamps
from roster.cli import app

runner = CliRunner()


def _nanoseconds(path: Path, every: int = 3) -> None:
    """Give every ``every``-th call a nine-digit fraction of a second (offset and naive forms both kept)."""
    lines = path.read_text().splitlines()
    for i in range(1, len(lines), every):
        ts, rest = lines[i].split(",", 1)
        ts = re.sub(r"(T\d{2}:\d{2}:\d{2})", rf"\g<1>.{i % 1000:03d}529236", ts, count=1)
        lines[i] = f"{ts},{rest}"
    path.write_text("\n".join(lines) + "\n")


def test_parse_truncates_nanoseconds_to_microseconds():
    got = parse_timestamps(pd.Series(["2026-10-01T12:00:18.242529236-04:00", "2026-10-01T12:00:18-04:00",
                                      "2026-10-01 12:59:59.999999999"]), "America/New_York")
    assert str(got.dtype) == "datetime64[us, America/New_York]"
    assert got[0] == pd.Timestamp("2026-10-01T12:00:18.242529-04:00")
    assert got[1] == pd.Timestamp("2026-10-01T12:00:18-04:00")
    # truncated, never rounded into the next hour
    assert got[2] == pd.Timestamp("2026-10-01T12:59:59.999999-04:00")


def test_parse_datetime_columns_with_nanoseconds_match_the_strings():
    """A Parquet file hands over datetime64[ns] columns: the same times as the strings, in the same unit."""
    naive = pd.Series(pd.to_datetime(["2026-10-01 12:00:18.242529236"]))
    aware = pd.Series(pd.to_datetime(["2026-10-01T16:00:18.242529236Z"]))
    want = parse_timestamps(pd.Series(["2026-10-01T12:00:18.242529236-04:00"]), "America/New_York")
    for values in (naive, aware):
        got = parse_timestamps(values, "America/New_York")
        assert got.dtype == want.dtype and got[0] == want[0]


def test_load_calls_reads_nanosecond_timestamps(tmp_path):
    config = short_city(tmp_path / "city")
    calls = config.parent / "examples/metro/calls.csv"
    plain = load_calls(calls, "America/New_York", as_of=False)
    _nanoseconds(calls)
    fine = load_calls(calls, "America/New_York", as_of=False)
    assert len(fine) == len(plain)
    assert (fine["timestamp"].dt.floor("s") == plain["timestamp"]).all()
    assert (fine["timestamp"] != plain["timestamp"]).sum() > 100


def test_roster_forecast_reads_nanosecond_timestamps(tmp_path):
    config = short_city(tmp_path / "city")
    _nanoseconds(config.parent / "examples/metro/calls.csv")
    out = tmp_path / "out"
    result = runner.invoke(app, ["forecast", "--config", str(config), "--out", str(out), "--week", "2025-06-09",
                                 "--model", "seasonal_naive"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert (out / "forecast.csv").is_file()


@pytest.mark.parametrize("bad", ["2026-10-01T12:00:18.2425292361234567890-04:00x", "2026-13-01T00:00:00-04:00",
                                 "2026-10-01T25:00:00.123456789-04:00", "2026-10-01T12:00:00+99:99", "not a time"])
@pytest.mark.parametrize("command", ["plan", "forecast"])
def test_an_unreadable_timestamp_names_file_row_and_column(tmp_path, command, bad):
    config = short_city(tmp_path / "city")
    calls = config.parent / "examples/metro/calls.csv"
    _nanoseconds(calls)
    lines = calls.read_text().splitlines()
    lines[7] = f"{bad},{lines[7].split(',', 1)[1]}"
    calls.write_text("\n".join(lines) + "\n")
    before = snapshot(config.parent)
    out = tmp_path / "out"
    args = [command, "--config", str(config), "--out", str(out)]
    result = runner.invoke(app, args + (["--quiet"] if command == "plan" else []))
    assert_refused(result, out, "calls.csv", "Row 8", "'timestamp'", before=before, folder=config.parent)


@pytest.mark.parametrize("command", ["plan", "validate"])
def test_a_year_typo_centuries_back_is_refused_before_the_history_is_built(tmp_path, command):
    """1026 for 2026 would make an hourly history of a thousand years (gigabytes) and then fail in the forecast."""
    config = short_city(tmp_path / "city")
    calls = config.parent / "examples/metro/calls.csv"
    lines = calls.read_text().splitlines()
    lines[2] = "1026" + lines[2][4:]
    calls.write_text("\n".join(lines) + "\n")
    before = snapshot(config.parent)
    out = tmp_path / "out"
    args = [command, "--config", str(config)] + (["--out", str(out), "--quiet"] if command == "plan" else [])
    result = runner.invoke(app, args)
    assert_refused(result, out, "calls.csv", "Row 3", "before 1970", "typo in the year", before=before,
                   folder=config.parent)


def test_hourly_counts_with_a_year_typo_are_refused(tmp_path):
    from forecast.errors import ForecastInputError
    from forecast.io import load_hourly_counts

    path = tmp_path / "hourly.csv"
    path.write_text("hour_start,district,calls\n2026-01-01T00:00:00-05:00,A,1\n0206-01-01T01:00:00-05:00,A,2\n")
    with pytest.raises(ForecastInputError, match=r"Row 3 .*before 1970"):
        load_hourly_counts(path, "America/New_York", as_of=False)
