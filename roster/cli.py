"""The ``roster`` command line (typer).

Commands parse options, call the pipeline, print a short human summary and map
errors to exit codes: 0 success, 1 anything unexpected, 2 bad input (nothing
written), 3 no feasible roster (with the diagnosis), 4 ``check`` found
violations.  Logs never carry staff names.
"""

from __future__ import annotations

import os

# Small model fits are slower, not faster, with multi-threaded BLAS on a shared
# machine; users can still set their own value.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import logging
import sys
import time
from pathlib import Path
from typing import Optional

import typer

from roster.errors import InfeasibleError, InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Forecast crisis-call demand, turn it into staffing needs, and build weekly rosters for mobile crisis teams.",
)

EXIT_OK, EXIT_UNEXPECTED, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_VIOLATIONS = 0, 1, 2, 3, 4

ConfigOpt = typer.Option(Path("roster.toml"), "--config", "-c", help="Path to roster.toml.")


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _progress(quiet: bool):
    t0 = time.perf_counter()

    def step(msg: str) -> None:
        if not quiet:
            typer.echo(f"[{time.perf_counter() - t0:6.1f}s] {msg} …", err=True)

    return step


def _run(fn):
    """Call ``fn``; map the project's errors onto exit codes with a plain message."""
    try:
        code = fn()
    except InputError as exc:
        _err(f"Error: {exc}")
        raise typer.Exit(EXIT_INPUT)
    except InfeasibleError as exc:
        _err(exc.diagnosis)
        raise typer.Exit(EXIT_INFEASIBLE)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence, still one clear line
        from forecast.errors import ForecastInputError

        if isinstance(exc, ForecastInputError):
            _err(f"Error: {exc}")
            raise typer.Exit(EXIT_INPUT)
        logging.getLogger("roster").exception("unexpected error")
        _err(f"Unexpected error ({type(exc).__name__}): {exc}. Please report it with the command you ran.")
        raise typer.Exit(EXIT_UNEXPECTED)
    raise typer.Exit(code or EXIT_OK)


