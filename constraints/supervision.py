"""Supervision: non-clinical staff must be within reach of a clinician.

Two hard rules.  In each district, every hour, the peer supporters and community
health workers on duty may be at most ``max_non_clinical_per_clinician`` times the
clinicians on duty (so a non-clinical worker is never alone in a district); and
city-wide at least ``min_supervisors_citywide`` supervisor-flagged clinicians are
on duty every hour, so someone can always sign off a risky decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from constraints.base import CoverNeed, ModelContext, RosterContext, Rule, Violation, fmt_time, hour_ranges
from constraints.problem import covered_hours

# Said of a violation in the next week's first hours (Problem.boundary): only this roster can fix it.
NEXT_WEEK = " (the next week's first hours, which only this roster's last shifts reach)"


class DistrictSupervisionRatio(Rule):
    name = "supervision_ratio"
    hard = True
    description = "Non-clinical staff on duty per clinician on duty, per district and hour."

    def diagnose_context(self, problem, places: list[str]) -> str | None:
        """Who may work in the first district that fell short, and how many of them are on leave."""
        staff = problem.staff
        if not places:
            return None
        district = places[0].split(",")[0].strip()
        if district not in problem.config.districts:
            return None
        may = staff[staff["clinical"] & staff.apply(lambda r: district == r["home_district"] or district in r["float_districts"], axis=1)]
        on_leave = may["staff_id"].isin(set(problem.leave["staff_id"])) if not problem.leave.empty else pd.Series(False, index=may.index)
        return (
            f"{len(may)} clinician(s) may work in {district}"
            + (f", of whom {int(on_leave.sum())} have approved leave this period" if len(may) else "")
            + "; let more clinicians float there, move leave, or lower supervision.max_non_clinical_per_clinician's demand by rostering fewer non-clinical staff."
        )

    def apply(self, m: ModelContext) -> None:
        if m.config.supervision is None:
            return
        ratio = m.config.supervision.max_non_clinical_per_clinician
        fixed = m.fixed_on_duty
        fixed_c = {}
        if not fixed.empty:
            f = fixed.assign(c=np.where(fixed["clinical"].to_numpy(bool), -ratio, 1.0))
            fixed_c = f.groupby(["district", "hour"])["c"].sum().to_dict()
        self._limit(m, m.on_duty(), ratio, fixed_c, m.problem.hours)
        self._limit(m, m.boundary_on_duty(), ratio, {}, m.problem.boundary)

    def _limit(self, m: ModelContext, duty: pd.DataFrame, ratio: float, fixed_c: dict, hours: pd.DatetimeIndex) -> None:
        """Non-clinical minus ``ratio`` × clinical on duty <= 0 where a non-clinical candidate may be."""
        duty = duty.assign(c=np.where(duty["clinical"].to_numpy(bool), -ratio, 1.0))
        has_non_clinical = duty.loc[~duty["clinical"].astype(bool), ["district", "hour"]].drop_duplicates()
        keep = set(map(tuple, has_non_clinical.to_numpy()))
        for key, expr in m.sum_by(duty, ["district", "hour"], coef="c").items():
            if key not in keep:
                continue
            district, hour = key
            where = f"{district}, {fmt_time(hours[hour])}"
            m.add_hard(self.name, expr, "<=", -fixed_c.get(key, 0.0), where)

    def check(self, ctx: RosterContext) -> list[Violation]:
        if ctx.config.supervision is None:
            return []
        ratio = ctx.config.supervision.max_non_clinical_per_clinician
        return (self._check(ctx.on_duty, ratio, ctx.problem.hours, "")
                + self._check(ctx.boundary_duty, ratio, ctx.problem.boundary, NEXT_WEEK))

    def _check(self, duty: pd.DataFrame, ratio: float, hours: pd.DatetimeIndex, note: str) -> list[Violation]:
        if duty.empty:
            return []
        g = duty.groupby(["district", "hour"])["clinical"].agg(clin="sum", total="size").reset_index()
        g["non"] = g["total"] - g["clin"]
        bad = g[g["non"] > ratio * g["clin"] + 1e-9]
        out = []
        for district, grp in bad.groupby("district"):
            worst = grp.loc[(grp["non"] - ratio * grp["clin"]).idxmax()]
            out.append(
                Violation(
                    rule=self.name,
                    district=district,
                    when=hour_ranges(hours, grp["hour"]),
                    amount=float((grp["non"] - ratio * grp["clin"]).max()),
                    message=(
                        f"{district}: too few clinicians for the non-clinical staff on duty at "
                        f"{hour_ranges(hours, grp['hour'])}{note} (worst hour: {int(worst['non'])} non-clinical "
                        f"with {int(worst['clin'])} clinician(s); at most {ratio:g} per clinician allowed)"
                    ),
                )
            )
        return out


class CitywideSupervisor(Rule):
    name = "citywide_supervisor"
    hard = True
    description = "At least N supervisor-flagged clinicians on duty city-wide every hour."

    def diagnose_context(self, problem, places: list[str]) -> str | None:
        sup = problem.staff[problem.staff["supervisor"] & problem.staff["clinical"]]
        nights = int(sup["works_nights"].sum())
        return (
            f"There are {len(sup)} supervisor-flagged clinician(s), {nights} of whom work nights; "
            "flag more clinicians as supervisors, approve fewer overlapping leaves, or lower supervision.min_supervisors_citywide."
        )

    def cover_needs(self, problem) -> list[CoverNeed]:
        need = problem.config.supervision.min_supervisors_citywide if problem.config.supervision else 0
        if need <= 0:
            return []
        staff = problem.staff
        sup = staff[staff["supervisor"].astype(bool) & staff["clinical"].astype(bool)]
        per_hour = np.full(len(problem.hours), float(need))
        prev = problem.previous
        if prev is not None and not prev.empty:
            on = prev[prev["staff_id"].isin(set(sup["staff_id"]))].reset_index(drop=True)
            cov = covered_hours(on["start"], on["end"], problem.hours, wrap=False)
            np.subtract.at(per_hour, cov["hour"].to_numpy(), 1.0)
        return [CoverNeed(self.name, "supervisor cover", np.maximum(per_hour, 0.0), tuple(sup["staff_id"]),
                          f"supervision.min_supervisors_citywide = {need} on duty every hour")]

    def apply(self, m: ModelContext) -> None:
        need = m.config.supervision.min_supervisors_citywide if m.config.supervision else 0
        if need <= 0:
            return
        duty = m.on_duty()
        duty = duty[duty["supervisor"].astype(bool) & duty["clinical"].astype(bool)]
        sums = m.sum_by(duty, ["hour"])
        fixed = m.fixed_on_duty
        fixed_n = {}
        if not fixed.empty:
            f = fixed[fixed["supervisor"].astype(bool) & fixed["clinical"].astype(bool)]
            fixed_n = f.groupby("hour").size().to_dict()
        for h in range(len(m.problem.hours)):
            expr = sums.get((h,), sums.get(h, pulp.LpAffineExpression()))
            m.add_hard(self.name, expr, ">=", need - fixed_n.get(h, 0), f"city-wide, {fmt_time(m.problem.hours[h])}")
        # The next week's first hours, which only this horizon's last shifts can reach.
        ahead = m.boundary_on_duty()
        ahead = ahead[ahead["supervisor"].astype(bool) & ahead["clinical"].astype(bool)]
        sums = m.sum_by(ahead, ["hour"])
        for h, ts in enumerate(m.problem.boundary):
            expr = sums.get((h,), sums.get(h, pulp.LpAffineExpression()))
            m.add_hard(self.name, expr, ">=", need, f"city-wide, {fmt_time(ts)}{NEXT_WEEK}")

    def check(self, ctx: RosterContext) -> list[Violation]:
        need = ctx.config.supervision.min_supervisors_citywide if ctx.config.supervision else 0
        if need <= 0:
            return []
        return (self._check(ctx.on_duty, need, ctx.problem.hours, "")
                + self._check(ctx.boundary_duty, need, ctx.problem.boundary, NEXT_WEEK))

    def _check(self, duty: pd.DataFrame, need: int, hours: pd.DatetimeIndex, note: str) -> list[Violation]:
        sup = duty[duty["supervisor"].astype(bool) & duty["clinical"].astype(bool)]
        counts = sup.groupby("hour").size().reindex(range(len(hours)), fill_value=0)
        short = counts[counts < need]
        if short.empty:
            return []
        return [
            Violation(
                rule=self.name,
                when=hour_ranges(hours, short.index),
                amount=float((need - short).sum()),
                message=(
                    f"city-wide: fewer than {need} supervising clinician(s) on duty at "
                    f"{hour_ranges(hours, short.index)}{note}"
                ),
            )
        ]
