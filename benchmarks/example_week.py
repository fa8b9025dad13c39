"""Plan the example city's week and report solve time, cost, and service delivered.

    python benchmarks/example_week.py [--config roster.toml] [--week 2026-11-02] [--solver highs|cbc]
                                      [--write-benchmarks BENCHMARKS.md]

Runs the normal ``roster plan`` pipeline (forecast → requirements → MIP → simulation)
and prints a Markdown section: solver status, gap, build and solve seconds, cost,
shortfall, and per district the simulated share of calls reached within target
(with its 95 % interval) beside the Erlang C level the requirements were set for.
With ``--write-benchmarks`` the section replaces ``## Example week`` in that file.
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

    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


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
    lines = [
        "## Example week",
        "",
        f"Measured {dt.date.today()} on {machine()}; command: "
        f"`python benchmarks/example_week.py{' --solver ' + args.solver if args.solver else ''}`. "
        f"Solver {cfg.solver.name}, relative gap {cfg.solver.relative_gap}, time limit {cfg.solver.time_limit_seconds:g} s, "
        f"forecast model {cfg.forecast.model}; {100} simulated weeks per roster.",
        "",
        "| week | hours | status | gap | build s | solve s | cost | shortfall staff-h | shifts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    detail = []
    for week in weeks:
        r = plan(cfg, week)
        s = r.summary
        lines.append(
            f"| {r.monday} | {s['hours_in_week']} | {s['status']} | {100 * (s['gap'] or 0):.2f} % | {s['build_seconds']:.1f} | "
            f"{s['solve_seconds']:.1f} | ${s['total_cost']:,.0f} | {s['shortfall_hours']['total']:g} | {s['shifts']} |"
        )
        detail += [
            "",
            f"Week of {r.monday}: share of calls reached within {cfg.service.target_minutes:g} minutes "
            f"(target {100 * cfg.service.target_share:.0f} %)",
            "",
            "| district | simulated calls | simulated share | 95 % interval | Erlang C (requirements) | mean min to contact | utilisation |",
            "|---|---|---|---|---|---|---|",
        ]
        erl = s["erlang_expected_service_level"]
        for row in r.simulation.itertuples():
            e = erl.get(row.district)
            detail.append(
                f"| {row.district} | {row.calls:.1f} | {100 * row.share_within_target:.1f} % | "
                f"{100 * row.share_ci_low:.1f}–{100 * row.share_ci_high:.1f} % | "
                f"{'' if e is None else f'{100 * e:.1f} %'} | {row.mean_minutes_to_contact:.1f} | {100 * row.utilisation:.1f} % |"
            )
    section = "\n".join(lines + detail) + "\n"
    print(section)
    if args.write_benchmarks:
        path = args.write_benchmarks
        text = path.read_text() if path.exists() else "# Benchmarks\n"
        pattern = re.compile(r"^## Example week\n.*?(?=^## |\Z)", re.S | re.M)
        text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
