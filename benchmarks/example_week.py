"""Plan the example city's week and report solve time, cost, and service delivered.

    python benchmarks/example_week.py [--config roster.toml] [--week 2026-11-02] [--solver highs|cbc]
                                      [--write-benchmarks BENCHMARKS.md]

Runs the normal ``roster plan`` pipeline (forecast → requirements → MIP → simulation)
and prints a Markdown section with one table, a row per week: solver status, gap,
build and solve seconds, cost, shortfall, shifts, the simulated share of calls
reached within target (all districts, with its 95 % interval) beside the Erlang C
level the requirements were set for, and the district with the lowest simulated
share.  The section's first line names the date, the commit, the machine and the
exact command.  The per-district tables follow on stdout only.  With
``--write-benchmarks`` the section replaces the one headed ``## Example week`` in
that file (up to the next ``## `` heading), or is appended if there is none.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os
    from importlib.metadata import PackageNotFoundError, version

    try:
        highs = f", highspy {version('highspy')}"
    except PackageNotFoundError:
        highs = ""
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}{highs}"


def commit() -> str:
    """The checkout's commit, and whether the product code has uncommitted changes ("" outside git)."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--",
                    "roster", "constraints", "forecast", "examples", "roster.toml")
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f" at {head}" + (" (with uncommitted changes to the product code)" if dirty else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=ROOT / "roster.toml")
    ap.add_argument("--week", action="append", help="Monday(s) to plan; default the example's next week and both DST weeks")
    ap.add_argument("--solver", choices=["highs", "cbc"], default=None)
    ap.add_argument("--write-benchmarks", type=Path, default=None)
    args = ap.parse_args(argv)

    from roster.config import load_config
    from roster.pipeline import plan

    cfg = load_config(args.config)
    if args.solver:
        cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"name": args.solver})})
    weeks = args.week or ["2026-11-02", "2026-03-02", "2026-10-26"]
    command = "python benchmarks/example_week.py" + "".join(f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    lines = [
        "## Example week",
        "",
        f"Measured {dt.date.today()}{commit()} on {machine()}; command: `{command}`. "
        f"Solver {cfg.solver.name}, relative gap {cfg.solver.relative_gap}, time limit {cfg.solver.time_limit_seconds:g} s, "
        f"forecast model {cfg.forecast.model}; {100} simulated weeks per roster; calls reached within "
        f"{cfg.service.target_minutes:g} minutes (target {100 * cfg.service.target_share:.0f} %), all districts.",
        "",
        "| week | hours | status | gap | build s | solve s | cost | shortfall staff-h | shifts "
        "| simulated share (95 % interval) | Erlang C (requirements) | lowest district, simulated |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    detail = []
    for week in weeks:
        r = plan(cfg, week)
        s = r.summary
        erl = s["erlang_expected_service_level"]
        sim = r.simulation.set_index("district")
        every = sim.loc["ALL"] if "ALL" in sim.index else None
        districts = sim.drop(index="ALL", errors="ignore")
        low = districts["share_within_target"].idxmin() if len(districts) else None
        share = "–" if every is None else (f"{100 * every.share_within_target:.1f} % "
                                             f"({100 * every.share_ci_low:.1f}–{100 * every.share_ci_high:.1f} %)")
        e_all = erl.get("ALL")
        lowest = "–" if low is None else f"{low} {100 * districts.at[low, 'share_within_target']:.1f} %"
        lines.append(
            f"| {r.monday} | {s['hours_in_week']} | {s['status']} | {100 * (s['gap'] or 0):.2f} % | {s['build_seconds']:.1f} | "
            f"{s['solve_seconds']:.1f} | ${s['total_cost']:,.0f} | {s['shortfall_hours']['total']:g} | {s['shifts']} | "
            f"{share} | {'–' if e_all is None else f'{100 * e_all:.1f} %'} | {lowest} |"
        )
        detail += [
            "",
            f"Week of {r.monday}: share of calls reached within {cfg.service.target_minutes:g} minutes "
            f"(target {100 * cfg.service.target_share:.0f} %)",
            "",
            "| district | simulated calls | simulated share | 95 % interval | Erlang C (requirements) | mean min to contact | utilisation |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in r.simulation.itertuples():
            e = erl.get(row.district)
            detail.append(
                f"| {row.district} | {row.calls:.1f} | {100 * row.share_within_target:.1f} % | "
                f"{100 * row.share_ci_low:.1f}–{100 * row.share_ci_high:.1f} % | "
                f"{'' if e is None else f'{100 * e:.1f} %'} | {row.mean_minutes_to_contact:.1f} | {100 * row.utilisation:.1f} % |"
            )
    section = "\n".join(lines) + "\n"
    print(section + "\n".join(detail) + "\n")
    if args.write_benchmarks:
        path = args.write_benchmarks
        text = path.read_text() if path.exists() else "# Benchmarks\n"
        pattern = re.compile(r"^## Example week\n.*?(?=^## |\Z)", re.S | re.M)
        text = (pattern.sub(lambda _: section + "\n", text, count=1) if pattern.search(text)
                else text.rstrip("\n") + "\n\n" + section)
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
