"""The roster an export starts from: a roster.csv, checked row by row and priced with roster.toml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from roster.errors import InputError
from roster.evaluate.pay import price
from roster.io.readers import check_roster_rows, load_people, load_roster


def load_export_roster(path: Path, cfg) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(priced roster rows, the rows as read, staff, approved leave); :class:`InputError` names the file and row."""
    path = Path(path)
    cfg.require("data", "roster export (it reads the staff file)")
    roster = load_roster(path, cfg, require_offset=True)
    if roster.empty:
        raise InputError(f"{path} has no shifts to export.")
    staff, leave = load_people(cfg)
    check_roster_rows(path, roster, cfg, staff["staff_id"], fix="export a roster made for this roster.toml.")
    first = min(roster["date"])
    monday = first - dt.timedelta(days=first.weekday())
    priced = price(roster.drop(columns=["name", "role", "overtime_hours", "cost"], errors="ignore"), staff, cfg, monday)
    return priced, roster, staff, leave
