"""Coverage by shift: how many people of a role each shift of each day should have.

Some services plan per shift rather than per hour ("the Tuesday late shift in
Harbor needs two clinicians"), e.g. when teams go out together for a whole
shift.  Under-cover leaves calls waiting and is penalised heavily; over-cover
wastes staff that another shift or another week needs, and is penalised
lightly, so the solver spreads people rather than stacking them.

``problem.shift_requirements`` rows: ``day, shift, district, role, required,
under_weight, over_weight`` (``role`` is a seat role; an empty district or role
means any; missing weights use the rule's defaults).
"""

from __future__ import annotations

import math

import pandas as pd
import pulp
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.registry import RuleParams, register
from constraints.sequences import day_label, roster_days


def _any(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() in ("", "*")


def _weight(v, default: float) -> float:
    return default if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


@register
class ShiftCover(Rule):
    name = "shift_cover"
    hard = False
    description = "Required staff per shift instance (day, shift, district, role); under- and over-cover penalised."

    class Params(RuleParams):
        under_weight: float = Field(default=100.0, ge=0)
        over_weight: float = Field(default=1.0, ge=0)

    def __init__(self, params=None):
        self.params = params or self.Params()

    def rows(self, problem) -> pd.DataFrame:
        req = problem.shift_requirements
        if req is None or len(req) == 0:
            return pd.DataFrame(columns=["day", "shift", "district", "role", "required", "under_weight", "over_weight"])
        req = req.copy()
        for col, default in (("district", None), ("role", None), ("under_weight", self.params.under_weight), ("over_weight", self.params.over_weight)):
            if col not in req.columns:
                req[col] = default
        return req

    def apply(self, m: ModelContext) -> None:
        req = self.rows(m.problem)
        if req.empty:
            return
        groups: dict[tuple, list] = {}
        a = m.assign
        for day, shift, district, seat, x in zip(a["day"], a["shift"], a["district"], a["seat"], a["x"]):
            groups.setdefault((int(day), shift), []).append((district, seat, x))
        under_terms, over_terms = [], []
        m.shift_under, m.shift_over = {}, {}
        for day, shift, district, role, required, wu, wo in req[["day", "shift", "district", "role", "required", "under_weight", "over_weight"]].itertuples(index=False):
            wu, wo = _weight(wu, self.params.under_weight), _weight(wo, self.params.over_weight)
            xs = [x for d, s, x in groups.get((int(day), shift), []) if (_any(district) or d == district) and (_any(role) or s == role)]
            req_n = float(required)
            integral = req_n == int(req_n)
            cat = pulp.LpInteger if integral else pulp.LpContinuous
            key = (int(day), shift, None if _any(district) else district, None if _any(role) else role)
            # Integer slacks: with integer data they are integral anyway, and an
            # all-integer objective lets the solver round its bound up.
            under = m.new_var("under", low=0, up=req_n, cat=cat)
            terms = [(x, 1) for x in xs] + [(under, 1)]
            if xs and wo > 0:
                over = m.new_var("over", low=0, cat=cat)
                terms.append((over, -1))
                over_terms.append((over, wo))
                m.shift_over[key] = over
                m.prob += pulp.LpAffineExpression(terms) == req_n
            else:
                m.prob += pulp.LpAffineExpression(terms) >= req_n
            under_terms.append((under, wu))
            m.shift_under[key] = under
        m.add_penalty(self.name, "staff missing from shifts", under_terms)
        m.add_penalty(self.name, "staff above shift requirements", over_terms)

    def table(self, ctx: RosterContext) -> pd.DataFrame:
        """Required vs scheduled per requirement row (from the roster rows only)."""
        req = self.rows(ctx.problem)
        r = ctx.roster.copy()
        r["day"] = roster_days(ctx.problem, r).to_numpy()
        # r["seat"] is the seat each row fills (RosterContext: the roster's seat column under cross_cover), as the model counts.
        sched = []
        for day, shift, district, role in req[["day", "shift", "district", "role"]].itertuples(index=False):
            sel = (r["day"] == int(day)) & (r["shift"] == shift)
            if not _any(district):
                sel &= r["district"] == district
            if not _any(role):
                sel &= r["seat"] == role
            sched.append(int(sel.sum()))
        out = req.reset_index(drop=True).copy()
        out["scheduled"] = sched
        return out

    def check(self, ctx: RosterContext) -> list[Violation]:
        t = self.table(ctx)
        out = []
        for row in t.itertuples(index=False):
            wu, wo = _weight(row.under_weight, self.params.under_weight), _weight(row.over_weight, self.params.over_weight)
            where = f"{row.shift} on {day_label(ctx.problem, int(row.day))}" + ("" if _any(row.district) else f" in {row.district}")
            role = "" if _any(row.role) else f" {row.role}"
            if row.scheduled < row.required:
                n = row.required - row.scheduled
                out.append(Violation(self.name, f"{where}: {row.scheduled} of {row.required:g}{role} staff rostered ({n:g} missing)",
                                     district=None if _any(row.district) else row.district, when=day_label(ctx.problem, int(row.day)),
                                     amount=float(n) * wu, hard=False))
            elif row.scheduled > row.required and wo > 0:
                n = row.scheduled - row.required
                out.append(Violation(self.name, f"{where}: {row.scheduled}{role} staff rostered, {n:g} above the {row.required:g} required",
                                     district=None if _any(row.district) else row.district, when=day_label(ctx.problem, int(row.day)),
                                     amount=float(n) * wo, hard=False))
        return out
