"""Fairness: unpopular shifts spread evenly, and shortfall shared between districts.

Three optional rules, all soft (they shape the answer, never forbid one):

* ``fair_nights`` / ``fair_weekends``: within each role (or seat) group, penalise
  the largest number of night (weekend) shifts any one person works
  (``mode = "max"``), or the sum of everyone's excess over the group mean
  (``mode = "deviation"``).  The check flags a person with more such shifts
  than the even share ``ceil(total / eligible people) + tolerance``.
* ``district_equity``: penalise the largest district shortfall *ratio*
  (uncovered staff-hours / required staff-hours), so when the city is short the
  shortfall is shared instead of always landing on the quiet district.  The
  check flags a district whose ratio exceeds the city-wide ratio by more than
  ``tolerance``.

    [rules.fair_nights]
    weight = 50          # per night shift of the busiest person, per group
    mode = "max"         # or "deviation"
    group_by = "role"    # or "seat" or "all"

    [rules.district_equity]
    weight = 20000       # per unit of the worst ratio (200 per percentage point)
    tolerance = 0.02
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
import pulp
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.registry import RuleParams, register


def _group_key(frame: pd.DataFrame, group_by: str) -> pd.Series:
    if group_by == "all":
        return pd.Series("everyone", index=frame.index)
    return frame[group_by].astype(str)


class _FairSpread(Rule):
    """Shared logic of fair_nights and fair_weekends (``kind`` is the assign column)."""

    hard = False
    kind = "night"
    noun = "night"

    class Params(RuleParams):
        weight: float = Field(default=50.0, ge=0)
        mode: Literal["max", "deviation"] = "max"
        group_by: Literal["role", "seat", "all"] = "role"
        tolerance: int = Field(default=0, ge=0)

    def __init__(self, params=None):
        self.params = params or self.Params()

    # -- who counts ------------------------------------------------------
    def eligible(self, staff: pd.DataFrame) -> pd.DataFrame:
        """People who could work this kind of shift at all."""
        if self.kind == "night":
            return staff[staff["works_nights"].astype(bool)]
        return staff

    def flags(self, ctx: RosterContext) -> np.ndarray:
        r = ctx.roster
        if self.kind == "night":
            night = {n for n, t in ctx.config.shifts.items() if t.night}
            return r["shift"].isin(night).to_numpy()
        return np.array([pd.Timestamp(d).weekday() >= 5 for d in r["date"]], dtype=bool)

    def apply(self, m: ModelContext) -> None:
        p = self.params
        if p.weight <= 0:
            return
        a = m.assign[m.assign[self.kind].astype(bool)]
        if a.empty:
            return
        # A person's own group, whatever seat a candidate fills (cross_cover), as check groups people.
        own = m.problem.staff.set_index("staff_id").loc[a["staff_id"], ["role", "seat"]].set_index(a.index)
        a = a.assign(_g=_group_key(own, p.group_by))
        per_person = m.sum_by(a, ["_g", "staff_id"])
        groups: dict[str, list] = {}
        for (g, sid), expr in per_person.items():
            groups.setdefault(g, []).append(expr)
        staff = self.eligible(m.problem.staff)
        sizes = _group_key(staff, p.group_by).value_counts().to_dict()
        terms = []
        for g, exprs in groups.items():
            if p.mode == "max":
                top = m.new_var(f"fair_{self.kind}_max")
                for e in exprs:
                    m.prob += top >= e
                terms.append((top, p.weight))
            else:
                n = max(int(sizes.get(g, len(exprs))), len(exprs))
                total = pulp.lpSum(exprs)
                for e in exprs:
                    d = m.new_var(f"fair_{self.kind}_dev")
                    m.prob += d >= e - (1.0 / n) * total
                    terms.append((d, p.weight))
        m.add_penalty(self.name, f"uneven {self.noun} shifts", terms)

    def check(self, ctx: RosterContext) -> list[Violation]:
        p = self.params
        r = ctx.roster[self.flags(ctx)]
        if r.empty:
            return []
        staff = self.eligible(ctx.problem.staff)
        counts = r.groupby("staff_id").size()
        out = []
        st = staff.assign(_g=_group_key(staff, p.group_by))
        for g, grp in st.groupby("_g"):
            c = counts.reindex(grp["staff_id"]).fillna(0)
            total = float(c.sum())
            if total == 0:
                continue
            fair = math.ceil(total / len(grp) - 1e-9) + p.tolerance
            for sid, n in c[c > fair].items():
                out.append(
                    Violation(
                        self.name,
                        f"{sid} works {int(n)} {self.noun} shifts; the even share in group {g} is at most {fair} "
                        f"({int(total)} shared by {len(grp)} people)",
                        staff_id=sid,
                        amount=float(n - fair),
                        hard=False,
                    )
                )
        return out


@register
class FairNights(_FairSpread):
    name = "fair_nights"
    kind = "night"
    noun = "night"
    description = "Night shifts spread evenly within each role group."


@register
class FairWeekends(_FairSpread):
    name = "fair_weekends"
    kind = "weekend"
    noun = "weekend"
    description = "Weekend shifts spread evenly within each role group."


@register
class DistrictEquity(Rule):
    name = "district_equity"
    hard = False
    description = "Penalise the largest district shortfall ratio, so shortfall is shared between districts."

    class Params(RuleParams):
        weight: float = Field(default=20000.0, ge=0)
        tolerance: float = Field(default=0.02, ge=0, le=1)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def apply(self, m: ModelContext) -> None:
        short = getattr(m, "shortfall", None) or {}
        if not short or self.params.weight <= 0:
            return
        req = m.problem.requirements
        if len(m.problem.boundary) and m.problem.boundary_requirements is not None:  # as Coverage.table counts them
            req = pd.concat([req[["district", "required"]], m.problem.boundary_requirements[["district", "required"]]])
        required = req[req["required"] > 0].groupby("district")["required"].sum().to_dict()
        by_district: dict[str, list] = {}
        for (district, _hour, _role), var in short.items():
            by_district.setdefault(district, []).append(var)
        worst = m.new_var("equity_worst_ratio")
        for district, vars_ in by_district.items():
            total = float(required.get(district, 0))
            if total > 0:
                m.prob += worst >= (1.0 / total) * pulp.lpSum(vars_)
        m.add_penalty(self.name, "largest district shortfall ratio", [(worst, self.params.weight)])

    @staticmethod
    def ratios(ctx: RosterContext) -> pd.DataFrame:
        from constraints.coverage import Coverage

        t = Coverage.table(ctx)
        g = t.groupby("district")[["required", "shortfall"]].sum()
        g = g[g["required"] > 0]
        g["ratio"] = g["shortfall"] / g["required"]
        return g

    def check(self, ctx: RosterContext) -> list[Violation]:
        g = self.ratios(ctx)
        if g.empty or g["shortfall"].sum() == 0:
            return []
        city = float(g["shortfall"].sum() / g["required"].sum())
        bad = g[g["ratio"] > city + self.params.tolerance + 1e-12]
        return [
            Violation(
                self.name,
                f"{d}: {100 * row.ratio:.1f} % of required staff-hours uncovered ({int(row.shortfall)} of "
                f"{int(row.required)}), against {100 * city:.1f} % city-wide",
                district=d,
                amount=float(row.ratio - city),
                hard=False,
            )
            for d, row in bad.iterrows()
        ]
