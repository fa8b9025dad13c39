"""Malformed input of every kind per file, generated: one bad cell (or roster.toml value) in an otherwise good
city must end in exit 2 naming the file and row (or key), with no traceback, nothing written to --out and
the inputs untouched.  Every check runs before the forecast, so each example takes a fraction of a second."""

from __future__ import annotations

import shutil
import string
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from edge_city import assert_refused, short_city, snapshot
from roster.cli import app

runner = CliRunner()
FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

ROLES = {"clinician", "peer_supporter", "community_health_worker"}
DISTRICTS = {"Downtown", "Harbor", "Eastgate", "Northside", "Riverside", "Hillcrest"}
SHIFTS = {"early", "day", "late", "evening", "night", "long_night"}
TRUTHS = {"true", "yes", "y", "1", "t", "false", "no", "n", "0", "f", ""}

word = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=10)
junk = st.text(alphabet=string.ascii_letters + string.digits + " _#@!?=+-", min_size=1, max_size=12).filter(
    lambda s: s.strip() != "")
not_a_number = st.one_of(word, st.sampled_from(["inf", "-inf", "nan", "NaN", "Infinity", "1e999", "-1", "-0.5", "4,0",
                                                "40h", "forty", "1/2"]))
not_a_date = st.one_of(word.map(lambda s: "#" + s), st.sampled_from(["2026-02-30", "2026-13-01", "31/12/2026",
                                                                     "2026-11-02T25:00"]))
not_an_instant = st.one_of(word.map(lambda s: "#" + s), st.sampled_from(["2026-02-30T07:00:00-05:00", "07:00",
                                                                         "2026-11-02T7am", "2026-11-02"]))


def unknown(known: set[str]):
    return word.filter(lambda s: s not in known and s.lower() not in {k.lower() for k in known})


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return short_city(tmp_path_factory.mktemp("pristine") / "city").parent


def run_with_bad_cell(pristine: Path, rel: str, row: int, column: str, value: str, extra=(), row_label=None):
    with tempfile.TemporaryDirectory(prefix="s36b-fuzz-") as tmp:
        folder = Path(tmp) / "city"
        shutil.copytree(pristine, folder)
        path = folder / rel
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        row = row % len(frame)
        frame.loc[row, column] = value
        frame.to_csv(path, index=False)
        before = snapshot(folder)
        args = [a.replace("{folder}", str(folder)) for a in extra]
        result = runner.invoke(app, ["plan", "--config", str(folder / "roster.toml"), "--out", str(folder / "out"),
                                     "--quiet", "--week", "2026-11-02", *args])
        assert_refused(result, folder / "out", path.name, f"row {row + 2}" if row_label is None else row_label(row),
                       before=before, folder=folder)


STAFF_BAD = st.one_of(
    st.tuples(st.just("contract_hours"), not_a_number),
    st.tuples(st.just("hourly_rate"), not_a_number),
    st.tuples(st.just("supervisor"), word.filter(lambda s: s.lower() not in TRUTHS)),
    st.tuples(st.just("works_nights"), word.filter(lambda s: s.lower() not in TRUTHS)),
    st.tuples(st.just("role"), unknown(ROLES)),
    st.tuples(st.just("home_district"), unknown(DISTRICTS)),
    st.tuples(st.just("float_districts"), unknown(DISTRICTS)),
    st.tuples(st.just("staff_id"), st.just("")),
)


@FUZZ
@given(row=st.integers(0, 200), bad=STAFF_BAD)
def test_staff_csv(pristine, row, bad):
    run_with_bad_cell(pristine, "examples/metro/staff.csv", row, *bad)


@FUZZ
@given(row=st.integers(1, 200))
def test_staff_csv_duplicate_id(pristine, row):
    frame = pd.read_csv(pristine / "examples/metro/staff.csv", dtype=str)
    row = 1 + row % (len(frame) - 1)
    run_with_bad_cell(pristine, "examples/metro/staff.csv", row, "staff_id", frame.loc[row - 1, "staff_id"])


