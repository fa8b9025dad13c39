"""--out (or DIR) of roster scenarios, frontier, report and init is checked before any work, like roster plan's:
an existing file, a folder the user cannot write, or outputs that would replace an input are exit 2 with nothing
read past roster.toml, nothing written and the inputs untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import roster.io.outdir as outdir
from edge_city import assert_refused, short_city, snapshot
from roster.cli import app

runner = CliRunner()

SCENARIO = "- name: wage_rise\n  set: {roles.clinician.hourly_rate: \"+4%\"}\n"


@pytest.fixture
def city(tmp_path, monkeypatch):
    """The example city on disk; reading its data (the first step after the checks) fails the test."""
    config = short_city(tmp_path / "city")
    (config.parent / "s.yaml").write_text(SCENARIO)

    def no_work(*args, **kwargs):
        raise AssertionError("the inputs were read before --out was checked")

    monkeypatch.setattr("roster.pipeline.load.load_inputs", no_work)
    return config


def _unwritable(monkeypatch, folder: Path) -> None:
    """``folder`` behaves as a read-only folder (the tests run as root, who ignores permission bits)."""
    real = outdir._writable
    monkeypatch.setattr(outdir, "_writable", lambda p: False if Path(p).resolve() == folder.resolve() else real(p))


def scenarios(config: Path, out: Path, yaml: Path | None = None):
    yaml = yaml or config.parent / "s.yaml"
    return runner.invoke(app, ["scenarios", str(yaml), "--config", str(config), "--out", str(out), "--quiet"])


def frontier(config: Path, out: Path):
    return runner.invoke(app, ["frontier", "--config", str(config), "--out", str(out), "--quiet",
                               "--budgets", "20000,30000"])


@pytest.mark.parametrize("command", [scenarios, frontier])
def test_out_that_is_a_file_is_refused(city, command):
    out = city.parent / "results"
    out.write_text("not a folder\n")
    before = snapshot(city.parent)
    result = command(city, out)
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.output and "Traceback" not in result.output
    assert snapshot(city.parent) == before


@pytest.mark.parametrize("command", [scenarios, frontier])
def test_out_in_a_folder_that_cannot_be_written_is_refused(city, command, monkeypatch):
    locked = city.parent / "locked"
    locked.mkdir()
    _unwritable(monkeypatch, locked)
    before = snapshot(city.parent)
    result = command(city, locked / "results")
    assert_refused(result, locked / "results", "cannot write", str(locked), before=before, folder=city.parent)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permission bits")
def test_scenarios_out_with_real_permissions(city):
    locked = city.parent / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = scenarios(city, locked / "results")
    finally:
        locked.chmod(0o755)
    assert_refused(result, locked / "results", "cannot write")


def test_scenarios_refuses_an_out_whose_files_replace_the_scenario_file(city):
    """A scenario file written as JSON (which YAML reads) and named scenarios.json, in the --out folder."""
    out = city.parent / "whatif"
    out.mkdir()
    yaml = out / "scenarios.json"
    yaml.write_text('[{"name": "wage_rise", "set": {"roles.clinician.hourly_rate": "+4%"}}]\n')
    before = snapshot(city.parent)
    result = scenarios(city, out, yaml)
    assert result.exit_code == 2, result.output
    assert "would overwrite the input" in result.output and "scenarios.json" in result.output
    assert snapshot(city.parent) == before and sorted(p.name for p in out.iterdir()) == ["scenarios.json"]


def test_scenarios_refuses_a_scenario_folder_that_holds_a_data_file(city):
    """--out is the city's folder and a scenario is named like its data folder: examples/metro/... would be in
    the scenario's output folder, whose plan files the command replaces."""
    yaml = city.parent / "s.yaml"
    yaml.write_text(SCENARIO.replace("wage_rise", "examples"))
    before = snapshot(city.parent)
    result = scenarios(city, city.parent, yaml)
    assert result.exit_code == 2, result.output
    assert "would overwrite the input" in result.output and "calls.csv" in result.output
    assert snapshot(city.parent) == before


def test_frontier_refuses_an_out_whose_point_folders_hold_an_input(city):
    text = city.read_text().replace('"examples/metro/calls.csv"', '"sweep/budget_01/calls.csv"')
    city.write_text(text)
    (city.parent / "sweep" / "budget_01").mkdir(parents=True)
    (city.parent / "examples/metro/calls.csv").rename(city.parent / "sweep/budget_01/calls.csv")
    before = snapshot(city.parent)
    result = frontier(city, city.parent / "sweep")
    assert result.exit_code == 2, result.output
    assert "would overwrite the input" in result.output and "calls.csv" in result.output
    assert snapshot(city.parent) == before


def test_scenarios_out_beside_the_inputs_is_accepted_by_the_check(city, tmp_path):
    """The check refuses only what it must: a fresh folder gets past it (to the reading of the inputs)."""
    result = scenarios(city, tmp_path / "fresh")
    assert result.exit_code == 1 and \
        "Unexpected error (AssertionError)" in result.output


def test_report_dir_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "roster.csv").write_text("staff_id\n")
    _unwritable(monkeypatch, folder)
    result = runner.invoke(app, ["report", str(folder), "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output and "DIR" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["roster.csv"]


def test_report_dir_that_is_a_file_is_refused(tmp_path):
    folder = tmp_path / "plan"
    folder.write_text("x\n")
    result = runner.invoke(app, ["report", str(folder), "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output, result.output


def test_init_in_a_folder_that_cannot_be_written_is_refused(tmp_path, monkeypatch):
    _unwritable(monkeypatch, tmp_path / "parent")
    (tmp_path / "parent").mkdir()
    result = runner.invoke(app, ["init", str(tmp_path / "parent" / "city"), "--timezone", "Europe/Berlin"])
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "parent" / "city").exists()


def test_init_under_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x\n")
    result = runner.invoke(app, ["init", str(tmp_path / "afile" / "city"), "--timezone", "Europe/Berlin"])
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.output and "Traceback" not in result.output
