"""`roster plan` writes report.html with its other outputs, built from the plan in memory; --no-report skips it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cities import ROOT
from roster.cli import app
from roster.report.read import read_plan
from roster.report import build_report

runner = CliRunner()


@pytest.mark.slow
def test_plan_writes_the_report_in_its_output_set_and_no_report_skips_it(tmp_path):
    out = tmp_path / "out"
    args = ["plan", "--config", str(ROOT / "roster.toml"), "--out", str(out), "--quiet", "--time-limit", "20"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "report.html" in result.output and 'id="chart-coverage"' in report and 'id="chart-roster"' in report
    # built from the in-memory plan, it is the report of the files written beside it
    assert build_report(read_plan(out)) == report
    assert "7 days, 168 hours" in report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    if summary["shortfall_hours"]["total"] > 0:  # each uncovered place with its reason, and the sizing hints
        assert "Shortfalls and why" in report and summary["sizing"][0]["text"] in report
        assert "shortfalls.csv" in report
    (out / "report.html").unlink()
    result = runner.invoke(app, args + ["--no-report"])
    assert result.exit_code == 0, result.output
    assert not (out / "report.html").exists() and (out / "roster.csv").exists()
