"""``roster scenarios`` and ``roster frontier``: what-if re-plans for budget officers.

Both read the inputs once, check every scenario's overlay before any solve (a bad file
exits 2 with nothing written), forecast the baseline once, and run the re-plans
through one executor (serial, ``--jobs N`` local processes, or ``--scheduler`` Dask).
A scenario that fails gets its reason in its row; the others run on.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from roster.cli.common import EXIT_INFEASIBLE, EXIT_OK, ConfigOpt, err, load, progress_printer, run
from roster.currency import money, prefix
from roster.errors import InputError
from roster.io.schemas import PLAN_OUTPUTS

JobsOpt = typer.Option(1, "--jobs", "-j", help="Scenarios solved side by side in local processes (one solver thread each).")
SchedulerOpt = typer.Option(None, "--scheduler", help="A Dask scheduler (tcp://HOST:8786) to run the scenarios on instead.")
TimeLimitOpt = typer.Option(None, "--time-limit", help="Solver time limit per scenario in seconds (default: solver.time_limit_seconds).")
WeekOpt = typer.Option(None, help="Monday the week starts (YYYY-MM-DD); default: the first Monday after the call history ends.")


def _prepare(config: Path, week: Optional[str], scenarios, step, out: Path, produces, more_inputs=()):
    """The baseline's inputs and forecast; every scenario's overlay checked against them (all problems at once).
    ``out`` is checked first (a writable folder where no output of ``produces`` replaces an input)."""
    from roster.io.outdir import check_out_dir, config_inputs
    from roster.pipeline.load import load_inputs
    from roster.pipeline.stages import forecast_stage
    from roster.scenarios.overlay import overlay_inputs

    cfg = load(config)
    check_out_dir(out, produces, [config, *more_inputs, *config_inputs(cfg)])
    inputs = load_inputs(cfg, week, progress=step)
    problems = []
    for sc in scenarios:
        try:
            overlay_inputs(inputs, sc)
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("the scenario file has problems; nothing was run:\n  - " + "\n  - ".join(problems))
    step(f"Forecasting the week of {inputs.monday} once for every scenario")
    forecast = forecast_stage(inputs.calls, cfg, inputs.monday, inputs.calls_source, boundary=inputs.previous is not None)
    return cfg, inputs, forecast


def _run_all(scenarios, inputs, forecast, jobs, scheduler, time_limit, quiet):
    from roster.executors import make_executor
    from roster.scenarios.run import ScenarioTask, run_scenario

    executor = make_executor(jobs, scheduler)
    tasks = [ScenarioTask(sc, inputs, forecast, time_limit=time_limit) for sc in scenarios]
    t0, done = time.perf_counter(), [0]
    cur = inputs.config.city.currency

    def on_done(i, o):
        done[0] += 1
        if not quiet:
            cost = f"{money(o.row['total_cost'], cur, 0)}/week, {o.row['share_within_target']:.1%} within target" \
                if o.row.get("total_cost") is not None else (o.message.splitlines()[0][:120] if o.message else "")
            err(f"[{time.perf_counter() - t0:6.1f}s] {done[0]}/{len(tasks)} {o.name}: {o.status} ({o.seconds:.1f} s) {cost}")

    if not quiet:
        err(f"Running {len(tasks)} plans on {executor.name}" + (f" ({jobs} processes)" if executor.name == "processes" else ""))
    return executor.map(run_scenario, tasks, on_done=on_done, order=longest_first(scenarios))


def longest_first(scenarios) -> list[int]:
    """Start order: plans under a budget cap first, as they usually run to the time limit (the others
    then share the remaining workers instead of one capped plan running alone at the end)."""
    capped = [i for i, sc in enumerate(scenarios) if "rules.budget_cap.weekly" in sc.set]
    return capped + [i for i in range(len(scenarios)) if i not in capped]


def _files(outcomes, extra: dict) -> dict:
    files = dict(extra)
    for o in outcomes:
        for name, content in (o.files or {}).items():
            files[f"{o.name}/{name}"] = content
        if o.message:
            files[f"{o.name}/diagnosis.txt"] = o.message + "\n"
    return files


# what each command writes into --out (checked against the inputs before any work)
SCENARIO_FILES = ("scenarios.csv", "scenario_districts.csv", "headcount.csv", "scenarios.json", "findings.txt")
FRONTIER_FILES = ("frontier.csv", "budget_[0-9]*/*", "target_[0-9]*/*")

PLAN_FILES = set(PLAN_OUTPUTS)  # a scenario folder holds a plan's files


def _write(out: Path, files: dict) -> list[Path]:
    """Write the set; in each scenario folder, a plan file of an earlier run that this run did not write is removed
    (e.g. the diagnosis of a scenario that now has a roster)."""
    from roster.io.writers import write_outputs

    written = write_outputs(out, files)
    for folder in {name.split("/", 1)[0] for name in files if "/" in name}:
        for p in (Path(out) / folder).iterdir():
            if p.is_file() and p.name in PLAN_FILES and f"{folder}/{p.name}" not in files:
                p.unlink()
    return written


def _print_table(rows: list[dict], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for col in rows[0]:
        table.add_column(col, justify="left" if col in ("scenario", "status") else "right")
    for r in rows:
        table.add_row(*[str(v) for v in r.values()])
    Console(width=200).print(table)


def scenarios(
    file: Path = typer.Argument(..., metavar="FILE.yaml", help="Scenario file (see docs/scenarios.md)."),
    config: Path = ConfigOpt,
    week: Optional[str] = WeekOpt,
    out: Path = typer.Option(Path("out/scenarios"), help="Folder for scenarios.csv, scenario_districts.csv, headcount.csv and one folder per scenario."),
    jobs: int = JobsOpt,
    scheduler: Optional[str] = SchedulerOpt,
    time_limit: Optional[float] = TimeLimitOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Re-plan the baseline and every scenario of FILE.yaml with the same seed, and compare them."""

    def go() -> int:
        from roster.scenarios.compare import changes, findings
        from roster.scenarios.run import collect
        from roster.scenarios.spec import BASELINE, load_scenarios

        step = progress_printer(quiet)
        scs = [BASELINE, *load_scenarios(file)]
        if scheduler is None and jobs < 1:
            raise InputError(f"--jobs {jobs}: give 1 or more.")
        produces = (*SCENARIO_FILES, *(f"{sc.name}/*" for sc in scs))
        cfg, inputs, forecast = _prepare(config, week, scs[1:], step, out, produces, [file])
        outcomes = _run_all(scs, inputs, forecast, jobs, scheduler, time_limit, quiet)
        team = cfg.service.team if cfg.service else {}
        words = findings(outcomes, scs, team, prefix(cfg.city.currency))
        tables = collect(outcomes)
        summary = {"week": str(inputs.monday), "seed": cfg.solver.seed, "weeks_per_year": cfg.budget.weeks_per_year,
                   "scenarios": [{"scenario": o.name, "description": sc.description, "status": o.status,
                                  "message": o.message, "annual_cost": o.annual_cost, "seconds": round(o.seconds, 2)}
                                 for o, sc in zip(outcomes, scs)],
                   "findings": words}
        written = _write(out, _files(outcomes, {**tables, "scenarios.json": summary,
                                                      "findings.txt": "\n".join(words) + "\n"}))
        rows = changes(outcomes, prefix(cfg.city.currency))
        _print_table(rows, f"Scenarios for the week of {inputs.monday} (change from the baseline)")
        for line in words:
            typer.echo(line)
        typer.echo(f"Wrote {len(written)} files to {out} (scenarios.csv, scenario_districts.csv, headcount.csv, "
                   "scenarios.json, findings.txt, one folder per scenario).")
        if (Path(out) / "baseline" / "roster.csv").is_file():
            typer.echo(f"As charts: roster report {Path(out) / 'baseline'} --scenarios {out}")
        return EXIT_OK if outcomes[0].status in ("optimal", "feasible") else EXIT_INFEASIBLE

    run(go)


