"""Employee Shift Scheduling Benchmark (Curtois & Qu, instances 1-24) through the normal solve path.

    python benchmarks/shift_scheduling.py --instances DIR [--only 1-8] [--time-limit 600]
        [--solver highs|cbc] [--strategy lns|mip] [--threads 2] [--jobs 1] [--out results.csv]
        [--trace DIR]

Each instance is mapped by :mod:`benchmarks.ssb.model` onto Problem + Config + the
rule list, solved with :func:`roster.solve.model.solve` and the returned roster is
scored by :func:`benchmarks.ssb.evaluate.evaluate` -- the reported ``objective`` is the
evaluator's, not the MIP's.  ``--strategy`` is the config's ``solver.strategy``:
``lns`` (default; fix-and-optimise search, then the whole model from the best
roster -- see ``roster/solve/lns/``) or ``mip`` (one solve of the whole model).  Every
instance runs in its own child process, ``--jobs`` at a time (``--jobs 2
--threads 1`` splits a 2-core machine between two instances); ``peak_mb`` is that child's peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` read in the child at its end:
Python, pandas, PuLP and the in-process HiGHS together; a CBC run's separate
solver process is *not* included).  Rows are appended as instances finish.

``--trace DIR`` writes each instance's solver log at debug level (what the search
did, piece by piece, with milliseconds since the child started) to
``DIR/instanceN.log``; it names rules and counts, never staff.

Columns: instance, status, objective (evaluator), bound (solver's best bound,
HiGHS only), best_known, gap_to_best ((objective - best_known) / best_known),
proven_optimal (solver proved optimality and the evaluator agrees with its
objective), build_seconds, solve_seconds, peak_mb, then feasible (evaluator),
mip_objective, solver, strategy, threads, time_limit.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COLUMNS = ["instance", "status", "objective", "bound", "best_known", "gap_to_best", "proven_optimal",
           "build_seconds", "solve_seconds", "peak_mb", "feasible", "mip_objective", "solver", "strategy", "threads",
           "time_limit"]


def parse_only(text: str | None) -> list[int]:
    if not text:
        return list(range(1, 25))
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    bad = [n for n in out if not 1 <= n <= 24]
    if bad:
        raise SystemExit(f"--only: instance numbers must be 1..24, got {bad}")
    return out


def _child(path: str, solver: str, time_limit: float, strategy: str, threads: int, queue, trace: str | None = None) -> None:
    if trace is not None:
        import logging

        handler = logging.FileHandler(trace, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f %(message)s"))
        logger = logging.getLogger("roster")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    try:
        from benchmarks.ssb.instance import read_instance
        from benchmarks.ssb.evaluate import evaluate
        from benchmarks.ssb.model import solve_instance

        inst = read_instance(path)
        res, assignment = solve_instance(inst, solver=solver, time_limit=time_limit, strategy=strategy, threads=threads)
        ev = evaluate(inst, assignment) if res.status in ("optimal", "feasible") else None
        out = {
            "status": res.status,
            "objective": None if ev is None else ev.objective,
            "feasible": None if ev is None else ev.feasible,
            "violations": [] if ev is None else [v.message for v in ev.violations[:5]],
            "mip_objective": res.objective,
            "bound": res.bound,
            "build_seconds": res.build_seconds,
            "solve_seconds": res.solve_seconds,
            "model_size": res.model_size,
        }
    except Exception as exc:  # reported as a row, not a crash of the whole run
        out = {"status": f"error: {type(exc).__name__}: {exc}"}
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB
    queue.put(out)


def run_one(path: Path, solver: str, time_limit: float, hard_timeout: float, strategy: str = "lns", threads: int = 2,
            trace: Path | None = None) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(str(path), solver, time_limit, strategy, threads, q,
                                         None if trace is None else str(trace)))
    t0 = time.perf_counter()
    p.start()
    try:
        out = q.get(timeout=hard_timeout)
    except Exception:
        p.terminate()
        out = {"status": f"killed after {time.perf_counter() - t0:.0f} s (no result)"}
    p.join(timeout=30)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", required=True, type=Path, help="directory with Instance1.txt ... and best_known.csv")
    ap.add_argument("--only", default=None, help="instance numbers, e.g. 1-8 or 1,3,9-12 (default all 24)")
    ap.add_argument("--time-limit", type=float, default=600.0, help="solver time limit per instance, seconds")
    ap.add_argument("--solver", choices=["highs", "cbc"], default="highs")
    ap.add_argument("--strategy", choices=["lns", "mip"], default="lns", help="solver.strategy (HiGHS only; CBC always mip)")
    ap.add_argument("--threads", type=int, default=2, help="solver threads per instance")
    ap.add_argument("--jobs", type=int, default=1, help="instances solved at the same time")
    ap.add_argument("--out", type=Path, default=Path("results.csv"))
    ap.add_argument("--append", action="store_true", help="append to --out instead of overwriting it")
    ap.add_argument("--trace", type=Path, default=None, help="directory for each instance's debug log (instanceN.log)")
    args = ap.parse_args(argv)

    from benchmarks.ssb.instance import load_best_known

    best = load_best_known(args.instances / "best_known.csv")
    if args.trace is not None:
        args.trace.mkdir(parents=True, exist_ok=True)
    new = not (args.append and args.out.exists())
    with args.out.open("w" if new else "a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        if new:
            w.writeheader()
            fh.flush()
        lock = threading.Lock()
        strategy = args.strategy if args.solver == "highs" else "mip"

        def one(n: int) -> None:
            path = args.instances / f"Instance{n}.txt"
            trace = None if args.trace is None else args.trace / f"instance{n}.log"
            r = run_one(path, args.solver, args.time_limit, args.time_limit * 3 + 900, strategy, args.threads, trace)
            bk = best[n].best_known
            obj = r.get("objective")
            mip = r.get("mip_objective")
            row = {
                "instance": n,
                "status": r["status"],
                "objective": obj,
                "bound": None if r.get("bound") is None else round(r["bound"], 3),
                "best_known": bk,
                "gap_to_best": None if obj is None else round((obj - bk) / bk, 5),
                "proven_optimal": bool(r["status"] == "optimal" and obj is not None and mip is not None and abs(obj - mip) < 1e-6 and r.get("feasible")),
                "build_seconds": None if r.get("build_seconds") is None else round(r["build_seconds"], 2),
                "solve_seconds": None if r.get("solve_seconds") is None else round(r["solve_seconds"], 2),
                "peak_mb": round(r["peak_mb"], 1) if r.get("peak_mb") is not None else None,
                "feasible": r.get("feasible"),
                "mip_objective": None if mip is None else round(mip, 3),
                "solver": args.solver,
                "strategy": strategy,
                "threads": args.threads,
                "time_limit": args.time_limit,
            }
            extra = f" violations: {r['violations']}" if r.get("violations") else ""
            with lock:
                w.writerow(row)
                fh.flush()
                print(json.dumps(row) + extra, flush=True)

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(one, parse_only(args.only)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
