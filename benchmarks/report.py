"""The HTML report of the example week: its size and how long headless Chromium takes to draw it.

    python benchmarks/report.py [--plan DIR] [--repeats 5] [--screenshot docs/report.png]
                                [--write-benchmarks BENCHMARKS.md]

Without ``--plan`` the example week is planned first (``roster plan`` into a temporary
folder).  The report is built from the plan's files (``roster report``'s path), written,
and opened ``--repeats`` times in Debian's chromium, each time with a fresh profile and
the network off.  Render time is the page's own clock (``performance.now()``, from the
start of navigation) at the first frame where every chart has drawn and the hour labels
are filled in.  Prints a Markdown section; with ``--write-benchmarks`` it replaces the one
headed ``## HTML report`` in that file, or is appended.
"""

from __future__ import annotations

import argparse
import os
import datetime as dt
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.example_week import commit, machine  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
DRAWN = """() => {
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  const done = document.readyState === 'complete' && charts.length > 0 && charts.every(gd => gd.querySelector('.main-svg') && gd._fullLayout
      && (gd.data || []).every(t => t.meta !== 'hour-labels' || t.customdata));
  return done ? performance.now() : false;
}"""


# The same library and one small chart: what loading plotly.js alone costs on this machine at this moment.
BARE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><script>%s</script></head><body><div id="x" '
        'class="plotly-graph-div"></div><script>Plotly.newPlot("x", [{y: [1, 2, 3]}]);</script></body></html>')


def plan_example(out: Path) -> None:
    subprocess.run([sys.executable, "-c", "from roster.cli import app; app()", "plan", "--config", str(ROOT / "roster.toml"), "--out", str(out),
                    "--quiet", "--no-report"], check=True, cwd=ROOT)


def render_times(path: Path, repeats: int, screenshot: Path | None) -> tuple[list[float], int]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    times, charts = [], 0
    with sync_playwright() as p:
        for i in range(repeats):
            with tempfile.TemporaryDirectory() as profile:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium, args=FLAGS, headless=True,
                                                           offline=True, viewport={"width": 1280, "height": 900})
                page = ctx.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(path.as_uri(), wait_until="commit")
                times.append(page.wait_for_function(DRAWN, polling="raf", timeout=60_000).json_value() / 1000)
                charts = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
                if errors:
                    raise SystemExit(f"JavaScript errors in the report: {errors}")
                if screenshot is not None and i == 0:
                    page.set_viewport_size({"width": 1280, "height": 1400})
                    page.screenshot(path=str(screenshot), full_page=False)
                ctx.close()
    return times, charts


def chromium_version() -> str:
    try:
        out = subprocess.run(["chromium", "--version"], capture_output=True, text=True, check=True).stdout
        return re.search(r"Chromium [\d.]+", out).group(0)
    except (OSError, subprocess.CalledProcessError, AttributeError):
        return "chromium"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, default=None, help="a folder `roster plan` wrote; default: plan the example week")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--screenshot", type=Path, default=None)
    ap.add_argument("--write-benchmarks", type=Path, default=None)
    args = ap.parse_args(argv)

    from plotly.offline import get_plotlyjs

    from roster.report import build_report
    from roster.report.read import read_plan

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.plan or Path(tmp) / "plan"
        if args.plan is None:
            plan_example(folder)
        t0 = time.perf_counter()
        frames = read_plan(folder)
        text = build_report(frames)
        build_s = time.perf_counter() - t0
        path = Path(tmp) / "report.html"
        path.write_text(text, encoding="utf-8")
        size, js = path.stat().st_size, len(get_plotlyjs().encode("utf-8"))
        load_before = os.getloadavg()[0]
        times, charts = render_times(path, args.repeats, args.screenshot)
        bare = Path(tmp) / "plotly_only.html"
        bare.write_text(BARE % get_plotlyjs(), encoding="utf-8")
        bare_times, _ = render_times(bare, args.repeats, None)
    period = frames.summary.get("week_start", "")[:10]
    command = "python benchmarks/report.py" + "".join(f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    lines = [
        "## HTML report",
        "",
        f"Measured {dt.date.today()}{commit()} on {machine()}, {chromium_version()} (headless, network off, a fresh "
        f"profile per run; load average {load_before:.1f} on the 2 cores when it began); command: `{command}`. Render time: the page's clock from navigation to the first frame "
        f"with every chart drawn, over {args.repeats} runs; the last column is a page with plotly.js and one "
        f"small chart, measured right after in the same run, for scale on a loaded machine. Target: under 5 MB and under 3 s.",
        "",
        "| week | file | of which plotly.js | charts, tables, page | charts | build s | render s, median (min–max) "
        "| plotly.js and one chart alone, s |",
        "|---|---|---|---|---|---|---|---|",
        f"| {period} | {size / 1e6:.2f} MB ({size:,} bytes) | {js / 1e6:.2f} MB | {(size - js) / 1e3:.0f} kB | {charts} | "
        f"{build_s:.2f} | {statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f}) | "
        f"{statistics.median(bare_times):.2f} |",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if args.write_benchmarks:
        target = args.write_benchmarks
        old = target.read_text() if target.exists() else "# Benchmarks\n"
        pattern = re.compile(r"^## HTML report\n.*?(?=^## |\Z)", re.S | re.M)
        new = (pattern.sub(lambda _: section + "\n", old, count=1) if pattern.search(old)
               else old.rstrip("\n") + "\n\n" + section)
        target.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
