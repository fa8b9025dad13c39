"""`roster report DIR`: reads a plan's folder, writes DIR/report.html; bad folders get exit 2 and a message
naming the file; `--scenarios` adds the sections of the files present; `--pseudonymise` needs the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cities import ROOT
from report_plans import REAL_NAMES, frontier_frame
from roster.cli import app

runner = CliRunner()


def report(*args):
    return runner.invoke(app, ["report", *map(str, args)])


def test_report_writes_report_html_beside_the_plan(plan_dir):
    result = report(plan_dir, "--config", ROOT / "roster.toml")
    assert result.exit_code == 0, result.output
    text = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "Alice Realname" in text and 'id="chart-coverage"' in text


@pytest.mark.parametrize("breakage,needle", [
    (lambda d: (d / "coverage.csv").unlink(), "coverage.csv was not found"),
    (lambda d: (d / "summary.json").write_text("{not json"), "summary.json is not valid JSON"),
    (lambda d: (d / "summary.json").write_text("[1, 2]"), "summary.json should hold a JSON object"),
    (lambda d: (d / "roster.csv").write_text("staff_id,role\nS1,clinician\n"), "roster.csv lacks the column(s)"),
    (lambda d: _edit(d / "coverage.csv", 2, "required", "two"), "coverage.csv, row 3: column required is 'two'"),
    (lambda d: _edit(d / "forecast.csv", 1, "hour_start", "Monday"), "forecast.csv, row 2: column hour_start is 'Monday'"),
    (lambda d: _edit(d / "roster.csv", 4, "start", "2026-11-03T07:00:00"), "roster.csv, row 5: column start is "
                                                                            "'2026-11-03T07:00:00', not an ISO 8601 time with a UTC offset"),
    (lambda d: _edit(d / "shortfalls.csv", 3, "uncovered_staff_hours", "many"),
     "shortfalls.csv, row 4: column uncovered_staff_hours is 'many'"),
    (lambda d: _edit(d / "shortfalls.csv", 1, "end", "Tuesday"), "shortfalls.csv, row 2: column end is 'Tuesday'"),
])
def test_a_missing_or_broken_file_is_named_with_exit_2(plan_dir, breakage, needle):
    breakage(plan_dir)
    result = report(plan_dir)
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output
    assert not (plan_dir / "report.html").exists()


def _edit(path: Path, row: int, column: str, value: str) -> None:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 1, column] = value
    frame.to_csv(path, index=False)


def test_a_plan_folder_from_before_shortfalls_csv_still_reports(plan_dir):
    (plan_dir / "shortfalls.csv").unlink()
    result = report(plan_dir)
    assert result.exit_code == 0, result.output
    text = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert "<h3>Shortfalls</h3>" in text and "Shortfalls and why" not in text


def test_a_folder_that_is_not_there(tmp_path):
    result = report(tmp_path / "nowhere")
    assert result.exit_code == 2 and "is not a folder" in result.output


def test_scenarios_folder_adds_the_sections_of_the_files_present(plan_dir, tmp_path):
    scen = tmp_path / "scen"
    scen.mkdir()
    frontier_frame().to_csv(scen / "frontier.csv", index=False)
    result = report(plan_dir, "--scenarios", scen)
    assert result.exit_code == 0, result.output
    text = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-frontier"' in text and 'id="chart-scenarios"' not in text
    # a second folder adds its files; the same file from two folders is refused
    other = tmp_path / "other"
    other.mkdir()
    (other / "findings.txt").write_text("more_peers buys the most service per dollar.\n")
    result = report(plan_dir, "--scenarios", scen, "--scenarios", other)
    assert result.exit_code == 0, result.output
    text = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-frontier"' in text and "more_peers buys the most service per dollar." in text
    result = report(plan_dir, "--scenarios", scen, "--scenarios", scen)
    assert result.exit_code == 2 and "hold frontier.csv" in result.output
    (scen / "scenarios.csv").write_text("scenario,total_cost,share_within_target\nbase,abc,0.9\n")
    result = report(plan_dir, "--scenarios", scen)
    assert result.exit_code == 2 and "scenarios.csv, row 2: column total_cost is 'abc'" in result.output


def test_an_empty_scenarios_folder_is_refused(plan_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    result = report(plan_dir, "--scenarios", tmp_path / "empty")
    assert result.exit_code == 2 and "holds none of scenarios.csv" in result.output


def test_pseudonymise_uses_the_city_key_and_refuses_without_one(plan_dir, tmp_path, monkeypatch):
    cfg = tmp_path / "roster.toml"
    cfg.write_text((ROOT / "roster.toml").read_text())
    result = report(plan_dir, "--pseudonymise", "--config", cfg)
    assert result.exit_code == 2 and "pseudonym key" in result.output
    assert not (plan_dir / "report.html").exists()
    monkeypatch.setenv("S33_TEST_KEY", "k" * 32)
    cfg.write_text(cfg.read_text() + '\n[privacy]\npseudonym_key_env = "S33_TEST_KEY"\n')
    result = report(plan_dir, "--pseudonymise", "--config", cfg)
    assert result.exit_code == 0, result.output
    html_text = (plan_dir / "report.html").read_text(encoding="utf-8")
    assert not any(name in html_text for name in REAL_NAMES.values())
    assert "Names are keyed pseudonyms." in html_text


def test_currency_comes_from_city_currency():
    from types import SimpleNamespace

    from roster.cli.report import currency_of

    assert currency_of(SimpleNamespace(city=SimpleNamespace(currency="USD"))) == "$"
    assert currency_of(SimpleNamespace(city=SimpleNamespace(currency="EUR"))) == "€"
    assert currency_of(SimpleNamespace(city=SimpleNamespace(currency="CHF"))) == "CHF "


def test_an_unreadable_config_only_costs_the_currency(plan_dir, tmp_path):
    cfg = tmp_path / "roster.toml"
    cfg.write_text("[city\n")
    result = report(plan_dir, "--config", cfg)
    assert result.exit_code == 0, result.output
    assert "could not be read, so money is shown in $" in result.output
    assert (plan_dir / "report.html").exists()