def _floats(values: Optional[List[str]], what: str) -> list[float] | None:
    if not values:
        return None
    out = []
    for v in values:
        for part in str(v).replace(",", " ").split():
            try:
                out.append(float(part))
            except ValueError:
                raise InputError(f"{what} '{part}' is not a number.") from None
    return out


def frontier(
    config: Path = ConfigOpt,
    week: Optional[str] = WeekOpt,
    out: Path = typer.Option(Path("out/frontier"), help="Folder for frontier.csv and one folder per point."),
    budgets: Optional[List[str]] = typer.Option(None, "--budgets", help="Weekly budget caps to sweep (repeat, or comma-separated)."),
    targets: Optional[List[str]] = typer.Option(None, "--targets", help="Target shares to sweep instead (e.g. 0.8,0.85,0.9)."),
    jobs: int = JobsOpt,
    scheduler: Optional[str] = SchedulerOpt,
    time_limit: Optional[float] = TimeLimitOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
) -> None:
    """Sweep the weekly budget cap (default) or the target share and write frontier.csv."""

    def go() -> int:
        from roster.scenarios.frontier import DEFAULT_TARGETS, check_grid, frontier_rows, point_scenarios

        caps, shares = _floats(budgets, "--budgets"), _floats(targets, "--targets")
        if caps is not None and shares is not None:
            raise InputError("give --budgets or --targets, not both.")
        if shares is not None:  # the grid is checked before any input is read or forecast
            check_grid(shares, "--targets")
        elif caps is not None:
            check_grid(caps, "--budgets")
        step = progress_printer(quiet)
        cfg, inputs, forecast = _prepare(config, week, [], step, out, FRONTIER_FILES)
        if shares is not None:
            sweep, values = "target", check_grid(shares, "--targets")
        elif caps is not None:
            sweep, values = "budget", check_grid(caps, "--budgets")
        else:
            sweep, values = "budget", _default_budgets(inputs, forecast, time_limit, step)
        if sweep == "target" and cfg.service is None:
            raise InputError("roster.toml has no [service] section, which --targets needs.")
        points = point_scenarios(sweep, values)
        outcomes = _run_all(points, inputs, forecast, jobs, scheduler, time_limit, quiet)
        table = frontier_rows(sweep, points, outcomes, cfg, inputs.monday, time_limit)
        _write(out, _files(outcomes, {"frontier.csv": table}))
        _print_table([{k: ("—" if v is None or v != v else v) for k, v in r.items() if k in _SHOWN}
                      for r in table.to_dict("records")], f"Frontier ({sweep} sweep), week of {inputs.monday}")
        typer.echo(f"Wrote {out / 'frontier.csv'} ({len(table)} points) and one folder per point.")
        typer.echo(f"As charts beside a plan: roster report PLAN_DIR --scenarios {out}")
        return EXIT_OK

    run(go)


