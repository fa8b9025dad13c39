"""``roster simulate`` and ``roster backtest``: what a roster delivers, and how good the forecast is.

Registered on the typer app in ``roster/cli/app.py``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional

import typer

from roster.cli.common import EXIT_OK, ConfigOpt, load, run


def simulate(
    roster_file: Path = typer.Option(..., "--roster", help="A roster.csv (from roster plan, or hand-edited)."),
    config: Path = ConfigOpt,
    out: Optional[Path] = typer.Option(None, help="Folder for simulation-<roster name>.csv (default: the roster's folder; the plan's own simulation.csv is never overwritten)."),
    forecast_file: Optional[Path] = typer.Option(None, "--forecast", help="forecast.csv to sample calls from (default: forecast.csv beside the roster, else a new forecast)."),
    replications: Optional[int] = typer.Option(None, min=1, max=100_000, help="Simulated weeks (default: 100, as roster plan; at most 100,000)."),
    seed: Optional[int] = typer.Option(None, help="Random seed (default: solver.seed, as roster plan; same seed, same result)."),
    mutual_aid_after: Optional[float] = typer.Option(None, help="Let a free neighbouring team take a call after this many minutes of waiting."),
) -> None:
    """Simulate the week's calls against a roster: time to first contact per district."""

    def go() -> int:
        import pandas as pd

        from roster.io.writers import write_csv
        from roster.io.readers import load_people, load_roster
        from roster.pipeline import forecast_for
        from roster.staffing.simulate import DEFAULT_REPLICATIONS, simulate_roster

        from roster.io.outdir import check_out_dir, config_inputs

        from roster.errors import InputError

        if seed is not None and seed < 0:
            raise InputError(f"--seed {seed}: give a whole number 0 or more.")
        cfg = load(config)
        cfg.require("service", "roster simulate")
        check_out_dir(out or roster_file.parent, ("simulation.csv",), [config, roster_file, forecast_file, *config_inputs(cfg)])
        roster = load_roster(roster_file, cfg)
        staff, _ = load_people(cfg)
        roster["role"] = staff.set_index("staff_id").reindex(roster["staff_id"])["role"].to_numpy()
        unknown = roster[roster["role"].isna()]
        if not unknown.empty:
            raise InputError(f"{roster_file}: staff id {unknown['staff_id'].iloc[0]} is not in the staff file {cfg.data.staff}.")
        fc_path = forecast_file or (roster_file.parent / "forecast.csv")
        if fc_path.is_file():
            from roster.staffing.requirements import aware_timestamps

            from forecast.textfiles import ENCODING, check_utf8

            check_utf8(fc_path, "Forecast file")
            try:
                fc = pd.read_csv(fc_path, encoding=ENCODING)
            except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
                raise InputError(f"Forecast file {fc_path} could not be read as CSV: {exc}. Give the forecast.csv "
                                 "that `roster forecast` or `roster plan` wrote.") from None
            lacking = [c for c in ("hour_start", "district", "mean") if c not in fc.columns]
            if lacking:
                raise InputError(f"Forecast file {fc_path} has no column(s) {', '.join(lacking)} (its columns: "
                                 f"{', '.join(map(str, fc.columns[:12]))}); give the forecast.csv that "
                                 "`roster forecast` or `roster plan` wrote.")
            fc["hour_start"] = aware_timestamps(fc["hour_start"], str(fc_path), cfg.timezone)
        else:
            first = min(roster["date"])
            _, fc, _ = forecast_for(cfg, first - dt.timedelta(days=first.weekday()))
        table = simulate_roster(
            roster, fc, cfg, replications=replications or DEFAULT_REPLICATIONS,
            seed=cfg.solver.seed if seed is None else seed,
            mutual_aid=mutual_aid_after is not None, mutual_aid_after_minutes=mutual_aid_after or 0.0,
            where=str(roster_file),
        )
        target = (out or roster_file.parent) / f"simulation-{roster_file.stem}.csv"
        write_csv(target, table)
        typer.echo(format_simulation(table, cfg))
        typer.echo(f"wrote {target}")
        return EXIT_OK

    run(go)


def format_simulation(table, cfg) -> str:
    s = cfg.service
    lines = [f"Simulated time to first contact (target: {100 * s.target_share:.0f} % within {s.target_minutes:g} min)"]
    over = f">{s.target_minutes:g}min"
    lines.append(f"  {'district':<12} {'calls':>7} {'within':>8} {'95% CI':>15} {'mean':>7} {'p90':>7} {'util':>6} {over:>7}")
    for r in table.itertuples():
        lines.append(
            f"  {r.district:<12} {r.calls:7.1f} {100 * r.share_within_target:7.1f}% "
            f"{100 * r.share_ci_low:6.1f}–{100 * r.share_ci_high:5.1f}% {r.mean_minutes_to_contact:7.1f} "
            f"{r.p90_minutes_to_contact:7.1f} {100 * r.utilisation:5.1f}% {r.calls_waiting_over_target:7.1f}"
        )
    return "\n".join(lines)


def backtest(
    calls: Path = typer.Option(..., help="Call records (CSV or Parquet) or hourly counts."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="roster.toml (time zone, districts, holidays)."),
    timezone: Optional[str] = typer.Option(None, help="IANA time zone, when no --config is given."),
    models: Optional[List[str]] = typer.Option(None, "--models", help="Models to compare (repeat the option); baselines are always included."),
    origins: int = typer.Option(8, help="Weekly forecast origins (Mondays 00:00 local)."),
    horizon_days: int = typer.Option(7, help="Days forecast from each origin."),
    block_hours: int = typer.Option(8, help="Hours per block for the block-level scores."),
    out: Path = typer.Option(Path("out"), help="Folder for backtest.csv."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Origins fitted side by side in local processes."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="A Dask scheduler (tcp://HOST:8786) to fit the origins on instead."),
) -> None:
    """Rolling-origin backtest of the forecast models (backtest.csv)."""

    def go() -> int:
        from roster.cli.backtest import backtest as run
        from roster.executors import make_executor

        executor = make_executor(jobs, scheduler)
        return run(calls, config, timezone, list(models or []), origins, horizon_days, block_hours, out,
                   map_fn=executor.map)

    run(go)
