"""The roster an export starts from: a roster.csv, checked row by row and priced with roster.toml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from roster.errors import InputError
from roster.evaluate.pay import price
from roster.io.readers import load_people, load_roster


def _check_rows(path: Path, raw: pd.DataFrame, cfg, staff_ids: set) -> None:
    for i, r in raw.iterrows():
        row = int(i) + 2
        if str(r["staff_id"]).strip() not in staff_ids:
            raise InputError(f"{path}, row {row}: staff_id {str(r['staff_id']).strip()} is not in the staff file; "
                             "export a roster made for this roster.toml.")
        if str(r["district"]).strip() not in cfg.districts:
            raise InputError(f"{path}, row {row}: district '{r['district']}' is not in [districts]; known: {sorted(cfg.districts)}.")
        if str(r["shift"]).strip() not in cfg.shifts:
            raise InputError(f"{path}, row {row}: shift '{r['shift']}' is not in [shifts]; known: {sorted(cfg.shifts)}.")


def load_export_roster(path: Path, cfg) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(priced roster rows, the rows as read, staff, approved leave); :class:`InputError` names the file and row."""
    path = Path(path)
    cfg.require("data", "roster export (it reads the staff file)")
    roster = load_roster(path, cfg, require_offset=True)
    if roster.empty:
        raise InputError(f"{path} has no shifts to export.")
    staff, leave = load_people(cfg)
    _check_rows(path, roster, cfg, set(staff["staff_id"]))
    first = min(roster["date"])
    monday = first - dt.timedelta(days=first.weekday())
    priced = price(roster.drop(columns=["name", "role", "overtime_hours", "cost"], errors="ignore"), staff, cfg, monday)
    return priced, roster, staff, leave