_SHOWN = ("point", "budget_cap", "target_share", "status", "total_cost", "share_within_target", "worst_district",
          "worst_district_share", "shortfall_hours")


def _default_budgets(inputs, forecast, time_limit, step) -> list[float]:
    """Eight caps from just above the cheapest lawful roster to the uncapped plan's cost."""
    from roster.pipeline.stages import problem_stage, requirements_stage
    from roster.scenarios.frontier import default_budgets
    from roster.scenarios.run import ScenarioTask, run_scenario
    from roster.scenarios.spec import BASELINE
    from roster.solve.cheapest import cheapest_lawful_cost

    step("Planning without a cap to find the top of the sweep")
    base = run_scenario(ScenarioTask(BASELINE, inputs, forecast, time_limit=time_limit))
    if base.row.get("total_cost") is None:
        raise InputError(f"the plan without a budget cap has no roster ({base.message.splitlines()[0] if base.message else base.status}); "
                         "fix that first, or give --budgets.")
    step("Finding the cheapest lawful roster for the bottom of the sweep")
    requirements, _ = requirements_stage(forecast.table, inputs)
    pp = problem_stage(inputs, requirements)
    status, cost, bound = cheapest_lawful_cost(pp.problem, pp.rules, time_limit=time_limit)
    low = cost if status == "optimal" else bound
    return default_budgets(float(base.row["total_cost"]), low)
