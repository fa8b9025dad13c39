"""The pipeline's input edge: every file a plan reads, read once, into :class:`PlanInputs`.

Nothing after this point opens a file, so a scenario can hand the stages changed
staff, demand or settings in memory.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from forecast.io import load_calls
from roster.config import Config, period_weeks
from roster.errors import InputError
from roster.io.readers import check_roster_rows, load_people, load_requests, load_roster, read_shift_requirements
from roster.io.sick import with_sick_leave
from roster.pipeline.stages import PlanInputs, Progress, _quiet


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


def load_call_history(cfg: Config) -> pd.DataFrame:
    cfg.require("data", "reading the call history")
    cfg.require("service", "turning forecast calls into staff needed")
    if not Path(cfg.data.calls).exists():
        raise InputError(f"data.calls in roster.toml names {cfg.data.calls}, which does not exist. Add the call history "
                         "there (timestamp,district[,call_type]; see docs/your-city.md) or fix the path (it is relative "
                         "to roster.toml's folder).")
    return load_calls(cfg.data.calls, cfg.timezone, known_districts=cfg.district_names)


def load_pins(path: Path, cfg: Config, monday: dt.date, staff_ids=None, weeks: int = 1) -> pd.DataFrame:
    """The published roster's shifts in the period of ``weeks`` from ``monday`` (rows outside it are ignored).

    With ``staff_ids``, every row must name a known person, shift and district.
    """
    pins = load_roster(path, cfg, "Published roster")
    if staff_ids is not None:
        check_roster_rows(path, pins, cfg, staff_ids, fix="fix the row, or remove it if the shift is no longer "
                          "published (e.g. the person has left the staff file).")
    end = monday + dt.timedelta(days=7 * weeks)
    inside = [monday <= d < end for d in pins["date"]]
    if not any(inside):
        what = f"the week of {monday}" if weeks == 1 else f"the {weeks} weeks from {monday} to {end - dt.timedelta(days=1)}"
        raise InputError(f"{path} has no shifts in {what}; pin the roster published for this period.")
    return pins[inside].reset_index(drop=True)


def load_previous(path: Path, cfg: Config, staff_ids) -> pd.DataFrame:
    """Last week's roster; every row must name a known person, shift and district."""
    prev = load_roster(path, cfg, "Previous roster")
    check_roster_rows(path, prev, cfg, staff_ids, fix="fix the row, or remove it if the person has left the "
                      "staff file (their rest and consecutive days no longer matter).")
    return prev


def _freeze_date(freeze_before: str | dt.date | None, pin: Path | None) -> dt.date | None:
    if freeze_before is None:
        return None
    if pin is None:
        raise InputError("--freeze-before needs --pin PUBLISHED.csv: it fixes the published shifts before that date.")
    if isinstance(freeze_before, dt.date):
        return freeze_before
    try:
        return dt.date.fromisoformat(str(freeze_before))
    except ValueError:
        raise InputError(f"--freeze-before '{freeze_before}' is not a date (YYYY-MM-DD).") from None


def load_inputs(cfg: Config, week: str | dt.date | None = None, *, previous: Path | None = None, pin: Path | None = None,
                freeze_before: str | dt.date | None = None, shift_requirements: Path | None = None,
                progress: Progress = _quiet, sick=None, weeks: int | None = None) -> PlanInputs:
    """Read every input of one period's plan from the files ``cfg`` and the options name.

    ``shift_requirements`` (or ``data.shift_requirements``): staff needed per shift instead
    of the Erlang C conversion of the forecast; ``pin``: the published roster to keep, and
    ``freeze_before`` the first day it may change; ``sick``: a :class:`roster.io.sick.SickCall`
    added to the leave (recorded sick calls in sick.csv are read as leave too); ``weeks``: the
    period's length (default ``[planning] weeks``).
    """
    weeks = period_weeks(cfg, weeks)
    progress("Reading staff and leave")
    staff, leave = load_people(cfg)
    leave = with_sick_leave(cfg, staff, leave, sick)
    progress("Reading call history")
    calls = load_call_history(cfg)
    monday = as_monday(week) if week is not None else default_week(calls, cfg.timezone)
    shift_file = shift_requirements or cfg.data.shift_requirements
    return PlanInputs(
        config=cfg,
        monday=monday,
        staff=staff,
        leave=leave,
        calls=calls,
        calls_source=str(cfg.data.calls),
        requests=load_requests(cfg.data.requests, cfg, staff["staff_id"]),
        previous=load_previous(previous, cfg, staff["staff_id"]) if previous is not None else None,
        pinned=load_pins(pin, cfg, monday, staff["staff_id"], weeks) if pin is not None else None,
        freeze_before=_freeze_date(freeze_before, pin),
        shift_requirements=read_shift_requirements(shift_file, cfg) if shift_file is not None else None,
        shift_requirements_source=Path(shift_file).name if shift_file is not None else None,
        weeks=weeks,
    )
