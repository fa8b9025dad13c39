"""Pinning: re-plan a published week with the smallest change.

``roster plan --pin PUBLISHED.csv`` passes the published shifts as
``Problem.pinned``; this rule then keeps them and re-optimises the rest.  The
usual case is a sick call on Wednesday: ``roster sick`` records the leave and
plans again with the published week pinned.

* A published shift that can no longer be worked (it now falls in approved
  leave, the person left, the district or night rules forbid it) is *forced*
  off before solving, with the reason, and costs nothing.
* Every other published shift is kept unless dropping it is worth
  ``remove_weight`` (soft, the default; moving a shift = dropping it + adding
  another) or it is fixed outright (``hard = true``).  After the solve each
  missing one is *forced* (keeping it breaks a hard rule, named) or *moved* /
  *dropped* by choice (with what keeping it would have cost); these are the
  "published shifts not kept" that penalties.csv charges.
* Every shift that was not published costs ``add_weight``, so the plan fills
  the gap with as few new shifts as it can.
* ``freeze_before = "2026-11-04"`` (or ``--freeze-before``): days before that
  date are in the past; their published shifts are fixed and nothing is added.

    [rules.pinned_shifts]
    remove_weight = 2000
    add_weight = 100
    hard = false

The rule is switched on by ``--pin`` with these defaults when roster.toml has
no ``[rules.pinned_shifts]``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pulp
from pydantic import Field

from constraints.availability import allowed_districts, overlaps_leave
from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.cost import differential_pay, has_differentials
from constraints.coverage import Coverage
from constraints.currency import money
from constraints.registry import RuleParams, register

KEY = ["staff_id", "date", "shift", "district"]


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def normalise_pins(pinned: pd.DataFrame | None) -> pd.DataFrame:
    if pinned is None or pinned.empty:
        return pd.DataFrame(columns=KEY)
    p = pinned[KEY].copy()
    p["date"] = [_as_date(d) for d in p["date"]]
    for c in ("staff_id", "shift", "district"):
        p[c] = p[c].astype(str).str.strip()
    return p.drop_duplicates().reset_index(drop=True)


def release_reasons(problem) -> pd.DataFrame:
    """Published shifts that can no longer be worked, before any solving: KEY + reason."""
    pins = normalise_pins(problem.pinned)
    if pins.empty:
        return pins.assign(reason=pd.Series(dtype=str))
    inst = problem.instances.reset_index()
    j = pins.merge(inst[["date", "shift", "start", "end", "night"]], on=["date", "shift"], how="left")
    staff = problem.staff.set_index("staff_id")
    reasons = []
    leave_hit = np.zeros(len(j), dtype=bool)
    ok_rows = j["start"].notna() & j["staff_id"].isin(staff.index)
    if ok_rows.any():
        sub = j[ok_rows]
        leave_hit[np.flatnonzero(ok_rows.to_numpy())] = overlaps_leave(sub, problem.leave)
    for i, r in enumerate(j.itertuples()):
        if r.staff_id not in staff.index:
            reasons.append("the person is not in the staff file")
        elif pd.isna(r.start):
            reasons.append(f"'{r.shift}' on {r.date} is not a shift of this plan")
        elif leave_hit[i]:
            reasons.append("it falls in approved leave")
        elif r.district not in allowed_districts(staff.loc[r.staff_id]):
            reasons.append(f"the person may not work in {r.district}")
        elif bool(r.night) and not bool(staff.loc[r.staff_id, "works_nights"]):
            reasons.append("the person does not work nights")
        else:
            reasons.append("")
    out = pins.assign(reason=reasons)
    return out[out["reason"] != ""].reset_index(drop=True)


@register
class PinnedShifts(Rule):
    name = "pinned_shifts"
    hard = False
    description = "Published shifts stay; changes to the published roster are penalised."

    class Params(RuleParams):
        remove_weight: float = Field(default=2000.0, ge=0)
        add_weight: float = Field(default=100.0, ge=0)
        hard: bool = False
        freeze_before: dt.date | None = None

    def __init__(self, params=None):
        self.params = params or self.Params()
        self.hard = self.params.hard
        self.released = pd.DataFrame(columns=[*KEY, "reason"])

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        """Before ``freeze_before`` only published shifts remain possible."""
        fb = self.params.freeze_before
        pins = normalise_pins(problem.pinned)
        if fb is None or problem.pinned is None:
            return cand
        past = np.array([d < fb for d in cand["date"]], dtype=bool)
        if not past.any():
            return cand
        pinned = cand[KEY].merge(pins.assign(_p=True), on=KEY, how="left")["_p"].fillna(False).to_numpy(bool)
        return cand[~past | pinned]

    def apply(self, m: ModelContext) -> None:
        problem = m.problem
        if problem.pinned is None:
            return
        p = self.params
        pins = normalise_pins(problem.pinned)
        self.released = release_reasons(problem)
        bad = set(map(tuple, self.released[KEY].to_numpy())) if not self.released.empty else set()
        a = m.assign
        keys = list(zip(a["staff_id"], a["date"], a["shift"], a["district"]))
        pinned_keys = set(map(tuple, pins[KEY].to_numpy()))
        by_key: dict[tuple, list] = {}
        added = []
        for k, x, hours in zip(keys, a["x"], a["paid_hours"]):
            if k in pinned_keys:
                by_key.setdefault(k, []).append(x)
            else:
                added.append(x)
        remove_terms = []
        for k in map(tuple, pins[KEY].to_numpy()):
            if k in bad:
                continue
            xs = by_key.get(k)
            where = f"{k[0]}, published {k[2]} shift on {k[1]} in {k[3]}"
            if not xs:  # excluded by another rule's candidate filter
                self.released = pd.concat([self.released, pd.DataFrame([[*k, "a rule excludes it"]], columns=[*KEY, "reason"])], ignore_index=True)
                continue
            expr = pulp.lpSum(xs)
            frozen = p.freeze_before is not None and k[1] < p.freeze_before
            if p.hard or frozen:
                m.add_hard(self.name, expr, "==", 1, where)
            else:
                remove_terms.append(p.remove_weight * (1 - expr))
        if remove_terms:
            m.add_penalty(self.name, "published shifts not kept", pulp.lpSum(remove_terms))
        if added and p.add_weight > 0:
            m.add_penalty(self.name, "shifts added to the published roster", [(x, p.add_weight) for x in added])

    def diagnose_context(self, problem, places: list[str]) -> str:
        return (
            "These published shifts are fixed (rules.pinned_shifts hard = true, or before --freeze-before) but cannot all "
            "be kept together with the other hard rules; release them (hard = false) or correct the published roster."
        )

    def check(self, ctx: RosterContext) -> list[Violation]:
        if ctx.problem.pinned is None:
            return []
        pins = normalise_pins(ctx.problem.pinned)
        released = release_reasons(ctx.problem)
        gone = set(map(tuple, released[KEY].to_numpy())) if not released.empty else set()
        have = set(zip(ctx.roster["staff_id"], [_as_date(d) for d in ctx.roster["date"]], ctx.roster["shift"], ctx.roster["district"]))
        out = []
        for k in map(tuple, pins[KEY].to_numpy()):
            if k in have or k in gone:
                continue
            out.append(
                Violation(
                    self.name,
                    f"{k[0]}'s published {k[2]} shift on {k[1]} in {k[3]} is no longer in the roster",
                    staff_id=k[0],
                    district=k[3],
                    when=str(k[1]),
                    amount=1,
                    hard=self.params.hard,
                )
            )
        return out


CHANGES = ("kept", "forced", "moved", "dropped", "added")


def _trial_breaks(problem, base_rows: pd.DataFrame, extra: pd.DataFrame, sid: str, hard_rules) -> list[str]:
    """Hard rules that ``base_rows`` + ``extra`` break for ``sid`` (or city-wide) and ``base_rows`` alone does not."""
    before = {(v.rule, v.message) for rule in hard_rules for v in rule.check(RosterContext(problem, base_rows))}
    trial = pd.concat([base_rows, extra], ignore_index=True)
    return sorted({v.rule for rule in hard_rules for v in rule.check(RosterContext(problem, trial))
                   if (v.rule, v.message) not in before and v.staff_id in (sid, None)})


def _pay(problem, rows: pd.DataFrame) -> float:
    """Pay of roster rows as the wage rule prices them: overtime above weekly contract hours, in time order, plus differentials."""
    cfg = problem.config
    staff = problem.staff.set_index("staff_id")
    total = 0.0
    if rows.empty:
        return total
    r = rows.assign(_week=[(_as_date(d) - problem.monday).days // 7 for d in rows["date"]]).sort_values("start", kind="stable")
    for (sid, _w), grp in r.groupby(["staff_id", "_week"]):
        rate, used = float(staff.at[sid, "hourly_rate"]), 0.0
        contract, mult = float(staff.at[sid, "contract_hours"]), cfg.roles[staff.at[sid, "role"]].overtime_multiplier
        for st, en, h in zip(grp["start"], grp["end"], grp["paid_hours"].astype(float)):
            regular = max(0.0, min(h, contract - used))
            used += h
            total += rate * regular + rate * mult * (h - regular)
            if has_differentials(cfg):
                total += differential_pay(st, en, cfg.pay, cfg.timezone)
    return total


def _keeping_cost(problem, roster: pd.DataFrame, alternative: pd.DataFrame) -> tuple[float, float]:
    """(pay, uncovered staff-hours) the alternative roster has beyond ``roster``."""
    def totals(r):
        return _pay(problem, r), float(Coverage.table(RosterContext(problem, r))["shortfall"].sum())

    pay_r, short_r = totals(roster)
    pay_a, short_a = totals(alternative)
    return pay_a - pay_r, short_a - short_r


def _choice_reason(problem, kind: str, extra_pay: float, extra_short: float, weight: float) -> str:
    """Why a published shift was moved or dropped by choice, with amounts in ``city.currency``."""
    price = problem.config.objective.shortfall_penalty_per_hour
    cur = problem.config.city.currency
    saved = extra_pay + extra_short * price
    parts = []
    if abs(extra_short) > 1e-9:
        parts.append(f"{extra_short:+g} uncovered staff-hours ({money(extra_short * price, cur, 0, signed=True)} at the shortfall price)")
    if abs(extra_pay) > 0.005:
        parts.append(f"{money(extra_pay, cur, signed=True)} pay")
    what = "; ".join(parts) or "no difference in pay or cover"
    return (f"{kind} by choice: keeping it would have meant {what}, about {money(saved, cur, 0)} in all; "
            f"the change is charged {weight:,.0f} as a published shift not kept")


def pin_changes(problem, roster: pd.DataFrame, rules) -> pd.DataFrame:
    """Compare the final roster with the published one, from the rows alone.

    Columns ``staff_id, date, shift, district, change, reason`` where change is
    ``kept``; ``forced`` (it could not be kept: leave, a person or shift the plan no
    longer has, or a hard rule it breaks even with the person's new shifts undone —
    the rule is named); ``moved`` (by choice: the person works a new shift, district
    or day instead) or ``dropped`` (by choice: nothing in its place for the person),
    with what keeping it (and undoing the person's new shifts) would have cost; or
    ``added``.
    """
    cols = [*KEY, "change", "reason"]
    pins = normalise_pins(problem.pinned)
    if problem.pinned is None:
        return pd.DataFrame(columns=cols)
    base_cols = ["staff_id", "district", "date", "shift", "start", "end", "paid_hours"]
    r = roster.copy()
    r["date"] = [_as_date(d) for d in r["date"]]
    have = set(map(tuple, r[KEY].to_numpy())) if not r.empty else set()
    pinned = set(map(tuple, pins[KEY].to_numpy()))
    pre = {tuple(x[:4]): x[4] for x in release_reasons(problem)[[*KEY, "reason"]].to_numpy()}
    hard_rules = [rule for rule in rules if rule.hard and rule.name != PinnedShifts.name]
    weight = next((rule.params.remove_weight for rule in rules if isinstance(rule, PinnedShifts)), PinnedShifts.Params().remove_weight)
    inst = problem.instances.reset_index().set_index(["date", "shift"])
    rows = []
    for k in sorted(pinned, key=lambda t: (t[1], t[0], t[2])):
        if k in have:
            rows.append([*k, "kept", ""])
            continue
        if k in pre:
            rows.append([*k, "forced", pre[k]])
            continue
        i = inst.loc[(k[1], k[2])]
        extra = pd.DataFrame([{"staff_id": k[0], "district": k[3], "date": k[1], "shift": k[2], "start": i["start"], "end": i["end"], "paid_hours": i["paid_hours"]}])
        # Undo the person's own new shifts, then ask whether the published one still breaks a hard rule.
        new_shift = np.array([tuple(x) not in pinned for x in r[KEY].to_numpy()], dtype=bool)
        replaced = (r["staff_id"] == k[0]).to_numpy(bool) & new_shift
        base_rows = r.loc[~replaced, base_cols].reset_index(drop=True) if len(r) else r.reindex(columns=base_cols)
        broken = _trial_breaks(problem, base_rows, extra, k[0], hard_rules)
        if broken:
            rows.append([*k, "forced", "keeping it breaks " + ", ".join(broken)])
            continue
        alternative = pd.concat([base_rows, extra], ignore_index=True)
        extra_pay, extra_short = _keeping_cost(problem, r[base_cols].reset_index(drop=True), alternative)
        kind = "moved" if replaced.any() else "dropped"
        rows.append([*k, kind, _choice_reason(problem, kind, extra_pay, extra_short, weight)])
    for k in sorted(have - pinned, key=lambda t: (t[1], t[0], t[2])):
        rows.append([*k, "added", ""])
    return pd.DataFrame(rows, columns=cols)


def pin_summary(changes: pd.DataFrame) -> dict:
    """``summary.json`` → ``pins``: counts and rows, in the words of ``changes.csv``.

    ``not_kept`` is every published shift missing from the roster; ``charged`` those the
    objective charged (the line "published shifts not kept" of penalties.csv): all but
    the ones forced off before solving (leave, unknown person or shift)."""
    if changes.empty:
        return {"published": 0, "kept": 0, "forced": [], "moved": [], "dropped": [], "added": 0, "not_kept": 0}
    def rows(kind):
        sub = changes[changes["change"] == kind]
        return [{"staff_id": r.staff_id, "date": str(r.date), "shift": r.shift, "district": r.district, "reason": r.reason} for r in sub.itertuples()]
    return {
        "published": int(changes["change"].isin(["kept", "forced", "moved", "dropped"]).sum()),
        "kept": int((changes["change"] == "kept").sum()),
        "forced": rows("forced"),
        "moved": rows("moved"),
        "dropped": rows("dropped"),
        "added": int((changes["change"] == "added").sum()),
        "not_kept": int(changes["change"].isin(["forced", "moved", "dropped"]).sum()),
    }
