"""Reading the user's CSV files: staff, approved leave, and rosters.

Each reader checks what a person could get wrong and raises
:class:`~roster.errors.InputError` naming the file, the spreadsheet row (the
header is row 1) and what to do.  Input files are only read, never modified.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from constraints import prepare_staff
from constraints.registry import staff_number_columns
from forecast.textfiles import ENCODING, check_row_lengths, check_utf8
from forecast.timegrid import local_midnight
from roster.errors import InputError
from roster.io.schemas import SHIFT_REQUIREMENT_COLUMNS

TRUE = {"true", "yes", "y", "1", "t"}
FALSE = {"false", "no", "n", "0", "f", ""}


def read_csv(path: Path, required: list[str], what: str, *, hint=None) -> pd.DataFrame:
    """The CSV as text cells, once it is known to be UTF-8 and to have the ``required`` columns;
    ``hint(frame)`` may add a sentence to the missing-columns message."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{what} file {path} is a folder, not a file; give the path of the CSV file itself.")
    if not path.is_file():
        raise InputError(f"{what} file {path} was not found. Check the path (in roster.toml, paths are relative to the file's folder).")
    check_utf8(path, f"{what} file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=ENCODING)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{what} file {path} could not be read as CSV: {exc}. Save it as comma-separated UTF-8 text.") from None
    check_row_lengths(path, f"{what} file", frame)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"{what} file {path} lacks the column(s) {', '.join(missing)}. "
            f"Its header must include: {','.join(required)} (found: {','.join(frame.columns)})."
            + ((hint(frame) or "") if hint is not None else "")
        )
    return frame


def _row(i: int) -> int:
    """Spreadsheet row number of data row ``i`` (the header is row 1)."""
    return int(i) + 2


def _split_list(value: str) -> list[str]:
    return [p.strip() for p in str(value).replace(",", ";").split(";") if p.strip()]


def _bool(value: str, path: Path, i: int, column: str) -> bool:
    v = str(value).strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise InputError(f"{path}, row {_row(i)}: column {column} is '{value}'; write true or false.")


def _number(value: str, path: Path, i: int, column: str, *, allow_empty=False, minimum=0.0) -> float:
    v = str(value).strip()
    if v == "" and allow_empty:
        return float("nan")
    try:
        x = float(v)
    except ValueError:
        raise InputError(f"{path}, row {_row(i)}: column {column} is '{value}', which is not a number; give a number such as 40.") from None
    if not np.isfinite(x):
        raise InputError(f"{path}, row {_row(i)}: column {column} is {value}, which is not a finite number; give an ordinary number such as 40.")
    if x < minimum:
        raise InputError(f"{path}, row {_row(i)}: column {column} is {value}; it must be a number of at least {minimum:g}.")
    return x


STAFF_REQUIRED = ["staff_id", "name", "role", "contract_hours", "home_district"]


def load_staff(path: Path, cfg) -> pd.DataFrame:
    """Staff file → one row per person with typed columns (see docs/architecture.md)."""
    path = Path(path)
    raw = read_csv(path, STAFF_REQUIRED, "Staff")
    roles, districts = set(cfg.roles), set(cfg.districts)
    number_columns = [c for c in staff_number_columns() if c in raw.columns]
    rows = []
    seen: dict[str, int] = {}
    for i, r in raw.iterrows():
        sid = r["staff_id"].strip()
        if not sid:
            raise InputError(f"{path}, row {_row(i)}: staff_id is empty; give every person a unique id.")
        if sid in seen:
            raise InputError(f"{path}, row {_row(i)}: staff_id {sid} is used again (first on row {seen[sid]}); staff ids must be unique.")
        seen[sid] = _row(i)
        role = r["role"].strip()
        if role not in roles:
            raise InputError(f"{path}, row {_row(i)}: role '{role}' is not defined in roster.toml; use one of {sorted(roles)}.")
        home = r["home_district"].strip()
        if home not in districts:
            raise InputError(f"{path}, row {_row(i)}: home_district '{home}' is not a district in roster.toml; use one of {sorted(districts)}.")
        floats = _split_list(r.get("float_districts", ""))
        for d in floats:
            if d not in districts:
                raise InputError(f"{path}, row {_row(i)}: float_districts names '{d}', which is not a district in roster.toml; use names from {sorted(districts)}, separated by ';'.")
        contract = _number(r["contract_hours"], path, i, "contract_hours")
        rate = _number(r.get("hourly_rate", ""), path, i, "hourly_rate", allow_empty=True)
        if np.isnan(rate):
            rate = cfg.roles[role].hourly_rate
        supervisor = _bool(r.get("supervisor", "false"), path, i, "supervisor")
        if supervisor and not cfg.roles[role].clinical:
            raise InputError(f"{path}, row {_row(i)}: {sid} is flagged supervisor but role '{role}' is not clinical; only clinicians supervise.")
        extra = {}
        for col in number_columns:
            extra[col] = _number(r.get(col, ""), path, i, col, allow_empty=True)
        rows.append(
            {
                **extra,
                "staff_id": sid,
                "name": r["name"],
                "role": role,
                "supervisor": supervisor,
                "contract_hours": contract,
                "hourly_rate": rate,
                "home_district": home,
                "float_districts": [d for d in floats if d != home],
                "languages": _split_list(r.get("languages", "")),
                "works_nights": _bool(r.get("works_nights", "true"), path, i, "works_nights"),
            }
        )
    if not rows:
        raise InputError(f"Staff file {path} has no rows; list at least one person.")
    return pd.DataFrame(rows)


