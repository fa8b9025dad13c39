"""The input edge: text that is not UTF-8, numbers that are not finite, rosters read back that name
unknown people, shifts or districts, and --out folders that cannot take the outputs — each refused
with exit 2 before any forecast, naming the file, row or key, with nothing written and inputs untouched."""

from __future__ import annotations

import codecs
import io
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edge_city import PIN_HEADER, PIN_ROW, assert_refused, short_city, snapshot
from roster.cli import app

runner = CliRunner()


@pytest.fixture
def city(tmp_path):
    return short_city(tmp_path / "city")


def plan(config: Path, out: Path, *extra: str):
    return runner.invoke(app, ["plan", "--config", str(config), "--out", str(out), "--quiet", "--week", "2026-11-02",
                               *extra])


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


# (how the file is re-saved, words the message must use)
ENCODINGS = {
    "utf-16-bom": (lambda t: t.encode("utf-16"), "UTF-16"),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
    "utf-16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "UTF-16"),
    "latin-1": (lambda t: t.replace("\n", ",Zoë Müller\n", 2).encode("latin-1", errors="replace"), "Latin-1"),
    "cp1252": (lambda t: t.replace("\n", ",“quoted”\n", 2).encode("cp1252"), "Windows-1252"),
    "binary": (lambda t: bytes(range(256)) * 8, "binary"),
    "xlsx": (lambda t: _xlsx(), "xlsx"),
    "xls": (lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "xls"),
}
# each input, and the extra options that make plan read it
FILES = {
    "roster.toml": ("roster.toml", ()),
    "staff.csv": ("examples/metro/staff.csv", ()),
    "time_off.csv": ("examples/metro/time_off.csv", ()),
    "requests.csv": ("examples/metro/requests.csv", ()),
    "calls.csv": ("examples/metro/calls.csv", ()),
    "pin.csv": ("pin.csv", ("--pin",)),
    "previous.csv": ("previous.csv", ("--previous",)),
    "shift_req.csv": ("shift_req.csv", ("--shift-requirements",)),
}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize("name", sorted(FILES))
def test_a_file_that_is_not_utf8_is_named_with_what_it_seems_to_be(city, name, encoding):
    folder = city.parent
    rel, option = FILES[name]
    path = folder / rel
    encode, words = ENCODINGS[encoding]
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    before = snapshot(folder)
    extra = (*option, str(path)) if option else ()
    result = plan(city, folder / "out", *extra)
    assert_refused(result, folder / "out", name, "not UTF-8", words, before=before, folder=folder)


def test_a_utf8_file_with_a_byte_order_mark_is_read(city):
    """Excel's 'CSV UTF-8' starts with a BOM; that is UTF-8 and must be accepted, as must roster.toml with one."""
    folder = city.parent
    for rel in ("roster.toml", "examples/metro/staff.csv", "pin.csv"):
        p = folder / rel
        p.write_bytes(codecs.BOM_UTF8 + p.read_bytes())
    from roster.config import load_config
    from roster.io.readers import load_people, load_roster

    cfg = load_config(city)
    staff, _ = load_people(cfg)
    assert "staff_id" in staff.columns and len(staff) > 50
    assert list(load_roster(folder / "pin.csv", cfg)["staff_id"]) == ["S001"]


def test_latin1_message_gives_the_line_of_the_first_bad_byte(tmp_path):
    from forecast.textfiles import check_utf8
    from roster.errors import InputError

    p = tmp_path / "staff.csv"
    p.write_bytes(b"a,b\n" + b"x,y\n" * 300_000 + "Zoë,1\n".encode("latin-1"))  # past the first 1 MB chunk
    with pytest.raises(InputError, match=r"Latin-1.*0xeb.*line 300002"):
        check_utf8(p, "Staff file")


# ---- numbers that are not finite -------------------------------------------------------------------

TOML_NUMBERS = [
    ("hourly_rate = 52.0", "hourly_rate = inf", "roles.clinician.hourly_rate"),
    ("shortfall_penalty_per_hour = 400.0", "shortfall_penalty_per_hour = inf", "objective.shortfall_penalty_per_hour"),
    ("clinician = 1\n", "clinician = nan\n", "service.team.clinician"),
    ("busy_minutes = 75", "busy_minutes = -inf", "service.busy_minutes"),
    ("max_hours_per_week = 48", "max_hours_per_week = nan", "labour.max_hours_per_week"),
    ("time_limit_seconds = 120", "time_limit_seconds = +inf", "solver.time_limit_seconds"),
    ("weight = 40 ", "weight = inf ", "rules.guaranteed_hours.weight"),
    ("share = 0.8", "share = nan", "rules.guaranteed_hours.share"),
]


