"""A small synthetic city for scenario tests: two districts, eight people, four weeks of calls."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from cities import no_leave, person, small_config
from constraints import prepare_staff
from forecast.timegrid import local_midnight
from roster.pipeline.stages import PlanInputs

MONDAY = dt.date(2026, 11, 2)


def city_config(**overrides):
    settings = {
        "forecast.model": "historical_average",
        "solver.time_limit_seconds": 20,
        "solver.threads": 1,
        "solver.relative_gap": 0.0,
        "service.busy_minutes": 60,
        "service.shrinkage": 0.0,
        "rules": {},
        "shifts": {"day": {"start": "07:00", "hours": 12}, "night": {"start": "19:00", "hours": 12, "night": True}},
        "labour.max_consecutive_days": 7,
        "labour.min_days_off_per_week": 1,
    }
    settings.update(overrides)
    return small_config(**settings)


def city_staff(cfg) -> pd.DataFrame:
    rows = []
    for d in ("North", "South"):
        for k in range(4):
            rows.append(person(f"{d[0]}C{k}", "clinician", d, supervisor=(k < 2), cfg=cfg))
            rows.append(person(f"{d[0]}P{k}", "peer_supporter", d, cfg=cfg))
    return prepare_staff(pd.DataFrame(rows), cfg)


def city_calls(cfg, seed: int = 3, weeks: int = 4, per_hour: float = 0.4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = local_midnight(MONDAY - dt.timedelta(days=7 * weeks), cfg.timezone)
    stamps, districts = [], []
    for d, scale in (("North", 1.0), ("South", 0.5)):
        n = rng.poisson(per_hour * scale * 24 * 7 * weeks)
        offsets = np.sort(rng.uniform(0, 7 * weeks * 24 * 3600, n))
        stamps += [start + pd.Timedelta(seconds=int(s)) for s in offsets]
        districts += [d] * n
    calls = pd.DataFrame({"timestamp": stamps, "district": districts})
    return calls.sort_values("timestamp").reset_index(drop=True)


def city_inputs(**overrides) -> PlanInputs:
    cfg = city_config(**overrides)
    return PlanInputs(config=cfg, monday=MONDAY, staff=city_staff(cfg), leave=no_leave(), calls=city_calls(cfg))


CITY_TOML = """
[city]
name = "Test"
timezone = "America/New_York"

[data]
calls = "calls.csv"
staff = "staff.csv"

[districts.North]
neighbours = ["South"]
[districts.South]
neighbours = ["North"]

[roles.clinician]
clinical = true
hourly_rate = 52.0
[roles.peer_supporter]
clinical = false
hourly_rate = 31.0

[shifts.day]
start = "07:00"
hours = 12
[shifts.night]
start = "19:00"
hours = 12
night = true

[labour]
max_hours_per_week = 48
min_rest_hours = 11
max_consecutive_days = 7
min_days_off_per_week = 1

[supervision]
max_non_clinical_per_clinician = 3
min_supervisors_citywide = 1

[service]
target_minutes = 60
target_share = 0.8
busy_minutes = 60
min_teams_per_district = 1

[service.team]
clinician = 1
peer_supporter = 1

[forecast]
model = "historical_average"

[solver]
time_limit_seconds = 20
relative_gap = 0.0
threads = 1
"""


def write_city(folder) -> "Path":
    """The city as files (roster.toml, calls.csv, staff.csv) in ``folder``; returns the roster.toml path."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roster.toml").write_text(CITY_TOML)
    cfg = city_config()
    calls = city_calls(cfg)
    calls.assign(timestamp=[t.isoformat() for t in calls["timestamp"]]).to_csv(folder / "calls.csv", index=False)
    staff = city_staff(cfg)
    staff = staff.assign(float_districts=[";".join(f) for f in staff["float_districts"]],
                         languages=[";".join(x) for x in staff["languages"]],
                         supervisor=[str(b).lower() for b in staff["supervisor"]],
                         works_nights=[str(b).lower() for b in staff["works_nights"]])
    staff[["staff_id", "name", "role", "supervisor", "contract_hours", "hourly_rate", "home_district",
           "float_districts", "languages", "works_nights"]].to_csv(folder / "staff.csv", index=False)
    return folder / "roster.toml"