def parse_instant(value: str, tz: str, *, end_of_day: bool) -> pd.Timestamp | None:
    """A local date (whole day) or an ISO 8601 date-time; ``None`` if unparseable."""
    v = str(value).strip()
    try:
        if len(v) == 10:
            day = dt.date.fromisoformat(v)
            return local_midnight(day + dt.timedelta(days=1) if end_of_day else day, tz)
        ts = pd.Timestamp(v)
    except ValueError:
        return None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is None:
        return ts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return ts.tz_convert(tz)


def _known_staff_id(path: Path, i, value: str, known: set) -> str:
    """The row's staff id, which must name someone in the staff file."""
    sid = value.strip()
    if sid not in known:
        raise InputError(f"{path}, row {_row(i)}: staff_id {sid} is not in the staff file; fix the id or add the person.")
    return sid


def load_time_off(path: Path | None, cfg, staff_ids) -> pd.DataFrame:
    """Approved leave → ``staff_id, start, end`` instants (end exclusive; dates are whole days)."""
    cols = ["staff_id", "start", "end"]
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    path = Path(path)
    raw = read_csv(path, cols, "Time-off")
    known = set(staff_ids)
    rows = []
    for i, r in raw.iterrows():
        sid = _known_staff_id(path, i, r["staff_id"], known)
        start = parse_instant(r["start"], cfg.timezone, end_of_day=False)
        end = parse_instant(r["end"], cfg.timezone, end_of_day=True)
        for col, val in (("start", start), ("end", end)):
            if val is None:
                raise InputError(f"{path}, row {_row(i)}: {col} '{r[col]}' is not a date (YYYY-MM-DD) or an ISO 8601 date-time.")
        if end <= start:
            raise InputError(f"{path}, row {_row(i)}: leave for {sid} ends ({r['end']}) before it starts ({r['start']}); swap or fix the dates.")
        rows.append({"staff_id": sid, "start": start, "end": end})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    return pd.DataFrame(rows)


ROSTER_REQUIRED = ["staff_id", "district", "date", "shift", "start", "end"]


_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d")  # a date and a clock time, at least
_WITH_OFFSET = re.compile(r".*T\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")


def _pseudonymised_hint(frame: pd.DataFrame) -> str | None:
    if "staff_id" in frame.columns or "name" not in frame.columns or not frame["name"].str.startswith("Person ").any():
        return None
    return (" It looks pseudonymised (written with --pseudonymise: keyed pseudonyms, no staff_id); such files are "
            "for sharing and are not read back. Use the roster.csv of a plan made without --pseudonymise.")


