"""For the export tests: a copy of the example city with risky staff names, and small rosters of it for any week."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from cities import ROOT
from constraints.problem import shift_instances
from roster.evaluate.pay import price
from roster.exports.tables import long_table
from roster.io.readers import load_people
from roster.io.writers import write_csv

RISKY_NAMES = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3"]
FALL_BACK, SPRING_FORWARD, PLAIN = dt.date(2026, 10, 26), dt.date(2026, 3, 2), dt.date(2026, 11, 2)
PEOPLE = ["S001", "S002", "S003", "S004", "S005", "S006"]


def write_city(folder: Path, extra_toml: str = "") -> Path:
    """roster.toml and staff.csv of the example city in ``folder``; S001-S004 carry RISKY_NAMES."""
    folder.mkdir(parents=True, exist_ok=True)
    staff = pd.read_csv(ROOT / "examples/metro/staff.csv", dtype=str, keep_default_na=False)
    for sid, name in zip(PEOPLE, RISKY_NAMES):
        staff.loc[staff["staff_id"] == sid, "name"] = name
    staff.to_csv(folder / "staff.csv", index=False)
    toml = (ROOT / "roster.toml").read_text()
    for key in ("calls", "time_off", "requests"):
        toml = toml.replace(f'{key} = "examples/', f'{key} = "{ROOT}/examples/')
    toml = toml.replace('staff = "examples/metro/staff.csv"', 'staff = "staff.csv"')
    (folder / "roster.toml").write_text(toml + "\n" + extra_toml)
    return folder / "roster.toml"


def roster_rows(cfg, monday: dt.date, people=PEOPLE, shifts=("early", "late", "night")) -> pd.DataFrame:
    """Each person on five days, cycling through ``shifts``; the Saturday night crosses a DST change in those weeks."""
    inst = shift_instances(cfg.shifts, monday, cfg.timezone)
    staff, _ = load_people(cfg)
    home = staff.set_index("staff_id")["home_district"]
    rows = []
    for k, sid in enumerate(people):
        for day in (0, 1, 2, 4, 5):
            name = shifts[(k + day) % len(shifts)] if day != 5 else "night"
            i = inst[(inst["day"] == day) & (inst["shift"] == name)].iloc[0]
            rows.append({"staff_id": sid, "district": home[sid], "date": i["date"], "shift": name, "start": i["start"],
                         "end": i["end"], "paid_hours": i["paid_hours"]})
    return price(pd.DataFrame(rows), staff, cfg, monday)


def write_roster(path: Path, cfg, monday: dt.date, **kw) -> pd.DataFrame:
    priced = roster_rows(cfg, monday, **kw)
    write_csv(path, long_table(priced))
    return priced
