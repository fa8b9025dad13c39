"""A scenario applied to the in-memory plan: a changed Config, staff table and forecast.

:func:`overlay_inputs` gives the scenario's :class:`PlanInputs` (config keys validated by
the same schema as roster.toml, staff added, removed or repriced); :func:`scale_demand`
multiplies the forecast table between the forecast and requirements stages, so the
requirements follow through Erlang C.  Every problem is an :class:`InputError` naming
the scenario and the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from roster.config import Config, parse_config
from roster.errors import InputError
from roster.pipeline.stages import PlanInputs
from roster.scenarios.spec import WEEKDAYS, DemandChange, Relative, Scenario

ROLE_RATE = "roles.{}.hourly_rate"


def _walk(raw: dict, key: str, creating: bool, where: str) -> tuple[dict, str]:
    parts = key.split(".")
    node = raw
    for i, part in enumerate(parts[:-1]):
        nxt = node.get(part)
        if nxt is None and creating:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            known = sorted(node) if isinstance(node, dict) else []
            what = "is not in roster.toml" if nxt is None else "is a value, not a table"
            raise InputError(f"{where}: set.{key}: {'.'.join(parts[:i + 1])} {what}; "
                             f"known keys there are {known}. A relative change needs a value roster.toml sets.")
        node = nxt
    return node, parts[-1]


def apply_set(cfg: Config, changes: dict, where: str) -> Config:
    """``cfg`` with the dotted keys of ``changes`` set (absolute, or relative to the current value)."""
    if not changes:
        return cfg
    raw = cfg.model_dump(mode="python")
    raw.pop("source", None)
    for key, value in changes.items():
        node, last = _walk(raw, key, not isinstance(value, Relative), where)
        if isinstance(value, Relative):
            old = node.get(last)
            if isinstance(old, bool) or not isinstance(old, (int, float)):
                shown = "not set" if old is None else f"{old!r}, not a number"
                raise InputError(f"{where}: set.{key}: a relative change ({value.text}) needs a number, and the "
                                 f"current value is {shown}; give an absolute value instead.")
            value = value.of(old)
        node[last] = value
    out = parse_config(raw, where=f"{where} (after its set: changes)")
    return out.model_copy(update={"source": cfg.source})


def _role_rate_factors(base: Config, cfg: Config, changes: dict) -> dict[str, tuple[str, float, float]]:
    """Roles whose hourly_rate the scenario changes: role -> (how, old, new)."""
    out = {}
    for role in base.roles:
        value = changes.get(ROLE_RATE.format(role))
        if value is not None:
            how = "relative" if isinstance(value, Relative) else "absolute"
            out[role] = (how, base.roles[role].hourly_rate, cfg.roles[role].hourly_rate)
    return out


def _check_names(where: str, key: str, names, known, what: str) -> None:
    bad = [n for n in names if n is not None and n not in known]
    if bad:
        raise InputError(f"{where}: {key} names {bad}, which are not {what}; known {what} are {sorted(known)}.")


def _new_ids(existing: set[str], role: str, count: int) -> list[str]:
    """Ids no staff member has: ``NEW-<role>-<n>``, skipping any already taken."""
    out, n = [], 1
    while len(out) < count:
        sid = f"NEW-{role}-{n:03d}"
        if sid not in existing:
            out.append(sid)
            existing.add(sid)
        n += 1
    return out


def _add_staff(staff: pd.DataFrame, sc: Scenario, cfg: Config) -> pd.DataFrame:
    rows, taken = [], set(staff["staff_id"])
    for i, add in enumerate(sc.add):
        key = f"staff.add[{i}]"
        _check_names(sc.where, f"{key}.role", [add.role], cfg.roles, "roles")
        _check_names(sc.where, f"{key}.district", [add.district, *add.float_districts], cfg.districts, "districts")
        if add.supervisor and not cfg.roles[add.role].clinical:
            raise InputError(f"{sc.where}: {key}.supervisor: role '{add.role}' is not clinical; only clinicians supervise.")
        for n, sid in enumerate(_new_ids(taken, add.role, add.count), start=1):
            rows.append({"staff_id": sid, "name": f"New {add.role} {sid.rsplit('-', 1)[-1]}", "role": add.role,
                         "supervisor": add.supervisor, "contract_hours": add.contract_hours,
                         "hourly_rate": add.hourly_rate if add.hourly_rate is not None else cfg.roles[add.role].hourly_rate,
                         "home_district": add.district,
                         "float_districts": [d for d in add.float_districts if d != add.district],
                         "languages": list(add.languages), "works_nights": add.works_nights})
    if not rows:
        return staff
    return pd.concat([staff, pd.DataFrame(rows)], ignore_index=True)


def _remove_staff(staff: pd.DataFrame, sc: Scenario, cfg: Config) -> pd.DataFrame:
    for i, rm in enumerate(sc.remove):
        key = f"staff.remove[{i}]"
        if rm.ids:
            missing = sorted(set(rm.ids) - set(staff["staff_id"]))
            if missing:
                raise InputError(f"{sc.where}: {key}.ids names {missing}, who are not in the staff file (or removed already).")
            staff = staff[~staff["staff_id"].isin(rm.ids)]
            continue
        _check_names(sc.where, f"{key}.role", [rm.role], cfg.roles, "roles")
        _check_names(sc.where, f"{key}.district", [rm.district], cfg.districts, "districts")
        match = pd.Series(True, index=staff.index)
        if rm.role is not None:
            match &= staff["role"] == rm.role
        if rm.district is not None:
            match &= staff["home_district"] == rm.district
        group = staff[match].sort_values("staff_id", ascending=False)
        if len(group) < rm.count:
            who = " ".join(p for p in (rm.role, "in " + rm.district if rm.district else None) if p)
            raise InputError(f"{sc.where}: {key} removes {rm.count} {who}, but only {len(group)} remain; remove at most {len(group)}.")
        staff = staff.drop(group.index[: rm.count])  # the highest ids first: the newest people, deterministically
    return staff.reset_index(drop=True)


def _reprice(staff: pd.DataFrame, sc: Scenario, base: Config, cfg: Config) -> pd.DataFrame:
    staff = staff.copy()
    for role, (how, old, new) in _role_rate_factors(base, cfg, sc.set).items():
        mine = staff["role"] == role
        if how == "relative":  # a wage rise for everyone in the role, own rates keep their ratio
            staff.loc[mine, "hourly_rate"] = (staff.loc[mine, "hourly_rate"] * (new / old if old else 1.0)).round(10)
        else:  # a new default: people paid the old default move to it
            staff.loc[mine & np.isclose(staff["hourly_rate"], old), "hourly_rate"] = new
    for i, change in enumerate(sc.rates):
        key = f"staff.rate[{i}]"
        _check_names(sc.where, f"{key}.role", [change.role], cfg.roles, "roles")
        _check_names(sc.where, f"{key}.district", [change.district], cfg.districts, "districts")
        _check_names(sc.where, f"{key}.ids", change.ids, set(staff["staff_id"]), "staff ids")
        mine = pd.Series(True, index=staff.index)
        if change.ids:
            mine &= staff["staff_id"].isin(change.ids)
        if change.role is not None:
            mine &= staff["role"] == change.role
        if change.district is not None:
            mine &= staff["home_district"] == change.district
        if not mine.any():
            raise InputError(f"{sc.where}: {key} matches nobody in the staff file; check role, district and ids.")
        rate = change.rate
        staff.loc[mine, "hourly_rate"] = (staff.loc[mine, "hourly_rate"] * rate.factor).round(10) \
            if isinstance(rate, Relative) else float(rate)
    return staff


def _without(frame: pd.DataFrame | None, keep: set[str]) -> pd.DataFrame | None:
    if frame is None or "staff_id" not in frame.columns:
        return frame
    return frame[frame["staff_id"].isin(keep)].reset_index(drop=True)


def _mutual_aid(cfg: Config, staff: pd.DataFrame, sc: Scenario) -> tuple[Config, pd.DataFrame]:
    if sc.mutual_aid is False:  # no team lends to a neighbouring district in the simulation
        districts = {n: d.model_copy(update={"neighbours": []}) for n, d in cfg.districts.items()}
        cfg = cfg.model_copy(update={"districts": districts})
    if sc.float_pool is False:  # everyone works in their home district only
        rules = {k: v for k, v in cfg.rules.items() if k != "float_pool"}
        cfg = cfg.model_copy(update={"rules": rules})
        staff = staff.assign(float_districts=[[] for _ in range(len(staff))])
    return cfg, staff


def overlay_inputs(base: PlanInputs, sc: Scenario) -> PlanInputs:
    """The scenario's inputs: ``base`` with its config keys, staff and rates changed (demand is separate)."""
    cfg = apply_set(base.config, sc.set, sc.where)
    staff = _remove_staff(base.staff, sc, cfg)
    staff = _add_staff(staff, sc, cfg)
    staff = _reprice(staff, sc, base.config, cfg)
    cfg, staff = _mutual_aid(cfg, staff, sc)
    if staff.empty:
        raise InputError(f"{sc.where}: staff: the scenario removes everyone; keep at least one person.")
    if cfg.supervision is not None and not staff["supervisor"].any() and cfg.supervision.min_supervisors_citywide > 0:
        raise InputError(f"{sc.where}: staff: no supervisor is left, and supervision.min_supervisors_citywide needs one on duty.")
    keep = set(staff["staff_id"])
    for d in sc.demand:
        _check_names(sc.where, "demand.district", d.districts or (), cfg.districts, "districts")
        if d.window is not None:
            window_bounds(d.window, base.monday, cfg.timezone, sc.where)
    return dataclasses.replace(base, config=cfg, staff=staff, leave=_without(base.leave, keep),
                               requests=_without(base.requests, keep), previous=_without(base.previous, keep),
                               pinned=_without(base.pinned, keep))


