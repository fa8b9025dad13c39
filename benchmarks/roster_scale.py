"""How the roster MIP scales: model build and solve time, gap, peak memory, HiGHS vs CBC.

Each row also gives, from the solve's trace (``SolveResult.trace``), the seconds from the start
of the model build to the first roster, to a gap of 2 % and of 0.5 % ("–": not reached).

    python benchmarks/roster_scale.py                       # the default grid, both solvers
    python benchmarks/roster_scale.py --cases 50x3x7 400x20x28 --solvers highs --time-limit 600
    python benchmarks/roster_scale.py --cases example --solvers highs cbc
    python benchmarks/roster_scale.py --cases 400x20x28 --solvers highs --strategy lns   # solver.strategy
    python benchmarks/roster_scale.py --cases example4 --solvers highs --strategy auto --time-limit 300

A case is ``STAFFxDISTRICTSxDAYS`` (a synthetic city from :mod:`benchmarks.scale_city`,
generated like the example), ``example`` (the example city's default week,
through the real forecast and requirements) or ``exampleN`` (the example city's N weeks
from 2026-10-05, as ``roster plan --weeks N --week 2026-10-05``).  Each case runs in its own
process so its peak memory (max RSS of the process and, for CBC, of the solver
child) is its own.  Prints one Markdown row per case and solver; ``--json``
appends raw results to a file as they arrive (so a long run can be watched).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CASES = ["example", "50x3x7", "100x6x7", "200x10x7", "400x20x7", "50x3x28", "100x6x28", "200x10x28", "400x20x28"]


EXAMPLE_PERIOD_START = "2026-10-05"


def example_problem(solver: str, time_limit: float, weeks: int = 1):
    from roster.config import load_config
    from roster.pipeline import forecast_stage, load_inputs, problem_stage, requirements_stage

    cfg = load_config(ROOT / "roster.toml")
    cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"name": solver, "time_limit_seconds": time_limit})})
    if weeks == 1:
        inputs = load_inputs(cfg)
    else:
        inputs = load_inputs(cfg, EXAMPLE_PERIOD_START, weeks=weeks)
    fc = forecast_stage(inputs.calls, cfg, inputs.monday, inputs.calls_source, weeks=inputs.weeks)
    req, _ = requirements_stage(fc.table, inputs)
    pp = problem_stage(inputs, req)
    return pp.problem, pp.rules


def run_one(case: str, solver: str, time_limit: float, gap: float, strategy: str = "mip") -> dict:
    import dataclasses

    from roster.solve import model as roster_model
    from benchmarks.scale_city import make_city

    t0 = time.perf_counter()
    rules = None
    if case.startswith("example"):
        problem, rules = example_problem(solver, time_limit, int(case[len("example"):] or 1))
    else:
        n, d, days = (int(x) for x in case.split("x"))
        problem = make_city(n, d, days, solver=solver, time_limit=time_limit, gap=gap)
    if solver == "highs":
        cfg = problem.config
        cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"strategy": strategy})})
        problem = dataclasses.replace(problem, config=cfg)
    gen_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = roster_model.solve(problem, rules, time_limit=time_limit)
    total = time.perf_counter() - t1
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    short = None
    if res.status in ("optimal", "feasible"):
        short = float(sum(v for k, v in res.penalties.items() if k.startswith("coverage")) / problem.config.objective.shortfall_penalty_per_hour)
    return {
        "case": case, "solver": solver if solver == "cbc" or strategy == "mip" else f"{solver} ({strategy})", "staff": int(len(problem.staff)), "districts": len(problem.config.districts),
        "days": problem.days, "status": res.status, "objective": res.objective, "bound": res.bound, "gap": res.gap,
        "generate_s": round(gen_s, 2), "build_s": round(res.build_seconds, 2), "solve_s": round(res.solve_seconds, 2),
        "total_s": round(total, 2), "build_share": round(res.build_seconds / total, 3) if total else None,
        "peak_rss_mb": round(self_kb / 1024, 1), "solver_child_rss_mb": round(child_kb / 1024, 1),
        "variables": res.model_size.get("variables"), "constraints": res.model_size.get("constraints"),
        "shortfall_hours": short, "time_limit": time_limit, "gap_setting": gap, "strategy": strategy,
        "chosen_strategy": res.strategy, "trace": res.trace, **milestones(res.trace, res.build_seconds),
    }


def milestones(trace: list[dict], build_s: float) -> dict:
    """Seconds from the start of the build to the first roster and to gaps of 2 % and 0.5 %."""
    def first(pred):
        t = next((p["seconds"] for p in trace if pred(p)), None)
        return None if t is None else round(build_s + t, 1)

    return {
        "first_roster_s": first(lambda p: p["objective"] is not None),
        "gap_2pct_s": first(lambda p: p["gap"] is not None and p["gap"] <= 0.02),
        "gap_05pct_s": first(lambda p: p["gap"] is not None and p["gap"] <= 0.005),
    }


def row(r: dict, highs_bound: dict) -> str:
    gap = "–" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
    if r["solver"] == "cbc":
        # PuLP does not return CBC's bound: measure against HiGHS's best bound when known.
        b = highs_bound.get(r["case"])
        if r.get("objective") is not None and b is not None:
            gap = f"≤ {100 * (r['objective'] - b) / r['objective']:.2f} % (vs HiGHS bound)"
        elif r["status"] == "optimal":
            gap = f"≤ {100 * r.get('gap_setting', 0.005):.1f} % (CBC's own stop)"
        else:
            gap = "unknown"
    obj = "–" if r["objective"] is None else f"{r['objective']:,.0f}"
    mem = r["peak_rss_mb"] + (r["solver_child_rss_mb"] if r["solver"] == "cbc" else 0)
    solver = r["solver"]
    if r["solver"] != "cbc" and r.get("strategy") == "auto":
        solver = f"highs (auto: {r.get('chosen_strategy')})"

    def s(key):
        return "–" if r.get(key) is None else f"{r[key]:.1f}"

    return (f"| {r['case']} | {r['staff']} | {r['districts']} | {r['days']} | {solver} | {r['status']} | {r['build_s']:.1f} | "
            f"{r['solve_s']:.1f} | {s('first_roster_s')} | {s('gap_2pct_s')} | {s('gap_05pct_s')} | {gap} | {obj} | {mem:.0f} | "
            f"{r['variables']:,} | {r['constraints']:,} |")


HEADER = ("| case | staff | districts | days | solver | status | build s | solve s | first roster s | 2 % gap s | 0.5 % gap s "
          "| final gap | objective | peak MB | variables | constraints |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=DEFAULT_CASES)
    ap.add_argument("--solvers", nargs="+", default=["highs", "cbc"], choices=["highs", "cbc"])
    ap.add_argument("--time-limit", type=float, default=600)
    ap.add_argument("--gap", type=float, default=0.005)
    ap.add_argument("--strategy", choices=["auto", "mip", "lns", "chain", "rens"], default="auto", help="solver.strategy for the HiGHS runs")
    ap.add_argument("--json", type=Path, help="append each result as a JSON line to this file")
    ap.add_argument("--one", nargs=2, metavar=("CASE", "SOLVER"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:
        print(json.dumps(run_one(a.one[0], a.one[1], a.time_limit, a.gap, a.strategy)))
        return
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}", file=sys.stderr)
    results, highs_bound = [], {}
    print(HEADER)
    for case in a.cases:
        for solver in a.solvers:
            cmd = [sys.executable, __file__, "--one", case, solver, "--time-limit", str(a.time_limit), "--gap", str(a.gap),
                   "--strategy", a.strategy]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                print(f"| {case} | | | | {solver} | error: {out.stderr.strip().splitlines()[-1] if out.stderr.strip() else out.returncode} |", flush=True)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if solver == "highs" and r["bound"] is not None and case not in highs_bound:
                highs_bound[case] = r["bound"]
            results.append(r)
            if a.json:
                with a.json.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
            print(row(r, highs_bound), flush=True)


if __name__ == "__main__":
    main()
