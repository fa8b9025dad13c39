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
    "shortfalls.csv": (["district", "role", "start", "end", "hours", "uncovered_staff_hours", "reason"],
                       ["hours", "uncovered_staff_hours"], ["start", "end"]),
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
    "frontier.csv": (["point", "status", "total_cost", "share_within_target", "worst_district_share"],
                     ["budget_cap", "target_share", "target_minutes", "seed", "time_limit", "total_cost",
                      "share_within_target", "worst_district_share", "shortfall_hours", "p90_minutes_to_contact",
                      "staff_used"], []),
    "headcount.csv": (["scenario", "role", "people_needed", "people_available", "gap"],
                      ["people_needed", "people_available", "gap"], []),
}
FINDINGS = "findings.txt"


def _checked(path: Path, required: list[str], numbers: list[str], times: list[str], owner: str = "The plan's") -> pd.DataFrame:
    frame = read_csv(path, required, f"{owner} {path.name}")
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


def read_scenarios(folders: Path | list[Path]) -> ScenarioFrames:
    """The scenario results in ``folders`` (e.g. what `roster scenarios` and `roster frontier` wrote): scenarios.csv,
    scenario_districts.csv, headcount.csv, findings.txt and frontier.csv, each from at most one folder."""
    folders = [Path(f) for f in (folders if isinstance(folders, (list, tuple)) else [folders])]
    found: dict[str, object] = {}
    where: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise InputError(f"--scenarios {folder} is not a folder; give the folder `roster scenarios` or "
                             "`roster frontier` wrote.")
        names = [n for n in (*SCENARIO_FILES, FINDINGS) if (folder / n).is_file()]
        if not names:
            raise InputError(f"--scenarios {folder} holds none of {', '.join((*SCENARIO_FILES, FINDINGS))}; give the "
                             "folder `roster scenarios` or `roster frontier` wrote.")
        for name in names:
            if name in found:
                raise InputError(f"--scenarios: both {where[name]} and {folder} hold {name}; give each kind of result "
                                 "once (e.g. --scenarios out/scenarios --scenarios out/frontier).")
            where[name] = folder
            found[name] = (_findings(folder / name) if name == FINDINGS else
                           _checked(folder / name, *SCENARIO_FILES[name], owner="The scenario run's"))
    return ScenarioFrames(scenarios=found.get("scenarios.csv"), districts=found.get("scenario_districts.csv"),
                          frontier=found.get("frontier.csv"), headcount=found.get("headcount.csv"),
                          findings=found.get(FINDINGS))


def _findings(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text ({exc}); write the scenarios again with `roster scenarios`.") from None
