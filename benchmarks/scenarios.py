"""Wall time of the example city's baseline + scenarios serially and with ``--jobs 2``, and its budget frontier.

    python benchmarks/scenarios.py [--scenarios examples/scenarios/budget.yaml] [--jobs 2]
                                   [--work /tmp/scenario-bench] [--skip-frontier]

Runs ``roster scenarios FILE`` twice in fresh processes, serially and with ``--jobs N``,
one after the other in the same run, so the ratio of wall times is measured under the
same load; then ``roster frontier --jobs N`` with its default sweep (eight weekly caps
from just above the cheapest lawful roster to the uncapped plan's cost).  Prints a
Markdown section with both tables, the date, the commit, the machine and the commands,
for BENCHMARKS.md.  Whether the serial and parallel runs wrote the same scenarios.csv
is reported too (they do whenever no solve stops at its time limit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.example_week import commit, machine  # noqa: E402


def roster(*args: str) -> tuple[float, subprocess.CompletedProcess]:
    exe = Path(sys.executable).with_name("roster")
    cmd = [str(exe) if exe.exists() else "roster", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds, proc


def scenario_table(file: str, jobs: int, work: Path) -> list[str]:
    serial, _ = roster("scenarios", file, "--out", str(work / "serial"), "--quiet")
    parallel, _ = roster("scenarios", file, "--out", str(work / "parallel"), "--jobs", str(jobs), "--quiet")
    a = pd.read_csv(work / "serial" / "scenarios.csv")
    b = pd.read_csv(work / "parallel" / "scenarios.csv")
    same = (work / "serial" / "scenarios.csv").read_bytes() == (work / "parallel" / "scenarios.csv").read_bytes()
    lines = [f"`roster scenarios {file}`: baseline + {len(a) - 1} scenarios, each solve with one HiGHS thread.", "",
             "| run | wall s | speed-up |", "|---|---:|---:|",
             f"| serial | {serial:.1f} | 1.00x |", f"| --jobs {jobs} | {parallel:.1f} | {serial / parallel:.2f}x |", "",
             f"Same scenarios.csv serial and parallel: {'yes' if same else 'no (a solve stopped at its time limit)'}.", "",
             "| scenario | status | cost/week | within target | worst district | shortfall h | p90 min | staff |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in b.itertuples():
        if pd.isna(r.total_cost):
            lines.append(f"| {r.scenario} | {r.status} | | | | | | |")
            continue
        lines.append(f"| {r.scenario} | {r.status} | {r.total_cost:,.0f} | {r.share_within_target:.1%} | "
                     f"{r.worst_district_share:.1%} | {r.shortfall_hours:,.0f} | {r.p90_minutes_to_contact:.1f} | {r.staff_used:.0f} |")
    return lines


def frontier_table(jobs: int, work: Path) -> list[str]:
    seconds, _ = roster("frontier", "--out", str(work / "frontier"), "--jobs", str(jobs), "--quiet")
    f = pd.read_csv(work / "frontier" / "frontier.csv")
    lines = [f"`roster frontier --jobs {jobs}` (default sweep): {len(f)} points in {seconds:.0f} s.", "",
             "| budget cap/week | status | cost/week | within target | worst district | its share | shortfall h |",
             "|---:|---|---:|---:|---|---:|---:|"]
    for r in f.itertuples():
        if pd.isna(r.total_cost):
            lines.append(f"| {r.budget_cap:,.0f} | {r.status} | | | | | |")
            continue
        lines.append(f"| {r.budget_cap:,.0f} | {r.status} | {r.total_cost:,.0f} | {r.share_within_target:.1%} | "
                     f"{r.worst_district} | {r.worst_district_share:.1%} | {r.shortfall_hours:,.0f} |")
    return lines


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default="examples/scenarios/budget.yaml")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("/tmp/scenario-bench"))
    ap.add_argument("--skip-frontier", action="store_true")
    args = ap.parse_args(argv)
    head = (f"Measured {dt.date.today()}{commit()} on {machine()}, shared with other jobs during the run; command: "
            f"`python benchmarks/scenarios.py --scenarios {args.scenarios} --jobs {args.jobs}`.")
    print("## Scenarios\n")
    print(head + "\n")
    print("\n".join(scenario_table(args.scenarios, args.jobs, args.work)), flush=True)
    if not args.skip_frontier:
        print("\n## Budget frontier\n")
        print(head + "\n")
        print("\n".join(frontier_table(args.jobs, args.work)))


if __name__ == "__main__":
    main()
