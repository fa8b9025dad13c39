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
        stamps += [start + pd.Timedelta(seconds=float(s)) for s in offsets]
        districts += [d] * n
    calls = pd.DataFrame({"timestamp": stamps, "district": districts})
    return calls.sort_values("timestamp").reset_index(drop=True)


def city_inputs(**overrides) -> PlanInputs:
    cfg = city_config(**overrides)
    return PlanInputs(config=cfg, monday=MONDAY, staff=city_staff(cfg), leave=no_leave(), calls=city_calls(cfg))
