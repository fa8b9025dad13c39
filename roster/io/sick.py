"""Sick calls, recorded in their own file beside the approved leave.

``roster sick STAFF_ID --from DATE[THH:MM] [--to ...] --pin PUBLISHED.csv`` (or
``roster plan --sick ...``) records the absence in ``sick.csv`` (``data.sick`` in
roster.toml, default: ``sick.csv`` in the folder of ``data.time_off``), never in
time_off.csv.  Every plan reads the file, when it exists, as leave.  The schema is
time_off.csv's: ``staff_id,start,end`` with local dates (whole days, inclusive) or ISO
8601 date-times (end exclusive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from roster.errors import InputError
from roster.io.readers import load_time_off, parse_instant
from roster.io.writers import csv_text, write_text

COLUMNS = ["staff_id", "start", "end"]


@dataclass(frozen=True)
class SickCall:
    """One absence: as given (for the file) and as instants (for the plan)."""

    staff_id: str
    start_text: str
    end_text: str
    start: pd.Timestamp
    end: pd.Timestamp

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    def as_leave(self) -> pd.DataFrame:
        return pd.DataFrame([{"staff_id": self.staff_id, "start": self.start, "end": self.end}])

    def describe(self) -> str:
        return f"{self.staff_id} from {self.start.isoformat()} to {self.end.isoformat()}"


def sick_path(cfg) -> Path | None:
    """Where sick calls are recorded: ``data.sick``, else sick.csv beside time_off.csv (or staff.csv)."""
    data = cfg.data
    if data is None:
        return None
    given = getattr(data, "sick", None)
    if given is not None:
        return Path(given)
    beside = data.time_off if data.time_off is not None else data.staff
    return Path(beside).parent / "sick.csv"


def with_sick_file(cfg, path: Path | None, *inputs: Path):
    """``cfg`` with ``path`` as its sick-call file (``--sick-file``), or unchanged when ``path`` is None.

    The file may not be roster.toml (``inputs``) or a data file it names: a sick call is recorded in a file of its own."""
    if path is None:
        return cfg
    from roster.io.outdir import config_inputs

    path = Path(path)
    if cfg.data is None:
        raise InputError(f"--sick-file {path}: roster.toml has no [data] section, so there is no staff to be off sick.")
    if path.is_dir():
        raise InputError(f"--sick-file {path} is a folder; give the path of a CSV file, e.g. out/sick.csv.")
    taken = {Path(p).resolve() for p in [*inputs, *config_inputs(cfg)] if p is not None}
    if path.resolve() in taken:
        raise InputError(f"--sick-file {path} is an input named by roster.toml (or roster.toml itself); sick calls are "
                         "recorded in a file of their own, e.g. out/sick.csv.")
    return cfg.model_copy(update={"data": cfg.data.model_copy(update={"sick": path.resolve()})})


def load_sick(cfg, staff_ids) -> pd.DataFrame:
    """Recorded sick calls as leave rows (``staff_id, start, end``); empty when the file does not exist yet."""
    path = sick_path(cfg)
    return load_time_off(path if path is not None and path.is_file() else None, cfg, staff_ids)


def sick_call(staff_id: str, start: str, end: str | None, cfg, staff_ids) -> SickCall:
    """Check a sick call given on the command line: a known person, real dates, end after start."""
    sid = str(staff_id).strip()
    if sid not in set(staff_ids):
        raise InputError(f"--sick / STAFF_ID: {sid} is not in the staff file ({cfg.data.staff}); give a staff_id from it.")
    end = end if end is not None else start[:10]
    s = parse_instant(start, cfg.timezone, end_of_day=False)
    e = parse_instant(end, cfg.timezone, end_of_day=True)
    for opt, raw, val in (("--from", start, s), ("--to", end, e)):
        if val is None:
            raise InputError(f"{opt} '{raw}' is not a date (YYYY-MM-DD) or a local date-time (YYYY-MM-DDTHH:MM).")
    if e <= s:
        raise InputError(f"--to {end} is not after --from {start}; the sick leave must end after it starts.")
    return SickCall(sid, start.strip(), end.strip(), s, e)


def record_sick(cfg, call: SickCall) -> Path:
    """Add ``call`` to the sick file (created if absent; written whole, then renamed into place)."""
    path = sick_path(cfg)
    if path is None:
        raise InputError("roster.toml has no [data] section, so there is nowhere to record the sick call.")
    old = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else pd.DataFrame(columns=COLUMNS)
    row = pd.DataFrame([{"staff_id": call.staff_id, "start": call.start_text, "end": call.end_text}])
    if not ((old["staff_id"] == call.staff_id) & (old["start"] == call.start_text) & (old["end"] == call.end_text)).any():
        try:
            write_text(path, csv_text(pd.concat([old[COLUMNS], row], ignore_index=True)))
        except OSError as exc:
            raise InputError(f"{path}: the sick call could not be recorded ({exc.strerror}); the new roster is written, "
                             "but add the leave to this file by hand or make its folder writable.") from None
    return path


def with_sick_leave(cfg, staff: pd.DataFrame, leave: pd.DataFrame, sick: SickCall | None = None) -> pd.DataFrame:
    """Approved leave plus the recorded sick calls (sick.csv) and ``sick``, a new one."""
    parts = [leave, load_sick(cfg, staff["staff_id"])] + ([sick.as_leave()] if sick is not None else [])
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else leave