def _load(config: Path):
    from roster.config import load_config

    return load_config(config)


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Show debug logs.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("cmdstanpy", "prophet"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.command()
def plan(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts (YYYY-MM-DD); default: the first Monday after the call history ends."),
    out: Path = typer.Option(Path("out"), help="Folder for roster.csv, coverage.csv, forecast.csv, requirements.csv, summary.json."),
    previous: Optional[Path] = typer.Option(None, help="Last week's roster.csv, so rest and consecutive days carry over."),
    pin: Optional[Path] = typer.Option(None, help="The published roster.csv of this week: keep its shifts and change as little as possible (after a sick call, add the leave to time_off first)."),
    freeze_before: Optional[str] = typer.Option(None, help="With --pin: days before this date (YYYY-MM-DD) are fixed as published."),
    time_limit: Optional[float] = typer.Option(None, help="Solver time limit in seconds (default: solver.time_limit_seconds)."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help="Replace names with stable pseudonyms in roster.csv."),
    shift_requirements: Optional[Path] = typer.Option(None, "--shift-requirements", help="Staff needed per shift (date,shift,district,role,required) instead of Erlang C from the forecast."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Forecast, staff needs and an optimised roster for one week, written to OUT."""

    def go() -> int:
        from roster.export import write_outputs
        from roster.plan import plan as run_plan

        from roster.export import write_text

        cfg = _load(config)
        try:
            result = run_plan(cfg, week, progress=_progress(quiet), time_limit=time_limit, previous=previous, pin=pin,
                              freeze_before=freeze_before, shift_requirements=shift_requirements)
        except InfeasibleError as exc:
            write_text(Path(out) / "diagnosis.txt", exc.diagnosis + "\n")
            raise
        written = write_outputs(out, result.files(pseudonymise=pseudonymise))
        s = result.summary
        short = s["shortfall_hours"]
        typer.echo(f"Roster for the week of {result.monday} ({s['hours_in_week']} hours, {cfg.timezone})")
        gap = "" if s["gap"] is None else f", gap {100 * s['gap']:.2f} %"
        typer.echo(f"  solver:     {s['solver']} {s['status']}{gap}, {s['solve_seconds']:.1f} s (model built in {s['build_seconds']:.1f} s)")
        typer.echo(f"  cost:       ${s['total_cost']:,.2f} (regular ${s['regular_cost']:,.2f}, overtime ${s['overtime_cost']:,.2f})")
        typer.echo(f"  staff:      {s['staff_used']} of {s['staff_total']} people, {s['shifts']} shifts")
        typer.echo(f"  coverage:   {s['scheduled_hours']:.0f} staff-hours scheduled for {s['required_hours']:.0f} required")
        if short["total"] > 0:
            worst = ", ".join(f"{d} {h:g}" for d, h in sorted(short["by_district"].items(), key=lambda kv: -kv[1]) if h > 0)
            typer.echo(f"  SHORTFALL:  {short['total']:g} staff-hours uncovered ({worst}); see coverage.csv")
        else:
            typer.echo("  shortfall:  none — every required staff-hour is covered")
        if result.penalties is not None:
            from roster.explain import summary_lines

            lines = summary_lines(result.penalties)
            if lines:
                typer.echo("  penalties:  " + "\n              ".join(lines) + " (see penalties.csv, explain.csv)")
        pins = s.get("pins")
        if pins is not None:
            typer.echo(f"  published:  {pins['kept']} of {pins['published']} shifts kept, {len(pins['released'])} released, "
                       f"{len(pins['removed'])} removed, {pins['added']} added (see changes.csv)")
            for r in pins["released"]:
                typer.echo(f"    released: {r['staff_id']} {r['shift']} {r['date']} in {r['district']}: {r['reason']}")
        if result.simulation is not None:
            from roster.cli_service import format_simulation

            typer.echo(format_simulation(result.simulation, cfg))
        typer.echo(f"  files:      {', '.join(str(p) for p in written)}")
        return EXIT_OK

    _run(go)


@app.command()
def check(
    roster_file: Path = typer.Argument(..., metavar="ROSTER.csv", help="A roster to check (ours or hand-edited)."),
    config: Path = ConfigOpt,
    previous: Optional[Path] = typer.Option(None, help="Last week's roster, for rest and consecutive days across the boundary."),
    as_json: bool = typer.Option(False, "--json", help="Print violations as JSON."),
) -> None:
    """Check a roster against the staff file, leave and every hard rule (exit 4 on any violation)."""

    def go() -> int:
        from roster.checking import check_roster

        cfg = _load(config)
        report = check_roster(cfg, roster_file, previous=previous)
        hard = [v for v in report.violations if v.hard]
        soft = [v for v in report.violations if not v.hard]
        if as_json:
            typer.echo(json.dumps([v.as_dict() for v in report.violations], indent=2))
        else:
            typer.echo(f"Checked {report.shifts} shifts of {report.staff} people, week of {report.monday}.")
            for v in hard:
                typer.echo(f"  VIOLATION [{v.rule}] {v.message}")
            for v in soft:
                typer.echo(f"  note [{v.rule}] {v.message}")
            typer.echo("No hard-rule violations." if not hard else f"{len(hard)} hard-rule violation(s).")
        return EXIT_VIOLATIONS if hard else EXIT_OK

    _run(go)


@app.command()
def erlang(
    rate: float = typer.Option(..., help="Calls per hour."),
    busy_minutes: float = typer.Option(..., help="Minutes a team is busy per call (travel + contact)."),
    target_minutes: float = typer.Option(..., help="Target time to first contact, minutes."),
    target_share: float = typer.Option(..., help="Share of calls to reach within the target, e.g. 0.9."),
    patience_minutes: Optional[float] = typer.Option(None, help="Mean patience before abandoning (switches to Erlang A)."),
    shrinkage: float = typer.Option(0.0, help="Share of paid time not on the road (breaks, training, sickness)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Teams needed for one hour's demand (Erlang C, or Erlang A with --patience-minutes)."""

    def go() -> int:
        from roster.erlang import erlang_summary

        r = erlang_summary(rate, busy_minutes, target_minutes, target_share, patience_minutes=patience_minutes, shrinkage=shrinkage)
        if as_json:
            typer.echo(json.dumps(r))
        else:
            typer.echo(f"teams needed:           {r['teams']}")
            typer.echo(f"share within {target_minutes:g} min:   {100 * r['service_level']:.1f} %")
            typer.echo(f"probability of waiting: {100 * r['wait_probability']:.1f} %")
            typer.echo(f"occupancy:              {100 * r['occupancy']:.1f} %")
            typer.echo(f"teams with shrinkage:   {r['staff_with_shrinkage']}")
        return EXIT_OK

    _run(go)


@app.command()
def forecast(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts; default: the first Monday after the history."),
    out: Path = typer.Option(Path("out"), help="Output folder for forecast.csv."),
    model: Optional[str] = typer.Option(None, help="Forecast model (default: forecast.model in roster.toml)."),
) -> None:
    """Forecast calls per district and hour for one week (forecast.csv)."""

    def go() -> int:
        from roster.export import iso, write_outputs
        from roster.plan import forecast_for

        cfg = _load(config)
        if model:
            cfg = cfg.model_copy(update={"forecast": cfg.forecast.model_copy(update={"model": model})})
        monday, fc, meta = forecast_for(cfg, week)
        fc = fc.copy()
        fc["hour_start"] = iso(fc["hour_start"])
        written = write_outputs(out, {"forecast.csv": fc, "forecast_meta.json": meta})
        typer.echo(f"Forecast for the week of {monday} with {meta['model']}: {fc['mean'].sum():.0f} calls expected; wrote {', '.join(map(str, written))}")
        return EXIT_OK

    _run(go)


@app.command()
def requirements(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts; default: the first Monday after the history."),
    out: Path = typer.Option(Path("out"), help="Output folder for requirements.csv and forecast.csv."),
) -> None:
    """Staff needed per district, hour and role for one week (requirements.csv)."""

    def go() -> int:
        from roster.export import iso, write_outputs
        from roster.plan import forecast_for
        from roster.requirements import staffing_requirements

        cfg = _load(config)
        monday, fc, _ = forecast_for(cfg, week)
        req = staffing_requirements(fc, cfg)
        fc_out, req_out = fc.copy(), req.copy()
        fc_out["hour_start"] = iso(fc_out["hour_start"])
        req_out["hour_start"] = iso(req_out["hour_start"])
        written = write_outputs(out, {"forecast.csv": fc_out, "requirements.csv": req_out})
        tot = req.groupby("role")["required"].sum()
        typer.echo(f"Week of {monday}: " + ", ".join(f"{r} {int(v)} staff-hours" for r, v in tot.items()) + f"; wrote {', '.join(map(str, written))}")
        return EXIT_OK

    _run(go)


def _register_more() -> None:
    from roster import cli_service

    app.command("simulate")(cli_service.simulate)
    app.command("backtest")(cli_service.backtest)


_register_more()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