def _point(text: str, monday: dt.date, tz: str, where: str) -> tuple[pd.Timestamp, bool]:
    """A window end as a local instant, and whether it was given as a weekday of the plan's week."""
    parts = text.split()
    if len(parts) == 2 and parts[0] in WEEKDAYS:
        h, m = (int(v) for v in parts[1].split(":"))
        day = monday + dt.timedelta(days=WEEKDAYS.index(parts[0]))
        wall = pd.Timestamp(dt.datetime.combine(day, dt.time(0))) + pd.Timedelta(hours=h, minutes=m)
        return wall.tz_localize(tz, ambiguous=True, nonexistent="shift_forward"), True
    ts = pd.Timestamp(dt.datetime.fromisoformat(text))
    ts = ts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward") if ts.tzinfo is None else ts.tz_convert(tz)
    week_start = pd.Timestamp(dt.datetime.combine(monday, dt.time(0))).tz_localize(tz)
    if not week_start <= ts <= week_start + pd.Timedelta(days=7, hours=1):
        raise InputError(f"{where}: demand window point {text} lies outside the week planned (from {monday}); "
                         "use a date-time in that week or 'WEEKDAY HH:MM'.")
    return ts, False


def window_bounds(window: tuple[str, str], monday: dt.date, tz: str, where: str) -> tuple[pd.Timestamp, pd.Timestamp, bool]:
    """(from, to, wraps): a window given by weekdays whose end comes before its start wraps to the week's start."""
    a, weekday_a = _point(window[0], monday, tz, where)
    b, weekday_b = _point(window[1], monday, tz, where)
    if b <= a and not (weekday_a and weekday_b):
        raise InputError(f"{where}: demand window ends ({window[1]}) before it starts ({window[0]}).")
    return a, b, b <= a


