"""One scenario's re-plan through the pipeline's stages, and the figures compared across scenarios.

:func:`run_scenario` is a plain function of a picklable :class:`ScenarioTask`, so an
executor (:mod:`roster.executors`) can run it in this process, a local process or a
Dask worker, and returns a :class:`ScenarioOutcome` with its row of ``scenarios.csv``,
its districts, its hiring plan and its plan's files.  A scenario that fails (bad
overlay, unservable demand, no roster under the hard rules) returns a failed outcome
with the reason; it never raises.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from dataclasses import dataclass, field

import pandas as pd

from roster.errors import InfeasibleError, InputError
from roster.pipeline.stages import (
    ForecastResult, PlanInputs, evaluate_stage, forecast_stage, problem_stage, requirements_stage, solve_stage,
)
from roster.scenarios.hiring import supervising_seat, supervision_hours
from roster.scenarios.overlay import overlay_inputs, scale_demand
from roster.scenarios.spec import Scenario

log = logging.getLogger("roster")

SCENARIO_COLUMNS = ["scenario", "status", "total_cost", "regular_cost", "overtime_cost", "cost_per_call",
                    "shortfall_hours", "share_within_target", "worst_district_share", "p90_minutes_to_contact",
                    "staff_used", "overtime_hours"]
DISTRICT_COLUMNS = ["scenario", "district", "calls", "share_within_target", "mean_minutes_to_contact",
                    "p90_minutes_to_contact", "shortfall_hours", "cost"]
HEADCOUNT_COLUMNS = ["scenario", "role", "people_needed", "people_available", "gap", "required_hours",
                     "supervision_hours", "reason"]


@dataclass
class ScenarioTask:
    scenario: Scenario
    inputs: PlanInputs  # the baseline's inputs; the scenario's overlay is applied in the task
    forecast: ForecastResult | None = None  # the baseline's forecast, reused when the forecast settings are unchanged
    time_limit: float | None = None  # seconds for this task's solve (default: its solver.time_limit_seconds)
    threads: int = 1  # solver threads of this task


@dataclass
class ScenarioOutcome:
    name: str
    status: str  # optimal | feasible | infeasible | failed
    message: str = ""
    row: dict = field(default_factory=dict)
    districts: pd.DataFrame | None = None
    headcount: pd.DataFrame | None = None
    files: dict | None = None
    annual_cost: float | None = None
    seconds: float = 0.0


def _same_forecast(a, b) -> bool:
    return a.forecast == b.forecast and a.city == b.city


def _forecast(task: ScenarioTask, inputs: PlanInputs) -> ForecastResult:
    if task.forecast is not None and _same_forecast(task.inputs.config, inputs.config):
        return ForecastResult(task.forecast.table.copy(), dict(task.forecast.meta))
    return forecast_stage(inputs.calls, inputs.config, inputs.monday, inputs.calls_source,
                          boundary=inputs.previous is not None)


def _with_threads(inputs: PlanInputs, threads: int) -> PlanInputs:
    cfg = inputs.config
    cfg = cfg.model_copy(update={"solver": cfg.solver.model_copy(update={"threads": threads})})
    return dataclasses.replace(inputs, config=cfg)


def _budget_message(pp, time_limit: float | None, cap: float, diagnosis: str) -> str:
    from roster.solve.cheapest import cheapest_lawful_cost

    status, cost, bound = cheapest_lawful_cost(pp.problem, pp.rules, time_limit=time_limit)
    if status == "optimal" and cost is not None and cost > cap:
        return (f"the weekly budget cap of {cap:,.2f} is below what the hard rules alone cost: the cheapest lawful "
                f"roster costs {cost:,.2f} a week; raise the cap to at least that.")
    if status == "feasible" and bound is not None and bound > cap:
        return (f"the weekly budget cap of {cap:,.2f} is below what the hard rules alone cost: the cheapest lawful "
                f"roster costs at least {bound:,.2f} (best found {cost:,.2f}) a week; raise the cap.")
    return diagnosis


def run_scenario(task: ScenarioTask) -> ScenarioOutcome:
    """Re-plan one scenario; a failure becomes a failed outcome with its reason, never an exception."""
    t0 = time.perf_counter()
    sc = task.scenario
    pp = None
    try:
        inputs = _with_threads(overlay_inputs(task.inputs, sc), task.threads)
        cfg = inputs.config
        fc = _forecast(task, inputs)
        fc = ForecastResult(scale_demand(fc.table, sc.demand, inputs.monday, cfg.timezone, sc.where), fc.meta)
        requirements, how = requirements_stage(fc.table, inputs)
        fc.meta["requirements"] = how
        pp = problem_stage(inputs, requirements)
        result = solve_stage(pp, time_limit=task.time_limit)
        plan = evaluate_stage(pp, result, fc, requirements)
    except InfeasibleError as exc:
        cap = pp.problem.config.rule_settings().get("budget_cap") if pp is not None else None
        msg = exc.diagnosis
        if cap and cap[0].enabled:
            msg = _budget_message(pp, task.time_limit, cap[0].weekly, msg)
        return ScenarioOutcome(sc.name, "infeasible", msg, row=_failed_row(sc.name, "infeasible"),
                               seconds=time.perf_counter() - t0)
    except InputError as exc:
        return ScenarioOutcome(sc.name, "failed", str(exc), row=_failed_row(sc.name, "failed"),
                               seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one scenario's fault must not stop the others
        log.exception("scenario %s failed", sc.name)
        return ScenarioOutcome(sc.name, "failed", f"unexpected error ({type(exc).__name__}): {exc}; please report it "
                               "with the scenario file.", row=_failed_row(sc.name, "failed"), seconds=time.perf_counter() - t0)
    return _outcome(sc.name, plan, time.perf_counter() - t0)


def _failed_row(name: str, status: str) -> dict:
    return {c: (name if c == "scenario" else status if c == "status" else None) for c in SCENARIO_COLUMNS}


def _outcome(name: str, plan, seconds: float) -> ScenarioOutcome:
    s, sim, cfg = plan.summary, plan.simulation, plan.problem.config
    calls = float(plan.forecast["mean"].sum())
    all_row = sim[sim["district"] == "ALL"].iloc[0]
    districts = sim[sim["district"] != "ALL"]
    row = {
        "scenario": name,
        "status": s["status"],
        "total_cost": s["total_cost"],
        "regular_cost": s["regular_cost"],
        "overtime_cost": s["overtime_cost"],
        "cost_per_call": round(s["total_cost"] / calls, 2) if calls > 0 else None,
        "shortfall_hours": s["shortfall_hours"]["total"],
        "share_within_target": round(float(all_row["share_within_target"]), 4),
        "worst_district_share": round(float(districts["share_within_target"].min()), 4),
        "p90_minutes_to_contact": round(float(all_row["p90_minutes_to_contact"]), 2),
        "staff_used": s["staff_used"],
        "overtime_hours": round(float(plan.roster["overtime_hours"].sum()) if not plan.roster.empty else 0.0, 2),
    }
    cost_by = plan.roster.groupby("district")["cost"].sum() if not plan.roster.empty else pd.Series(dtype=float)
    dist = pd.DataFrame({
        "scenario": name,
        "district": districts["district"].to_numpy(),
        "calls": [round(float(plan.forecast.loc[plan.forecast["district"] == d, "mean"].sum()), 2) for d in districts["district"]],
        "share_within_target": districts["share_within_target"].round(4).to_numpy(),
        "mean_minutes_to_contact": districts["mean_minutes_to_contact"].round(2).to_numpy(),
        "p90_minutes_to_contact": districts["p90_minutes_to_contact"].round(2).to_numpy(),
        "shortfall_hours": [s["shortfall_hours"]["by_district"].get(d, 0.0) for d in districts["district"]],
        "cost": [round(float(cost_by.get(d, 0.0)), 2) for d in districts["district"]],
    }, columns=DISTRICT_COLUMNS)
    weeks = max(len(plan.problem.hours) / 168.0, 1e-9)  # a DST week has 167 or 169 hours; still one week
    annual = round(s["total_cost"] / max(round(weeks), 1) * cfg.budget.weeks_per_year, 2)
    return ScenarioOutcome(name, s["status"], "", row=row, districts=dist, headcount=headcount(name, plan),
                           files=plan.files(), annual_cost=annual, seconds=seconds)


def headcount(name: str, plan) -> pd.DataFrame:
    """People of each seat role needed to staff the week's requirements, against those available.

    The requirements already carry the shrinkage in force (staff rostered so that the
    teams are on the road after breaks, training and sickness); the people needed are
    the required staff-hours of a week, plus for the clinical seat the clinician hours the
    supervision ratio needs for the non-clinical staff required (:mod:`roster.scenarios.hiring`),
    over the mean contract hours of that seat's staff (40 when it has none), rounded up.
    """
    problem = plan.problem
    cfg = problem.config
    weeks = max(round(len(problem.hours) / 168.0), 1)
    staff = problem.staff
    extra_seat = supervising_seat(cfg)
    req = plan.requirements[plan.requirements["hour_start"] <= problem.hours[-1]]  # the period's own hours
    extra = supervision_hours(cfg, req) / weeks if extra_seat else 0.0
    rows = []
    for role in cfg.seat_roles:
        hours = float(req.loc[req["role"] == role, "required"].sum()) / weeks
        supervising = extra if role == extra_seat else 0.0
        mine = staff[staff["seat"] == role]
        contract = float(mine["contract_hours"].mean()) if len(mine) and mine["contract_hours"].mean() > 0 else 40.0
        needed = int(math.ceil(round((hours + supervising) / contract, 6)))
        rows.append({"scenario": name, "role": role, "people_needed": needed, "people_available": int(len(mine)),
                     "gap": needed - int(len(mine)), "required_hours": round(hours, 2),
                     "supervision_hours": round(supervising, 2),
                     "reason": _hiring_reason(cfg, hours, supervising, contract, needed)})
    return pd.DataFrame(rows, columns=HEADCOUNT_COLUMNS)


def _hiring_reason(cfg, hours: float, supervising: float, contract: float, needed: int) -> str:
    text = f"{hours:,.1f} required staff-hours a week"
    if supervising > 0:
        for_hours = int(math.ceil(round(hours / contract, 6)))
        ratio = cfg.supervision.max_non_clinical_per_clinician
        text += (f" + {supervising:,.1f} supervising the non-clinical staff required (at most {ratio:g} per "
                 f"clinician on duty, per district and hour): {needed - for_hours} more than the hours alone need")
    return text + f", at {contract:g} contract hours each"


def collect(outcomes: list[ScenarioOutcome]) -> dict[str, pd.DataFrame]:
    """scenarios.csv, scenario_districts.csv and headcount.csv of the outcomes, in their order."""
    rows = pd.DataFrame([o.row for o in outcomes], columns=SCENARIO_COLUMNS)
    rows["staff_used"] = rows["staff_used"].astype("Int64")  # a failed row leaves it empty, not 0.0
    dists = [o.districts for o in outcomes if o.districts is not None]
    heads = [o.headcount for o in outcomes if o.headcount is not None]
    return {
        "scenarios.csv": rows,
        "scenario_districts.csv": pd.concat(dists, ignore_index=True) if dists else pd.DataFrame(columns=DISTRICT_COLUMNS),
        "headcount.csv": pd.concat(heads, ignore_index=True) if heads else pd.DataFrame(columns=HEADCOUNT_COLUMNS),
    }


