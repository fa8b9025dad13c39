"""Implementation of ``roster backtest`` (registered on the typer app in ``roster/cli/app.py``).

Reads call records (or an hourly-counts file: ``hour_start, district, calls``), builds the local hourly grid, masks detected feed outages,
runs the rolling-origin backtest of ``forecast.backtest`` and writes
``backtest.csv`` atomically into ``out``; prints the district-``ALL`` rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd

from forecast.aggregate import hourly_counts
from forecast.backtest import SCORE_COLUMNS, backtest as run_backtest
from forecast.errors import ForecastInputError
from forecast.io import load_calls, load_hourly_counts
from forecast.models import BASELINES, DEFAULT_MODEL, available_models
from forecast.outages import mask_outages
from roster.io.outdir import check_out_dir
from roster.io.writers import write_csv

log = logging.getLogger("forecast")


def _is_hourly_counts(path: Path) -> bool:
    """True when the file has the hourly-counts columns (hour_start, calls) rather than call records."""
    try:
        name = path.name.lower()
        if name.endswith((".parquet", ".pq")):
            import pyarrow.parquet as pq

            cols = set(pq.read_schema(path).names)
        else:
            cols = set(pd.read_csv(path, nrows=0).columns)
    except Exception:  # noqa: BLE001 - unreadable files get load_calls' clear error
        return False
    return {"hour_start", "calls"} <= cols


def format_table(table: pd.DataFrame) -> str:
    """The district-ALL rows as a fixed-width text table."""
    sub = table[table["district"] == "ALL"].drop(columns=["district"])
    return sub.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def backtest(calls: Path, config: Path | None, timezone: str | None, models: list[str], origins: int,
             horizon_days: int, block_hours: int, out: Path, map_fn=None) -> int:
    """``roster backtest``: returns the exit code (0); bad input raises ForecastInputError / InputError."""
    options: dict = {}
    known = None
    if config is not None:
        from roster.config import load_config

        cfg = load_config(config)
        timezone = timezone or cfg.timezone
        options = {"holidays_country": cfg.city.holidays_country,
                   "holidays_subdivision": cfg.city.holidays_subdivision}
        known = cfg.district_names
    if not timezone:
        raise ForecastInputError("roster backtest needs the city's time zone: pass --config roster.toml or "
                                 "--timezone (an IANA name such as 'America/New_York').")
    for m in models:
        if m not in available_models():
            raise ForecastInputError(f"Unknown model {m!r} in --models. Available: {', '.join(available_models())}.")
    if origins < 1 or horizon_days < 1 or not (1 <= block_hours <= 24):
        raise ForecastInputError("--origins and --horizon-days must be at least 1 and --block-hours between 1 and 24.")
    check_out_dir(out, ("backtest.csv",), [calls, config])
    chosen = list(dict.fromkeys([*(models or [DEFAULT_MODEL]), *BASELINES]))  # baselines always included
    if _is_hourly_counts(Path(calls)):
        counts = load_hourly_counts(calls, timezone, known_districts=known)
    else:
        df = load_calls(calls, timezone, known_districts=known)
        tz_first = df["timestamp"].min().tz_convert(timezone)
        tz_last = df["timestamp"].max().tz_convert(timezone)
        # whole local days only: the first and last days of an export are usually partial
        start = tz_first.date() + dt.timedelta(days=1)
        end = tz_last.date()
        counts = hourly_counts(df, timezone, start=start, end=end, districts=known)
    counts, _ = mask_outages(counts)
    table = run_backtest(counts, chosen, origins=origins, horizon_days=horizon_days, block_hours=block_hours,
                         common_options=options, map_fn=map_fn)
    if table.empty or table["origins"].max() < origins:
        log.warning("Only %d origins had two weeks of history and a full horizon of data.",
                    int(table["origins"].max()) if len(table) else 0)
    path = Path(out) / "backtest.csv"
    write_csv(path, table[SCORE_COLUMNS], float_format="%.6g")
    print(format_table(table))
    print(f"wrote {path}")
    return 0
