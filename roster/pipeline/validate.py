"""``roster validate``: read every input a plan reads, check it, and report what was found — without solving.

The report comes in sections (the city, its staff, the call history, cover against need),
handed to ``on_section`` as soon as each is known, so a broken file later on still leaves
the earlier findings on screen.  Errors are the plan's own: an :class:`InputError` naming
the file, row or key.  Cover against need is an estimate from hours alone (contract hours
and the weekly cap, less leave, against the staff-hours the requirements add up to); the
solver also weighs shift times, rest and supervision, so a city can fall short with enough
hours — never the other way round.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from forecast.aggregate import hourly_counts
from forecast.horizon import history_end
from forecast.outages import detect_outages
from forecast.timegrid import local_midnight, week_hours
from roster.config import Config
from roster.io.readers import load_people, load_requests, read_shift_requirements
from roster.io.sick import sick_path, with_sick_leave
from roster.pipeline.load import as_monday, default_week, load_call_history
from roster.pipeline.stages import PlanInputs, forecast_stage, problem_stage, requirements_stage


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)


@dataclass
class ValidationReport:
    sections: list[Section]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.warnings


def city_section(cfg: Config) -> Section:
    roles = ", ".join(f"{n} ({'clinical' if r.clinical else 'non-clinical'}"
                      + (f", fills {r.fills}" if r.fills else "") + ")" for n, r in cfg.roles.items())
    shifts = ", ".join(f"{n} {s.start}+{s.hours:g}h" + (" night" if s.night else "") for n, s in cfg.shifts.items())
    rows = [["city", f"{cfg.city.name} ({cfg.timezone}, {cfg.city.currency})"],
            ["districts", f"{len(cfg.districts)}: {', '.join(cfg.districts)}"],
            ["roles", roles], ["shifts", shifts]]
    if cfg.service is not None:
        s = cfg.service
        team = ", ".join(f"{n:g} {r}" for r, n in s.team.items() if n > 0)
        rows.append(["service", f"{100 * s.target_share:.0f} % of calls within {s.target_minutes:g} min, "
                                f"{s.busy_minutes:g} busy minutes per call, team of {team}"])
    return Section("City (roster.toml)", ["what", "found"], rows)


def staff_section(cfg: Config, staff: pd.DataFrame, leave: pd.DataFrame, requests: pd.DataFrame) -> Section:
    rows = []
    order = {(r, d): i for i, (r, d) in enumerate((r, d) for r in cfg.roles for d in cfg.districts)}
    groups = sorted(staff.groupby(["role", "home_district"]), key=lambda kv: order[kv[0]])
    for (role, district), grp in groups:
        rows.append([role, district, len(grp), int(grp["supervisor"].sum()), f"{grp['contract_hours'].sum():g}",
                     int((~grp["works_nights"]).sum()), int(grp["float_districts"].map(bool).sum())])
    missing = [f"{r} in {d}" for r in cfg.roles for d in cfg.districts
               if not ((staff["role"] == r) & (staff["home_district"] == d)).any()]
    notes = [f"{len(staff)} people, {len(leave)} leave record(s), {len(requests)} request(s)."]
    if missing:
        notes.append("No one is based in: " + ", ".join(missing) + " (floats from other districts may cover).")
    return Section(f"Staff ({cfg.data.staff.name})", ["role", "home district", "people", "supervisors",
                                                      "contract h/week", "no nights", "may float"], rows, notes)


def history_section(cfg: Config, calls: pd.DataFrame) -> Section:
    tz = cfg.timezone
    ts = calls["timestamp"]
    first, last = pd.Timestamp(ts.min()).tz_convert(tz), pd.Timestamp(ts.max()).tz_convert(tz)
    days = (last.date() - first.date()).days + 1
    rows = [[d, int(n), f"{n / days:.1f}"] for d, n in calls["district"].value_counts().reindex(cfg.districts, fill_value=0).items()]
    rows.append(["ALL", len(calls), f"{len(calls) / days:.1f}"])
    notes = [f"{first.date()} to {last.date()}: {days} days ({days / 7:.1f} weeks), {len(calls)} calls.", history_advice(days)]
    counts = hourly_counts(calls, tz, end=history_end(ts, tz), districts=cfg.district_names)
    for o in detect_outages(counts):
        notes.append(f"Suspected feed outage, left out of the forecast: {o.describe()}.")
    return Section(f"Call history ({cfg.data.calls.name})", ["district", "calls", "calls/day"], rows, notes)


def history_advice(days: int) -> str:
    """What the default forecast does with this much history (docs/your-city.md explains it)."""
    if days < 14:
        return "Too short: the forecast needs at least two weeks."
    if days < 56:
        return ("Under 8 weeks: the forecast plans, but each weekday's hourly shape and each district's own shape "
                "rest on few weeks and are shrunk towards the city's; no trend can be seen yet.")
    if days < 182:
        return ("8 weeks or more: weekday shapes and district shapes are learnt; no trend is fitted before 26 weeks, "
                "and a year would add the holidays' own effect.")
    if days < 365:
        return "26 weeks or more: shapes and a trend are learnt; a year would add the holidays' own effect."
    return "A year or more: the forecast uses the most recent 52 weeks (half-life 26 weeks), with trend and holidays."


def _available(staff: pd.DataFrame, leave: pd.DataFrame, cfg: Config, monday: dt.date) -> pd.DataFrame:
    """Per person: contract and most hours this week, less the share of the week on leave."""
    start, end = local_midnight(monday, cfg.timezone), local_midnight(monday + dt.timedelta(days=7), cfg.timezone)
    week = (end - start) / pd.Timedelta(hours=1)
    off = pd.Series(0.0, index=staff["staff_id"])
    for r in leave.itertuples():
        overlap = (min(r.end, end) - max(r.start, start)) / pd.Timedelta(hours=1)
        if overlap > 0:
            off[r.staff_id] += overlap
    present = (1 - (off.clip(upper=week) / week)).to_numpy()
    days = 7 - (cfg.labour.min_days_off_per_week or 0)  # a shift starts on each working day at most
    cap = min(cfg.labour.max_hours_per_week or week, days * max(t.hours for t in cfg.shifts.values()))
    return staff.assign(contract_avail=staff["contract_hours"].to_numpy() * present,
                        most_avail=min(cap, week) * present,
                        seat=[cfg.roles[r].seat(r) for r in staff["role"]])


def cover_section(cfg: Config, staff: pd.DataFrame, leave: pd.DataFrame, requirements: pd.DataFrame,
                  monday: dt.date, how: str) -> tuple[Section, list[str]]:
    """Staff-hours the staff can give against the staff-hours needed, per seat role and district."""
    avail = _available(staff, leave, cfg, monday)
    need = requirements.groupby(["role", "district"])["required"].sum()
    rows, warnings = [], []
    for seat in dict.fromkeys(requirements["role"]):
        mine = avail[avail["seat"] == seat]
        for d in cfg.districts:
            home = mine[mine["home_district"] == d]
            rows.append([seat, d, len(home), f"{home['contract_avail'].sum():.0f}", f"{home['most_avail'].sum():.0f}",
                         f"{need.get((seat, d), 0):.0f}"])
        n, contract, most = float(need.xs(seat, level="role").sum()), mine["contract_avail"].sum(), mine["most_avail"].sum()
        rows.append([seat, "ALL", len(mine), f"{contract:.0f}", f"{most:.0f}", f"{n:.0f}"])
        warnings += _cover_warnings(seat, contract, most, n, mine)
    clinical = avail["role"].map(lambda r: cfg.roles[r].clinical).astype(bool)
    sup = avail[avail["supervisor"].astype(bool) & clinical]
    if cfg.supervision is not None and cfg.supervision.min_supervisors_citywide > 0:
        n = cfg.supervision.min_supervisors_citywide * len(week_hours(monday, cfg.timezone))
        rows.append(["supervisor (city-wide)", "ALL", len(sup), f"{sup['contract_avail'].sum():.0f}",
                     f"{sup['most_avail'].sum():.0f}", f"{n:.0f}"])
        if sup["most_avail"].sum() < n:
            warnings.append(
                f"supervision.min_supervisors_citywide needs {n:.0f} supervisor-hours this week, but the "
                f"{len(sup)} supervisor-flagged clinician(s) can give at most {sup['most_avail'].sum():.0f}: no roster "
                "can meet it. Flag more clinicians as supervisors in the staff file or lower the setting.")
    notes = [f"Week of {monday}; needs are {how}. 'at most' per person: labour.max_hours_per_week, or the "
             "working days (7 - min_days_off_per_week) times the longest shift if fewer, less leave."]
    return Section("Cover this week (staff-hours)", ["role", "district", "people", "contract", "at most", "needed"],
                   rows, notes), warnings


def _cover_warnings(seat: str, contract: float, most: float, need: float, people: pd.DataFrame) -> list[str]:
    if need <= 0:
        return []
    mean_contract = float(people["contract_hours"].mean()) if len(people) else 40.0
    if most < need:
        more = -(-(need - most) // max(mean_contract, 1.0))
        return [f"{seat}: the staff can give at most {most:.0f} staff-hours this week and the service needs {need:.0f}; "
                f"expect a shortfall of at least {need - most:.0f} hours (about {more:.0f} more "
                f"{'person' if more == 1 else 'people'} on {mean_contract:g}-hour contracts would close it)."]
    if contract < need:
        return [f"{seat}: contract hours ({contract:.0f}) are short of the {need:.0f} staff-hours needed; the rest "
                "would be overtime."]
    return []


def validate_city(cfg: Config, week: str | dt.date | None = None, *,
                  on_section: Callable[[Section], None] | None = None) -> ValidationReport:
    """Check every input of a plan against ``cfg`` and report what was found (raises InputError on a broken file)."""
    sections: list[Section] = []

    def emit(section: Section) -> None:
        sections.append(section)
        if on_section is not None:
            on_section(section)

    emit(city_section(cfg))
    cfg.require("data", "roster validate")
    staff, leave = load_people(cfg)
    approved = len(leave)
    leave = with_sick_leave(cfg, staff, leave)  # recorded sick calls are leave, as the plan reads them
    requests = load_requests(cfg.data.requests, cfg, staff["staff_id"])
    people = staff_section(cfg, staff, leave, requests)
    if len(leave) > approved:
        people.notes.insert(1, f"The leave includes {len(leave) - approved} sick call(s) from {sick_path(cfg)}.")
    emit(people)
    shift_file = cfg.data.shift_requirements
    shift_req = read_shift_requirements(shift_file, cfg) if shift_file is not None else None
    calls = load_call_history(cfg)
    emit(history_section(cfg, calls))
    monday = as_monday(week) if week is not None else default_week(calls, cfg.timezone)
    inputs = PlanInputs(config=cfg, monday=monday, staff=staff, leave=leave, calls=calls, calls_source=str(cfg.data.calls),
                        requests=requests, shift_requirements=shift_req,
                        shift_requirements_source=shift_file.name if shift_file is not None else None)
    forecast = forecast_stage(calls, cfg, monday, str(cfg.data.calls))
    requirements, how = requirements_stage(forecast.table, inputs)
    problem_stage(inputs, requirements)
    section, warnings = cover_section(cfg, staff, leave, requirements, monday, how)
    section.notes.append(f"Forecast: {forecast.table['mean'].sum():.0f} calls in the week ({forecast.meta['model']}).")
    emit(section)
    return ValidationReport(sections, warnings)
