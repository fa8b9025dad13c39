"""The budget frontier: the plan re-run over a grid of weekly budget caps or target shares.

Each point is a scenario (:mod:`roster.scenarios.run`), so it is a real re-plan with
its simulated service.  :func:`frontier_rows` gives ``frontier.csv``: cost against the
share of calls reached within target, city-wide and in the worst district, with the
parameters of every row.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from roster.config import Config
from roster.errors import InputError
from roster.scenarios.run import ScenarioOutcome
from roster.scenarios.spec import Scenario

FRONTIER_COLUMNS = ["point", "sweep", "budget_cap", "target_share", "target_minutes", "staffing_basis", "week", "seed",
                    "time_limit", "status", "total_cost", "share_within_target", "worst_district",
                    "worst_district_share", "shortfall_hours", "p90_minutes_to_contact", "staff_used", "note"]
DEFAULT_POINTS = 8
DEFAULT_TARGETS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def default_budgets(uncapped: float, cheapest: float | None, points: int = DEFAULT_POINTS) -> list[float]:
    """``points`` caps evenly from just above the cheapest lawful roster (or half the uncapped cost) up to the uncapped cost."""
    low = max(0.5 * uncapped, 1.02 * cheapest if cheapest else 0.0)
    return [round(float(v), 0) for v in np.linspace(low, uncapped, points)]


def check_grid(values: list[float], what: str) -> list[float]:
    if not values:
        raise InputError(f"{what}: give at least one value.")
    odd = [v for v in values if not math.isfinite(v)]
    if odd:
        raise InputError(f"{what} {odd}: give finite numbers (not nan or inf).")
    if what == "--targets":
        bad = [v for v in values if not 0 < v < 1]
        if bad:
            raise InputError(f"--targets {bad}: a target share is between 0 and 1 (e.g. 0.9).")
    elif any(v <= 0 for v in values):
        raise InputError(f"--budgets {[v for v in values if v <= 0]}: a weekly budget cap is above zero.")
    return sorted(set(values))


def point_scenarios(sweep: str, values: list[float]) -> list[Scenario]:
    key = "rules.budget_cap.weekly" if sweep == "budget" else "service.target_share"
    return [Scenario(name=f"{sweep}_{i + 1:02d}", where=f"frontier point {i + 1} ({key} = {v:g})", set={key: v})
            for i, v in enumerate(values)]


def frontier_rows(sweep: str, scenarios: list[Scenario], outcomes: list[ScenarioOutcome], cfg: Config, week,
                  time_limit: float | None) -> pd.DataFrame:
    rows = []
    for sc, o in zip(scenarios, outcomes):
        worst, share = None, None
        if o.districts is not None and not o.districts.empty:
            w = o.districts.sort_values(["share_within_target", "district"]).iloc[0]
            worst, share = w["district"], float(w["share_within_target"])
        cap = sc.set.get("rules.budget_cap.weekly")
        rows.append({
            "point": sc.name, "sweep": sweep, "budget_cap": cap,
            "target_share": sc.set.get("service.target_share", cfg.service.target_share if cfg.service else None),
            "target_minutes": cfg.service.target_minutes if cfg.service else None,
            "staffing_basis": cfg.service.staffing_basis if cfg.service else None,
            "week": str(week), "seed": cfg.solver.seed,
            "time_limit": time_limit if time_limit is not None else cfg.solver.time_limit_seconds,
            "status": o.status, "total_cost": o.row.get("total_cost"),
            "share_within_target": o.row.get("share_within_target"), "worst_district": worst,
            "worst_district_share": share, "shortfall_hours": o.row.get("shortfall_hours"),
            "p90_minutes_to_contact": o.row.get("p90_minutes_to_contact"), "staff_used": o.row.get("staff_used"),
            "note": (o.message.splitlines()[0] if o.message else ""),
        })
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)
