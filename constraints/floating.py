"""Working away from home: an optional cost per hour, and a regional float pool.

``float_cost``: every hour a person works outside their home district costs
``per_hour`` extra in the objective (travel, unfamiliar area); soft.  The check
lists, per person, the hours worked away from home.

    [rules.float_cost]
    per_hour = 5

``float_pool``: members of the regional float pool may work in any district
(or in ``districts`` if given).  Members are listed by id, or flagged with a
``float_pool`` column in the staff file (1 = member, 0 or empty = not).  The
pool widens each member's ``float_districts`` when the staff file is read
(:func:`prepare_staff`), so model building and the district-eligibility check
both see it.

    [rules.float_pool]
    staff = ["S010", "S044"]
    districts = []      # empty or left out: every district
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation, unknown_names
from forecast.errors import InputError
from constraints.registry import RuleParams, register, staff_column

POOL_COLUMN = staff_column("float_pool", "1 = in the regional float pool: may work in any district (rules.float_pool)")


@register
class FloatCost(Rule):
    name = "float_cost"
    hard = False
    description = "Extra cost per hour worked outside one's home district."

    class Params(RuleParams):
        per_hour: float = Field(default=5.0, ge=0)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def apply(self, m: ModelContext) -> None:
        if self.params.per_hour <= 0:
            return
        home = m.problem.staff.set_index("staff_id")["home_district"]
        a = m.assign
        away = a[a["district"].to_numpy() != home.loc[a["staff_id"]].to_numpy()]
        if away.empty:
            return
        m.add_penalty(self.name, "hours outside the home district", zip(away["x"], self.params.per_hour * away["paid_hours"]))

    def check(self, ctx: RosterContext) -> list[Violation]:
        r = ctx.roster
        away = r[r["district"] != r["home_district"]]
        out = []
        for sid, grp in away.groupby("staff_id"):
            h = float(grp["paid_hours"].sum())
            out.append(
                Violation(
                    self.name,
                    f"{sid} works {h:g} h outside home district {grp['home_district'].iloc[0]} "
                    f"(in {', '.join(sorted(set(grp['district'])))}), at {self.params.per_hour:g} per hour extra",
                    staff_id=sid,
                    district=", ".join(sorted(set(grp["district"]))),
                    amount=h,
                    hard=False,
                )
            )
        return out


@register
class FloatPool(Rule):
    name = "float_pool"
    hard = True
    description = "Members of the regional float pool may work in any district."

    class Params(RuleParams):
        staff: list[str] = Field(default_factory=list)
        districts: list[str] = Field(default_factory=list)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def members(self, staff: pd.DataFrame) -> set[str]:
        out = set(self.params.staff)
        if POOL_COLUMN in staff.columns:
            flag = pd.to_numeric(staff[POOL_COLUMN], errors="coerce").fillna(0)
            out |= set(staff.loc[flag > 0, "staff_id"])
        return out

    def validate(self, config) -> list[str]:
        return unknown_names("rules.float_pool.districts", self.params.districts, config.districts, "districts")

    def prepare_staff(self, staff: pd.DataFrame, config) -> pd.DataFrame:
        """Widen pool members' float districts (called when the staff file is read)."""
        missing = sorted(set(self.params.staff) - set(staff["staff_id"]))
        if missing:
            raise InputError(f"roster.toml: rules.float_pool.staff names {missing}, who are not in the staff file.")
        area = self.params.districts or list(config.districts)
        pool = self.members(staff)
        out = staff.copy()
        out["float_districts"] = [
            [d for d in dict.fromkeys([*f, *area]) if d != home] if sid in pool else list(f)
            for sid, home, f in zip(out["staff_id"], out["home_district"], out["float_districts"])
        ]
        return out

    def apply(self, m: ModelContext) -> None:
        """Enforced through :meth:`prepare_staff` (candidates in the pool's districts)."""

    def check(self, ctx: RosterContext) -> list[Violation]:
        return []  # district_eligibility checks every row against the widened districts
