"""The tabular exports: ``csv-long`` (the roster.csv contract) and ``csv-grid`` (person x day), plus hours per person.

Each is a pure function of a priced roster (tz-aware ``start``/``end``) to a DataFrame;
the writer neutralises risky cells (:mod:`roster.exports.cells`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from forecast.timegrid import local_midnight
from roster.io.schemas import ROSTER_COLUMNS

GRID_TOTALS = ("paid_hours", "overtime_hours", "nights")


def long_table(priced: pd.DataFrame, *, datetime_format: str | None = None) -> pd.DataFrame:
    """roster.csv's columns and rows in time order; ``datetime_format`` (strftime) replaces ISO 8601 for start/end."""
    cols = ROSTER_COLUMNS + (["seat"] if "seat" in priced.columns else [])
    out = priced.sort_values(["start", "district", "staff_id"], kind="stable")[cols].reset_index(drop=True)
    fmt = (lambda ts: ts.isoformat()) if datetime_format is None else (lambda ts: ts.strftime(datetime_format))
    out["start"] = out["start"].map(fmt)
    out["end"] = out["end"].map(fmt)
    out["date"] = out["date"].astype(str)
    return out


def roster_days(priced: pd.DataFrame) -> list[dt.date]:
    """Every local day of the roster's whole weeks (Monday to Sunday)."""
    first, last = min(priced["date"]), max(priced["date"])
    monday = first - dt.timedelta(days=first.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7 * ((last - monday).days // 7 + 1))]


def _cell(rows: pd.DataFrame) -> str:
    return "; ".join(f"{r.start:%H:%M}-{r.end:%H:%M} {r.district}" for r in rows.sort_values("start").itertuples())


def _on_leave(leave: pd.DataFrame, sid: str, day: dt.date, tz: str) -> bool:
    if leave is None or leave.empty:
        return False
    lo, hi = local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)
    mine = leave[leave["staff_id"] == sid]
    return bool(((mine["start"] < hi) & (mine["end"] > lo)).any())


def grid_table(priced: pd.DataFrame, staff: pd.DataFrame, leave: pd.DataFrame | None, cfg) -> pd.DataFrame:
    """One row per person, one column per local day (``07:00-15:00 Downtown``, ``off``, ``leave``), totals per week."""
    days = roster_days(priced)
    nights = {name for name, t in cfg.shifts.items() if t.night}
    rows = []
    for p in staff.sort_values("staff_id").itertuples():
        mine = priced[priced["staff_id"] == p.staff_id]
        row = {"staff_id": p.staff_id, "name": p.name, "role": p.role, "home_district": p.home_district}
        for day in days:
            shifts = mine[mine["date"] == day]
            row[day.isoformat()] = _cell(shifts) if len(shifts) else (
                "leave" if _on_leave(leave, p.staff_id, day, cfg.timezone) else "off")
        for w in range(len(days) // 7):
            week = mine.loc[mine["date"].map(lambda d: (d - days[0]).days // 7 == w).astype(bool)]
            label = days[7 * w].isoformat()
            row[f"paid_hours {label}"] = round(float(week["paid_hours"].sum()), 4)
            row[f"overtime_hours {label}"] = round(float(week["overtime_hours"].sum()), 4)
            row[f"nights {label}"] = int(week["shift"].isin(nights).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def hours_table(priced: pd.DataFrame, staff: pd.DataFrame, cfg) -> pd.DataFrame:
    """Per person: shifts, paid hours, overtime hours, nights and cost over the whole roster."""
    nights = {name for name, t in cfg.shifts.items() if t.night}
    g = priced.assign(night=priced["shift"].isin(nights)).groupby("staff_id")
    out = pd.DataFrame({"shifts": g.size(), "paid_hours": g["paid_hours"].sum().round(4),
                        "overtime_hours": g["overtime_hours"].sum().round(4), "nights": g["night"].sum().astype(int),
                        "cost": g["cost"].sum().round(2)}).reset_index()
    who = staff[["staff_id", "name", "role", "contract_hours"]]
    return who.merge(out, on="staff_id", how="inner")[["staff_id", "name", "role", "contract_hours", "shifts", "paid_hours",
                                                        "overtime_hours", "nights", "cost"]]


def scheduled_by_hour(priced: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Staff on duty per district, local hour and role, from the roster alone (``required`` unknown)."""
    from forecast.timegrid import local_hours

    days = roster_days(priced)
    hours = local_hours(days[0], len(days), tz)
    rows = []
    for (district, role), g in priced.groupby(["district", "role"]):
        for h in hours:
            n = int(((g["start"] <= h) & (g["end"] > h)).sum())
            rows.append({"district": district, "hour_start": h.isoformat(), "role": role, "scheduled": n})
    return pd.DataFrame(rows, columns=["district", "hour_start", "role", "scheduled"])
