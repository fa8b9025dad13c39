"""Reading forecast input files (the only module in ``forecast`` that does I/O).

Two input schemas are supported, as CSV (optionally ``.csv.gz``) or Parquet:

* call records, one row per call: ``timestamp, district[, call_type]``
  (:func:`load_calls`);
* hourly counts: ``hour_start, district, calls`` (:func:`load_hourly_counts`).

Column names can be mapped with keyword options for outside data.

Timestamps
    Either carry a UTC offset (``2026-03-08T03:15:00-04:00``, ``...Z``) and are
    converted to the configured time zone, or are naive local wall-clock times in
    the configured zone.  A naive time inside the repeated hour at the end of DST
    (e.g. 01:30 on the first Sunday of November in New York) is ambiguous: by
    default (``ambiguous="first"``) it is read as the **first** occurrence (the
    daylight-saving one) and a warning with the number of such rows is logged;
    ``ambiguous="last"`` takes the second occurrence and ``ambiguous="error"``
    refuses the file.  A naive time that does not exist (inside the skipped hour
    at the start of DST) is an error naming the row.

Documented, logged handling of other bad input (logger ``forecast``):

* rows with an empty district are dropped (warning with the count);
* exact duplicate rows (every column of the file identical; or identical on
  ``dedupe_on`` when given) are dropped as re-posted records (warning);
* everything else is a :class:`~forecast.errors.ForecastInputError`: missing
  file, unknown format, missing column, unparseable timestamp, unknown district,
  a known district with no calls at all, calls dated after ``as_of`` (default:
  now), and less than two weeks of history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from forecast.errors import ForecastInputError, InputError, row_number
from forecast.textfiles import ENCODING, check_row_lengths, check_utf8

log = logging.getLogger("forecast")

MIN_HISTORY = pd.Timedelta(days=14)
# No call record of a crisis service predates this; an earlier date is a typo in the year (1026 for 2026),
# which would otherwise make an hourly history of centuries (gigabytes) before failing in the forecast.
EARLIEST = pd.Timestamp("1970-01-01", tz="UTC")
# a UTC offset must follow a clock time (so the "-05" of a bare date "2016-01-05" is not one)
_OFFSET_RE = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)\s*$"


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ForecastInputError(
            f"Unknown time zone {timezone!r}. Use an IANA zone name such as 'America/New_York' "
            "or 'Europe/Berlin' (set it with --timezone or in the [city] section of the config)."
        ) from exc


def _read_table(path: Path, what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise ForecastInputError(
            f"The {what} file {str(path)!r} does not exist. Check the path (it is read relative to "
            "the directory you run the command from) or pass the right file."
        )
    if path.is_dir():
        raise ForecastInputError(f"The {what} file {str(path)!r} is a folder, not a file; give the path of the "
                                 "CSV or Parquet file itself.")
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
        check_utf8(path, f"The {what} file")
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt", ".txt.gz")):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=ENCODING)
            try:
                check_row_lengths(path, f"The {what} file", frame)
            except InputError as exc:
                raise ForecastInputError(str(exc)) from None
            return frame
    except ForecastInputError:
        raise
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ForecastInputError(
            f"Could not read the {what} file {str(path)!r}: {exc}. Check that it is a valid CSV "
            "(comma-separated, header in the first row) or Parquet file."
        ) from exc
    raise ForecastInputError(
        f"The {what} file {str(path)!r} has an unsupported format. Use a CSV file (.csv or "
        ".csv.gz) or a Parquet file (.parquet)."
    )


def _require_column(df: pd.DataFrame, column: str, option: str, path: Path, what: str) -> None:
    if column not in df.columns:
        cols = ", ".join(repr(c) for c in df.columns[:20])
        raise ForecastInputError(
            f"The {what} file {str(path)!r} has no column {column!r} (its columns are: {cols}). "
            f"Name the right column with the {option} option (for example {option}=\"{df.columns[0]}\"), "
            "or rename the column in the file."
        )


def _to_microseconds(parsed: pd.Series) -> pd.Series:
    """Times at microsecond resolution, the unit every timestamp is kept in: finer digits (nanoseconds, as
    some phone systems export) are truncated, never rounded, so a call never moves into the next hour."""
    return parsed.dt.floor("us").dt.as_unit("us")


def _parse_one(text: str, utc: bool):
    for fmt in ("ISO8601", "mixed"):
        try:
            return pd.to_datetime(pd.Series([text]), utc=utc, format=fmt, errors="coerce").iloc[0]
        except (ValueError, TypeError, OverflowError):
            continue
    return pd.NaT


def _parse_strings(sub: pd.Series, *, utc: bool) -> pd.Series:
    """ISO 8601 strings as times (tz-aware UTC when ``utc``), NaT where a string cannot be read; at microseconds."""
    unit = "datetime64[us, UTC]" if utc else "datetime64[us]"
    try:
        parsed = _to_microseconds(pd.to_datetime(sub, utc=utc, format="ISO8601", errors="coerce"))
        bad = parsed.isna()
        if bad.any():
            parsed[bad] = _to_microseconds(pd.to_datetime(sub[bad], utc=utc, format="mixed", errors="coerce"))
        return parsed.astype(unit)
    except (ValueError, TypeError, OverflowError):
        # a column pandas cannot read in one go (e.g. offsets it cannot mix): row by row, NaT where unreadable
        one = [_parse_one(t, utc) for t in sub]
        ok = [t if isinstance(t, pd.Timestamp) and t is not pd.NaT else pd.NaT for t in one]
        return _to_microseconds(pd.Series(pd.to_datetime(ok, utc=utc), index=sub.index)).astype(unit)


def parse_timestamps(
    values: pd.Series,
    timezone: str,
    *,
    path: Path | str = "<data>",
    column: str = "timestamp",
    ambiguous: str = "first",
) -> pd.Series:
    """Parse a column of timestamps into tz-aware times in ``timezone``.

    ``values`` may be strings (with or without UTC offset), or already datetimes
    (tz-aware: converted; naive: taken as local wall-clock time).  Row numbers in
    error messages assume ``values`` has a 0-based positional order matching the
    file's data rows.
    """
    if ambiguous not in ("first", "last", "error"):
        raise ValueError("ambiguous must be 'first', 'last' or 'error'")
    tz = ZoneInfo(timezone)
    n = len(values)
    values = values.reset_index(drop=True)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return _to_microseconds(values).dt.tz_convert(tz)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        naive = _to_microseconds(values)
        has_offset = np.zeros(n, dtype=bool)
        aware_utc = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        strings = None
    else:
        strings = values.astype("string").str.strip()
        missing = strings.isna() | (strings == "")
        if missing.any():
            pos = int(np.flatnonzero(missing.to_numpy())[0])
            raise ForecastInputError(
                f"Row {row_number(pos)} of {str(path)!r} has an empty {column!r} value "
                f"({int(missing.sum())} such rows). Every row needs a timestamp such as "
                "'2026-03-08 14:05:00' (local time) or '2026-03-08T14:05:00-04:00'; fill or delete these rows."
            )
        has_offset = strings.str.contains(_OFFSET_RE, regex=True).fillna(False).to_numpy(dtype=bool)
        aware_utc = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
        if has_offset.any():
            aware_utc[has_offset] = _parse_strings(strings[has_offset], utc=True)
        naive = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
        if (~has_offset).any():
            naive[~has_offset] = _parse_strings(strings[~has_offset], utc=False)
        unparsed = (has_offset & aware_utc.isna().to_numpy()) | (~has_offset & naive.isna().to_numpy())
        if unparsed.any():
            pos = int(np.flatnonzero(unparsed)[0])
            raise ForecastInputError(
                f"Row {row_number(pos)} of {str(path)!r}: cannot read {strings[pos]!r} in column "
                f"{column!r} as a date and time ({int(unparsed.sum())} rows affected). Use ISO 8601, "
                "e.g. '2026-03-08 14:05:00' for local time or '2026-03-08T14:05:00-04:00' with a UTC offset."
            )
    out = aware_utc.dt.tz_convert(tz)
    local_rows = ~has_offset
    if local_rows.any():
        sub = pd.DatetimeIndex(naive[local_rows])
        strict = sub.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        first = sub.tz_localize(tz, ambiguous=np.ones(len(sub), dtype=bool), nonexistent="NaT")
        nonexistent = np.asarray(first.isna())
        if nonexistent.any():
            pos = int(np.flatnonzero(local_rows)[np.flatnonzero(nonexistent)[0]])
            shown = strings[pos] if strings is not None else str(naive[pos])
            raise ForecastInputError(
                f"Row {row_number(pos)} of {str(path)!r}: {shown!r} in column {column!r} is a local time "
                f"that does not exist in {timezone} (the clocks skip that hour when daylight saving time "
                f"starts; {int(nonexistent.sum())} rows affected). Check the time zone setting, or export "
                "the timestamps with their UTC offset."
            )
        ambiguous_rows = np.asarray(strict.isna()) & ~nonexistent
        if ambiguous_rows.any():
            count = int(ambiguous_rows.sum())
            if ambiguous == "error":
                pos = int(np.flatnonzero(local_rows)[np.flatnonzero(ambiguous_rows)[0]])
                raise ForecastInputError(
                    f"Row {row_number(pos)} of {str(path)!r}: local time in column {column!r} falls in the "
                    f"hour repeated when daylight saving time ends in {timezone}, so it is ambiguous "
                    f"({count} rows). Export the timestamps with their UTC offset."
                )
            localized = first
            if ambiguous == "last":
                localized = sub.tz_localize(tz, ambiguous=np.zeros(len(sub), dtype=bool), nonexistent="NaT")
            log.warning(
                "%s: %d naive timestamps fall in the repeated hour at the end of daylight saving time in %s; "
                "they were read as the %s occurrence of that hour.",
                path, count, timezone, "first (daylight-saving)" if ambiguous == "first" else "second (standard-time)",
            )
        else:
            localized = first
        out[local_rows] = pd.Series(localized, index=out.index[local_rows])
    return out


def _dedupe(df: pd.DataFrame, cols: Sequence[str], path: Path) -> pd.DataFrame:
    dup = df.duplicated(subset=list(cols), keep="first")
    if dup.any():
        log.warning(
            "%s: dropped %d duplicated records (identical on %s); they are treated as re-posted copies "
            "of the same call.",
            path, int(dup.sum()), ", ".join(cols),
        )
        df = df.loc[~dup]
    return df


def _check_era(ts: pd.Series, text: pd.Series, path: Path, column: str) -> None:
    """Refuse times before :data:`EARLIEST`, naming the first such row (``ts`` in file-row order)."""
    early = (ts < EARLIEST).to_numpy(dtype=bool)
    if early.any():
        pos = int(np.flatnonzero(early)[0])
        raise ForecastInputError(
            f"Row {row_number(pos)} of {str(path)!r}: {column!r} value {str(text.iloc[pos])!r} is before "
            f"{EARLIEST.year} ({int(early.sum())} such rows); that is almost certainly a typo in the year. "
            "Fix or remove these rows."
        )


def _check_span(ts: pd.Series, path: Path, as_of: pd.Timestamp | None, column: str) -> None:
    if len(ts) == 0:
        raise ForecastInputError(
            f"{str(path)!r} contains no usable rows. At least two weeks of history are needed."
        )
    if as_of is not None:
        future = (ts > as_of).to_numpy()
        if future.any():
            pos = int(np.flatnonzero(future)[0])
            raise ForecastInputError(
                f"Row {row_number(pos)} of {str(path)!r}: {column!r} value {ts.iloc[pos].isoformat()} is "
                f"later than {as_of.isoformat()} ({int(future.sum())} future-dated rows). Future-dated "
                "records usually mean a wrong time zone or a data-entry error; fix or remove them "
                "(or pass a later as_of if the file is deliberately ahead)."
            )
    span = ts.max() - ts.min()
    if span < MIN_HISTORY:
        raise ForecastInputError(
            f"{str(path)!r} covers only {span} (from {ts.min().isoformat()} to {ts.max().isoformat()}); "
            "at least two weeks of history are needed for a weekly forecast. Provide a longer history."
        )


def _as_of(as_of, timezone: str) -> pd.Timestamp | None:
    if as_of is False:
        return None
    if as_of is None:
        return pd.Timestamp.now(tz=ZoneInfo(timezone))
    ts = pd.Timestamp(as_of)
    return ts.tz_localize(ZoneInfo(timezone)) if ts.tzinfo is None else ts.tz_convert(ZoneInfo(timezone))


def load_calls(
    path: Path | str,
    timezone: str,
    *,
    timestamp_col: str = "timestamp",
    district_col: str = "district",
    call_type_col: str = "call_type",
    call_types: Iterable[str] | None = None,
    known_districts: Iterable[str] | None = None,
    ambiguous: str = "first",
    dedupe_on: Sequence[str] | None = None,
    as_of=None,
) -> pd.DataFrame:
    """Read call records into ``DataFrame[timestamp, district, call_type]``.

    ``timestamp`` is tz-aware in ``timezone``; ``district`` is a string;
    ``call_type`` a string or missing (``<NA>``) when the file has no call-type
    column.  ``call_types`` keeps only those call types (the column must
    exist).  ``known_districts``: every district in the file must be one of
    them and each must have at least one call.  ``as_of``: calls later than
    this are refused (default: now; ``False`` disables the check).  Rows are
    sorted by timestamp.  See the module docstring for the handling of
    ambiguous times, duplicates and empty districts.
    """
    _check_timezone(timezone)
    path = Path(path)
    raw = _read_table(path, "calls")
    _require_column(raw, timestamp_col, "timestamp_col (--timestamp-col)", path, "calls")
    _require_column(raw, district_col, "district_col (--district-col)", path, "calls")
    has_type = call_type_col in raw.columns
    if call_types is not None and not has_type:
        _require_column(raw, call_type_col, "call_type_col (--call-type-col)", path, "calls")
    raw = raw.reset_index(drop=True)
    ts = parse_timestamps(raw[timestamp_col], timezone, path=path, column=timestamp_col, ambiguous=ambiguous)
    _check_era(ts, raw[timestamp_col], path, timestamp_col)
    district = raw[district_col].astype("string").str.strip()
    call_type = raw[call_type_col].astype("string").str.strip() if has_type else pd.Series(
        pd.NA, index=raw.index, dtype="string"
    )
    df = pd.DataFrame({"timestamp": ts, "district": district, "call_type": call_type, "_row": raw.index})
    if dedupe_on is not None:
        for c in dedupe_on:
            _require_column(raw, c, "dedupe_on", path, "calls")
        key = raw[list(dedupe_on)].copy()
        if timestamp_col in dedupe_on:
            key[timestamp_col] = ts
        keep = ~key.duplicated(keep="first")
        if (~keep).any():
            log.warning(
                "%s: dropped %d duplicated records (identical on %s); treated as re-posted copies.",
                path, int((~keep).sum()), ", ".join(dedupe_on),
            )
        df = df.loc[keep.to_numpy()]
    else:
        dup = raw.duplicated(keep="first").to_numpy()
        if dup.any():
            log.warning(
                "%s: dropped %d exact duplicate rows (every column identical); treated as re-posted "
                "copies of the same call.", path, int(dup.sum()),
            )
            df = df.loc[~dup]
    empty = df["district"].isna() | (df["district"] == "")
    if empty.any():
        pos = int(df.loc[empty, "_row"].iloc[0])
        log.warning(
            "%s: dropped %d rows with an empty %r (first at row %d); these calls are not counted in any district.",
            path, int(empty.sum()), district_col, row_number(pos),
        )
        df = df.loc[~empty]
    if call_types is not None:
        wanted = {str(c) for c in call_types}
        df = df.loc[df["call_type"].isin(wanted).fillna(False).to_numpy(dtype=bool)]
        if df.empty:
            found = sorted(set(call_type.dropna()))[:20]
            raise ForecastInputError(
                f"No rows of {str(path)!r} have a {call_type_col!r} in {sorted(wanted)}. Call types found "
                f"include: {', '.join(map(repr, found))}. Fix the call_types filter."
            )
    df = df.reset_index(drop=True)
    # positions for error messages refer to file rows
    rows = df["_row"].to_numpy()
    _check_districts_rows(df["district"], rows, known_districts, path, district_col)
    as_of_ts = _as_of(as_of, timezone)
    if as_of_ts is not None:
        future = (df["timestamp"] > as_of_ts).to_numpy()
        if future.any():
            i = int(np.flatnonzero(future)[0])
            raise ForecastInputError(
                f"Row {row_number(rows[i])} of {str(path)!r}: {timestamp_col!r} value "
                f"{df['timestamp'].iloc[i].isoformat()} is later than {as_of_ts.isoformat()} "
                f"({int(future.sum())} future-dated rows). Future-dated records usually mean a wrong time "
                "zone or a data-entry error; fix or remove them."
            )
    _check_span(df["timestamp"], path, None, timestamp_col)
    df = df.sort_values(["timestamp", "_row"], kind="stable").drop(columns="_row").reset_index(drop=True)
    df["district"] = df["district"].astype(str)
    return df


def _check_districts_rows(districts, rows, known_districts, path, column, counted=None):
    if known_districts is None:
        return
    known = [str(d) for d in known_districts]
    unknown = ~districts.isin(set(known)).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        bad = districts.iloc[i]
        others = sorted(set(districts[unknown]))
        raise ForecastInputError(
            f"Row {row_number(rows[i])} of {str(path)!r}: district {bad!r} in column {column!r} is not one "
            f"of the configured districts ({', '.join(known)}); {len(others)} unknown district name(s) in "
            f"total: {', '.join(map(repr, others[:10]))}. Add the district to the configuration, fix the "
            "spelling in the file, or map the right column with the district column option."
        )
    present = set(districts) if counted is None else set(districts[np.asarray(counted) > 0])
    empty = [d for d in known if d not in present]
    if empty:
        raise ForecastInputError(
            f"{str(path)!r} has no calls at all for the configured district(s) {', '.join(map(repr, empty))}. "
            "A forecast for a district without any history would be a guess; check the district names "
            "in the file and in the configuration, or remove the district from the configuration."
        )


def load_hourly_counts(
    path: Path | str,
    timezone: str,
    *,
    hour_col: str = "hour_start",
    district_col: str = "district",
    calls_col: str = "calls",
    known_districts: Iterable[str] | None = None,
    ambiguous: str = "first",
    as_of=None,
) -> pd.DataFrame:
    """Read hourly counts into ``DataFrame[district, hour_start, calls]`` on a complete grid.

    ``hour_start`` must fall on local hour starts; ``calls`` must be
    non-negative integers; a (district, hour) pair may appear only once.
    Hours missing from the file inside its span are taken as zero calls (a
    warning gives the count); mark outages explicitly with an empty ``calls``
    value, which is kept as missing (NaN) and masked from fitting and scoring.
    """
    from forecast.aggregate import complete_grid

    _check_timezone(timezone)
    path = Path(path)
    raw = _read_table(path, "hourly counts")
    for col, opt in ((hour_col, "hour_col (--hour-col)"), (district_col, "district_col (--district-col)"),
                     (calls_col, "calls_col (--calls-col)")):
        _require_column(raw, col, opt, path, "hourly counts")
    raw = raw.reset_index(drop=True)
    hours = parse_timestamps(raw[hour_col], timezone, path=path, column=hour_col, ambiguous=ambiguous)
    _check_era(hours, raw[hour_col], path, hour_col)
    utc = hours.dt.tz_convert("UTC")
    local_naive = hours.dt.tz_localize(None)
    off_hour = (local_naive != local_naive.dt.floor("h")).to_numpy()
    if off_hour.any():
        pos = int(np.flatnonzero(off_hour)[0])
        raise ForecastInputError(
            f"Row {row_number(pos)} of {str(path)!r}: {hour_col!r} value {raw[hour_col].iloc[pos]!r} is not "
            "the start of a local clock hour. Hourly counts need hour starts such as '2026-03-08 14:00:00'."
        )
    calls_raw = raw[calls_col]
    calls = pd.to_numeric(calls_raw, errors="coerce")
    given = ~(calls_raw.isna() | (calls_raw.astype("string").str.strip() == "")).to_numpy(dtype=bool)
    bad = given & ~(np.isfinite(calls) & (calls >= 0) & (calls == np.floor(calls))).to_numpy(dtype=bool)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ForecastInputError(
            f"Row {row_number(pos)} of {str(path)!r}: {calls_col!r} value {calls_raw.iloc[pos]!r} is not a "
            "non-negative whole number of calls. Fix the value (leave it empty to mark an outage hour)."
        )
    district = raw[district_col].astype("string").str.strip()
    empty = (district.isna() | (district == "")).to_numpy(dtype=bool)
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        raise ForecastInputError(
            f"Row {row_number(pos)} of {str(path)!r}: empty {district_col!r}. Every hourly count needs a district."
        )
    df = pd.DataFrame({"district": district.astype(str), "hour_start": hours, "calls": calls.astype(float),
                       "_utc": utc})
    dup = df.duplicated(subset=["district", "_utc"], keep=False).to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[1]) if dup.sum() > 1 else int(np.flatnonzero(dup)[0])
        raise ForecastInputError(
            f"Row {row_number(pos)} of {str(path)!r}: district {df['district'].iloc[pos]!r} and hour "
            f"{hours.iloc[pos].isoformat()} appear more than once ({int(dup.sum())} rows involved). Each "
            "district-hour must have exactly one row; sum or remove the duplicates."
        )
    _check_districts_rows(df["district"], np.arange(len(df)), known_districts, path, district_col,
                          counted=df["calls"].fillna(0).to_numpy())
    as_of_ts = _as_of(as_of, timezone)
    if as_of_ts is not None:
        future = (df["hour_start"] > as_of_ts).to_numpy()
        if future.any():
            pos = int(np.flatnonzero(future)[0])
            raise ForecastInputError(
                f"Row {row_number(pos)} of {str(path)!r}: hour {df['hour_start'].iloc[pos].isoformat()} is later "
                f"than {as_of_ts.isoformat()} ({int(future.sum())} future-dated rows). Fix or remove them."
            )
    _check_span(df["hour_start"], path, None, hour_col)
    out = complete_grid(df.drop(columns="_utc"), timezone)
    filled = len(out) - len(df)
    if filled:
        log.warning("%s: %d district-hours missing from the file were filled with zero calls.", path, filled)
    return out
