"""Small synthetic cities for tests: a config dict, staff, leave and requirements built in code."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd

from constraints.problem import Problem
from forecast.timegrid import week_hours
from roster.config import parse_config

ROOT = Path(__file__).resolve().parents[1]


def example_raw() -> dict:
    return tomllib.loads((ROOT / "roster.toml").read_text())


def small_config(districts=("North", "South"), **overrides):
    raw = example_raw()
    raw["districts"] = {d: {"neighbours": [o for o in districts if o != d]} for d in districts}
    for dotted, value in overrides.items():
        node = raw
        keys = dotted.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return parse_config(raw)


def person(sid, role, home, *, supervisor=False, contract=40.0, rate=None, floats=(), nights=True, cfg=None):
    return {
        "staff_id": sid,
        "name": f"Test Person {sid}",
        "role": role,
        "supervisor": supervisor,
        "contract_hours": contract,
        "hourly_rate": rate if rate is not None else (cfg.roles[role].hourly_rate if cfg else 30.0),
        "home_district": home,
        "float_districts": list(floats),
        "languages": ["en"],
        "works_nights": nights,
    }


def no_leave() -> pd.DataFrame:
    return pd.DataFrame({"staff_id": pd.Series(dtype=str), "start": pd.Series(dtype=object), "end": pd.Series(dtype=object)})


def flat_requirements(cfg, monday, per_hour=1) -> pd.DataFrame:
    hours = week_hours(monday, cfg.timezone)
    rows = [
        {"district": d, "hour": h, "hour_start": hours[h], "role": r, "required": per_hour}
        for d in cfg.district_names
        for h in range(len(hours))
        for r in cfg.seat_roles
    ]
    return pd.DataFrame(rows)


def problem(cfg, staff_rows, monday=dt.date(2026, 11, 2), leave=None, requirements=None, previous=None) -> Problem:
    staff = pd.DataFrame(staff_rows)
    req = requirements if requirements is not None else flat_requirements(cfg, monday)
    return Problem.build(cfg, monday, staff, leave if leave is not None else no_leave(), req, previous=previous)
