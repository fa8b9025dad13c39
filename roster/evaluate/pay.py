"""Turning a roster into pay: regular hours, overtime, cost per shift.

Overtime accrues in time order: within each week a person's shifts are paid at
the regular rate until their contract hours are used up, and every hour after
that is overtime at the role's multiplier.  With night or weekend differentials under
``[pay]``, each shift also earns them (``constraints.cost.differential_pay``).  This is
the same arithmetic as the model's cost term, computed directly from the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from constraints.cost import differential_pay, has_differentials


def price(roster: pd.DataFrame, staff: pd.DataFrame, cfg, monday) -> pd.DataFrame:
    """Add ``name, role, overtime_hours, cost`` to roster rows."""
    s = staff.set_index("staff_id")
    out = roster.copy()
    out["name"] = s.loc[out["staff_id"], "name"].to_numpy()
    out["role"] = s.loc[out["staff_id"], "role"].to_numpy()
    out["overtime_hours"] = 0.0
    out["cost"] = 0.0
    if out.empty:
        return out
    out["_week"] = [(d - monday).days // 7 for d in out["date"]]
    out = out.sort_values(["staff_id", "start"], kind="stable")
    if has_differentials(cfg):
        extra = {i: differential_pay(st, en, cfg.pay, cfg.timezone) for i, st, en in zip(out.index, out["start"], out["end"])}
    else:
        extra = {}
    for (sid, _week), idx in out.groupby(["staff_id", "_week"]).groups.items():
        contract = float(s.at[sid, "contract_hours"])
        rate = float(s.at[sid, "hourly_rate"])
        mult = cfg.roles[s.at[sid, "role"]].overtime_multiplier
        used = 0.0
        for i in idx:
            h = float(out.at[i, "paid_hours"])
            regular = max(0.0, min(h, contract - used))
            ot = h - regular
            used += h
            out.at[i, "overtime_hours"] = round(ot, 4)
            out.at[i, "cost"] = round(rate * regular + rate * mult * ot + extra.get(i, 0.0), 2)
    out = out.drop(columns="_week")
    return out.sort_values(["start", "district", "staff_id"], kind="stable").reset_index(drop=True)


def cost_summary(priced: pd.DataFrame, staff: pd.DataFrame, cfg) -> dict:
    if priced.empty:
        return {"total_cost": 0.0, "regular_cost": 0.0, "overtime_cost": 0.0}
    rate = staff.set_index("staff_id").loc[priced["staff_id"], "hourly_rate"].to_numpy()
    mult = np.array([cfg.roles[r].overtime_multiplier for r in priced["role"]])
    overtime = float((priced["overtime_hours"].to_numpy() * rate * mult).sum())
    total = float(priced["cost"].sum())
    return {"total_cost": round(total, 2), "regular_cost": round(total - overtime, 2), "overtime_cost": round(overtime, 2)}
