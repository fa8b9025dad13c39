"""Reading a plan's outputs (and scenario results) from a folder for the report.

Every file is checked for the columns the report draws on and for numbers and timestamps
it can read; anything else is an :class:`~roster.errors.InputError` naming the file, the
column and the row (the header is row 1), which the CLI turns into exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from roster.errors import InputError
from roster.io.readers import read_csv
from roster.report.frames import PlanFrames, ScenarioFrames

# file → (columns it must have, columns that must hold numbers, columns that must hold timestamps)
PLAN_FILES = {
    "roster.csv": (["staff_id", "role", "district", "shift", "start", "end", "paid_hours", "overtime_hours", "cost"],
                   ["paid_hours", "overtime_hours", "cost"], ["start", "end"]),
    "coverage.csv": (["district", "hour_start", "role", "required", "scheduled", "shortfall"],
                     ["required", "scheduled", "shortfall"], ["hour_start"]),
    "forecast.csv": (["district", "hour_start", "mean"], ["mean"], ["hour_start"]),
    "requirements.csv": (["district", "hour_start", "role", "required"], ["required"], ["hour_start"]),
    "simulation.csv": (["district", "calls", "share_within_target", "mean_minutes_to_contact"],
                       ["calls", "share_within_target", "share_ci_low", "share_ci_high", "mean_minutes_to_contact",
                        "p90_minutes_to_contact"], []),
    "penalties.csv": (["rule", "label", "penalty"], ["penalty", "places"], []),
    "explain.csv": (["staff_id"], ["contract_hours", "shifts", "hours", "overtime_hours", "nights", "weekend_shifts",
                                   "hours_away_from_home"], []),
}
REQUIRED = ("roster.csv", "coverage.csv")
OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"  # every time the plan writes carries its UTC offset
SCENARIO_FILES = {
    "scenarios.csv": (["scenario", "total_cost", "share_within_target"],
                      ["total_cost", "regular_cost", "overtime_cost", "cost_per_call", "shortfall_hours",
                       "share_within_target", "worst_district_share", "p90_minutes_to_contact", "staff_used",
                       "overtime_hours"], []),
    "scenario_districts.csv": (["scenario", "district", "share_within_target"],
                               ["calls", "share_within_target", "mean_minutes_to_contact", "p90_minutes_to_contact",
                                "shortfall_hours", "cost"], []),
    "frontier.csv": (["budget", "total_cost", "share_within_target", "worst_district_share"],
                     ["budget", "total_cost", "share_within_target", "worst_district_share"], []),
}


def _checked(path: Path, required: list[str], numbers: list[str], times: list[str]) -> pd.DataFrame:
    frame = read_csv(path, required, f"The plan's {path.name}")
    for col in [c for c in numbers if c in frame.columns]:
        text = frame[col].str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(f"{path}, row {i + 2}: column {col} is '{frame[col].iloc[i]}', not a number. "
                             f"Write the plan again with `roster plan` or correct the file.")
        frame[col] = values
    for col in times:
        parsed = pd.to_datetime(frame[col], utc=True, errors="coerce", format="ISO8601")
        bad = parsed.isna() | ~frame[col].str.strip().str.contains(OFFSET)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(f"{path}, row {i + 2}: column {col} is '{frame[col].iloc[i]}', not an ISO 8601 time "
                             "with a UTC offset (e.g. 2026-11-02T07:00:00-05:00).")
    return frame.replace({"": None}) if len(frame) else frame


def _summary(path: Path) -> dict:
    if not path.is_file():
        raise InputError(f"{path} was not found: `roster report` needs the folder a `roster plan` wrote "
                         "(roster.csv, coverage.csv and summary.json at least).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid JSON ({exc}); write the plan again with `roster plan`.") from None
    if not isinstance(data, dict):
        raise InputError(f"{path} should hold a JSON object (the plan's summary); it holds a {type(data).__name__}.")
    return data


def read_plan(folder: Path) -> PlanFrames:
    """The plan's outputs in ``folder``; roster.csv, coverage.csv and summary.json must be there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give the folder `roster plan --out` wrote (default out/).")
    summary = _summary(folder / "summary.json")
    frames = {}
    for name, spec in PLAN_FILES.items():
        path = folder / name
        if name in REQUIRED and not path.is_file():
            raise InputError(f"{path} was not found: `roster report` needs the folder a `roster plan` wrote "
                             "(roster.csv, coverage.csv and summary.json at least).")
        if path.is_dir():
            raise InputError(f"{path} is a folder, not the plan's {name}; move it away or write the plan again.")
        if path.is_file():
            frames[name] = _checked(path, *spec)
    if frames["coverage.csv"].empty:  # a plan covers every district-hour of its week: no rows is a broken file
        raise InputError(f"{folder / 'coverage.csv'} has no rows; write the plan again with `roster plan`.")
    return PlanFrames.from_files({**frames, "summary.json": summary})


def read_scenarios(folder: Path) -> ScenarioFrames:
    """Whichever of scenarios.csv, scenario_districts.csv and frontier.csv ``folder`` holds (at least one)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"--scenarios {folder} is not a folder; give the folder the scenario run wrote.")
    found = {name: _checked(folder / name, *spec) for name, spec in SCENARIO_FILES.items() if (folder / name).is_file()}
    if not found:
        raise InputError(f"--scenarios {folder} holds none of {', '.join(SCENARIO_FILES)}; give the folder the "
                         "scenario run wrote.")
    return ScenarioFrames(scenarios=found.get("scenarios.csv"), districts=found.get("scenario_districts.csv"),
                          frontier=found.get("frontier.csv"))
