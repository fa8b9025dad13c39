"""A small city on disk for command-line tests: two districts, six people, three weeks of calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

TOML = """
[city]
name = "Small"
timezone = "America/New_York"

[data]
calls = "calls.csv"
staff = "staff.csv"
time_off = "time_off.csv"

[districts.North]
neighbours = ["South"]
[districts.South]
neighbours = ["North"]

[roles.clinician]
clinical = true
hourly_rate = 50.0
[roles.peer_supporter]
clinical = false
hourly_rate = 30.0

[shifts.early]
start = "07:00"
hours = 8
[shifts.late]
start = "15:00"
hours = 8

[labour]
max_hours_per_week = 48
min_rest_hours = 11
max_consecutive_days = 6
min_days_off_per_week = 2

[supervision]
max_non_clinical_per_clinician = 3
min_supervisors_citywide = 0

[service]
target_minutes = 60
target_share = 0.8
busy_minutes = 60
min_teams_per_district = 1

[service.team]
clinician = 1

[solver]
time_limit_seconds = 20
threads = 1

[objective]
shortfall_penalty_per_hour = 400.0
"""

STAFF = [
    ("C1", "clinician", "North", "South"), ("C2", "clinician", "North", "South"), ("C3", "clinician", "South", "North"),
    ("C4", "clinician", "South", "North"), ("C5", "clinician", "North", ""), ("C6", "clinician", "South", ""),
]
PLAN_WEEK = dt.date(2026, 11, 2)


NIGHT = """
[shifts.night]
start = "23:00"
hours = 8
night = true
[shifts.long_night]
start = "19:00"
hours = 12
night = true
"""


def write_small_city(folder: Path, *, staff=STAFF, supervisors: tuple = (), min_supervisors: int = 0) -> Path:
    """The city in ``folder``; with ``min_supervisors`` night shifts too (8 and 12 hours), and ``supervisors`` flagged."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = TOML.replace("min_supervisors_citywide = 0", f"min_supervisors_citywide = {min_supervisors}")
    (folder / "roster.toml").write_text(toml + (NIGHT if min_supervisors else ""))
    pd.DataFrame([{"staff_id": s, "name": f"Person {s}", "role": r, "supervisor": "true" if s in supervisors else "false",
                   "contract_hours": 40, "hourly_rate": "", "home_district": h, "float_districts": f, "languages": "en",
                   "works_nights": "true"}
                  for s, r, h, f in staff]).to_csv(folder / "staff.csv", index=False)
    leave = "C6,2026-10-01,2026-10-02\n" if any(s[0] == "C6" for s in staff) else ""
    (folder / "time_off.csv").write_text("staff_id,start,end\n" + leave)
    rng = np.random.default_rng(3)
    hours = pd.date_range("2026-10-05", "2026-11-02", freq="h", tz="America/New_York", inclusive="left")
    rows = []
    for d in ("North", "South"):
        for h in hours:
            for _ in range(rng.poisson(0.6 if 8 <= h.hour < 22 else 0.2)):
                rows.append({"timestamp": (h + pd.Timedelta(minutes=int(rng.integers(60)))).isoformat(), "district": d})
    pd.DataFrame(rows).to_csv(folder / "calls.csv", index=False)
    return folder / "roster.toml"
