"""Real scenario results for the report's tests: `roster scenarios` and `roster frontier` run on the small
two-district city of tests/scenario_city.py with short time limits."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from roster.cli import app
from scenario_city import write_city

SCENARIOS = """
- name: wage_rise_4pct
  set: {roles.clinician.hourly_rate: "+4%"}
- name: more_peers
  staff: {add: [{count: 3, role: peer_supporter, district: North}]}
"""
BUDGETS = "500,22000,30000"  # the first is below what the hard rules alone cost


def run_scenarios_and_frontier(folder: Path) -> tuple[Path, Path, Path]:
    """(config, the scenarios' folder, the frontier's folder); the baseline's plan is scenarios/baseline."""
    runner = CliRunner()
    config = write_city(folder / "city")
    spec = folder / "scenarios.yaml"
    spec.write_text(SCENARIOS)
    scen, front = folder / "scenarios", folder / "frontier"
    res = runner.invoke(app, ["scenarios", str(spec), "--config", str(config), "--out", str(scen), "--quiet",
                              "--time-limit", "5"])
    assert res.exit_code == 0, res.output
    assert f"As charts: roster report {scen / 'baseline'} --scenarios {scen}" in res.output
    res = runner.invoke(app, ["frontier", "--config", str(config), "--out", str(front), "--quiet",
                              "--budgets", BUDGETS, "--time-limit", "5"])
    assert res.exit_code == 0, res.output
    assert f"roster report PLAN_DIR --scenarios {front}" in res.output
    return config, scen, front
