"""roster report on a plan folder with a file that has no rows or is a folder: exit 2 naming it, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from roster.cli import app

runner = CliRunner()


def _refused(folder: Path, *needles: str) -> None:
    result = runner.invoke(app, ["report", str(folder), "--config", str(folder / "none.toml")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Unexpected error" not in result.output
    for n in needles:
        assert n in result.output, (n, result.output)
    assert not (folder / "report.html").exists()


def test_coverage_without_rows(plan_dir):
    path = plan_dir / "coverage.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    _refused(plan_dir, "coverage.csv", "has no rows")


@pytest.mark.parametrize("name", ["explain.csv", "forecast.csv", "penalties.csv", "simulation.csv"])
def test_an_optional_file_that_is_a_folder(plan_dir, name):
    (plan_dir / name).unlink()
    (plan_dir / name).mkdir()
    _refused(plan_dir, name, "is a folder")
