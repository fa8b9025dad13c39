"""The weekly planning pipeline behind ``roster plan``.

history → forecast → staffing requirements → optimised roster → files.  Each
step is a plain function so tests and scenarios can call them one by one; the
CLI only parses options, prints, and maps errors to exit codes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from constraints import RosterContext, default_rules
from constraints.coverage import Coverage
from constraints.requests import ShiftRequests
from constraints import prepare_staff
from constraints.pinning import PinnedShifts, pin_changes, pin_summary
from constraints.problem import Problem
from forecast.aggregate import hourly_counts
from forecast.io import load_calls
from forecast.models import get_model
from forecast.outages import mask_outages
from forecast.timegrid import local_midnight, week_hours
from roster.solve import model as roster_model
from roster.config import Config
from roster.solve.diagnose import diagnose
from roster.errors import InfeasibleError, InputError
from roster.evaluate.explain import explain
from roster.io.writers import iso
from roster.io.readers import load_requests, load_roster, load_staff, load_time_off
from roster.evaluate.pay import cost_summary, price
from roster.staffing.requirements import staffing_requirements

log = logging.getLogger("roster")

ROSTER_COLUMNS = ["staff_id", "name", "role", "district", "date", "shift", "start", "end", "paid_hours", "overtime_hours", "cost"]
COVERAGE_COLUMNS = ["district", "hour_start", "role", "required", "scheduled", "shortfall"]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def as_monday(value: str | dt.date, what: str = "--week") -> dt.date:
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise InputError(f"{what} '{value}' is not a date; give the Monday the week starts as YYYY-MM-DD.") from None
    if day.weekday() != 0:
        monday = day - dt.timedelta(days=day.weekday())
        raise InputError(f"{what} {day} is a {day.strftime('%A')}; give the Monday the week starts (e.g. {monday}).")
    return day


def default_week(calls: pd.DataFrame, tz: str) -> dt.date:
    """The first Monday after the history ends."""
    last = pd.Timestamp(calls["timestamp"].max()).tz_convert(tz).date()
    return last + dt.timedelta(days=7 - last.weekday())


def forecast_week(calls: pd.DataFrame, cfg: Config, monday: dt.date, where: str) -> tuple[pd.DataFrame, dict]:
    """Forecast calls for each district and local hour of the week, from history before it."""
    tz = cfg.timezone
    start = local_midnight(monday, tz)
    before = calls[calls["timestamp"] < start]
    if before.empty or (start - before["timestamp"].min()) < pd.Timedelta(days=14):
        raise InputError(
            f"{where}: fewer than two weeks of call history before {monday}; the forecast needs at least two "
            "(more is better). Choose a later --week or add older call records."
        )
    history = hourly_counts(before, tz, end=start, districts=cfg.district_names)
    history, outages = mask_outages(history)
    hours = week_hours(monday, tz)
    options = {"holidays_country": cfg.city.holidays_country, "holidays_subdivision": cfg.city.holidays_subdivision}
    name = cfg.forecast.model
    meta: dict = {}
    if name == "auto":
        # Pick the model by a rolling-origin backtest on this history (a proper score, never MAE).
        from forecast.backtest import choose_model

        choice, table = choose_model(history, common_options=options)
        name = choice
        all_rows = table[(table["district"] == "ALL") & (table["level"] == "block")]
        meta["auto"] = {
            "chosen": choice,
            "by": "block poisson_deviance over 4 weekly origins",
            "scores": {r.model: round(float(r.poisson_deviance), 5) for r in all_rows.itertuples()},
        }
    model = get_model(name, **options)
    fc = model.fit(history).predict(hours, quantiles=cfg.forecast.quantiles)
    meta = {
        "model": name,
        **meta,
        "history_start": pd.Timestamp(before["timestamp"].min()).isoformat(),
        "history_end": pd.Timestamp(before["timestamp"].max()).isoformat(),
        "history_calls": int(len(before)),
        "masked_outages": [o.describe() for o in outages],
    }
    return fc, meta


def forecast_for(cfg: Config, week: str | dt.date | None) -> tuple[dt.date, pd.DataFrame, dict]:
    """Read the history and forecast the given week (default: the one after the history)."""
    calls = load_call_history(cfg)
    monday = as_monday(week) if week is not None else default_week(calls, cfg.timezone)
    fc, meta = forecast_week(calls, cfg, monday, str(cfg.data.calls))
    return monday, fc, meta


def requirements_for_problem(req: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    pos = {ts: i for i, ts in enumerate(hours)}
    out = req.copy()
    out["hour"] = [pos[ts] for ts in out["hour_start"]]
    return out


@dataclass
class PlanResult:
    monday: dt.date
    problem: Problem
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    solve: roster_model.SolveResult | None
    roster: pd.DataFrame  # priced roster rows (tz-aware start/end)
    coverage: pd.DataFrame
    summary: dict
    violations: list = field(default_factory=list)
    simulation: pd.DataFrame | None = None
    explain: pd.DataFrame | None = None
    penalties: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None

    def files(self, *, pseudonymise: bool = False) -> dict[str, object]:
        roster = self.roster.copy()
        if pseudonymise:
            roster["name"] = pseudonyms(roster["staff_id"])
        # A `seat` column appears only when rules.cross_cover lets people fill another role's seat.
        cols = ROSTER_COLUMNS + (["seat"] if "seat" in roster.columns else [])
        roster_out = roster[cols].copy()
        roster_out["start"] = iso(roster_out["start"])
        roster_out["end"] = iso(roster_out["end"])
        roster_out["date"] = roster_out["date"].astype(str)
        fc = self.forecast.copy()
        fc["hour_start"] = iso(fc["hour_start"])
        cov = self.coverage.copy()
        cov["hour_start"] = iso(cov["hour_start"])
        req = self.requirements.drop(columns=["hour"], errors="ignore").copy()
        req["hour_start"] = iso(req["hour_start"])
        return {
            "roster.csv": roster_out,
            "coverage.csv": cov[COVERAGE_COLUMNS],
            "forecast.csv": fc,
            "requirements.csv": req,
            "summary.json": self.summary,
            **({"simulation.csv": self.simulation} if self.simulation is not None else {}),
            **({"explain.csv": self.explain} if self.explain is not None else {}),
            **({"penalties.csv": self.penalties} if self.penalties is not None else {}),
            **({"changes.csv": _dates_as_text(self.changes)} if self.changes is not None else {}),
        }


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["date"] = out["date"].astype(str)
    return out


def pseudonyms(ids: pd.Series) -> pd.Series:
    """Stable pseudonyms ('Person 3f9a1c') so a shared export carries no names."""
    import hashlib

    return ids.map(lambda s: "Person " + hashlib.sha256(str(s).encode()).hexdigest()[:6])


def load_people(cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    cfg.require("data", "reading staff")
    staff = load_staff(cfg.data.staff, cfg)
    # Rules with a staff hook (rules.float_pool widens float districts) see the file first.
    staff = prepare_staff(staff, cfg)
    leave = load_time_off(cfg.data.time_off, cfg, staff["staff_id"])
    return staff, leave


def plan_rules(cfg: Config, *, pinned: bool = False, freeze_before: dt.date | None = None,
               requests: bool = False) -> list:
    """The rules of a plan: core + configured, plus pinning when a published roster is given
    and staff requests when
    there are any (with default weights unless [rules.shift_requests] sets them)."""
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


def load_call_history(cfg: Config) -> pd.DataFrame:
    cfg.require("data", "reading the call history")
    cfg.require("service", "turning forecast calls into staff needed")
    return load_calls(cfg.data.calls, cfg.timezone, known_districts=cfg.district_names)


def week_requests(requests: pd.DataFrame, monday: dt.date) -> pd.DataFrame:
    """The requests that fall in the week, with ``day`` = 0 (Monday) … 6."""
    day = [(d - monday).days for d in requests["date"]]
    out = requests.assign(day=day)
    return out[(out["day"] >= 0) & (out["day"] < 7)].reset_index(drop=True)


def coverage_table(problem: Problem, roster: pd.DataFrame) -> pd.DataFrame:
    ctx = RosterContext(problem, roster)
    t = Coverage.table(ctx)
    t["hour_start"] = problem.hours[t["hour"].to_numpy()]
    return t.sort_values(["district", "hour", "role"]).reset_index(drop=True)


def summarise(problem: Problem, result: roster_model.SolveResult | None, priced: pd.DataFrame, coverage: pd.DataFrame, meta: dict) -> dict:
    cfg = problem.config
    short = coverage[coverage["shortfall"] > 0]
    by_district = {d: float(short.loc[short["district"] == d, "shortfall"].sum()) for d in cfg.district_names}
    by_role = {r: float(short.loc[short["role"] == r, "shortfall"].sum()) for r in cfg.seat_roles}
    summary = {
        "status": result.status if result else "no_solution",
        "solver": cfg.solver.name,
        "objective": None if result is None or result.objective is None else round(result.objective, 4),
        "bound": None if result is None or result.bound is None else round(result.bound, 4),
        "gap": None if result is None or result.gap is None else round(result.gap, 6),
        "solve_seconds": None if result is None else round(result.solve_seconds, 3),
        "build_seconds": None if result is None else round(result.build_seconds, 3),
        "week_start": problem.hours[0].isoformat(),
        "week_end": problem.week_end().isoformat(),
        "timezone": cfg.timezone,
        "hours_in_week": len(problem.hours),
        **cost_summary(priced, problem.staff, cfg),
        "shortfall_hours": {
            "total": float(short["shortfall"].sum()),
            "by_district": by_district,
            "by_role": by_role,
        },
        "required_hours": float(coverage["required"].sum()),
        "scheduled_hours": float(coverage["scheduled"].sum()),
        "staff_used": int(priced["staff_id"].nunique()) if not priced.empty else 0,
        "staff_total": int(len(problem.staff)),
        "shifts": int(len(priced)),
        "penalties": {k: round(v, 2) for k, v in (result.penalties if result else {}).items()},
        "model_size": result.model_size if result else {},
        "forecast": meta,
        "planned_as_repeating_week": problem.wrap,
    }
    return summary


def plan(cfg: Config, week: str | dt.date | None = None, *, progress: Progress = _quiet, time_limit: float | None = None,
         previous: Path | None = None, pin: Path | None = None, freeze_before: str | dt.date | None = None,
         shift_requirements: Path | None = None) -> PlanResult:
    """Run the whole pipeline for one week; raises InputError / InfeasibleError.

    ``shift_requirements``: staff needed per shift (``date,shift,district,role,required``)
    instead of the Erlang C conversion of the forecast.
    ``pin``: a published roster to keep (smallest change; shifts that can no
    longer be worked are released and reported); ``freeze_before``: with
    ``pin``, days before this date are fixed as published.
    """
    progress("Reading staff and leave")
    staff, leave = load_people(cfg)
    progress("Reading call history")
    calls = load_call_history(cfg)
    monday = as_monday(week) if week is not None else default_week(calls, cfg.timezone)
    progress(f"Forecasting the week of {monday} with {cfg.forecast.model}")
    fc, meta = forecast_week(calls, cfg, monday, str(cfg.data.calls))
    hours = week_hours(monday, cfg.timezone)
    shift_file = shift_requirements or cfg.data.shift_requirements
    if shift_file is not None:
        # The service plans per shift: its own numbers replace the Erlang C requirements
        # (the forecast is still made, for the simulation of what the roster delivers).
        progress(f"Reading staff needed per shift from {shift_file}")
        from roster.staffing.requirements import read_shift_requirements, shift_requirements_to_hourly

        req = shift_requirements_to_hourly(read_shift_requirements(shift_file, cfg), cfg, hours)
        meta["requirements"] = f"per shift, from {Path(shift_file).name}"
    else:
        progress("Converting forecast calls into staff needed (Erlang C)")
        req = staffing_requirements(fc, cfg)
        meta["requirements"] = "Erlang C from the forecast"
    req = requirements_for_problem(req, hours)
    prev = load_roster(previous, cfg, "Previous roster") if previous is not None else None
    pinned = _load_pins(pin, cfg, monday) if pin is not None else None
    fb = None
    if freeze_before is not None:
        if pin is None:
            raise InputError("--freeze-before needs --pin PUBLISHED.csv: it fixes the published shifts before that date.")
        try:
            fb = freeze_before if isinstance(freeze_before, dt.date) else dt.date.fromisoformat(str(freeze_before))
        except ValueError:
            raise InputError(f"--freeze-before '{freeze_before}' is not a date (YYYY-MM-DD).") from None
    requests = week_requests(load_requests(cfg.data.requests, cfg, staff["staff_id"]), monday)
    rules = plan_rules(cfg, pinned=pinned is not None, freeze_before=fb, requests=not requests.empty)
    problem = Problem.build(cfg, monday, staff, leave, req, previous=prev, pinned=pinned, requests=requests)
    progress("Building and solving the roster model")
    result = roster_model.solve(problem, rules, time_limit=time_limit)
    if result.status == "infeasible":
        progress("No roster meets the hard rules; diagnosing")
        raise InfeasibleError(diagnose(problem, rules))
    if result.status == "no_solution":
        raise InfeasibleError(
            "The solver found no roster within the time limit "
            f"({cfg.solver.time_limit_seconds:g} s). Raise solver.time_limit_seconds in roster.toml and plan again."
        )
    roster = result.roster
    for rule in rules:  # e.g. rules.cross_cover records the seat each person fills
        hook = getattr(rule, "annotate_roster", None)
        if hook is not None:
            roster = hook(roster, cfg)
    result.roster = roster
    priced = price(result.roster, staff, cfg, monday)
    coverage = coverage_table(problem, result.roster)
    summary = summarise(problem, result, priced, coverage, meta)
    progress("Simulating the week's calls against the roster")
    simulation = simulate_service(priced, fc, cfg)
    summary["simulated_service"] = {
        row["district"]: {k: (round(float(v), 4) if isinstance(v, float) else v) for k, v in row.items() if k != "district"}
        for row in simulation.to_dict("records")
    }
    summary["erlang_expected_service_level"] = erlang_expectation(req)
    ctx = RosterContext(problem, result.roster)
    violations = [v for rule in rules for v in rule.check(ctx)]
    hard = [v for v in violations if v.hard]
    if hard:  # the solver's roster must pass the independent checker
        raise RuntimeError("internal error: the solved roster breaks hard rules: " + "; ".join(v.message for v in hard[:5]))
    per_person, penalties = explain(problem, priced, result.penalties, violations)
    summary["soft_violations"] = {}
    for v in violations:
        summary["soft_violations"][v.rule] = summary["soft_violations"].get(v.rule, 0) + 1
    changes = None
    if pinned is not None:
        changes = pin_changes(problem, result.roster, rules)
        summary["pins"] = pin_summary(changes)
    return PlanResult(monday, problem, fc, req, result, priced, coverage, summary, violations, simulation=simulation,
                      explain=per_person, penalties=penalties, changes=changes)


def _load_pins(path: Path, cfg: Config, monday: dt.date) -> pd.DataFrame:
    """The published roster's shifts in this week (rows of other weeks are ignored)."""
    pins = load_roster(path, cfg, "Published roster")
    end = monday + dt.timedelta(days=7)
    inside = [monday <= d < end for d in pins["date"]]
    if not any(inside):
        raise InputError(f"{path} has no shifts in the week of {monday}; pin the roster published for this week.")
    return pins[inside].reset_index(drop=True)


SIMULATION_REPLICATIONS = 100


def simulate_service(priced: pd.DataFrame, fc: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Time to first contact the roster delivers, simulated against the forecast (seeded)."""
    from roster.staffing.simulate import simulate_roster

    return simulate_roster(priced, fc, cfg, replications=SIMULATION_REPLICATIONS, seed=cfg.solver.seed)


def erlang_expectation(req: pd.DataFrame) -> dict:
    """Call-weighted Erlang C service level the requirements were set for, per district and ALL."""
    first = req.drop_duplicates(["district", "hour_start"])
    w = first["arrival_rate"].clip(lower=0)
    out = {}
    for d, g in first.groupby("district"):
        ww = w.loc[g.index]
        out[d] = round(float((g["expected_service_level"] * ww).sum() / ww.sum()), 4) if ww.sum() > 0 else None
    out["ALL"] = round(float((first["expected_service_level"] * w).sum() / w.sum()), 4) if w.sum() > 0 else None
    return out
