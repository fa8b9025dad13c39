"""Small synthetic plans for the report's tests: the tables `roster plan` writes, made in code for a
two-district city, on any week (also the DST weeks) and any number of days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

TZ = "America/New_York"
SHIFTS = {"early": (7, 8, False), "late": (15, 8, False), "night": (23, 8, True)}
REAL_NAMES = {"N1": "Alice Realname", "N2": "Bogdan Truename", "N3": "Chiara Ownname", "S1": "Dmitri Givenname",
              "S2": "Esther Actualname", "S3": "Farid Legalname"}
ROLES = {"N1": "clinician", "N2": "peer_supporter", "N3": "clinician", "S1": "clinician", "S2": "peer_supporter",
         "S3": "clinician"}


def _local(day: dt.date, hour: int, tz: str) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(day, dt.time(hour))).tz_localize(tz, nonexistent="shift_forward",
                                                                               ambiguous=True)


def _roster(monday: dt.date, days: int, tz: str) -> pd.DataFrame:
    rows = []
    plan = {"N1": "early", "N2": "late", "N3": "night", "S1": "early", "S2": "late", "S3": "night"}
    for d in range(days):
        day = monday + dt.timedelta(days=d)
        for sid, shift in plan.items():
            if (d + len(sid) + int(sid[1])) % 7 == 0:  # a day off now and then
                continue
            hour, length, _ = SHIFTS[shift]
            start = _local(day, hour, tz)
            end = (start.tz_localize(None) + pd.Timedelta(hours=length)).tz_localize(tz, nonexistent="shift_forward",
                                                                                      ambiguous=False)
            paid = (end - start).total_seconds() / 3600
            overtime = 2.0 if (sid == "S2" and d == days - 1) else 0.0
            rows.append({"staff_id": sid, "name": REAL_NAMES[sid], "role": ROLES[sid], "district": "North" if sid[0] == "N"
                         else "South", "date": str(day), "shift": shift, "start": start.isoformat(), "end": end.isoformat(),
                         "paid_hours": paid, "overtime_hours": overtime, "cost": 40.0 * paid + 20.0 * overtime})
    return pd.DataFrame(rows)


def _hours(monday: dt.date, days: int, tz: str) -> pd.DatetimeIndex:
    return pd.date_range(_local(monday, 0, tz), _local(monday + dt.timedelta(days=days), 0, tz), freq="h",
                         inclusive="left")


def _coverage(roster: pd.DataFrame, hours: pd.DatetimeIndex) -> pd.DataFrame:
    start = pd.to_datetime(roster["start"], utc=True, format="ISO8601")
    end = pd.to_datetime(roster["end"], utc=True, format="ISO8601")
    rows = []
    for district in ("North", "South"):
        for role in ("clinician", "peer_supporter"):
            mine = (roster["district"] == district) & (roster["role"] == role)
            for h in hours:
                hu = h.tz_convert("UTC")
                scheduled = int((mine & (start <= hu) & (end > hu)).sum())
                required = 2 if role == "clinician" and 9 <= h.hour < 11 else 1
                rows.append({"district": district, "hour_start": h.isoformat(), "role": role, "required": required,
                             "scheduled": scheduled, "shortfall": max(required - scheduled, 0)})
    return pd.DataFrame(rows)


def _shortfalls(coverage: pd.DataFrame) -> pd.DataFrame:
    """shortfalls.csv for the coverage: each run of short hours of a seat in a district, North's for want of anyone free,
    South's too costly to cover."""
    rows = []
    short = coverage[coverage["shortfall"] > 0]
    for (district, role), g in short.groupby(["district", "role"], sort=True):
        t = pd.to_datetime(g["hour_start"], utc=True, format="ISO8601")
        block = (t.diff() != pd.Timedelta(hours=1)).cumsum()
        for _, b in g.groupby(block.to_numpy()):
            start = pd.Timestamp(b["hour_start"].iloc[0])
            reason, detail = (("no_one_free", "no eligible person is free: of the 2 who may work then, 2 already work a "
                               "shift that day (one_shift_per_day)") if district == "North" else
                              ("too_costly", "covering it costs more than the shortfall price: the cheapest shift that "
                               "would costs $320 and would remove $200 of shortfall"))
            rows.append({"district": district, "role": role, "start": start.isoformat(),
                         "end": (pd.Timestamp(b["hour_start"].iloc[-1]) + pd.Timedelta(hours=1)).isoformat(),
                         "hours": len(b), "uncovered_staff_hours": float(b["shortfall"].sum()), "reason": reason,
                         "detail": detail})
    return pd.DataFrame(rows, columns=["district", "role", "start", "end", "hours", "uncovered_staff_hours", "reason",
                                       "detail"])


