"""`roster report DIR --scenarios` on what `roster scenarios` and `roster frontier` really write: every file is
read in its own columns and every scenario part of the report is drawn from it (and, with Chromium, in a browser)."""

from __future__ import annotations

import json
import os
import re
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from roster.cli import app
from roster.report.read import PLAN_FILES, SCENARIO_FILES, read_scenarios
from roster.scenarios.frontier import FRONTIER_COLUMNS
from roster.scenarios.run import DISTRICT_COLUMNS, HEADCOUNT_COLUMNS, SCENARIO_COLUMNS
from roster.evaluate.shortfall import SHORTFALL_COLUMNS
from scenario_runs import run_scenarios_and_frontier

runner = CliRunner()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return run_scenarios_and_frontier(tmp_path_factory.mktemp("runs"))


def test_the_columns_the_report_needs_are_the_columns_the_commands_write():
    for name, columns in (("scenarios.csv", SCENARIO_COLUMNS), ("scenario_districts.csv", DISTRICT_COLUMNS),
                          ("headcount.csv", HEADCOUNT_COLUMNS), ("frontier.csv", FRONTIER_COLUMNS)):
        required, numbers, _ = SCENARIO_FILES[name]
        assert set(required) <= set(columns) and set(numbers) <= set(columns), name
    required, numbers, times = PLAN_FILES["shortfalls.csv"]
    assert set(required) | set(numbers) | set(times) <= set(SHORTFALL_COLUMNS)


def test_report_of_the_baseline_with_the_scenarios_and_the_frontier(runs):
    config, scen, front = runs
    plan = scen / "baseline"
    result = runner.invoke(app, ["report", str(plan), "--scenarios", str(scen), "--scenarios", str(front),
                                 "--config", str(config)])
    assert result.exit_code == 0, result.output
    text = (plan / "report.html").read_text(encoding="utf-8")
    for div in ("chart-scenarios", "chart-scenario-districts", "chart-frontier"):
        assert f'id="{div}"' in text
    read = read_scenarios([scen, front])
    assert list(read.scenarios["scenario"]) == ["baseline", "wage_rise_4pct", "more_peers"]
    assert read.findings.strip() and read.findings.splitlines()[0].strip() in text.replace("&#x27;", "'")
    assert "Hiring plan" in text and len(read.headcount) == 6
    # the frontier: the cap below the cheapest lawful roster is a row of the table, not a point of the chart
    frontier = pd.read_csv(front / "frontier.csv")
    assert frontier.loc[0, "status"] == "infeasible"
    fig = _figure(text, "chart-frontier")
    ok = frontier.dropna(subset=["total_cost"]).sort_values("total_cost")
    assert fig[0]["customdata"] == [f"{p} ({s})<br>cap ${c:,.0f}<br>worst: {w}" for p, s, c, w in
                                    ok[["point", "status", "budget_cap", "worst_district"]].itertuples(index=False)]
    assert "cheapest lawful roster costs" in text
    # the baseline plan's shortfalls with their reasons and the sizing hints
    summary = json.loads((plan / "summary.json").read_text())
    if summary["shortfall_hours"]["total"] > 0:
        assert "Shortfalls and why" in text and summary["sizing"][0]["text"] in text


def _figure(text: str, div_id: str) -> list[dict]:
    start = text.index(f'Plotly.newPlot(                        "{div_id}"')
    data = text[text.index("[", start): text.index("</script>", start)]
    return json.JSONDecoder().raw_decode(data)[0]


def test_the_scenario_charts_of_real_results_draw_in_a_browser(runs, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not os.environ.get("CI"):
        if chromium is None:
            pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
        pytest.importorskip("playwright.sync_api", reason="the test extra (playwright) is not installed")
    from test_report_browser import CHARTS, open_report

    config, scen, front = runs
    plan = tmp_path / "plan"
    shutil.copytree(scen / "baseline", plan)
    result = runner.invoke(app, ["report", str(plan), "--scenarios", str(scen), "--scenarios", str(front),
                                 "--config", str(config)])
    assert result.exit_code == 0, result.output
    charts = CHARTS + ["chart-scenarios", "chart-scenario-districts", "chart-frontier"]
    seen = open_report(plan / "report.html", tmp_path / "profile", tmp_path / "report.png", charts)
    assert seen["errors"] == [] and [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["network"] == []
    assert all(c["svgs"] >= 2 and c["drawn"] > 0 for c in seen["charts"]), seen["charts"]
    assert re.search(r"\w", "".join(seen["tips"]))
