"""Why the roster looks as it does: per person and per rule.

``explain.csv`` has one row per person (ids only, never names): hours,
overtime, nights, weekend shifts, hours away from home, and the soft rules the
roster breaks for them.  ``penalties.csv`` has one row per objective term
(rule, label, the penalty the solver paid) with where it was paid, taken from
the rules' own checks of the finished roster.  Both are computed from the
roster rows and the rules' ``check``; only the penalty totals come from the
model.
"""

from __future__ import annotations

import pandas as pd

from constraints.base import Violation
from roster.io.schemas import EXPLAIN_COLUMNS, PENALTY_COLUMNS



def person_table(problem, priced: pd.DataFrame, violations: list[Violation]) -> pd.DataFrame:
    """One row per person on the staff list (including those not rostered)."""
    staff = problem.staff
    night_shifts = {n for n, t in problem.config.shifts.items() if t.night}
    r = priced.copy()
    if r.empty:
        r = pd.DataFrame(columns=["staff_id", "date", "shift", "district", "paid_hours", "overtime_hours"])
    home = staff.set_index("staff_id")["home_district"]
    r["night"] = r["shift"].isin(night_shifts)
    r["weekend"] = [pd.Timestamp(d).weekday() >= 5 for d in r["date"]]
    r["away"] = r["district"].to_numpy() != home.reindex(r["staff_id"]).to_numpy()
    r["away_hours"] = r["paid_hours"].astype(float) * r["away"]
    g = r.groupby("staff_id")
    agg = pd.DataFrame(
        {
            "shifts": g.size(),
            "hours": g["paid_hours"].sum(),
            "overtime_hours": g["overtime_hours"].sum() if "overtime_hours" in r else 0.0,
            "nights": g["night"].sum(),
            "weekend_shifts": g["weekend"].sum(),
            "hours_away_from_home": g["away_hours"].sum(),
            "districts": g["district"].agg(lambda s: ";".join(sorted(set(s)))),
        }
    )
    soft: dict[str, dict[str, int]] = {}
    for v in violations:
        if v.staff_id and not v.hard:
            soft.setdefault(v.staff_id, {})
            soft[v.staff_id][v.rule] = soft[v.staff_id].get(v.rule, 0) + 1
    out = staff[["staff_id", "role", "home_district", "contract_hours"]].merge(agg, left_on="staff_id", right_index=True, how="left")
    for c in ("shifts", "nights", "weekend_shifts"):
        out[c] = out[c].fillna(0).astype(int)
    for c in ("hours", "overtime_hours", "hours_away_from_home"):
        out[c] = out[c].fillna(0.0).astype(float).round(2)
    out["districts"] = out["districts"].fillna("")
    out["soft_rules_broken"] = [
        "; ".join(f"{rule} ({n})" if n > 1 else rule for rule, n in sorted(soft.get(sid, {}).items())) for sid in out["staff_id"]
    ]
    return out[EXPLAIN_COLUMNS].reset_index(drop=True)


def _place(v: Violation) -> str:
    parts = [p for p in (v.staff_id, v.district, v.when) if p]
    return " ".join(parts) if parts else v.message


def penalty_table(penalties: dict[str, float], violations: list[Violation], *, max_places: int = 8) -> pd.DataFrame:
    """Per objective term: rule, label, penalty paid, and where (from the rule's own check)."""
    by_rule: dict[str, list[Violation]] = {}
    for v in violations:
        if not v.hard:
            by_rule.setdefault(v.rule, []).append(v)
    rows = []
    for key, value in penalties.items():
        rule, _, label = key.partition(": ")
        vs = sorted(by_rule.get(rule, []), key=lambda v: -abs(v.amount))
        where = "; ".join(_place(v) for v in vs[:max_places]) + (f"; and {len(vs) - max_places} more" if len(vs) > max_places else "")
        rows.append({"rule": rule, "label": label, "penalty": round(float(value), 2), "places": len(vs), "where": where})
    seen = {r["rule"] for r in rows}
    for rule, vs in by_rule.items():  # soft rules reported by checks but without a model term (e.g. `roster check`)
        if rule not in seen:
            vs = sorted(vs, key=lambda v: -abs(v.amount))
            rows.append({"rule": rule, "label": "(from the check)", "penalty": 0.0, "places": len(vs),
                         "where": "; ".join(_place(v) for v in vs[:max_places])})
    out = pd.DataFrame(rows, columns=PENALTY_COLUMNS)
    return out.sort_values("penalty", ascending=False, kind="stable").reset_index(drop=True)


def explain(problem, priced: pd.DataFrame, penalties: dict[str, float], violations: list[Violation]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(explain.csv, penalties.csv) for a finished roster and its rules' violations."""
    return person_table(problem, priced, violations), penalty_table(penalties, violations)


def summary_lines(penalties: pd.DataFrame, top: int = 4) -> list[str]:
    """A few lines for the printed summary: the largest penalty terms beyond pay."""
    t = penalties[(penalties["rule"] != "wage_cost") & (penalties["penalty"] > 0.005)].head(top)
    return [f"{r.rule}: {r.label} = {r.penalty:,.0f}" + (f" ({r.places} place(s))" if r.places else "") for r in t.itertuples()]
