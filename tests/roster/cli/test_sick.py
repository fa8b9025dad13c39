"""roster sick: a sick call recorded beside time_off.csv and the published week re-planned around it."""

import hashlib
import re

import pandas as pd
from typer.testing import CliRunner

from roster.cli import app
from small_city import write_small_city

runner = CliRunner()


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_sick_call_end_to_end(tmp_path):
    city = tmp_path / "city"
    cfg = write_small_city(city)
    published = tmp_path / "published"
    res = runner.invoke(app, ["plan", "--config", str(cfg), "--out", str(published), "--quiet", "--week", "2026-11-02"])
    assert res.exit_code == 0, res.output
    roster = pd.read_csv(published / "roster.csv")
    # Nights have no shift in this city: each uncovered place has its reason, and the summary a sizing hint.
    why = pd.read_csv(published / "shortfalls.csv")
    assert {"no_shift"} <= set(why["reason"]) and why["detail"].str.len().min() > 20
    assert "sizing:" in res.output and "why uncovered:" in res.output
    wed = roster[roster["date"] == "2026-11-04"]
    sick_id = wed["staff_id"].iloc[0]
    before_inputs, before_published = digest(city), digest(published)

    res = runner.invoke(app, ["sick", sick_id, "--from", "2026-11-04", "--to", "2026-11-05", "--pin", str(published / "roster.csv"),
                              "--config", str(cfg), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "recorded in" in res.output and "time_off.csv unchanged" in res.output
    # The leave is in its own file; every input and the published roster are untouched.
    sick = pd.read_csv(city / "sick.csv", dtype=str)
    assert sick.to_dict("records") == [{"staff_id": sick_id, "start": "2026-11-04", "end": "2026-11-05"}]
    after = digest(city)
    assert {k: v for k, v in after.items() if k != "sick.csv"} == before_inputs
    assert digest(published) == before_published
    new = pd.read_csv(published / "replan" / "roster.csv")
    mine = new[(new["staff_id"] == sick_id) & new["date"].isin(["2026-11-04", "2026-11-05"])]
    assert mine.empty  # the sick person's shifts are gone
    changes = pd.read_csv(published / "replan" / "changes.csv")
    forced = changes[changes["change"] == "forced"]
    assert set(forced["staff_id"]) == {sick_id} and forced["reason"].str.contains("approved leave").all()
    key = ["staff_id", "date", "shift", "district"]
    before_sick = roster[roster["date"] < "2026-11-04"][key]
    assert len(before_sick.merge(new[key])) == len(before_sick)  # the days before the sick day are kept as published
    assert (changes["change"] == "kept").sum() >= len(roster) - len(mine) - 4 - len(forced)
    # A second plan reads sick.csv as leave; roster check sees it too.
    res = runner.invoke(app, ["check", str(published / "roster.csv"), "--config", str(cfg)])
    assert res.exit_code == 4 and "approved leave" in res.output


def test_sick_call_with_an_unknown_person_is_refused_and_records_nothing(tmp_path):
    city = tmp_path / "city"
    cfg = write_small_city(city)
    pin = tmp_path / "roster.csv"
    pin.write_text("staff_id,district,date,shift,start,end\n")
    res = runner.invoke(app, ["sick", "NOBODY", "--from", "2026-11-04", "--pin", str(pin), "--config", str(cfg), "--quiet"])
    assert res.exit_code == 2 and "NOBODY is not in the staff file" in res.output
    assert not (city / "sick.csv").exists()
    res = runner.invoke(app, ["sick", "C1", "--from", "2026-11-05", "--to", "2026-11-04", "--pin", str(pin), "--config", str(cfg)])
    assert res.exit_code == 2 and "--to 2026-11-04 is not after --from" in res.output


def test_plan_sick_options_need_each_other(tmp_path):
    cfg = write_small_city(tmp_path / "city")
    res = runner.invoke(app, ["plan", "--config", str(cfg), "--from", "2026-11-04", "--quiet"])
    assert res.exit_code == 2 and "--from/--to need --sick" in res.output
    res = runner.invoke(app, ["plan", "--config", str(cfg), "--sick", "C1", "--from", "2026-11-04", "--quiet"])
    assert res.exit_code == 2 and "--sick needs --pin" in res.output
    assert not (tmp_path / "city" / "sick.csv").exists()


def test_sick_file_records_the_call_elsewhere_and_leaves_the_inputs_alone(tmp_path):
    """--sick-file: the sick call is read from and recorded in that file; the city's folder gets no sick.csv."""
    city = tmp_path / "city"
    cfg = write_small_city(city)
    published = tmp_path / "published"
    res = runner.invoke(app, ["plan", "--config", str(cfg), "--out", str(published), "--quiet", "--week", "2026-11-02",
                              "--no-report", "--time-limit", "20"])
    assert res.exit_code == 0, res.output
    roster = pd.read_csv(published / "roster.csv")
    sick_id = roster[roster["date"] == "2026-11-04"]["staff_id"].iloc[0]
    before = digest(city)
    elsewhere = tmp_path / "scratch" / "sick.csv"
    res = runner.invoke(app, ["sick", sick_id, "--from", "2026-11-04", "--pin", str(published / "roster.csv"),
                              "--sick-file", str(elsewhere), "--config", str(cfg), "--quiet", "--time-limit", "20"])
    assert res.exit_code == 0, res.output
    assert digest(city) == before and not (city / "sick.csv").exists()
    assert f"recorded in {elsewhere}" in res.output
    recorded = pd.read_csv(elsewhere, dtype=str).to_dict("records")
    assert recorded == [{"staff_id": sick_id, "start": "2026-11-04", "end": "2026-11-04"}]
    new = pd.read_csv(published / "replan" / "roster.csv")
    assert new[(new["staff_id"] == sick_id) & (new["date"] == "2026-11-04")].empty
    # roster check reads the same file as leave when told to, and only then
    seen = runner.invoke(app, ["check", str(published / "roster.csv"), "--config", str(cfg), "--sick-file", str(elsewhere)])
    assert seen.exit_code == 4 and "approved leave" in seen.output
    assert runner.invoke(app, ["check", str(published / "roster.csv"), "--config", str(cfg)]).exit_code == 0


def test_a_sick_file_that_is_an_input_is_refused(tmp_path):
    city = tmp_path / "city"
    cfg = write_small_city(city)
    before = digest(city)
    for target in (city / "time_off.csv", city / "staff.csv", cfg, city):
        res = runner.invoke(app, ["plan", "--config", str(cfg), "--sick-file", str(target), "--quiet", "--out",
                                  str(tmp_path / "out")])
        assert res.exit_code == 2 and "Traceback" not in res.output, res.output
        assert f"--sick-file {target}" in res.output and ("of their own" in res.output or "is a folder" in res.output)
    assert digest(city) == before and not (tmp_path / "out").exists()


def test_the_readmes_sick_call_example_writes_nothing_into_the_example_inputs():
    """The README's `roster sick` line, parsed by the command itself: its sick file lies outside every input folder."""
    import shlex

    import typer.main

    from cities import ROOT
    from roster.config import load_config
    from roster.io.outdir import config_inputs
    from roster.io.sick import sick_path, with_sick_file

    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln.startswith("roster sick ")]
    assert len(lines) == 1
    args = shlex.split(lines[0], comments=True)[2:]
    command = typer.main.get_command(app).commands["sick"]
    params = command.make_context("sick", args).params
    cfg = load_config(ROOT / "roster.toml")
    where = sick_path(with_sick_file(cfg, params["sick_file"])).resolve()
    folders = {p.resolve().parent for p in [ROOT / "roster.toml", *config_inputs(cfg)]} - {ROOT}
    assert not any(where.is_relative_to(f) for f in folders), where
    assert where.is_relative_to(ROOT / "out")  # beside the plan's other scratch files, gitignored


def test_validate_reads_the_sick_calls_the_plan_would(tmp_path):
    """roster validate: sick.csv beside time_off.csv, or --sick-file, is leave as in roster plan; the cover shrinks."""
    city = tmp_path / "city"
    cfg = write_small_city(city)
    week = ["--config", str(cfg), "--week", "2026-11-02"]
    plain = runner.invoke(app, ["validate", *week])
    assert plain.exit_code == 0, plain.output
    assert "6 people, 1 leave record(s)" in plain.output and "sick call" not in plain.output
    assert re.search(r"clinician\s+North\s+3\s+120\s+120", plain.output)
    # C1 (North) off sick the whole week, recorded in a file of its own.
    elsewhere = tmp_path / "scratch" / "sick.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text("staff_id,start,end\nC1,2026-11-02,2026-11-08\n")
    before = digest(city)
    seen = runner.invoke(app, ["validate", *week, "--sick-file", str(elsewhere)])
    assert seen.exit_code == 0, seen.output
    assert "6 people, 2 leave record(s)" in seen.output and f"The leave includes 1 sick call(s) from {elsewhere}." in seen.output
    assert re.search(r"clinician\s+North\s+3\s+80\s+80", seen.output)  # C1's 40 hours are gone
    assert digest(city) == before
    # Without the option, validate reads sick.csv beside time_off.csv, as the plan does.
    (city / "sick.csv").write_text(elsewhere.read_text())
    beside = runner.invoke(app, ["validate", *week])
    assert beside.exit_code == 0 and re.search(r"clinician\s+North\s+3\s+80\s+80", beside.output), beside.output
    # A sick file that is one of the city's inputs is refused, as roster plan refuses it.
    bad = runner.invoke(app, ["validate", *week, "--sick-file", str(city / "staff.csv")])
    assert bad.exit_code == 2 and f"--sick-file {city / 'staff.csv'}" in bad.output and "Traceback" not in bad.output
    # A broken row in the sick file is named by file and row.
    elsewhere.write_text("staff_id,start,end\nC1,2026-11-02,not a date\n")
    broken = runner.invoke(app, ["validate", *week, "--sick-file", str(elsewhere)])
    assert broken.exit_code == 2 and str(elsewhere) in broken.output and "Traceback" not in broken.output
