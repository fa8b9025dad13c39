"""Payroll: a priced roster as a long pay table, by person, workday and pay code.

Hours are classified by ``[pay].overtime`` (docs/exports.md has the worked rules):

- ``contract`` (the default): overtime as in roster.csv, hours beyond the person's weekly
  contract hours in each week of the plan (Monday 00:00, by the day a shift starts);
- ``weekly_40`` (FLSA): hours beyond 40 in a fixed workweek that starts on
  ``workweek_start_day`` at ``workweek_start_hour`` local time;
- ``daily_8_12`` (California): hours beyond 8 in a workday are overtime, beyond 12 double
  time, and straight-time hours beyond 40 in the workweek are overtime too;
- ``8_and_80`` (FLSA section 7(j)): hours beyond 8 in a workday or beyond 80 in the 14-day
  period, whichever gives more.

For the legal rules a shift is split at the workday boundaries (the workweek's start
hour on every local day; a workday on a DST change has 23 or 25 hours).  Night and
weekend differentials are paid on every hour inside their windows and are part of the
regular rate (29 CFR 778.207(b)): the premium on overtime hours is figured on base rate
plus differentials per hour worked in the week, paid as the ``OTADJ`` line beyond the
base-rate overtime.  The optimiser prices the differentials but not that adjustment,
which depends on the week's mix of hours; the reconciliation names it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

from constraints.cost import WEEKDAY_NAMES, _local, differential_hours
from roster.config import Pay
from roster.errors import InputError
from roster.evaluate.pay import price

PAYROLL_COLUMNS = ["staff_id", "name", "pay_period_start", "pay_period_end", "workday", "pay_code", "hours", "rate",
                   "amount", "cost_centre"]
RECONCILIATION_COLUMNS = ["staff_id", "name", "roster_cost", "payroll_amount", "difference", "paid_leave",
                          "regular_rate_adjustment", "overtime_rule", "rounding", "repricing"]
# daily overtime after, daily double time after, window in days, straight-time hours allowed per window
RULES = {"weekly_40": (None, None, 7, 40.0), "daily_8_12": (8.0, 12.0, 7, 40.0), "8_and_80": (8.0, None, 14, 80.0)}
OTADJ = "OTADJ"


def pay_settings(cfg):
    """``[pay]``, or its defaults (contract-hours overtime, no differentials) when roster.toml has none."""
    return cfg.pay if cfg.pay is not None else Pay()


def roster_span(roster: pd.DataFrame, pay, where: str) -> tuple[dt.date, int]:
    """The roster's first Monday and its length in days (whole weeks); the pay period must divide it."""
    first, last = min(roster["date"]), max(roster["date"])
    monday = first - dt.timedelta(days=first.weekday())
    days = 7 * ((last - monday).days // 7 + 1)
    if days % pay.period_days:
        raise InputError(f"{where} covers {days} days ({monday} to {monday + dt.timedelta(days=days - 1)}), which "
                         f"pay.period_days = {pay.period_days} does not divide; export whole {pay.period_days}-day pay "
                         "periods (e.g. two weeks of roster rows in one file) or set pay.period_days = 7.")
    return monday, days


def _anchor(pay, monday: dt.date, tz: str) -> dt.date:
    """The day the first workweek starts: on ``workweek_start_day``, at or before the roster's first instant."""
    back = (monday.weekday() - WEEKDAY_NAMES.index(pay.workweek_start_day)) % 7
    day = monday - dt.timedelta(days=back)
    if _local(day, f"{pay.workweek_start_hour:02d}:00", tz) > _local(monday, "00:00", tz):
        day -= dt.timedelta(days=7)
    return day


def _beyond(before: float, hours: float, limit: float | None) -> float:
    """Hours of ``[before, before + hours)`` above ``limit``."""
    return 0.0 if limit is None else max(0.0, before + hours - max(before, limit))


def _contract_segments(priced: pd.DataFrame, monday: dt.date) -> list[dict]:
    """One segment per shift, workday = the shift's date, overtime as roster.csv counts it."""
    return [{"staff_id": r.staff_id, "district": r.district, "workday": r.date, "window": (r.date - monday).days // 7,
             "start": r.start, "end": r.end, "hours": float(r.paid_hours), "reg": float(r.paid_hours) - float(r.overtime_hours),
             "ot": float(r.overtime_hours), "dt": 0.0} for r in priced.itertuples()]


def _legal_segments(priced: pd.DataFrame, pay, anchor: dt.date, tz: str) -> list[dict]:
    """Shifts split at workday boundaries, then hours classified by the overtime rule, per person in time order."""
    daily_ot, daily_dt, window_days, allowed = RULES[pay.overtime]
    hour = f"{pay.workweek_start_hour:02d}:00"
    segments = []
    for r in priced.sort_values(["staff_id", "start"], kind="stable").itertuples():
        k = (r.start.tz_convert(tz).date() - anchor).days + 1
        while _local(anchor + dt.timedelta(days=k), hour, tz) > r.start:
            k -= 1
        lo = r.start
        while lo < r.end:
            hi = min(r.end, _local(anchor + dt.timedelta(days=k + 1), hour, tz))
            segments.append({"staff_id": r.staff_id, "district": r.district, "workday": anchor + dt.timedelta(days=k),
                             "window": k // window_days, "start": lo, "end": hi, "hours": (hi - lo).total_seconds() / 3600})
            lo, k = hi, k + 1
    day_used, window_used = defaultdict(float), defaultdict(float)
    for s in segments:
        h, day, win = s["hours"], (s["staff_id"], s["workday"]), (s["staff_id"], s["window"])
        double = _beyond(day_used[day], h, daily_dt)
        daily = _beyond(day_used[day], h, daily_ot) - double
        straight = h - daily - double
        weekly = _beyond(window_used[win], straight, allowed)
        day_used[day] += h
        window_used[win] += straight
        s.update(reg=straight - weekly, ot=daily + weekly, dt=double)
    return segments


def _with_rates(segments: list[dict], staff: pd.DataFrame, cfg, pay) -> None:
    """Each segment's base rate, differential hours and regular-rate overtime adjustment (per person and window)."""
    s = staff.set_index("staff_id")
    for seg in segments:
        seg["rate"] = float(s.at[seg["staff_id"], "hourly_rate"])
        seg["mult"] = cfg.roles[s.at[seg["staff_id"], "role"]].overtime_multiplier
        seg["night"], seg["weekend"] = differential_hours(seg["start"], seg["end"], pay, cfg.timezone)
        seg["diff"] = (seg["night"] * pay.night.per_hour if seg["night"] else 0.0) + \
                      (seg["weekend"] * pay.weekend.per_hour if seg["weekend"] else 0.0)
    hours, extra = defaultdict(float), defaultdict(float)
    for seg in segments:
        hours[(seg["staff_id"], seg["window"])] += seg["hours"]
        extra[(seg["staff_id"], seg["window"])] += seg["diff"]
    for seg in segments:
        key = (seg["staff_id"], seg["window"])
        per_hour = extra[key] / hours[key] if hours[key] else 0.0  # regular rate minus base rate
        seg["otadj"] = (seg["mult"] - 1) * per_hour * seg["ot"] + (pay.double_time_multiplier - 1) * per_hour * seg["dt"]


def _code_lines(seg: dict, pay) -> list[tuple[str, float, float, float]]:
    """(code, hours, rate, amount) of one segment."""
    c, r = pay.codes, seg["rate"]
    lines = [(c.regular, seg["reg"], r, seg["reg"] * r), (c.overtime, seg["ot"], r * seg["mult"], seg["ot"] * r * seg["mult"]),
             (c.double_time, seg["dt"], r * pay.double_time_multiplier, seg["dt"] * r * pay.double_time_multiplier)]
    if seg["night"]:
        lines.append((c.night, seg["night"], pay.night.per_hour, seg["night"] * pay.night.per_hour))
    if seg["weekend"]:
        lines.append((c.weekend, seg["weekend"], pay.weekend.per_hour, seg["weekend"] * pay.weekend.per_hour))
    if seg["otadj"]:
        lines.append((OTADJ, seg["ot"] + seg["dt"], None, seg["otadj"]))
    return [line for line in lines if line[1] > 1e-9]


def leave_lines(leave: pd.DataFrame, staff: pd.DataFrame, pay, monday: dt.date, days: int, tz: str) -> list[dict]:
    """Paid leave: each weekday (Monday to Friday) of the roster that approved leave covers whole."""
    if pay.paid_leave_hours_per_day is None or leave is None or leave.empty:
        return []
    s = staff.set_index("staff_id")
    out = []
    for day in (monday + dt.timedelta(days=i) for i in range(days)):
        if day.weekday() >= 5:
            continue
        lo, hi = _local(day, "00:00", tz), _local(day + dt.timedelta(days=1), "00:00", tz)
        for sid in sorted(set(leave.loc[(leave["start"] <= lo) & (leave["end"] >= hi), "staff_id"])):
            rate = float(s.at[sid, "hourly_rate"])
            out.append({"staff_id": sid, "workday": day, "pay_code": pay.codes.leave, "hours": pay.paid_leave_hours_per_day,
                        "rate": rate, "amount": rate * pay.paid_leave_hours_per_day, "cost_centre": s.at[sid, "home_district"]})
    return out


def _pay_rows(segments: list[dict], pay) -> list[dict]:
    """Segments summed into one row per person, workday, cost centre and pay code."""
    acc: dict[tuple, list] = {}
    for seg in segments:
        for code, hours, rate, amount in _code_lines(seg, pay):
            row = acc.setdefault((seg["staff_id"], seg["workday"], seg["district"], code), [0.0, 0.0, rate])
            row[0] += hours
            row[1] += amount
    return [{"staff_id": sid, "workday": day, "pay_code": code, "hours": round(h, 4),
             "rate": round(rate if rate is not None else amount / h, 4), "amount": round(amount, 2), "cost_centre": district}
            for (sid, day, district, code), (h, amount, rate) in acc.items()]


def payroll(roster: pd.DataFrame, staff: pd.DataFrame, leave: pd.DataFrame | None, cfg, *,
            where: str = "the roster") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pay table (PAYROLL_COLUMNS) and its reconciliation with the roster's costs (RECONCILIATION_COLUMNS)."""
    pay = pay_settings(cfg)
    monday, days = roster_span(roster, pay, where)
    priced = price(roster, staff, cfg, monday)
    anchor = monday if pay.overtime == "contract" else _anchor(pay, monday, cfg.timezone)
    segments = (_contract_segments(priced, monday) if pay.overtime == "contract"
                else _legal_segments(priced, pay, anchor, cfg.timezone))
    _with_rates(segments, staff, cfg, pay)
    rows = _pay_rows(segments, pay) + leave_lines(leave, staff, pay, monday, days, cfg.timezone)
    table = pd.DataFrame(rows, columns=[c for c in PAYROLL_COLUMNS if c not in ("name", "pay_period_start", "pay_period_end")])
    period = [(d - anchor).days // pay.period_days for d in table["workday"]]
    table["pay_period_start"] = [anchor + dt.timedelta(days=p * pay.period_days) for p in period]
    table["pay_period_end"] = [s + dt.timedelta(days=pay.period_days - 1) for s in table["pay_period_start"]]
    table["name"] = staff.set_index("staff_id").loc[table["staff_id"], "name"].to_numpy()
    order = {code: i for i, code in enumerate([*pay.codes.model_dump().values(), OTADJ])}
    table = table.assign(_o=table["pay_code"].map(order)).sort_values(["staff_id", "workday", "_o", "cost_centre"], kind="stable")
    table = table.drop(columns="_o")[PAYROLL_COLUMNS].reset_index(drop=True)
    return table, reconcile(table, segments, priced, roster, staff, cfg, pay)


def reconcile(table, segments, priced, roster, staff, cfg, pay) -> pd.DataFrame:
    """Per person: roster cost, payroll amount, and the difference split into its causes (each in dollars).

    ``paid_leave`` (LEAVE lines, not in the roster's cost), ``regular_rate_adjustment``
    (OTADJ: overtime premium on differentials), ``overtime_rule`` (the configured rule's
    overtime against roster.csv's contract-hours overtime), ``repricing`` (the file's
    cost column against roster.toml's rates now; 0 unless rates changed or the file was
    edited) and ``rounding`` (cents from rounding each line).
    """
    worked, contract = defaultdict(float), defaultdict(float)
    for seg in segments:
        worked[seg["staff_id"]] += seg["rate"] * (seg["reg"] + seg["ot"] * seg["mult"] + seg["dt"] * pay.double_time_multiplier) + seg["diff"]
    rates = staff.set_index("staff_id")
    for r in priced.itertuples():
        rate, mult = float(rates.at[r.staff_id, "hourly_rate"]), cfg.roles[r.role].overtime_multiplier
        night, weekend = differential_hours(r.start, r.end, pay, cfg.timezone)
        contract[r.staff_id] += rate * (float(r.paid_hours) + (mult - 1) * float(r.overtime_hours)) + \
            (night * pay.night.per_hour if night else 0.0) + (weekend * pay.weekend.per_hour if weekend else 0.0)
    in_file = pd.to_numeric(roster["cost"], errors="coerce") if "cost" in roster.columns else None
    file_cost = (in_file.groupby(roster["staff_id"]).sum() if in_file is not None and in_file.notna().all()
                 else priced.groupby("staff_id")["cost"].sum())
    priced_cost = priced.groupby("staff_id")["cost"].sum()
    rows = []
    for sid in sorted(set(table["staff_id"]) | set(priced["staff_id"])):
        mine = table[table["staff_id"] == sid]
        amount = float(mine["amount"].sum())
        r = {"staff_id": sid, "roster_cost": round(float(file_cost.get(sid, 0.0)), 2), "payroll_amount": round(amount, 2),
             "paid_leave": round(float(mine.loc[mine["pay_code"] == pay.codes.leave, "amount"].sum()), 2),
             "regular_rate_adjustment": round(float(mine.loc[mine["pay_code"] == OTADJ, "amount"].sum()), 2),
             "overtime_rule": round(worked[sid] - contract[sid], 2),
             "repricing": round(float(file_cost.get(sid, 0.0)) - float(priced_cost.get(sid, 0.0)), 2)}
        r["difference"] = round(r["payroll_amount"] - r["roster_cost"], 2)
        r["rounding"] = round(r["difference"] - r["paid_leave"] - r["regular_rate_adjustment"] - r["overtime_rule"]
                              + r["repricing"], 2)
        rows.append(r)
    out = pd.DataFrame(rows, columns=[c for c in RECONCILIATION_COLUMNS if c != "name"])
    out.insert(1, "name", rates.loc[out["staff_id"], "name"].to_numpy())
    total = {c: round(float(out[c].sum()), 2) for c in out.columns[2:]}
    return pd.concat([out, pd.DataFrame([{"staff_id": "TOTAL", "name": "", **total}])], ignore_index=True)