def synthetic_plan(monday: dt.date = dt.date(2026, 11, 2), days: int = 7, tz: str = TZ) -> dict[str, object]:
    """The output set of a plan (name → table or summary), as ``PlanResult.files()`` returns it."""
    roster = _roster(monday, days, tz)
    hours = _hours(monday, days, tz)
    coverage = _coverage(roster, hours)
    wave = 0.6 + 0.4 * np.sin(np.arange(len(hours)) * 2 * np.pi / 24)
    forecast = pd.DataFrame([{"district": d, "hour_start": h.isoformat(), "mean": m * k, "p10": 0, "p50": 1, "p90": 2 + k}
                             for d, k in (("North", 2), ("South", 1)) for h, m in zip(hours, wave)])
    simulation = pd.DataFrame({"district": ["North", "South", "ALL"], "calls": [80.0, 40.0, 120.0],
                               "share_within_target": [0.95, 0.82, 0.907], "share_ci_low": [0.93, 0.78, 0.89],
                               "share_ci_high": [0.97, 0.86, 0.92], "mean_minutes_to_contact": [12.0, 25.0, 16.3],
                               "p90_minutes_to_contact": [40.0, 75.0, 52.0], "utilisation": [0.3, 0.2, 0.25],
                               "calls_waiting_over_60": [1.0, 6.0, 7.0]})
    short = coverage[coverage["shortfall"] > 0]
    penalties = pd.DataFrame([
        {"rule": "wage_cost", "label": "pay at the hourly rate", "penalty": float(roster["cost"].sum()), "places": 0,
         "where": ""},
        {"rule": "coverage", "label": "uncovered staff-hours", "penalty": 400.0 * float(short["shortfall"].sum()),
         "places": 2, "where": "North Mon 09:00–11:00"},
        {"rule": "shift_requests", "label": "unmet staff requests", "penalty": 20.0, "places": 1,
         "where": f"S2 {monday + dt.timedelta(days=1)}"},
    ])
    explain = (roster.groupby(["staff_id", "role"]).agg(shifts=("shift", "size"), hours=("paid_hours", "sum"),
                                                        overtime_hours=("overtime_hours", "sum")).reset_index())
    explain["nights"] = explain["staff_id"].map(lambda s: days - 1 if s in ("N3", "S3") else 0)
    shortfalls = _shortfalls(coverage)
    cost = float(roster["cost"].sum())
    overtime = float((roster["overtime_hours"] * 60.0).sum())
    summary = {
        "status": "optimal", "solver": "highs", "objective": cost + 420.0, "bound": cost + 420.0, "gap": 0.0,
        "solve_seconds": 1.5, "build_seconds": 0.2, "week_start": hours[0].isoformat(),
        "week_end": _local(monday + dt.timedelta(days=days), 0, tz).isoformat(), "timezone": tz,
        "hours_in_week": len(hours), "total_cost": cost, "regular_cost": cost - overtime, "overtime_cost": overtime,
        "shortfall_hours": {"total": float(short["shortfall"].sum()), "by_district": {}, "by_role": {}},
        "staff_used": 6, "staff_total": 7, "shifts": len(roster),
        "cost_by_role": {r: {"total_cost": float(g["cost"].sum()), "regular_cost": float(g["cost"].sum()) - 60.0 *
                             float(g["overtime_hours"].sum()), "overtime_cost": 60.0 * float(g["overtime_hours"].sum())}
                         for r, g in roster.groupby("role")},
        "night_shifts": ["night"], "service_target": {"target_minutes": 60.0, "target_share": 0.9},
        "erlang_expected_service_level": {"North": 0.96, "South": 0.91, "ALL": 0.94},
        "shortfall_reasons": {r: float(shortfalls.loc[shortfalls["reason"] == r, "uncovered_staff_hours"].sum())
                              for r in ("no_shift", "no_one_free", "too_costly", "other_rules")},
        "sizing": [{"district": d, "role": r, "people": -(-int(g.sum()) // 40), "hours_each": 40.0,
                    "covers_hours": float(g.sum()), "uncovered_hours": float(g.sum()),
                    "text": f"about {-(-int(g.sum()) // 40)} more {r}s in {d} (40 h a week each) would cover "
                            f"{g.sum():g} of the {g.sum():g} uncovered staff-hours"}
                   for (d, r), g in short.groupby(["district", "role"])["shortfall"]],
    }
    return {"roster.csv": roster, "coverage.csv": coverage, "forecast.csv": forecast, "summary.json": summary,
            "simulation.csv": simulation, "penalties.csv": penalties, "explain.csv": explain, "shortfalls.csv": shortfalls}


def frontier_frame() -> pd.DataFrame:
    """frontier.csv as `roster frontier` writes it: a budget sweep whose cheapest cap has no roster."""
    from roster.scenarios.frontier import FRONTIER_COLUMNS

    rows = [("budget_01", 50.0, "infeasible", None, None, None, None,
             "the weekly budget cap of 50.00 is below what the hard rules alone cost"),
            ("budget_02", 90.0, "feasible", 89.0, 0.85, "South", 0.7, ""),
            ("budget_03", 100.0, "optimal", 99.0, 0.9, "South", 0.8, ""),
            ("budget_04", 120.0, "optimal", 118.0, 0.95, "North", 0.9, "")]
    return pd.DataFrame([{"point": p, "sweep": "budget", "budget_cap": cap, "target_share": 0.9, "target_minutes": 60.0,
                          "staffing_basis": "mean", "week": "2026-11-02", "seed": 7, "time_limit": 5.0, "status": st,
                          "total_cost": cost, "share_within_target": share, "worst_district": worst,
                          "worst_district_share": wshare, "shortfall_hours": None if cost is None else 10.0,
                          "p90_minutes_to_contact": None if cost is None else 50.0,
                          "staff_used": None if cost is None else 6.0, "note": note}
                         for p, cap, st, cost, share, worst, wshare, note in rows], columns=FRONTIER_COLUMNS)