@FUZZ
@given(row=st.integers(0, 50), bad=st.one_of(
    st.tuples(st.just("staff_id"), unknown(set())),
    st.tuples(st.just("start"), not_a_date),
    st.tuples(st.just("end"), not_a_date),
))
def test_time_off_csv(pristine, row, bad):
    run_with_bad_cell(pristine, "examples/metro/time_off.csv", row, *bad)


@FUZZ
@given(row=st.integers(0, 50), bad=st.one_of(
    st.tuples(st.just("staff_id"), unknown(set())),
    st.tuples(st.just("date"), not_a_date),
    st.tuples(st.just("shift"), unknown(SHIFTS)),
    st.tuples(st.just("kind"), unknown({"on", "off"})),
    st.tuples(st.just("weight"), not_a_number),
))
def test_requests_csv(pristine, row, bad):
    run_with_bad_cell(pristine, "examples/metro/requests.csv", row, *bad)


@FUZZ
@given(row=st.integers(0, 1999), bad=st.one_of(
    st.tuples(st.just("timestamp"), st.one_of(word.map(lambda s: "#" + s), st.just("2026-02-30T10:00:00-05:00"))),
    st.tuples(st.just("district"), unknown(DISTRICTS)),
))
def test_calls_csv(pristine, row, bad):
    run_with_bad_cell(pristine, "examples/metro/calls.csv", row, *bad)


@FUZZ
@given(bad=st.one_of(
    st.tuples(st.just("date"), not_a_date),
    st.tuples(st.just("shift"), unknown(SHIFTS)),
    st.tuples(st.just("district"), unknown(DISTRICTS)),
    st.tuples(st.just("role"), unknown(ROLES)),
    st.tuples(st.just("required"), st.one_of(not_a_number, st.sampled_from(["1.5", "-2"]))),
))
def test_shift_requirements_csv(pristine, bad):
    run_with_bad_cell(pristine, "shift_req.csv", 0, *bad, extra=("--shift-requirements", "{folder}/shift_req.csv"))


ROSTER_BAD = st.one_of(
    st.tuples(st.just("staff_id"), unknown(set())),
    st.tuples(st.just("shift"), unknown(SHIFTS)),
    st.tuples(st.just("district"), unknown(DISTRICTS)),
    st.tuples(st.just("date"), not_a_date),
    st.tuples(st.just("start"), not_an_instant),
    st.tuples(st.just("end"), not_an_instant),
)


@FUZZ
@given(bad=ROSTER_BAD, option=st.sampled_from(["--pin", "--previous"]))
def test_pin_and_previous_rosters(pristine, bad, option):
    rel = "pin.csv" if option == "--pin" else "previous.csv"
    run_with_bad_cell(pristine, rel, 0, *bad, extra=(option, "{folder}/" + rel))


# roster.toml: a key and a value it must refuse, named by its dotted key
TOML_KEYS = {
    "roles.clinician.hourly_rate": "hourly_rate = 52.0",
    "roles.peer_supporter.overtime_multiplier": "overtime_multiplier = 1.5\n\n[roles.community",
    "objective.shortfall_penalty_per_hour": "shortfall_penalty_per_hour = 400.0",
    "service.team.clinician": "clinician = 1\n",
    "service.busy_minutes": "busy_minutes = 75",
    "service.target_share": "target_share = 0.90",
    "labour.max_hours_per_week": "max_hours_per_week = 48",
    "shifts.early.hours": "[shifts.early]\nstart = \"07:00\"\nhours = 8",
    "solver.time_limit_seconds": "time_limit_seconds = 120",
    "rules.guaranteed_hours.weight": "weight = 40 ",
    "rules.district_equity.tolerance": "tolerance = 0.02",
}
toml_value = st.one_of(st.sampled_from(["inf", "-inf", "+inf", "nan", "-nan", "-1", "[1, 2]", "{ a = 1 }", "-1e400"]),
                       word.map(lambda s: f'"{s}"'))