@pytest.mark.parametrize("old,new,key", TOML_NUMBERS, ids=[k for _, _, k in TOML_NUMBERS])
def test_non_finite_numbers_in_roster_toml_are_refused_by_key(city, old, new, key):
    text = city.read_text()
    assert old in text
    city.write_text(text.replace(old, new, 1))
    before = snapshot(city.parent)
    assert_refused(plan(city, city.parent / "out"), city.parent / "out", key, "finite", before=before, folder=city.parent)


CSV_NUMBERS = [
    ("examples/metro/staff.csv", "contract_hours"),
    ("examples/metro/staff.csv", "hourly_rate"),
    ("examples/metro/requests.csv", "weight"),
    ("shift_req.csv", "required"),
]


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "Infinity", "1e999"])
@pytest.mark.parametrize("rel,column", CSV_NUMBERS)
def test_non_finite_numbers_in_csv_columns_are_refused_by_file_row_and_column(city, rel, column, value):
    import pandas as pd

    folder = city.parent
    path = folder / rel
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, column] = value
    frame.to_csv(path, index=False)
    before = snapshot(folder)
    extra = ("--shift-requirements", str(path)) if rel == "shift_req.csv" else ()
    result = plan(city, folder / "out", *extra)
    assert_refused(result, folder / "out", path.name, "row 2", value, before=before, folder=folder)
    assert column in result.output or "whole number" in result.output


def test_non_finite_hourly_counts_are_refused(tmp_path):
    p = tmp_path / "counts.csv"
    rows = [f"2026-01-{1 + h // 24:02d}T{h % 24:02d}:00:00,Downtown,{'inf' if h == 30 else 2}" for h in range(24 * 20)]
    p.write_text("hour_start,district,calls\n" + "\n".join(rows) + "\n")
    from forecast.io import load_hourly_counts
    from roster.errors import InputError

    with pytest.raises(InputError, match=r"Row 32 .*'inf'"):
        load_hourly_counts(p, "America/New_York", as_of=False)


# ---- rosters read back: --pin and --previous -------------------------------------------------------

BAD_ROWS = {
    "unknown person": (PIN_ROW.replace("S001", "S999"), "staff_id S999 is not in the staff file"),
    "unknown shift": (PIN_ROW.replace(",early,", ",brunch,"), "shift 'brunch' is not defined"),
    "unknown district": (PIN_ROW.replace(",Harbor,", ",Atlantis,"), "district 'Atlantis' is not defined"),
}


@pytest.mark.parametrize("option", ["--pin", "--previous"])
@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_pin_and_previous_rows_are_checked_like_roster_check(city, option, case):
    folder = city.parent
    row, message = BAD_ROWS[case]
    if option == "--previous":
        row = row.replace("2026-11-02", "2026-10-26").replace("-05:00", "-04:00")
    path = folder / "published.csv"
    path.write_text(f"{PIN_HEADER}\n{PIN_ROW if option == '--pin' else PIN_ROW.replace('S001', 'S002')}\n{row}\n")
    before = snapshot(folder)
    result = plan(city, folder / "out", option, str(path))
    assert_refused(result, folder / "out", "published.csv", "row 3", message, before=before, folder=folder)
    # roster check reports the same row as a known_shift violation
    check = runner.invoke(app, ["check", str(path), "--config", str(city)])
    if option == "--pin":
        assert check.exit_code == 4 and "known_shift" in check.output


def test_check_refuses_a_previous_roster_with_an_unknown_person(city):
    folder = city.parent
    (folder / "prev.csv").write_text(f"{PIN_HEADER}\n" + PIN_ROW.replace("S001", "S999").replace("2026-11-02", "2026-10-26")
                                     .replace("-05:00", "-04:00") + "\n")
    result = runner.invoke(app, ["check", str(folder / "pin.csv"), "--config", str(city), "--previous", str(folder / "prev.csv")])
    assert_refused(result, folder / "out", "prev.csv", "row 2", "S999")