def load_roster(path: Path, cfg, what: str = "Roster", *, require_offset: bool = False) -> pd.DataFrame:
    """A roster CSV (ours or hand-edited) → rows with tz-aware ``start``/``end`` and a ``date``.

    ``require_offset``: every ``start``/``end`` must carry its UTC offset, as roster.csv's do
    (exports need the instant, not a wall-clock time that DST could make ambiguous).
    """
    path = Path(path)
    raw = read_csv(path, ROSTER_REQUIRED, what, hint=_pseudonymised_hint)
    tz = cfg.timezone
    out = raw.copy()
    starts, ends, dates = [], [], []
    for i, r in raw.iterrows():
        for col in ("start", "end") if require_offset else ():
            if not _WITH_OFFSET.fullmatch(str(r[col]).strip()):
                raise InputError(f"{path}, row {_row(i)}: {col} '{r[col]}' has no UTC offset; an export needs roster.csv's "
                                 "times, such as 2026-11-02T07:00:00-05:00.")
        s = parse_instant(r["start"], tz, end_of_day=False)
        e = parse_instant(r["end"], tz, end_of_day=False)
        if s is None or e is None or not all(_DATE_TIME.match(str(r[c]).strip()) for c in ("start", "end")):
            raise InputError(f"{path}, row {_row(i)}: start/end must be ISO 8601 date-times such as 2026-11-02T07:00:00-05:00.")
        if e <= s:
            raise InputError(f"{path}, row {_row(i)}: the shift ends ({r['end']}) before it starts ({r['start']}).")
        try:
            d = dt.date.fromisoformat(str(r["date"]).strip())
        except ValueError:
            raise InputError(f"{path}, row {_row(i)}: date '{r['date']}' is not a date (YYYY-MM-DD).") from None
        starts.append(s)
        ends.append(e)
        dates.append(d)
    out["start"] = pd.Series(starts, dtype=f"datetime64[ns, {tz}]") if starts else pd.Series(dtype=f"datetime64[ns, {tz}]")
    out["end"] = pd.Series(ends, dtype=f"datetime64[ns, {tz}]") if ends else pd.Series(dtype=f"datetime64[ns, {tz}]")
    out["date"] = dates
    out["paid_hours"] = (out["end"] - out["start"]).dt.total_seconds() / 3600.0
    for col in ("staff_id", "district", "shift"):
        out[col] = out[col].str.strip()
    return out


def check_roster_rows(path: Path, roster: pd.DataFrame, cfg, staff_ids, *, fix: str) -> None:
    """Every row of a roster read back names a person of the staff file, a shift of [shifts] and a district
    of [districts] (what ``roster check`` reports as ``known_shift``); else :class:`InputError` naming the row.

    ``fix`` ends the message: what to do about such a row in this file.
    """
    known = set(staff_ids)
    for i, r in roster.iterrows():
        sid, shift, district = (str(r[c]).strip() for c in ("staff_id", "shift", "district"))
        if sid not in known:
            raise InputError(f"{path}, row {_row(i)}: staff_id {sid} is not in the staff file; {fix}")
        if shift not in cfg.shifts:
            raise InputError(f"{path}, row {_row(i)}: shift '{shift}' is not defined in roster.toml (known: "
                             f"{sorted(cfg.shifts)}); {fix}")
        if district not in cfg.districts:
            raise InputError(f"{path}, row {_row(i)}: district '{district}' is not defined in roster.toml (known: "
                             f"{sorted(cfg.districts)}); {fix}")


REQUEST_COLUMNS = ["staff_id", "date", "shift", "kind", "weight"]


def load_requests(path: Path | None, cfg, staff_ids) -> pd.DataFrame:
    """Staff requests → ``staff_id, date, shift, kind, weight`` (``shift`` empty = the whole day).

    ``kind`` is ``on`` (wants to work it) or ``off`` (wants it off); ``weight``
    (default 1) is what an unmet request costs in the objective.
    """
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REQUEST_COLUMNS})
    path = Path(path)
    raw = read_csv(path, ["staff_id", "date", "kind"], "Requests")
    known = set(staff_ids)
    rows = []
    for i, r in raw.iterrows():
        sid = _known_staff_id(path, i, r["staff_id"], known)
        try:
            day = dt.date.fromisoformat(r["date"].strip())
        except ValueError:
            raise InputError(f"{path}, row {_row(i)}: date '{r['date']}' is not a date (YYYY-MM-DD).") from None
        shift = str(r.get("shift", "")).strip()
        if shift and shift not in cfg.shifts:
            raise InputError(f"{path}, row {_row(i)}: shift '{shift}' is not defined in roster.toml; use one of {sorted(cfg.shifts)} or leave it empty for the whole day.")
        kind = r["kind"].strip().lower()
        if kind not in ("on", "off"):
            raise InputError(f"{path}, row {_row(i)}: kind is '{r['kind']}'; write on (wants to work it) or off (wants it off).")
        weight = _number(r.get("weight", "") or "1", path, i, "weight")
        rows.append({"staff_id": sid, "date": day, "shift": shift, "kind": kind, "weight": weight})
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)