@FUZZ
@given(key=st.sampled_from(sorted(TOML_KEYS)), value=toml_value)
def test_roster_toml_values(pristine, key, value):
    with tempfile.TemporaryDirectory(prefix="s36b-fuzz-") as tmp:
        folder = Path(tmp) / "city"
        shutil.copytree(pristine, folder)
        path = folder / "roster.toml"
        text = path.read_text()
        old = TOML_KEYS[key]
        name = key.rsplit(".", 1)[1]
        line = next(part for part in old.split("\n") if part.startswith(name))
        assert old in text
        path.write_text(text.replace(old, old.replace(line, f"{name} = {value}" + (" " if line.endswith(" ") else "")), 1))
        before = snapshot(folder)
        result = runner.invoke(app, ["plan", "--config", str(path), "--out", str(folder / "out"), "--quiet"])
        assert_refused(result, folder / "out", "roster.toml", key, before=before, folder=folder)


WHOLE_FILES = {"roster.toml": (), "examples/metro/staff.csv": (), "examples/metro/time_off.csv": (),
               "examples/metro/requests.csv": (), "examples/metro/calls.csv": (), "pin.csv": ("--pin", "{folder}/pin.csv"),
               "previous.csv": ("--previous", "{folder}/previous.csv"),
               "shift_req.csv": ("--shift-requirements", "{folder}/shift_req.csv")}
any_content = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8")),
                        st.lists(st.text(alphabet=string.printable, max_size=20), max_size=6).map(
                            lambda cells: ",".join(cells).encode("utf-8")))


@FUZZ
@given(rel=st.sampled_from(sorted(WHOLE_FILES)), content=any_content)
def test_any_content_in_any_input_file(pristine, rel, content):
    """Whatever a file holds — bytes, text, a stray line — the answer is exit 2 naming it, never a traceback."""
    with tempfile.TemporaryDirectory(prefix="s36b-fuzz-") as tmp:
        folder = Path(tmp) / "city"
        shutil.copytree(pristine, folder)
        (folder / rel).write_bytes(content)
        before = snapshot(folder)
        args = [a.replace("{folder}", str(folder)) for a in WHOLE_FILES[rel]]
        result = runner.invoke(app, ["plan", "--config", str(folder / "roster.toml"), "--out", str(folder / "out"),
                                     "--quiet", "--week", "2026-11-02", *args])
        assert_refused(result, folder / "out", Path(rel).name, before=before, folder=folder)


@given(st.binary(max_size=2000))
def test_the_utf8_check_answers_any_bytes(data):
    from forecast.textfiles import check_utf8, read_utf8
    from roster.errors import InputError

    with tempfile.TemporaryDirectory(prefix="s36b-fuzz-") as tmp:
        p = Path(tmp) / "any.csv"
        p.write_bytes(data)
        try:
            text = read_utf8(p, "File")
        except InputError as exc:
            assert "any.csv is not UTF-8 text: it seems to be" in str(exc)
        else:
            assert text == data.decode("utf-8-sig")


@FUZZ
@given(content=any_content, command=st.sampled_from(["check", "export", "simulate"]))
def test_any_content_as_a_roster_to_check_export_or_simulate(pristine, content, command):
    with tempfile.TemporaryDirectory(prefix="s36b-fuzz-") as tmp:
        folder = Path(tmp) / "city"
        shutil.copytree(pristine, folder)
        (folder / "pin.csv").write_bytes(content)
        before = snapshot(folder)
        config, roster = str(folder / "roster.toml"), str(folder / "pin.csv")
        args = {"check": ["check", roster, "--config", config],
                "export": ["export", "--roster", roster, "--config", config, "--format", "csv-grid", "--out", str(folder / "out")],
                "simulate": ["simulate", "--roster", roster, "--config", config, "--out", str(folder / "out")]}[command]
        assert_refused(runner.invoke(app, args), folder / "out", "pin.csv", before=before, folder=folder)
