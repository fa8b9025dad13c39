"""The stages of a plan, each a function of in-memory data with a typed result.

    PlanInputs ─► forecast_stage ─► requirements_stage ─► problem_stage ─► solve_stage ─► evaluate_stage ─► PlanResult

:func:`run_plan` runs them in order.  No stage reads or writes a file:
:mod:`roster.pipeline.load` builds :class:`PlanInputs` from the files and
:meth:`PlanResult.files` gives what the CLI writes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from constraints import RosterContext, Rule, default_rules
from constraints.coverage import Coverage
from constraints.pinning import PinnedShifts, pin_changes, pin_summary
from constraints.problem import Problem, boundary_hours
from constraints.requests import ShiftRequests
from forecast.aggregate import hourly_counts
from forecast.models import get_model
from forecast.outages import mask_outages
from forecast.backtest import choose_model
from forecast.horizon import check_horizon, history_end
from forecast.timegrid import local_hours, local_midnight
from roster.config import Config
from roster.errors import InfeasibleError, InputError
from roster.evaluate.check import check_frame
from roster.evaluate.explain import explain
from roster.evaluate.pay import price
from roster.pipeline.result import PlanResult, erlang_expectation, summarise
from roster.solve.diagnose import diagnose
from roster.evaluate.shortfall import shortfall_report
from roster.solve.model import SolveResult, candidates, solve
from roster.solve.trace import SolveWatcher
from roster.staffing.requirements import shift_requirements_to_hourly, staffing_requirements
from roster.staffing.simulate import DEFAULT_REPLICATIONS, simulate_roster

log = logging.getLogger("roster")

Progress = Callable[[str], None]

SIMULATION_REPLICATIONS = DEFAULT_REPLICATIONS  # seeded with solver.seed, as roster simulate by default


def _quiet(_: str) -> None:
    pass


@dataclass
class PlanInputs:
    """Everything one week's plan reads, already validated (see :func:`roster.pipeline.load.load_inputs`)."""

    config: Config
    monday: dt.date
    staff: pd.DataFrame  # after the rules' prepare_staff hooks
    leave: pd.DataFrame
    calls: pd.DataFrame  # call records: timestamp (tz-aware), district
    calls_source: str = "call history"  # named in messages about the history
    requests: pd.DataFrame | None = None  # staff requests on any date (the week's are used)
    previous: pd.DataFrame | None = None  # last week's roster rows
    pinned: pd.DataFrame | None = None  # the published roster of this week, to keep
    freeze_before: dt.date | None = None  # with pinned: days before this are fixed
    shift_requirements: pd.DataFrame | None = None  # staff per shift instead of Erlang C
    shift_requirements_source: str | None = None
    weeks: int = 1  # consecutive weeks of the roster period, from monday

    @property
    def days(self) -> int:
        return 7 * self.weeks


@dataclass
class ForecastResult:
    table: pd.DataFrame  # district, hour_start, mean and quantile columns
    meta: dict  # model, history span and masked outages, for summary.json


@dataclass
class PlanProblem:
    problem: Problem
    rules: list[Rule]


def forecast_stage(calls: pd.DataFrame, cfg: Config, monday: dt.date, where: str = "call history", *,
                   weeks: int = 1, boundary: bool = False) -> ForecastResult:
    """Forecast calls for each district and local hour of the period (``weeks`` from ``monday``), from history before it.

    With ``boundary`` (a period planned after last week's roster) also the next week's first hours
    that only the period's last shifts reach (:func:`plan_hours`)."""
    tz = cfg.timezone
    start = local_midnight(monday, tz)
    before = calls[calls["timestamp"] < start]
    if before.empty or (start - before["timestamp"].min()) < pd.Timedelta(days=14):
        raise InputError(
            f"{where}: fewer than two weeks of call history before {monday}; the forecast needs at least two "
            "(more is better). Choose a later --week or add older call records."
        )
    # the history ends with its last day of calls: the days up to the week were never observed
    end = history_end(before["timestamp"], tz, cap=start)
    last_week = monday + dt.timedelta(weeks=weeks - 1)  # the period's last week is the furthest ahead
    ahead, warning = check_horizon(end, last_week, tz, cfg.forecast.warn_after_weeks, where)
    if warning:
        log.warning(warning)
    history = hourly_counts(before, tz, end=end, districts=cfg.district_names)
    history, outages = mask_outages(history)
    options = {"holidays_country": cfg.city.holidays_country, "holidays_subdivision": cfg.city.holidays_subdivision}
    name, meta = cfg.forecast.model, {}
    if name == "auto":
        # Pick the model by a rolling-origin backtest on this history (a proper score, never MAE).
        name, table = choose_model(history, common_options=options)
        all_rows = table[(table["district"] == "ALL") & (table["level"] == "block")]
        meta["auto"] = {
            "chosen": name,
            "by": "block poisson_deviance over 4 weekly origins",
            "scores": {r.model: round(float(r.poisson_deviance), 5) for r in all_rows.itertuples()},
        }
    fc = get_model(name, **options).fit(history).predict(plan_hours(cfg, monday, 7 * weeks, boundary),
                                                          quantiles=cfg.forecast.quantiles)
    meta = {
        "model": name,
        **meta,
        "history_start": pd.Timestamp(before["timestamp"].min()).isoformat(),
        "history_end": pd.Timestamp(before["timestamp"].max()).isoformat(),
        "history_calls": int(len(before)),
        "weeks_ahead": ahead,
        "masked_outages": [o.describe() for o in outages],
    }
    return ForecastResult(fc, meta)


