"""From forecast calls to the staff each district needs on duty, hour by hour.

:func:`staffing_requirements` is pure: forecast DataFrame + config in, one row per
district x hour x seat role out (the ``requirements.csv`` schema, see
``docs/service_levels.md``):

* ``arrival_rate`` -- the forecast column named by ``service.staffing_basis``
  (``mean`` or a quantile such as ``p90``), in calls per hour;
* ``teams`` -- ``max(Erlang C teams, service.min_teams_per_district)``;
* ``required`` -- ``teams * team[role] / (1 - shrinkage)`` rounded per
  ``service.shrinkage_rounding`` ("nearest": half up, never below
  ``teams * team[role]``; "up": ceiling);
* ``expected_service_level`` -- Erlang C share of calls reached within
  ``service.target_minutes`` with ``teams`` teams (before shrinkage).

Requirements may instead be given by shift (``date,shift,district,role,required``, read
by :func:`roster.io.readers.read_shift_requirements`): the pure
:func:`shift_requirements_to_hourly` turns them into hourly rows of the same schema.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from roster.config import Config
from roster.staffing.erlang import DEFAULT_MAX_TEAMS, service_level, teams_needed_array
from roster.errors import InputError
from roster.io.schemas import REQUIREMENT_COLUMNS

__all__ = [
    "staffing_requirements",
    "aware_timestamps",
    "staff_for_teams",
    "shift_requirements_to_hourly",
]


_EPS_DIGITS = 9  # round before floor/ceil so 0.9 * 10 / 0.9 is 10, not 10.000000000000002


_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")


def aware_timestamps(col: pd.Series, what: str, tz: str) -> pd.Series:
    """Timestamps with a UTC offset (datetime or ISO 8601 text, as read from a CSV), in the city's zone.

    Naive timestamps or text without an offset raise :class:`InputError` naming ``what``.
    """
    hint = f"{what} must hold time-zone aware timestamps (ISO 8601 with a UTC offset, e.g. 2026-03-09T07:00:00-04:00)."
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        ts = col
    elif pd.api.types.is_datetime64_any_dtype(col):
        raise InputError(hint)
    else:
        text = col.astype(str).str.strip()
        if not text.str.contains(_OFFSET).all():
            raise InputError(hint)
        ts = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
    if ts.isna().any():
        i = int(np.flatnonzero(ts.isna().to_numpy())[0])
        raise InputError(f"{what}, row {i + 2}: missing or not a timestamp.")
    return ts.dt.tz_convert(tz)


def staff_for_teams(teams, per_team: float, shrinkage: float, rounding: str = "nearest") -> np.ndarray:
    """Headcount of one role to roster so that ``teams`` teams are on the road after shrinkage.

    ``teams * per_team / (1 - shrinkage)``; ``"nearest"`` rounds half up but never
    below ``teams * per_team`` (rounded up); ``"up"`` takes the ceiling.
    """
    teams = np.asarray(teams, dtype=float)
    base = np.round(teams * per_team, _EPS_DIGITS)
    raw = np.round(base / (1.0 - shrinkage), _EPS_DIGITS)
    if rounding == "up":
        out = np.ceil(raw)
    elif rounding == "nearest":
        out = np.maximum(np.floor(raw + 0.5), np.ceil(base))
    else:
        raise InputError(f"service.shrinkage_rounding must be 'nearest' or 'up' (got {rounding!r}).")
    return out.astype(np.int64)


def _check_service(cfg: Config) -> None:
    s = cfg.service
    if not (s.busy_minutes > 0 and math.isfinite(s.busy_minutes)):
        raise InputError(f"roster.toml: service.busy_minutes must be a positive number of minutes "
                         f"(got {s.busy_minutes!r}); e.g. 75.")
    for name, d in cfg.districts.items():
        if d.busy_minutes is not None and not (d.busy_minutes > 0 and math.isfinite(d.busy_minutes)):
            raise InputError(f"roster.toml: districts.{name}.busy_minutes must be a positive number of minutes "
                             f"(got {d.busy_minutes!r}); remove it to use service.busy_minutes.")
    if not 0 < s.target_share < 1:
        raise InputError(f"roster.toml: service.target_share must be strictly between 0 and 1 "
                         f"(got {s.target_share!r}); e.g. 0.90 for 90 % of calls.")
    if not (s.target_minutes >= 0 and math.isfinite(s.target_minutes)):
        raise InputError(f"roster.toml: service.target_minutes must be 0 or more (got {s.target_minutes!r}).")
    if not 0 <= s.shrinkage < 1:
        raise InputError(f"roster.toml: service.shrinkage must be in [0, 1) (got {s.shrinkage!r}); e.g. 0.10.")


def _describe(rows: pd.DataFrame, limit: int = 8) -> str:
    items = [f"{r.district} {pd.Timestamp(r.hour_start).isoformat() if pd.notna(r.hour_start) else r.hour_start}"
             for r in rows.head(limit).itertuples()]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(items) + more


def staffing_requirements(forecast: pd.DataFrame, cfg: Config, *, max_teams: int = DEFAULT_MAX_TEAMS,
                          max_occupancy: float | None = None, where: str = "the forecast") -> pd.DataFrame:
    """Staff required per district, hour and seat role (``requirements.csv`` schema).

    ``forecast`` has one row per district and hour with ``district``, ``hour_start``
    and the column named by ``cfg.service.staffing_basis``.  Raises
    :class:`InputError` for missing columns, unknown districts, duplicate or
    negative/missing rates, and for hours no staffing of at most ``max_teams`` teams
    can serve (the message lists those districts and hours).
    """
    _check_service(cfg)
    s = cfg.service
    basis = s.staffing_basis
    missing = [c for c in ("district", "hour_start", basis) if c not in forecast.columns]
    if missing:
        hint = (f" service.staffing_basis = '{basis}' needs that column; forecast with that quantile "
                "(forecast.quantiles) or use 'mean'." if basis in missing else "")
        raise InputError(f"{where} lacks column(s) {missing}; it has {list(forecast.columns)}.{hint}")
    fc = forecast[["district", "hour_start", basis]].reset_index(drop=True)
    if not isinstance(fc["hour_start"].dtype, pd.DatetimeTZDtype):
        fc["hour_start"] = aware_timestamps(fc["hour_start"], f"{where} column 'hour_start'", cfg.timezone)
    fc["district"] = fc["district"].astype(str)

    unknown = sorted(set(fc["district"]) - set(cfg.districts))
    if unknown:
        raise InputError(f"{where} has district(s) {unknown} that roster.toml does not define; "
                         f"known districts are {sorted(cfg.districts)}. Add them as [districts.NAME] "
                         "or fix the district names in the call data.")
    dup = fc.duplicated(["district", "hour_start"], keep=False)
    if dup.any():
        raise InputError(f"{where} has more than one row for {_describe(fc[dup].drop_duplicates(['district', 'hour_start']))}; "
                         "give one row per district and hour.")
    rate = pd.to_numeric(fc[basis], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(rate) | (rate < 0)
    if bad.any():
        raise InputError(f"{where} column '{basis}' is missing, negative or not a number at "
                         f"{_describe(fc[bad])}; every hour needs a rate of 0 or more calls per hour.")

    busy_by_district = {name: (d.busy_minutes if d.busy_minutes is not None else s.busy_minutes)
                        for name, d in cfg.districts.items()}
    busy = fc["district"].map(busy_by_district).to_numpy(dtype=float)

    erlang = teams_needed_array(rate, busy, s.target_minutes, s.target_share,
                                max_occupancy=max_occupancy, max_teams=max_teams)
    unservable = erlang < 0
    if unservable.any():
        raise InputError(
            f"{where}: no staffing of at most {max_teams} teams reaches {s.target_share:.0%} within "
            f"{s.target_minutes:g} minutes at {_describe(fc[unservable])} "
            f"(highest rate {rate[unservable].max():g} calls/hour). Check the forecast for those hours "
            "and service.busy_minutes."
        )
    teams = np.maximum(erlang, s.min_teams_per_district)
    sl = np.asarray(service_level(teams, rate, busy, s.target_minutes), dtype=float).reshape(-1)

    roles = cfg.seat_roles
    parts = []
    for role in roles:
        parts.append(pd.DataFrame({
            "district": fc["district"],
            "hour_start": fc["hour_start"],
            "role": role,
            "required": staff_for_teams(teams, s.team[role], s.shrinkage, s.shrinkage_rounding),
            "teams": teams.astype(np.int64),
            "arrival_rate": rate,
            "expected_service_level": sl,
            "_d": fc["district"].map({d: i for i, d in enumerate(cfg.districts)}),
            "_r": roles.index(role),
        }))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REQUIREMENT_COLUMNS + ["_d", "_r"])
    out = out.sort_values(["_d", "hour_start", "_r"], kind="stable").drop(columns=["_d", "_r"])
    return out.reset_index(drop=True)[REQUIREMENT_COLUMNS]


# ----------------------------------------------------------------------------------------
# Requirements given by shift


def shift_requirements_to_hourly(shift_req: pd.DataFrame, cfg: Config,
                                 hours: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Hourly requirements from requirements by shift (pure).

    A shift on ``date`` runs from its local start time for ``hours`` wall-clock
    hours (so across a DST change it covers 7 or 9 real hours, as it is paid).
    Every real hour whose start falls in ``[start, end)`` needs ``required`` staff
    of the role from that shift; overlapping shifts add up.  With ``hours`` (e.g.
    :func:`forecast.timegrid.week_hours`) the output has exactly those hours for
    every district and seat role, zeros where no shift asks for staff; shift hours
    outside the grid are dropped.  ``teams``, ``arrival_rate`` and
    ``expected_service_level`` are NaN (no forecast is involved).
    """
    tz = ZoneInfo(cfg.timezone)
    records: dict[tuple, int] = {}
    for rec in shift_req.itertuples(index=False):
        tmpl = cfg.shifts[rec.shift]
        start_wall = dt.datetime.combine(rec.date, tmpl.start_time)
        end_wall = start_wall + dt.timedelta(hours=tmpl.hours)
        start = pd.Timestamp(start_wall).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        end = pd.Timestamp(end_wall).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        first = start.tz_convert("UTC").ceil("h")
        for h in pd.date_range(first, end.tz_convert("UTC"), freq="h", inclusive="left"):
            key = (rec.district, h.tz_convert(tz), rec.role)
            records[key] = records.get(key, 0) + int(rec.required)
    out = pd.DataFrame([(d, h, r, n) for (d, h, r), n in records.items()],
                       columns=["district", "hour_start", "role", "required"])
    if hours is not None:
        hours = pd.DatetimeIndex(hours).tz_convert(tz)
        grid = pd.MultiIndex.from_product([list(cfg.districts), hours, cfg.seat_roles],
                                          names=["district", "hour_start", "role"]).to_frame(index=False)
        if len(out):
            out["hour_start"] = pd.DatetimeIndex(out["hour_start"]).tz_convert(tz)
            key = ["district", "hour_start", "role"]
            out = grid.merge(out, on=key, how="left")
        else:
            out = grid.assign(required=0)
        out["required"] = out["required"].fillna(0)
    out["required"] = out["required"].astype(np.int64)
    out["teams"] = np.nan
    out["arrival_rate"] = np.nan
    out["expected_service_level"] = np.nan
    dorder = {d: i for i, d in enumerate(cfg.districts)}
    rorder = {r: i for i, r in enumerate(cfg.seat_roles)}
    out = out.assign(_d=out["district"].map(dorder), _r=out["role"].map(rorder))
    out = out.sort_values(["_d", "hour_start", "_r"], kind="stable").drop(columns=["_d", "_r"])
    return out.reset_index(drop=True)[REQUIREMENT_COLUMNS]
