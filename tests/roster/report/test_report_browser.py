"""The report in a real browser: headless Chromium (Debian's `chromium`) with the network off opens
the file, runs its scripts without a single console error, and draws every chart; a screenshot is saved.

Skipped only when Chromium (or the playwright driver) is absent and CI is not set; in CI it must run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from report_plans import frontier_frame, synthetic_plan
import pandas as pd

from roster.report import PlanFrames, ScenarioFrames, build_report
from roster.report.build import MAIN_CHART_ID

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
CHARTS = ["chart-coverage", "chart-roster", "chart-shortfall", "chart-cost", "chart-service"]

if not os.environ.get("CI"):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)
    pytest.importorskip("playwright.sync_api", reason="the test extra (playwright) is not installed")
from playwright.sync_api import sync_playwright  # noqa: E402


def open_report(path: Path, profile: Path, screenshot: Path, charts: list[str] = CHARTS) -> dict:
    """Open ``path`` offline; return console messages, page errors, requests that tried the network, chart state."""
    seen = {"console": [], "errors": [], "network": []}
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS, headless=True,
                                                   offline=True, viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            page.on("console", lambda m: seen["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:"))
                    else seen["network"].append(r.url))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {2 * len(charts)}",
                                   timeout=30_000)
            seen["charts"] = page.evaluate("""(ids) => ids.map(id => {
                const gd = document.getElementById(id);
                return gd ? {id, svgs: gd.querySelectorAll('.main-svg').length,
                             drawn: gd.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .heatmaplayer image, '
                                                        + '.hm image').length,
                             labels: (gd.data || []).filter(t => t.meta === 'hour-labels')
                                                   .map(t => (t.type === 'heatmap' ? t.customdata[0] : t.customdata) || [])
                                                   .map(c => c.length)} : {id, svgs: 0, drawn: 0, labels: []};
            })""", charts)
            seen["first_label"] = page.evaluate(
                f"document.getElementById('{MAIN_CHART_ID}').data.find(t => t.meta === 'hour-labels').customdata[0]")
            seen["tips"] = page.evaluate("document.getElementById('chart-roster').data.flatMap(t => t.customdata || [])")
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            ctx.close()
    return seen


@pytest.mark.parametrize("monday,hours", [(dt.date(2026, 11, 2), 168), (dt.date(2026, 10, 26), 169)], ids=["week", "fall-back"])
def test_report_opens_offline_without_errors_and_draws_every_chart(tmp_path, monday, hours):
    path = tmp_path / "report.html"
    path.write_text(build_report(PlanFrames.from_files(synthetic_plan(monday))), encoding="utf-8")
    shot = tmp_path / "report.png"
    seen = open_report(path, tmp_path / "profile", shot)
    assert seen["errors"] == []
    assert [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert seen["network"] == []
    by_id = {c["id"]: c for c in seen["charts"]}
    main = by_id[MAIN_CHART_ID]
    assert main["svgs"] >= 2 and main["drawn"] > 0, main
    for c in seen["charts"]:
        assert c["svgs"] >= 2 and c["drawn"] > 0, c
    assert main["labels"] == [hours, hours] and by_id["chart-shortfall"]["labels"] == [hours]
    assert seen["first_label"].startswith(f"Mon {monday:%d} {monday:%b} 00:00")
    # every shift's hover text is made in the page: name, shift, district and local times; overtime said
    assert len(seen["tips"]) == 36
    assert f"Alice Realname<br>early in North, Mon {monday:%d} {monday:%b} 07:00\u201315:00" in seen["tips"]
    assert sum("2 h overtime" in t for t in seen["tips"]) == 1
    assert shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_scenario_charts_draw_without_errors(tmp_path):
    scen = pd.DataFrame({"scenario": ["base", "wage+5%"], "total_cost": [100.0, 105.0], "share_within_target": [0.9, 0.91],
                         "worst_district_share": [0.8, 0.82]})
    dist = pd.DataFrame({"scenario": ["base", "base", "wage+5%", "wage+5%"], "district": ["North", "South"] * 2,
                         "share_within_target": [0.95, 0.82, 0.96, 0.84], "cost": [60.0, 40.0, 63.0, 42.0]})
    front = frontier_frame()
    path = tmp_path / "report.html"
    path.write_text(build_report(PlanFrames.from_files(synthetic_plan()),
                                 scenarios=ScenarioFrames(scenarios=scen, districts=dist, frontier=front)), encoding="utf-8")
    charts = CHARTS + ["chart-scenarios", "chart-scenario-districts", "chart-frontier"]
    seen = open_report(path, tmp_path / "profile", tmp_path / "report.png", charts)
    assert seen["errors"] == [] and [m for m in seen["console"] if m[0] in ("error", "warning")] == []
    assert all(c["svgs"] >= 2 and c["drawn"] > 0 for c in seen["charts"]), seen["charts"]
