"""Which files each export format makes, from a priced roster (see docs/exports.md for every schema)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast.textfiles import ENCODING, check_utf8
from roster.errors import InputError
from roster.evaluate.payroll import payroll
from roster.exports import calendar, tables, workbook
from roster.io.pseudonyms import pseudonyms, shareable_table
from roster.io.writers import csv_text

FORMATS = ("csv-long", "csv-grid", "xlsx", "ics", "payroll")
# files an export of each format owns in its folder: these are replaced, others left alone
OWNED = {"csv-long": ("roster_long.csv",), "csv-grid": ("roster_grid.csv",), "xlsx": ("roster.xlsx",), "ics": ("*.ics",),
         "payroll": ("payroll.csv", "payroll_reconciliation.csv")}


@dataclass(frozen=True)
class ExportOptions:
    datetime_format: str | None = None  # strftime for csv-long's start/end; None = ISO 8601 with offset
    bom: bool = False  # csv files start with a UTF-8 BOM (Excel then reads them as UTF-8)
    per_district: bool = False  # ics: also one calendar per district
    pseudonym_key: bytes | None = None  # names (and calendar file names) become keyed pseudonyms
    previous_ics: dict | None = None  # file name -> bytes of the calendars exported before into the same folder


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"--format '{fmt}' is not an export format; use one of {', '.join(FORMATS)}.")
    return fmt


def _pseudonymised(frame: pd.DataFrame, key: bytes | None) -> pd.DataFrame:
    """A table for sharing: keyed pseudonyms as names, no staff_id, no cost per shift or person."""
    return frame if key is None else shareable_table(frame, key)


def _coverage(priced: pd.DataFrame, roster_path: Path, cfg) -> pd.DataFrame:
    """coverage.csv from the same plan (beside the roster) when there is one, else staff scheduled per hour."""
    beside = Path(roster_path).with_name("coverage.csv")
    if beside.is_file():
        check_utf8(beside, "Coverage file")
        return pd.read_csv(beside, encoding=ENCODING)
    return tables.scheduled_by_hour(priced, cfg.timezone)


def export_files(fmt: str, priced: pd.DataFrame, roster: pd.DataFrame, staff: pd.DataFrame, leave: pd.DataFrame,
                 cfg, roster_path: Path, opts: ExportOptions) -> dict[str, object]:
    """``{file name: contents}`` of one export format."""
    key = opts.pseudonym_key
    if fmt == "csv-long":
        return {"roster_long.csv": csv_text(_pseudonymised(tables.long_table(priced, datetime_format=opts.datetime_format),
                                                           key), bom=opts.bom)}
    if fmt == "csv-grid":
        return {"roster_grid.csv": csv_text(_pseudonymised(tables.grid_table(priced, staff, leave, cfg), key), bom=opts.bom)}
    if fmt == "xlsx":
        return {"roster.xlsx": workbook.workbook_bytes(
            *(_pseudonymised(t, key) for t in (tables.grid_table(priced, staff, leave, cfg), tables.long_table(priced),
                                               tables.hours_table(priced, staff, cfg))), _coverage(priced, roster_path, cfg))}
    if fmt == "ics":
        if key is not None:  # calendars and their event UIDs carry the keyed pseudonym, never the staff id
            priced = priced.assign(staff_id=pseudonyms(priced["staff_id"], key))
        names = {sid: sid.removeprefix("Person ") for sid in priced["staff_id"]}
        previous = calendar.previous_events(opts.previous_ics or {})
        return calendar.calendars(priced, cfg, file_names=names, previous=previous, per_district=opts.per_district)
    table, rec = payroll(roster.drop(columns=["name"], errors="ignore"), staff, leave, cfg, where=str(roster_path))
    return {"payroll.csv": csv_text(_pseudonymised(table, key), bom=opts.bom),
            "payroll_reconciliation.csv": csv_text(_pseudonymised(rec, key), bom=opts.bom)}