def demand_factor(fc: pd.DataFrame, changes, monday: dt.date, tz: str, where: str) -> np.ndarray:
    """The multiplier of every forecast row: the product of every change whose conditions it meets."""
    hours = pd.DatetimeIndex(fc["hour_start"]).tz_convert(tz)
    out = np.ones(len(fc))
    for d in changes:
        mask = np.ones(len(fc), dtype=bool)
        if d.districts is not None:
            mask &= fc["district"].isin(d.districts).to_numpy()
        if d.hours is not None:
            a, b = d.hours
            h = hours.hour.to_numpy()
            mask &= ((h >= a) & (h < b)) if a < b else ((h >= a) | (h < b))
        if d.days is not None:
            mask &= np.isin(hours.day_of_week.to_numpy(), d.days)
        if d.window is not None:
            lo, hi, wraps = window_bounds(d.window, monday, tz, where)
            inside = (hours >= lo) | (hours < hi) if wraps else (hours >= lo) & (hours < hi)
            mask &= np.asarray(inside)
        out[mask] *= d.factor
    return out


def scale_demand(fc: pd.DataFrame, changes: tuple[DemandChange, ...], monday: dt.date, tz: str, where: str) -> pd.DataFrame:
    """The forecast with its mean scaled by the changes' multipliers, and its quantiles scaled and rounded."""
    if not changes:
        return fc
    f = demand_factor(fc, changes, monday, tz, where)
    out = fc.copy()
    out["mean"] = out["mean"].to_numpy(dtype=float) * f
    for col in out.columns:
        if col.startswith("p") and col[1:].isdigit():
            out[col] = np.rint(out[col].to_numpy(dtype=float) * f).astype(out[col].dtype)
    return out
