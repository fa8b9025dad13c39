"""Non-finite numbers (.inf, .nan) and an absurd head count in a scenario file are named by scenario and key
when the file is read, before any input is loaded or solved."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from roster.cli import app
from roster.errors import InputError
from roster.scenarios.spec import MAX_ADDED, parse_scenarios

runner = CliRunner()


@pytest.mark.parametrize("text,match", [
    ("- name: a\n  demand: [{factor: .inf}]\n", r"demand\[0\]\.factor: must be a finite multiplier"),
    ("- name: a\n  demand: [{factor: .nan}]\n", r"demand\[0\]\.factor: must be a finite multiplier"),
    ("- name: a\n  staff: {add: [{count: .inf, role: peer_supporter, district: North}]}\n",
     r"staff\.add\[0\]\.count: must be a finite number"),
    ("- name: a\n  staff: {add: [{count: .nan, role: peer_supporter, district: North}]}\n",
     r"staff\.add\[0\]\.count: must be a finite number"),
    ("- name: a\n  staff: {add: [{count: 1000000000, role: peer_supporter, district: North}]}\n",
     rf"staff\.add\[0\]\.count: must be at most {MAX_ADDED}"),
    ("- name: a\n  staff: {add: [{count: 2, role: peer_supporter, district: North, hourly_rate: .inf}]}\n",
     r"hourly_rate: must be a finite number"),
    ("- name: a\n  staff: {remove: [{count: .inf, role: clinician}]}\n", r"staff\.remove\[0\]\.count: must be a finite"),
])
def test_non_finite_and_absurd_numbers_are_named(text, match):
    with pytest.raises(InputError, match=match):
        parse_scenarios(text, "s.yaml")


def test_the_command_refuses_them_before_reading_the_inputs(tmp_path, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("inputs read")

    monkeypatch.setattr("roster.pipeline.load.load_inputs", no_work)
    f = tmp_path / "s.yaml"
    f.write_text("- name: surge\n  demand: [{factor: .inf}]\n")
    result = runner.invoke(app, ["scenarios", str(f), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2, result.output
    assert "s.yaml, scenario 'surge'" in result.output and "finite" in result.output
    assert not (tmp_path / "out").exists()