def test_a_pseudonymised_roster_is_not_read_back(city):
    folder = city.parent
    (folder / "shared.csv").write_text("name,role,district,date,shift,start,end,paid_hours,overtime_hours\n"
                                       + "Person 0123456789ab," + PIN_ROW.split(",", 2)[2].rsplit(",", 1)[0] + "\n")
    result = plan(city, folder / "out", "--pin", str(folder / "shared.csv"))
    assert_refused(result, folder / "out", "shared.csv", "staff_id", "pseudonymised")


# ---- --out ------------------------------------------------------------------------------------------

def test_out_that_is_a_file_is_refused(city):
    folder = city.parent
    (folder / "taken").write_text("mine")
    result = plan(city, folder / "taken")
    assert result.exit_code == 2 and "is a file, not a folder" in result.output and "Traceback" not in result.output
    assert (folder / "taken").read_text() == "mine"


def test_out_under_a_file_is_refused(city):
    folder = city.parent
    (folder / "taken").write_text("mine")
    result = plan(city, folder / "taken" / "out")
    assert result.exit_code == 2 and "taken is a file" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs the kernel's /sys, where no folder can be made")
def test_out_where_no_folder_can_be_made_is_refused_even_as_root(city):
    result = plan(city, Path("/sys/crisis-roster-out"))
    assert result.exit_code == 2 and "cannot write" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permission bits")
def test_out_in_a_read_only_folder_is_refused(city):
    folder = city.parent / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = plan(city, folder / "out")
        assert result.exit_code == 2 and "cannot write" in result.output
    finally:
        folder.chmod(0o755)


def test_out_that_would_overwrite_the_pinned_roster_is_refused(city):
    folder = city.parent
    published = folder / "published"
    published.mkdir()
    pin = published / "roster.csv"
    pin.write_text(f"{PIN_HEADER}\n{PIN_ROW}\n")
    before = snapshot(folder)
    result = plan(city, published, "--pin", str(pin))
    assert result.exit_code == 2, result.output
    assert "would overwrite the input" in result.output and str(pin) in result.output
    assert snapshot(folder) == before


@pytest.mark.parametrize("option,name", [("--previous", "roster.csv"), ("--shift-requirements", "requirements.csv")])
def test_out_that_would_overwrite_another_input_is_refused(city, option, name):
    folder = city.parent
    src = folder / ("previous.csv" if option == "--previous" else "shift_req.csv")
    target = folder / "last" / name
    target.parent.mkdir()
    target.write_bytes(src.read_bytes())
    before = snapshot(folder)
    result = plan(city, target.parent, option, str(target))
    assert result.exit_code == 2 and "would overwrite the input" in result.output, result.output
    assert snapshot(folder) == before


def test_out_that_would_overwrite_a_data_file_of_roster_toml_is_refused(city):
    folder = city.parent
    text = city.read_text().replace('requests = "examples/metro/requests.csv"', 'requests = "out/summary.json"')
    city.write_text(text)
    (folder / "out").mkdir()
    (folder / "out" / "summary.json").write_text("staff_id,date,shift,kind,weight\n")
    result = plan(city, folder / "out")
    assert result.exit_code == 2 and "would overwrite the input" in result.output and "summary.json" in result.output
    assert (folder / "out" / "summary.json").read_text() == "staff_id,date,shift,kind,weight\n"


@pytest.mark.parametrize("command", [["forecast"], ["requirements"]])
def test_other_writing_commands_check_out_first(city, command):
    folder = city.parent
    (folder / "taken").write_text("mine")
    result = runner.invoke(app, [*command, "--config", str(city), "--out", str(folder / "taken")])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output


def test_simulate_names_a_forecast_file_that_is_not_utf8(city):
    folder = city.parent
    (folder / "fc.csv").write_bytes("district,hour_start,mean\n".encode("utf-16"))
    (folder / "plan").mkdir()
    roster = folder / "plan" / "roster.csv"
    roster.write_text(f"{PIN_HEADER}\n{PIN_ROW}\n")
    result = runner.invoke(app, ["simulate", "--roster", str(roster), "--config", str(city), "--forecast", str(folder / "fc.csv"),
                                 "--out", str(folder / "out")])
    assert_refused(result, folder / "out", "fc.csv", "UTF-16")


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_time_limit_must_be_finite_seconds_above_zero(city, value):
    result = plan(city, city.parent / "out", f"--time-limit={value}")
    assert_refused(result, city.parent / "out", "--time-limit")