def requirements_stage(forecast: pd.DataFrame, inputs: PlanInputs) -> tuple[pd.DataFrame, str]:
    """Staff needed per district, hour and role (with ``hour`` = position in the week), and how they were set.

    With requirements per shift the service's own numbers replace the Erlang C conversion
    (the forecast is still made, for the simulation of what the roster delivers).
    """
    cfg = inputs.config
    hours = plan_hours(cfg, inputs.monday, inputs.days, inputs.previous is not None)
    if inputs.shift_requirements is not None:
        req = shift_requirements_to_hourly(inputs.shift_requirements, cfg, hours)
        how = f"per shift, from {inputs.shift_requirements_source or 'the shift requirements'}"
    else:
        req = staffing_requirements(forecast, cfg)
        how = "Erlang C from the forecast"
    return requirements_for_problem(req, hours), how


def plan_hours(cfg: Config, monday: dt.date, days: int, boundary: bool) -> pd.DatetimeIndex:
    """The period's local hours, and with ``boundary`` (planned after last week's roster) the next
    week's first hours only its last shifts reach (``Problem.boundary``, ``Problem.span_hours``)."""
    hours = local_hours(monday, days, cfg.timezone)
    return hours.append(boundary_hours(cfg, monday, days)) if boundary else hours


def requirements_for_problem(req: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    """``req`` with ``hour``, the position of ``hour_start`` in ``hours``; rows outside ``hours`` are dropped."""
    pos = {ts: i for i, ts in enumerate(hours)}
    out = req[req["hour_start"].isin(pos)].copy()
    out["hour"] = [pos[ts] for ts in out["hour_start"]]
    return out


def split_boundary(requirements: pd.DataFrame, hours: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(the period's requirements, the boundary hours' with ``hour`` counted from the boundary's first,
    or None when the requirements do not reach past the period's ``hours``)."""
    inside = requirements["hour"] < hours
    if inside.all():
        return requirements, None
    after = requirements[~inside].copy()
    after["hour"] -= hours
    return requirements[inside].reset_index(drop=True), after.reset_index(drop=True)


def week_requests(requests: pd.DataFrame, monday: dt.date, days: int = 7) -> pd.DataFrame:
    """The requests that fall in the ``days`` from ``monday``, with ``day`` = 0 (that Monday) … days - 1."""
    day = [(d - monday).days for d in requests["date"]]
    out = requests.assign(day=day)
    return out[(out["day"] >= 0) & (out["day"] < days)].reset_index(drop=True)


def plan_rules(cfg: Config, *, pinned: bool = False, freeze_before: dt.date | None = None,
               requests: bool = False) -> list[Rule]:
    """The rules of a plan: core + configured, plus pinning when a published roster is given
    and staff requests when there are any (default weights unless [rules.shift_requests] sets them)."""
    rules = default_rules(cfg)
    if requests and not any(isinstance(r, ShiftRequests) for r in rules):
        rules.append(ShiftRequests())
    if pinned:
        pins = [r for r in rules if isinstance(r, PinnedShifts)]
        if not pins:
            pins = [PinnedShifts(PinnedShifts.Params())]
            rules.append(pins[0])
        if freeze_before is not None:
            for r in pins:
                r.params = r.params.model_copy(update={"freeze_before": freeze_before})
    return rules


def problem_stage(inputs: PlanInputs, requirements: pd.DataFrame) -> PlanProblem:
    """The week's :class:`Problem` and the rules that apply to it."""
    cfg = inputs.config
    week = week_requests(inputs.requests, inputs.monday, inputs.days) if inputs.requests is not None else None
    has_requests = week is not None and not week.empty
    rules = plan_rules(cfg, pinned=inputs.pinned is not None, freeze_before=inputs.freeze_before, requests=has_requests)
    period, ahead = split_boundary(requirements, len(local_hours(inputs.monday, inputs.days, cfg.timezone)))
    problem = Problem.build(cfg, inputs.monday, inputs.staff, inputs.leave, period, previous=inputs.previous,
                            pinned=inputs.pinned, requests=week, days=inputs.days, boundary_requirements=ahead)
    return PlanProblem(problem, rules)


def solve_stage(pp: PlanProblem, *, time_limit: float | None = None, progress: Progress = _quiet,
                watcher: SolveWatcher | None = None) -> SolveResult:
    """The optimised roster, annotated by the rules; raises :class:`InfeasibleError` with a diagnosis.
    ``watcher`` is told of the solve's incumbents and bounds as they improve."""
    cfg = pp.problem.config
    result = solve(pp.problem, pp.rules, time_limit=time_limit, watcher=watcher)
    if result.status == "infeasible":
        progress("No roster meets the hard rules; diagnosing")
        raise InfeasibleError(diagnose(pp.problem, pp.rules))
    if result.status == "no_solution":
        raise InfeasibleError(
            "The solver found no roster within the time limit "
            f"({time_limit if time_limit is not None else cfg.solver.time_limit_seconds:g} s). Raise "
            "solver.time_limit_seconds in roster.toml (or --time-limit) and plan again."
        )
    for rule in pp.rules:  # e.g. rules.cross_cover records the seat each person fills
        result.roster = rule.annotate_roster(result.roster, cfg)
    return result


def coverage_table(problem: Problem, roster: pd.DataFrame) -> pd.DataFrame:
    t = Coverage.table(RosterContext(problem, roster))
    t["hour_start"] = problem.span_hours[t["hour"].to_numpy()]
    return t.sort_values(["district", "hour", "role"]).reset_index(drop=True)


def simulate_service(priced: pd.DataFrame, fc: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Time to first contact the roster delivers, simulated against the forecast (seeded)."""
    return simulate_roster(priced, fc, cfg, replications=SIMULATION_REPLICATIONS, seed=cfg.solver.seed)


def evaluate_stage(pp: PlanProblem, result: SolveResult, forecast: ForecastResult, requirements: pd.DataFrame,
                   *, progress: Progress = _quiet) -> PlanResult:
    """Pay, coverage, the independent check, explanations and the simulated service of a solved roster."""
    problem, rules, cfg = pp.problem, pp.rules, pp.problem.config
    priced = price(result.roster, problem.staff, cfg, problem.monday)
    coverage = coverage_table(problem, result.roster)
    summary = summarise(problem, result, priced, coverage, forecast.meta)
    progress("Simulating the period's calls against the roster")
    fc = forecast.table
    simulation = simulate_service(priced, fc[fc["hour_start"] < problem.week_end()], cfg)
    summary["simulated_service"] = {
        row["district"]: {k: (round(float(v), 4) if isinstance(v, float) else v) for k, v in row.items() if k != "district"}
        for row in simulation.to_dict("records")
    }
    # the period's hours, as simulated (the next week's first hours the roster also covers are not)
    summary["erlang_expected_service_level"] = erlang_expectation(requirements[requirements["hour_start"] < problem.week_end()])
    violations = check_frame(problem, result.roster, rules)
    hard = [v for v in violations if v.hard]
    if hard:  # the solver's roster must pass the independent checker
        raise RuntimeError("internal error: the solved roster breaks hard rules: " + "; ".join(v.message for v in hard[:5]))
    per_person, penalties = explain(problem, priced, result.penalties, violations)
    summary["soft_violations"] = {}
    for v in violations:
        summary["soft_violations"][v.rule] = summary["soft_violations"].get(v.rule, 0) + 1
    shortfalls, more = shortfall_report(problem, result.roster, coverage, candidates(problem, rules))
    summary.update(more)
    changes = None
    if problem.pinned is not None:
        changes = pin_changes(problem, result.roster, rules)
        summary["pins"] = pin_summary(changes)
    return PlanResult(problem.monday, problem, forecast.table, requirements, result, priced, coverage, summary,
                      violations, simulation=simulation, explain=per_person, penalties=penalties, changes=changes,
                      shortfalls=shortfalls)


def run_plan(inputs: PlanInputs, *, progress: Progress = _quiet, time_limit: float | None = None,
             watcher: SolveWatcher | None = None) -> PlanResult:
    """The whole plan of one week (or ``inputs.weeks``) from in-memory inputs; raises InputError / InfeasibleError."""
    cfg = inputs.config
    period = f"the week of {inputs.monday}" if inputs.weeks == 1 else f"{inputs.weeks} weeks from {inputs.monday}"
    progress(f"Forecasting {period} with {cfg.forecast.model}")
    forecast = forecast_stage(inputs.calls, cfg, inputs.monday, inputs.calls_source, weeks=inputs.weeks,
                              boundary=inputs.previous is not None)
    if inputs.shift_requirements is not None:
        progress(f"Using the staff needed per shift from {inputs.shift_requirements_source}")
    else:
        progress("Converting forecast calls into staff needed (Erlang C)")
    requirements, how = requirements_stage(forecast.table, inputs)
    forecast.meta["requirements"] = how
    pp = problem_stage(inputs, requirements)
    progress("Building and solving the roster model")
    result = solve_stage(pp, time_limit=time_limit, progress=progress, watcher=watcher)
    return evaluate_stage(pp, result, forecast, requirements, progress=progress)
