"""Forecast accuracy benchmark (issue 3).

Usage::

    python benchmarks/forecast_accuracy.py montco /work/shared/data/calls/montco_911_2015-12_2016-08/911.csv.gz \
        --out out/bench_montco.csv
    python benchmarks/forecast_accuracy.py metro examples/metro/calls.csv --out out/bench_metro.csv

Montgomery County 911 preparation follows the data set's README: event time
parsed from ``desc`` (``timeStamp`` is the feed poll time; it is only used for
the three records without one), re-posted duplicates dropped on (title, event
time, twp, addr), EMS calls only, the 20 townships with most EMS calls as
districts, naive local America/New_York time, the partial first and last days
cut, and the three documented feed outages masked.  The automatic outage
detector runs too and its findings are reported.  8 weekly origins, one-week
horizon, 8-hour blocks, US/PA holidays for the models that use them.

The data path is an argument; the data are never copied into the repository.
"""

from __future__ import annotations

import os

# Single-threaded BLAS: on a shared 2-core machine multi-threaded OpenBLAS spins against other
# processes and makes small least-squares solves (the GLM's IRLS) 10-50x slower and erratic.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.aggregate import hourly_counts
from forecast.backtest import OracleModel, backtest
from forecast.io import parse_timestamps
from forecast.outages import detect_outages, mask_windows

MONTCO_TZ = "America/New_York"
MONTCO_OUTAGES = [("2015-12-17 22:48", "2015-12-18 05:27"), ("2015-12-18 22:31", "2015-12-19 08:08"),
                  ("2016-05-01 12:51", "2016-05-02 01:58")]
MODELS = ["poisson_glm", "seasonal_naive", "seasonal_naive_4w", "historical_average", "prophet"]


CRISIS_PROXY = ("EMS: ALTERED MENTAL STATUS", "EMS: OVERDOSE", "EMS: ASSAULT VICTIM", "EMS: POISONING")


def montco_counts(path: Path, n_districts: int = 20, series: str = "ems") -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str)
    ext = raw["desc"].str.extract(r"(\d{4}-\d{2}-\d{2}) @ (\d{2}:\d{2}:\d{2})")
    event = (ext[0] + " " + ext[1]).where(ext[0].notna(), raw["timeStamp"])
    raw = raw.assign(event=event)
    raw = raw.drop_duplicates(subset=["title", "event", "twp", "addr"], keep="first")
    if series == "crisis":  # sparse crisis proxy: overdose, altered mental status, assault, poisoning
        keep = raw["title"].isin(CRISIS_PROXY)
    else:
        keep = raw["title"].str.startswith("EMS:")
    ems = raw[keep & raw["twp"].notna()].reset_index(drop=True)
    top = ems["twp"].value_counts().head(n_districts).index.tolist()
    ems = ems[ems["twp"].isin(top)].reset_index(drop=True)
    ts = parse_timestamps(ems["event"], MONTCO_TZ, path=path, column="desc")
    calls = pd.DataFrame({"timestamp": ts, "district": ems["twp"].astype(str)})
    counts = hourly_counts(calls, MONTCO_TZ, start=dt.date(2015, 12, 11), end=dt.date(2016, 8, 24),
                           districts=sorted(top))
    return counts


def metro_counts(path: Path):
    """Example city: hourly counts, and the generator module (its ``hourly_rates`` is the oracle) if importable."""
    from forecast.io import load_calls

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        import examples.generate as gen
    except Exception as exc:  # pragma: no cover - depends on the example module being present
        print(f"note: examples.generate not importable ({exc}); no oracle row", file=sys.stderr)
        gen = None
    tz = getattr(gen, "TIMEZONE", "America/New_York")
    calls = load_calls(path, tz, as_of=False)
    start = getattr(gen, "HISTORY_START", None) or calls["timestamp"].min().tz_convert(tz).date()
    end = (getattr(gen, "HISTORY_END", None) or calls["timestamp"].max().tz_convert(tz).date()) + dt.timedelta(days=1)
    districts = getattr(gen, "DISTRICTS", None)
    counts = hourly_counts(calls, tz, start=start, end=end, districts=districts)
    return counts, gen, tz


def markdown(table: pd.DataFrame) -> str:
    cols = ["model", "poisson_deviance", "crps", "mae", "rmse", "pinball_p90", "p10_below", "p10_atmost",
            "p90_below", "p90_atmost", "fit_predict_seconds"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join(["---"] + ["---:"] * (len(cols) - 1)) + "|"]
    for _, r in table.iterrows():
        vals = [str(r["model"])] + [f"{r[c]:.4f}" if c != "fit_predict_seconds" else f"{r[c]:.1f}" for c in cols[1:]]
        lines.append("| " + " | ".join(vals) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dataset", choices=["montco", "metro"])
    ap.add_argument("path", type=Path)
    ap.add_argument("--models", nargs="*", default=MODELS)
    ap.add_argument("--origins", type=int, default=8)
    ap.add_argument("--block-hours", type=int, default=8)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--series", choices=["ems", "crisis"], default="ems",
                    help="montco only: all EMS calls (default) or the sparse crisis proxy")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    t0 = time.perf_counter()
    common = {}
    models: dict = {m: m for m in args.models}
    if args.dataset == "montco":
        counts = montco_counts(args.path, series=args.series)
        detected = detect_outages(counts)
        print("detected outages:", "; ".join(o.describe() for o in detected) or "none")
        counts = mask_windows(counts, MONTCO_OUTAGES)
        common = {"holidays_country": "US", "holidays_subdivision": "PA"}
    else:
        counts, gen, tz = metro_counts(args.path)
        common = {"holidays_country": "US", "holidays_subdivision": "NY"}  # Metro: US federal + New York
        if gen is not None and hasattr(gen, "hourly_rates"):
            def rate(d, hours, _gen=gen):
                return _gen.hourly_rates(hours, [d])["rate"].to_numpy()

            models["oracle"] = lambda: OracleModel(rate)
    print(f"{counts['district'].nunique()} districts, {counts['hour_start'].nunique()} hours, "
          f"{int(np.nansum(counts['calls']))} calls; prepared in {time.perf_counter() - t0:.1f}s", flush=True)
    table = backtest(counts, models, origins=args.origins, horizon_days=7, block_hours=args.block_hours,
                     common_options=common)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out, index=False, float_format="%.6g")
    for level in ("hour", "block"):
        sub = table[(table["level"] == level) & (table["district"] == "ALL")]
        print(f"\n### {args.dataset}: level {level}, district ALL\n")
        print(markdown(sub))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