def read_shift_requirements(path: Path, cfg) -> pd.DataFrame:
    """Read and check ``date,shift,district,role,required`` (one row per date, shift, district, role).

    ``date`` is the local calendar date the shift starts on (YYYY-MM-DD); ``shift``
    a template from ``[shifts]``; ``role`` a seat role or a role that fills one
    (counted towards its seat); ``required`` a whole number of staff, 0 or more.
    Errors name the file and the spreadsheet row (header is row 1).
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"Shift requirements file {path} is a folder, not a file; give the path of the CSV file itself.")
    if not path.is_file():
        raise InputError(f"Shift requirements file {path} was not found; pass the path of a CSV with columns "
                         f"{','.join(SHIFT_REQUIREMENT_COLUMNS)}.")
    check_utf8(path, "Shift requirements file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding=ENCODING)
        check_row_lengths(path, "Shift requirements file", raw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not a readable CSV ({exc}); save it as UTF-8 CSV with a header row "
                         f"{','.join(SHIFT_REQUIREMENT_COLUMNS)}.") from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in SHIFT_REQUIREMENT_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{path} lacks column(s) {missing}; the header must be {','.join(SHIFT_REQUIREMENT_COLUMNS)}.")
    seats = set(cfg.seat_roles)
    problems: list[str] = []
    rows = []
    for i, rec in enumerate(raw[SHIFT_REQUIREMENT_COLUMNS].itertuples(index=False)):
        rowno = i + 2
        date_s, shift, district, role, req_s = (str(v).strip() for v in rec)
        try:
            date = dt.date.fromisoformat(date_s)
        except ValueError:
            problems.append(f"row {rowno}: date '{date_s}' is not a date; write it as YYYY-MM-DD.")
            continue
        if shift not in cfg.shifts:
            problems.append(f"row {rowno}: shift '{shift}' is not a template in [shifts]; known: {sorted(cfg.shifts)}.")
            continue
        if district not in cfg.districts:
            problems.append(f"row {rowno}: district '{district}' is not in [districts]; known: {sorted(cfg.districts)}.")
            continue
        if role not in cfg.roles:
            problems.append(f"row {rowno}: role '{role}' is not in [roles]; known: {sorted(cfg.roles)}.")
            continue
        seat = cfg.roles[role].seat(role)
        if seat not in seats:
            problems.append(f"row {rowno}: role '{role}' takes no seat in a team (service.team); "
                            f"give one of {sorted(seats)}.")
            continue
        try:
            req = float(req_s)
        except ValueError:
            req = float("nan")
        if not math.isfinite(req) or req < 0 or req != int(req):
            problems.append(f"row {rowno}: required '{req_s}' is not a whole number of staff, 0 or more.")
            continue
        rows.append((date, shift, district, seat, int(req)))
    if problems:
        shown = problems[:20]
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise InputError(f"{path} has {len(problems)} problem(s):\n  " + "\n  ".join(shown) + more)
    out = pd.DataFrame(rows, columns=SHIFT_REQUIREMENT_COLUMNS)
    dup = out.duplicated(["date", "shift", "district", "role"], keep=False)
    if dup.any():
        first = out[dup].iloc[0]
        raise InputError(f"{path} lists {first['date']} {first['shift']} {first['district']} {first['role']} more "
                         "than once (a role that fills a seat counts as that seat); merge those rows.")
    return out


def load_people(cfg, rules=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The staff file after every rule's ``prepare_staff`` hook, and the approved leave."""
    cfg.require("data", "reading staff")
    staff = prepare_staff(load_staff(cfg.data.staff, cfg), cfg, rules)
    leave = load_time_off(cfg.data.time_off, cfg, staff["staff_id"])
    return staff, leave
