"""``roster plan`` and ``roster check``: the weekly roster, and any roster against the hard rules."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Optional

import typer

from roster.cli.common import EXIT_OK, EXIT_VIOLATIONS, ConfigOpt, load, progress_printer, run
from roster.cli.sickfile import SickFileOpt
from roster.errors import InfeasibleError, InputError


def plan(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts (YYYY-MM-DD); default: the first Monday after the call history ends."),
    weeks: Optional[int] = typer.Option(None, "--weeks", help="Weeks in the roster period, 1 to 8, from --week (default: [planning] weeks of roster.toml, else 1)."),
    out: Path = typer.Option(Path("out"), help="Folder for roster.csv, coverage.csv, forecast.csv, requirements.csv, summary.json."),
    previous: Optional[Path] = typer.Option(None, help="Last week's roster.csv, so rest and consecutive days carry over."),
    pin: Optional[Path] = typer.Option(None, help="The published roster.csv of this week: keep its shifts and change as little as possible (after a sick call, add the leave to time_off first)."),
    freeze_before: Optional[str] = typer.Option(None, help="With --pin: days before this date (YYYY-MM-DD) are fixed as published."),
    time_limit: Optional[float] = typer.Option(None, help="Solver time limit in seconds (default: solver.time_limit_seconds)."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help="Replace names with stable keyed pseudonyms in roster.csv (needs the key named in the privacy section of roster.toml)."),
    shift_requirements: Optional[Path] = typer.Option(None, "--shift-requirements", help="Staff needed per shift (date,shift,district,role,required) instead of Erlang C from the forecast."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
    no_report: bool = typer.Option(False, "--no-report", help="Do not write report.html (the plan as one HTML page)."),
    sick: Optional[str] = typer.Option(None, "--sick", metavar="STAFF_ID", help="With --pin: re-plan around this person's sick call (recorded in sick.csv, never time_off.csv); see roster sick."),
    sick_from: Optional[str] = typer.Option(None, "--from", help="With --sick: first day (YYYY-MM-DD) or instant (YYYY-MM-DDTHH:MM) of the absence."),
    sick_to: Optional[str] = typer.Option(None, "--to", help="With --sick: last day (inclusive) or the instant it ends; default: the --from day."),
    sick_file: Optional[Path] = SickFileOpt,
) -> None:
    """Forecast, staff needs and an optimised roster for one week (or a period of --weeks), written to OUT."""

    def go() -> int:
        from roster.io.outdir import check_out_dir, config_inputs
        from roster.io.schemas import PLAN_OUTPUTS
        from roster.io.writers import write_set
        from roster.pipeline import plan as run_plan

        if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
            raise InputError(f"--time-limit {time_limit:g} is not a number of seconds above 0; give e.g. --time-limit 60.")
        from roster.io.sick import with_sick_file

        cfg = with_sick_file(load(config), sick_file, config)
        check_out_dir(out, PLAN_OUTPUTS, [config, *config_inputs(cfg), pin, previous, shift_requirements])
        from roster.cli.pins import sick_setup

        sick_call, week_, freeze_ = sick_setup(cfg, sick, sick_from, sick_to, pin, week, freeze_before)
        key = None
        if pseudonymise:
            from roster.io.pseudonyms import pseudonym_key

            key = pseudonym_key(cfg)  # before the solve, so a missing key costs nothing and writes nothing
        try:
            from roster.cli.progress import solve_display

            result = run_plan(cfg, week_, progress=progress_printer(quiet), time_limit=time_limit, previous=previous, pin=pin,
                              watcher=solve_display(quiet), freeze_before=freeze_, shift_requirements=shift_requirements,
                              sick=sick_call, weeks=weeks)
        except InfeasibleError as exc:
            write_set(out, {"diagnosis.txt": exc.diagnosis + "\n"})  # the last good roster's files stay
            raise
        files = result.files(pseudonym_key=key)
        if not no_report:
            from roster.cli.report import plan_report

            # from the full tables (pseudonymised files carry no staff_id); the report pseudonymises its own names
            files.update(plan_report(result.files() if key else files, cfg, key))
        written = write_set(out, files, replaces=PLAN_OUTPUTS)  # no stale file of a plan
        s = result.summary
        short = s["shortfall_hours"]
        if s["weeks"] == 1:
            typer.echo(f"Roster for the week of {result.monday} ({s['hours_in_week']} hours, {cfg.timezone})")
        else:
            last = result.monday + dt.timedelta(days=7 * s["weeks"] - 1)
            typer.echo(f"Roster for {s['weeks']} weeks, {result.monday} to {last} ({s['hours_in_period']} hours, {cfg.timezone})")
        gap = "" if s["gap"] is None else f", gap {100 * s['gap']:.2f} %"
        typer.echo(f"  solver:     {s['solver']} {s['status']}{gap}, {s['solve_seconds']:.1f} s (model built in {s['build_seconds']:.1f} s)")
        from roster.currency import money

        cur = cfg.city.currency
        typer.echo(f"  cost:       {money(s['total_cost'], cur)} (regular {money(s['regular_cost'], cur)}, "
                   f"overtime {money(s['overtime_cost'], cur)})")
        typer.echo(f"  staff:      {s['staff_used']} of {s['staff_total']} people, {s['shifts']} shifts")
        typer.echo(f"  coverage:   {s['scheduled_hours']:.0f} staff-hours scheduled for {s['required_hours']:.0f} required")
        if short["total"] > 0:
            worst = ", ".join(f"{d} {h:g}" for d, h in sorted(short["by_district"].items(), key=lambda kv: -kv[1]) if h > 0)
            typer.echo(f"  SHORTFALL:  {short['total']:g} staff-hours uncovered ({worst}); see coverage.csv")
            for hint in sorted(s.get("sizing", []), key=lambda x: -x["uncovered_hours"])[:4]:
                typer.echo(f"    sizing: {hint['text']}")
            if result.shortfalls is not None:
                from roster.evaluate.shortfall import shortfall_lines

                typer.echo("\n".join(f"    {line}" for line in shortfall_lines(result.shortfalls)))
        else:
            typer.echo("  shortfall:  none — every required staff-hour is covered")
        if result.penalties is not None:
            from roster.evaluate.explain import summary_lines

            lines = summary_lines(result.penalties)
            if lines:
                typer.echo("  penalties:  " + "\n              ".join(lines) + " (see penalties.csv, explain.csv)")
        pins = s.get("pins")
        if pins is not None:
            from roster.cli.pins import pin_lines

            typer.echo("\n".join(pin_lines(pins, result.penalties)))
        if result.simulation is not None:
            from roster.cli.service import format_simulation

            typer.echo(format_simulation(result.simulation, cfg))
        typer.echo(f"  files:      {', '.join(str(p) for p in written)}")
        if sick_call is not None:
            from roster.io.sick import record_sick

            typer.echo(f"  sick call:  {sick_call.describe()} recorded in {record_sick(cfg, sick_call)} (time_off.csv unchanged)")
        return EXIT_OK

    run(go)


def check(
    roster_file: Path = typer.Argument(..., metavar="ROSTER.csv", help="A roster to check (ours or hand-edited)."),
    config: Path = ConfigOpt,
    previous: Optional[Path] = typer.Option(None, help="Last week's roster, for rest and consecutive days across the boundary."),
    weeks: Optional[int] = typer.Option(None, "--weeks", help="Weeks of the roster's period, 1 to 8 (default: from the roster's first and last dates)."),
    as_json: bool = typer.Option(False, "--json", help="Print violations as JSON."),
    sick_file: Optional[Path] = SickFileOpt,
) -> None:
    """Check a roster against the staff file, leave and every hard rule (exit 4 on any violation)."""

    def go() -> int:
        from roster.evaluate.check import check_roster
        from roster.io.sick import with_sick_file

        cfg = with_sick_file(load(config), sick_file, config)
        report = check_roster(cfg, roster_file, previous=previous, weeks=weeks)
        hard = [v for v in report.violations if v.hard]
        soft = [v for v in report.violations if not v.hard]
        if as_json:
            typer.echo(json.dumps([v.as_dict() for v in report.violations], indent=2))
        else:
            period = f"week of {report.monday}" if report.weeks == 1 else f"{report.weeks} weeks from {report.monday}"
            typer.echo(f"Checked {report.shifts} shifts of {report.staff} people, {period}.")
            for v in hard:
                typer.echo(f"  VIOLATION [{v.rule}] {v.message}")
            for v in soft:
                typer.echo(f"  note [{v.rule}] {v.message}")
            typer.echo("No hard-rule violations." if not hard else f"{len(hard)} hard-rule violation(s).")
            if previous is None:
                from roster.cli.hints import previous_week_hint

                hint = previous_week_hint(hard, report.monday, cfg.timezone)
                if hint:
                    typer.echo(hint)
        return EXIT_VIOLATIONS if hard else EXIT_OK

    run(go)
