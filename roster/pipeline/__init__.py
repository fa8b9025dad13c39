"""The weekly planning pipeline behind ``roster plan``.

inputs → forecast → requirements → problem → solve → evaluate → files.  Each stage is a
function of in-memory data with a typed result (:mod:`.stages`); files are read only by
:mod:`.load` and written only by the CLI from :meth:`PlanResult.files`, so tests and
scenarios can call any stage with changed staff, demand or settings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from roster.config import Config
from roster.pipeline.load import as_monday, default_week, load_call_history, load_inputs, load_pins
from roster.pipeline.result import PlanResult, pseudonyms, summarise
from roster.solve.trace import SolveWatcher
from roster.pipeline.stages import (
    ForecastResult,
    PlanInputs,
    PlanProblem,
    Progress,
    _quiet,
    coverage_table,
    evaluate_stage,
    forecast_stage,
    plan_rules,
    problem_stage,
    requirements_for_problem,
    requirements_stage,
    run_plan,
    solve_stage,
    week_requests,
)


def plan(cfg: Config, week: str | dt.date | None = None, *, progress: Progress = _quiet, time_limit: float | None = None,
         previous: Path | None = None, pin: Path | None = None, freeze_before: str | dt.date | None = None,
         shift_requirements: Path | None = None, sick=None, weeks: int | None = None,
         watcher: SolveWatcher | None = None) -> PlanResult:
    """Read the period's inputs from the files ``cfg`` names and run every stage (see :func:`load_inputs`)."""
    inputs = load_inputs(cfg, week, previous=previous, pin=pin, freeze_before=freeze_before,
                         shift_requirements=shift_requirements, progress=progress, sick=sick, weeks=weeks)
    return run_plan(inputs, progress=progress, time_limit=time_limit, watcher=watcher)


def forecast_for(cfg: Config, week: str | dt.date | None) -> tuple[dt.date, object, dict]:
    """Read the history and forecast the given week (default: the one after the history)."""
    calls = load_call_history(cfg)
    monday = as_monday(week) if week is not None else default_week(calls, cfg.timezone)
    fc = forecast_stage(calls, cfg, monday, str(cfg.data.calls))
    return monday, fc.table, fc.meta


__all__ = [
    "ForecastResult", "PlanInputs", "PlanProblem", "PlanResult", "as_monday", "coverage_table", "default_week",
    "evaluate_stage", "forecast_for", "forecast_stage", "load_call_history", "load_inputs", "load_pins", "plan",
    "plan_rules", "problem_stage", "pseudonyms", "requirements_for_problem", "requirements_stage", "run_plan",
    "solve_stage", "summarise", "week_requests",
]
