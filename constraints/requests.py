"""Staff requests: weighted wishes to work, or not to work, a shift or a day.

Crisis staff have lives -- school runs, study days, a second job -- and a roster
that honours requests keeps people in the service.  Requests are soft: each
unmet one costs its weight in the objective, so the solver trades them against
coverage (which is normally weighted far higher) and against each other.

``problem.requests`` rows: ``staff_id, day, shift, kind, weight``.  ``kind`` is
``on`` (wants to work that shift that day; any other shift or a day off misses
it) or ``off`` (does not want it; another shift or a day off meets it).  An
empty ``shift`` means the whole day: ``on`` = any shift that day, ``off`` = the
day off.
"""

from __future__ import annotations

import pandas as pd
import pulp
from pydantic import Field

from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.registry import RuleParams, register
from constraints.sequences import day_label, day_vars, roster_days, shift_vars


def _whole_day(shift) -> bool:
    return shift is None or (isinstance(shift, float) and pd.isna(shift)) or str(shift).strip() in ("", "-", "*")


def request_rows(problem) -> pd.DataFrame:
    req = problem.requests
    if req is None or len(req) == 0:
        return pd.DataFrame(columns=["staff_id", "day", "shift", "kind", "weight"])
    return req


@register
class ShiftRequests(Rule):
    """Honour ``on``/``off`` requests where possible; each unmet request costs ``weight × its weight``."""

    name = "shift_requests"
    hard = False
    description = "Weighted shift-on / day-off requests (problem.requests); unmet ones are penalised."

    class Params(RuleParams):
        weight: float = Field(default=1.0, gt=0)  # multiplies every request's own weight

    def __init__(self, params=None):
        self.params = params or self.Params()

    def apply(self, m: ModelContext) -> None:
        req = request_rows(m.problem)
        if req.empty:
            return
        sv, dv = shift_vars(m), day_vars(m)
        terms: list = []
        const = 0.0
        for sid, day, shift, kind, w in req[["staff_id", "day", "shift", "kind", "weight"]].itertuples(index=False):
            w = float(w) * self.params.weight
            if _whole_day(shift):
                xs = dv.get(sid, {}).get(int(day), [])
            else:
                xs = sv.get((sid, int(day), str(shift)), [])
            if str(kind) == "on":
                const += w  # w·(1 − worked)
                terms.extend((x, -w) for x in xs)
            else:
                terms.extend((x, w) for x in xs)
        m.add_penalty(self.name, "unmet staff requests", pulp.LpAffineExpression(terms, constant=const))

    def check(self, ctx: RosterContext) -> list[Violation]:
        req = request_rows(ctx.problem)
        if req.empty:
            return []
        r = ctx.roster
        days = roster_days(ctx.problem, r)
        worked = set(zip(r["staff_id"], days))
        worked_shift = set(zip(r["staff_id"], days, r["shift"]))
        out = []
        for sid, day, shift, kind, w in req[["staff_id", "day", "shift", "kind", "weight"]].itertuples(index=False):
            whole = _whole_day(shift)
            hit = (sid, int(day)) in worked if whole else (sid, int(day), str(shift)) in worked_shift
            what = "any shift" if whole else f"the {shift} shift"
            when = day_label(ctx.problem, int(day))
            if str(kind) == "on" and not hit:
                out.append(Violation(self.name, f"{sid} asked to work {what} on {when} but is not rostered for it",
                                     staff_id=sid, when=when, amount=float(w) * self.params.weight, hard=False))
            elif str(kind) != "on" and hit:
                what = "the day" if whole else f"the {shift} shift"
                out.append(Violation(self.name, f"{sid} asked for {what} off on {when} but is rostered",
                                     staff_id=sid, when=when, amount=float(w) * self.params.weight, hard=False))
        return out
