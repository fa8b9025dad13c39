"""Scenario files: a YAML list of named overlays on roster.toml and the input files.

Read with ``yaml.safe_load``; every structural problem (syntax with line and column,
an unknown key, a wrong type, a bad relative value or multiplier) is an
:class:`InputError` naming the file, the scenario and the key.  Whether a district,
role or staff id exists is checked when the overlay meets the loaded inputs
(:mod:`roster.scenarios.overlay`).  The format is documented in docs/scenarios.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from roster.errors import InputError

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RELATIVE = re.compile(r"^\s*(?:(?P<pct>[+-]\d+(?:\.\d+)?)\s*%|[x×*]\s*(?P<mul>\d+(?:\.\d+)?))\s*$")

# Shortcut keys of a scenario and the config key each sets (docs/scenarios.md).
SHORTCUTS = {
    "budget_cap": "rules.budget_cap.weekly",
    "supervision_ratio": "supervision.max_non_clinical_per_clinician",
    "shrinkage": "service.shrinkage",
    "staffing_basis": "service.staffing_basis",
    "target_minutes": "service.target_minutes",
    "target_share": "service.target_share",
    "busy_minutes": "service.busy_minutes",
    "team": "service.team",
    "time_limit": "solver.time_limit_seconds",
    "relative_gap": "solver.relative_gap",
}
SCENARIO_KEYS = {"name", "description", "set", "demand", "staff", "mutual_aid", "float_pool", *SHORTCUTS}
DEMAND_KEYS = {"factor", "district", "hours", "days", "from", "to"}
# people one staff.add entry may add: far above any team, far below a model that would not fit in memory
MAX_ADDED = 1000
ADD_KEYS = {"count", "role", "district", "contract_hours", "hourly_rate", "supervisor", "works_nights",
            "float_districts", "languages"}
REMOVE_KEYS = {"ids", "count", "role", "district"}
RATE_KEYS = {"ids", "role", "district", "rate"}


@dataclass(frozen=True)
class Relative:
    """A relative change: ``"+4%"`` (factor 1.04) or ``"x1.1"`` (factor 1.1)."""

    text: str
    factor: float

    def of(self, value: float) -> float:
        return round(float(value) * self.factor, 10)


@dataclass(frozen=True)
class DemandChange:
    """Multiply the forecast by ``factor`` where every given condition holds."""

    factor: float
    districts: tuple[str, ...] | None = None
    hours: tuple[int, int] | None = None  # local clock hours [start, end), wrapping past midnight
    days: tuple[int, ...] | None = None  # weekdays, 0 = Monday
    window: tuple[str, str] | None = None  # from, to: "saturday 18:00" or an ISO local date-time


@dataclass(frozen=True)
class StaffAdd:
    count: int
    role: str
    district: str
    contract_hours: float = 40.0
    hourly_rate: float | None = None
    supervisor: bool = False
    works_nights: bool = True
    float_districts: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaffRemove:
    ids: tuple[str, ...] = ()
    count: int = 0
    role: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class RateChange:
    rate: float | Relative
    ids: tuple[str, ...] = ()
    role: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    where: str  # "FILE, scenario 'NAME'" for messages
    description: str = ""
    set: dict = field(default_factory=dict)  # dotted config key -> value or Relative
    demand: tuple[DemandChange, ...] = ()
    add: tuple[StaffAdd, ...] = ()
    remove: tuple[StaffRemove, ...] = ()
    rates: tuple[RateChange, ...] = ()
    mutual_aid: bool | None = None
    float_pool: bool | None = None

    @property
    def budget_cap(self) -> float | None:
        value = self.set.get("rules.budget_cap.weekly")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


BASELINE = Scenario(name="baseline", where="baseline")


def relative(value) -> Relative | None:
    """The relative change ``value`` spells, or None for a plain value."""
    if not isinstance(value, str):
        return None
    m = RELATIVE.match(value)
    if m is None:
        return None
    factor = 1 + float(m["pct"]) / 100 if m["pct"] is not None else float(m["mul"])
    return Relative(value.strip(), factor)


def _fail(where: str, key: str, msg: str):
    raise InputError(f"{where}: {key}: {msg}")


def _unknown(where: str, prefix: str, given: dict, allowed: set) -> None:
    extra = sorted(set(given) - allowed)
    if extra:
        _fail(where, f"{prefix}{extra[0]}", f"unknown key; use one of {sorted(allowed)} (see docs/scenarios.md).")


def _number(where: str, key: str, value, *, low: float | None = None, integer: bool = False,
            high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, key, f"must be a number (got {value!r}).")
    if not math.isfinite(value):
        _fail(where, key, f"must be a finite number (got {value!r}; .inf and .nan are not allowed).")
    if high is not None and value > high:
        _fail(where, key, f"must be at most {high:g} (got {value!r}).")
    if integer and int(value) != value:
        _fail(where, key, f"must be a whole number (got {value!r}).")
    if low is not None and value < low:
        _fail(where, key, f"must be at least {low:g} (got {value!r}).")
    return int(value) if integer else float(value)


def _names(where: str, key: str, value) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        _fail(where, key, f"must be a name or a list of names (got {value!r}).")
    return tuple(v.strip() for v in items)


def _bool(where: str, key: str, value) -> bool:
    if not isinstance(value, bool):
        _fail(where, key, f"must be true or false (got {value!r}).")
    return value


def _factor(where: str, key: str, value) -> float:
    rel = relative(value)
    if rel is not None:
        f = rel.factor
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        f = float(value)
    else:
        _fail(where, key, f"must be a multiplier such as 1.2, \"x1.2\" or \"+20%\" (got {value!r}).")
    if not math.isfinite(f):
        _fail(where, key, f"must be a finite multiplier (got {value!r}; .inf and .nan are not allowed).")
    if not f > 0:
        _fail(where, key, f"a demand multiplier must be above zero (got {value!r}); to stop demand in a district, "
                          "use a tiny factor such as 0.01.")
    return f


def _clock_hour(where: str, key: str, text: str) -> int:
    m = re.fullmatch(r"([01]?\d|2[0-4]):00", text.strip())
    if m is None:
        _fail(where, key, f"'{text}' is not a whole local hour HH:00.")
    return int(m[1])


def _window_point(where: str, key: str, value) -> str:
    text = str(value).strip()
    day_time = re.fullmatch(r"([A-Za-z]+)\s+(\d{1,2}):(\d{2})", text)
    if day_time is not None:
        if day_time[1].lower() not in WEEKDAYS or int(day_time[2]) > 24 or int(day_time[3]) > 59:
            _fail(where, key, f"'{text}' is not 'WEEKDAY HH:MM' (e.g. 'saturday 18:00').")
        return text.lower()
    try:
        import datetime as dt

        dt.datetime.fromisoformat(text)
    except ValueError:
        _fail(where, key, f"'{text}' is not 'WEEKDAY HH:MM' or a local date-time such as 2026-11-07T18:00.")
    return text


def parse_demand(where: str, i: int, raw) -> DemandChange:
    key = f"demand[{i}]"
    if not isinstance(raw, dict):
        _fail(where, key, f"must be a mapping with factor and optional district, hours, days, from/to (got {raw!r}).")
    _unknown(where, f"{key}.", raw, DEMAND_KEYS)
    if "factor" not in raw:
        _fail(where, f"{key}.factor", "is missing; give the multiplier, e.g. factor: 1.2.")
    out = {"factor": _factor(where, f"{key}.factor", raw["factor"])}
    if "district" in raw:
        out["districts"] = _names(where, f"{key}.district", raw["district"])
    if "hours" in raw:
        band = str(raw["hours"]).split("-")
        if len(band) != 2:
            _fail(where, f"{key}.hours", f"'{raw['hours']}' is not a band of local hours such as '18:00-06:00'.")
        a, b = (_clock_hour(where, f"{key}.hours", t) for t in band)
        if a % 24 == b % 24:
            _fail(where, f"{key}.hours", f"'{raw['hours']}' is an empty band; leave hours out for the whole day.")
        out["hours"] = (a % 24, b % 24)
    if "days" in raw:
        days = _names(where, f"{key}.days", raw["days"])
        bad = [d for d in days if d.lower() not in WEEKDAYS]
        if bad:
            _fail(where, f"{key}.days", f"{bad} are not weekdays; use {WEEKDAYS}.")
        out["days"] = tuple(sorted(WEEKDAYS.index(d.lower()) for d in days))
    if ("from" in raw) != ("to" in raw):
        _fail(where, f"{key}.{'to' if 'from' in raw else 'from'}", "is missing; a surge window needs both from and to.")
    if "from" in raw:
        out["window"] = (_window_point(where, f"{key}.from", raw["from"]), _window_point(where, f"{key}.to", raw["to"]))
    return DemandChange(**out)


def _parse_add(where: str, i: int, raw) -> StaffAdd:
    key = f"staff.add[{i}]"
    if not isinstance(raw, dict):
        _fail(where, key, f"must be a mapping with count, role, district (got {raw!r}).")
    _unknown(where, f"{key}.", raw, ADD_KEYS)
    for need in ("count", "role", "district"):
        if need not in raw:
            _fail(where, f"{key}.{need}", "is missing.")
    out = {"count": _number(where, f"{key}.count", raw["count"], low=1, integer=True, high=MAX_ADDED),
           "role": _names(where, f"{key}.role", raw["role"])[0], "district": _names(where, f"{key}.district", raw["district"])[0]}
    if "contract_hours" in raw:
        out["contract_hours"] = _number(where, f"{key}.contract_hours", raw["contract_hours"], low=0)
    if "hourly_rate" in raw:
        out["hourly_rate"] = _number(where, f"{key}.hourly_rate", raw["hourly_rate"], low=0)
    for flag in ("supervisor", "works_nights"):
        if flag in raw:
            out[flag] = _bool(where, f"{key}.{flag}", raw[flag])
    for names in ("float_districts", "languages"):
        if names in raw:
            out[names] = _names(where, f"{key}.{names}", raw[names]) if raw[names] else ()
    return StaffAdd(**out)


def _parse_remove(where: str, i: int, raw) -> StaffRemove:
    key = f"staff.remove[{i}]"
    if not isinstance(raw, dict):
        _fail(where, key, f"must be a mapping with ids, or count with role and/or district (got {raw!r}).")
    _unknown(where, f"{key}.", raw, REMOVE_KEYS)
    if "ids" in raw:
        if set(raw) - {"ids"}:
            _fail(where, key, "give either ids or count with role and/or district, not both.")
        return StaffRemove(ids=_names(where, f"{key}.ids", raw["ids"]))
    if "count" not in raw or not ({"role", "district"} & set(raw)):
        _fail(where, key, "give ids, or count with role and/or district (e.g. count: 2, role: clinician).")
    return StaffRemove(count=_number(where, f"{key}.count", raw["count"], low=1, integer=True),
                       role=_names(where, f"{key}.role", raw["role"])[0] if "role" in raw else None,
                       district=_names(where, f"{key}.district", raw["district"])[0] if "district" in raw else None)


def _parse_rate(where: str, i: int, raw) -> RateChange:
    key = f"staff.rate[{i}]"
    if not isinstance(raw, dict):
        _fail(where, key, f"must be a mapping with rate and ids, role and/or district (got {raw!r}).")
    _unknown(where, f"{key}.", raw, RATE_KEYS)
    if "rate" not in raw:
        _fail(where, f"{key}.rate", "is missing; give a new hourly rate or a change such as \"+4%\".")
    if not ({"ids", "role", "district"} & set(raw)):
        _fail(where, key, "name the group: ids, role and/or district.")
    rate = relative(raw["rate"]) or _number(where, f"{key}.rate", raw["rate"], low=0)
    return RateChange(rate=rate, ids=_names(where, f"{key}.ids", raw["ids"]) if "ids" in raw else (),
                      role=_names(where, f"{key}.role", raw["role"])[0] if "role" in raw else None,
                      district=_names(where, f"{key}.district", raw["district"])[0] if "district" in raw else None)


def _parse_staff(where: str, raw) -> dict:
    if not isinstance(raw, dict):
        _fail(where, "staff", f"must be a mapping with add, remove and/or rate (got {raw!r}).")
    _unknown(where, "staff.", raw, {"add", "remove", "rate"})
    out = {}
    for key, parse, field_name in (("add", _parse_add, "add"), ("remove", _parse_remove, "remove"), ("rate", _parse_rate, "rates")):
        items = raw.get(key, [])
        items = [items] if isinstance(items, dict) else items
        if not isinstance(items, list):
            _fail(where, f"staff.{key}", f"must be a list of mappings (got {items!r}).")
        out[field_name] = tuple(parse(where, i, item) for i, item in enumerate(items))
    return out


def _parse_set(where: str, raw) -> dict:
    if not isinstance(raw, dict):
        _fail(where, "set", f"must be a mapping of dotted roster.toml keys to values (got {raw!r}).")
    out = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*", key):
            _fail(where, f"set.{key}", "is not a dotted roster.toml key such as roles.clinician.hourly_rate.")
        out[key] = relative(value) or value
    return out


def parse_scenario(raw, index: int, source: str) -> Scenario:
    if not isinstance(raw, dict):
        raise InputError(f"{source}: item {index + 1} must be a mapping starting with name: (got {raw!r}).")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise InputError(f"{source}: item {index + 1}: name must be letters, digits, '_', '-' or '.' "
                         f"(it names an output folder; got {name!r}).")
    where = f"{source}, scenario '{name}'"
    _unknown(where, "", raw, SCENARIO_KEYS)
    changes = _parse_set(where, raw.get("set", {}))
    for short, dotted in SHORTCUTS.items():
        if short in raw:
            if dotted in changes:
                _fail(where, short, f"sets {dotted}, which set: also sets; give it once.")
            changes[dotted] = relative(raw[short]) or raw[short]
    if "budget_cap" in raw:
        _number(where, "budget_cap", raw["budget_cap"], low=0.01)
    demand = raw.get("demand", [])
    demand = [demand] if isinstance(demand, dict) else demand
    if not isinstance(demand, list):
        _fail(where, "demand", f"must be a list of multipliers (got {demand!r}).")
    description = raw.get("description", "")
    if not isinstance(description, str):
        _fail(where, "description", "must be text.")
    return Scenario(
        name=name, where=where, description=description, set=changes,
        demand=tuple(parse_demand(where, i, d) for i, d in enumerate(demand)),
        **(_parse_staff(where, raw["staff"]) if "staff" in raw else {}),
        mutual_aid=_bool(where, "mutual_aid", raw["mutual_aid"]) if "mutual_aid" in raw else None,
        float_pool=_bool(where, "float_pool", raw["float_pool"]) if "float_pool" in raw else None,
    )


def parse_scenarios(text: str, source: str) -> list[Scenario]:
    """Scenarios from the YAML ``text`` of file ``source``."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{source} is not valid YAML{at}: {problem}. Fix that line and run again.") from None
    if isinstance(raw, dict) and set(raw) == {"scenarios"}:
        raw = raw["scenarios"]
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{source} must be a list of scenarios, each starting with '- name: ...' (see docs/scenarios.md).")
    out = [parse_scenario(item, i, source) for i, item in enumerate(raw)]
    seen: set[str] = set()
    for s in out:
        if s.name in seen or s.name == "baseline":
            raise InputError(f"{s.where}: the name is used twice (or is 'baseline', the unchanged plan); give each scenario its own name.")
        seen.add(s.name)
    return out


def load_scenarios(path: Path) -> list[Scenario]:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"Scenario file {path} is a folder, not a file; give the YAML file itself.")
    if not path.is_file():
        raise InputError(f"Scenario file {path} was not found; give a YAML file such as examples/scenarios/budget.yaml.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save the scenario file as UTF-8.") from None
    return parse_scenarios(text, str(path))
