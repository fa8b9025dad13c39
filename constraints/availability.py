"""Who may work what: approved leave, home and float districts, night work.

These rules are hard and are enforced by never creating the forbidden
candidate assignments (``restrict``), which keeps the model small; ``check``
still verifies a finished roster on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from constraints.base import RosterContext, Rule, Violation, fmt_time


def overlaps_leave(rows: pd.DataFrame, leave: pd.DataFrame) -> np.ndarray:
    """Boolean per row of ``rows`` (staff_id, start, end): does it overlap approved leave?"""
    hit = np.zeros(len(rows), dtype=bool)
    if leave.empty or rows.empty:
        return hit
    r = rows[["staff_id", "start", "end"]].reset_index(drop=True).reset_index(names="_r")
    j = r.merge(leave[["staff_id", "start", "end"]], on="staff_id", suffixes=("", "_leave"))
    j = j[(j["start"] < j["end_leave"]) & (j["start_leave"] < j["end"])]
    hit[j["_r"].to_numpy()] = True
    return hit


class ApprovedLeave(Rule):
    name = "approved_leave"
    hard = True
    description = "No shift overlaps a person's approved leave."

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        return cand[~overlaps_leave(cand, problem.leave)]

    def apply(self, m) -> None:
        """Enforced by :meth:`restrict`; nothing to add to the model."""

    def check(self, ctx: RosterContext) -> list[Violation]:
        hit = overlaps_leave(ctx.roster, ctx.problem.leave)
        return [
            Violation(self.name, f"{row.staff_id} is rostered {fmt_time(row.start)}–{row.end.strftime('%H:%M')} during approved leave", staff_id=row.staff_id, when=fmt_time(row.start), amount=float(row.paid_hours))
            for row in ctx.roster[hit].itertuples()
        ]


def allowed_districts(staff_row) -> set[str]:
    return {staff_row["home_district"], *staff_row["float_districts"]}


class DistrictEligibility(Rule):
    name = "district_eligibility"
    hard = True
    description = "People work only in their home district or the districts they may float to."

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        return cand  # candidates are generated from allowed districts only

    def apply(self, m) -> None:
        """Enforced when candidates are generated."""

    def check(self, ctx: RosterContext) -> list[Violation]:
        staff = ctx.problem.staff.set_index("staff_id")
        out = []
        for row in ctx.roster.itertuples():
            allowed = allowed_districts(staff.loc[row.staff_id])
            if row.district not in allowed:
                out.append(Violation(self.name, f"{row.staff_id} is rostered in {row.district} on {row.date}, but may only work in {sorted(allowed)}", staff_id=row.staff_id, district=row.district, when=str(row.date), amount=1))
        return out


class NightWork(Rule):
    name = "night_work"
    hard = True
    description = "People who do not work nights get no night shift."

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        return cand[~(cand["night"].to_numpy(bool) & ~cand["works_nights"].to_numpy(bool))]

    def apply(self, m) -> None:
        """Enforced by :meth:`restrict`."""

    def check(self, ctx: RosterContext) -> list[Violation]:
        night = {n for n, t in ctx.config.shifts.items() if t.night}
        bad = ctx.roster[ctx.roster["shift"].isin(night) & ~ctx.roster["works_nights"].astype(bool)]
        return [
            Violation(self.name, f"{row.staff_id} does not work nights but is rostered on the {row.shift} shift of {row.date}", staff_id=row.staff_id, when=str(row.date), amount=1)
            for row in bad.itertuples()
        ]


class KnownShifts(Rule):
    """A roster row must name a configured shift, a known person and a known district."""

    name = "known_shift"
    hard = True
    description = "Rows name configured shifts, known staff and districts."

    def apply(self, m) -> None:
        """Always true of the model's own candidates."""

    def check(self, ctx: RosterContext) -> list[Violation]:
        out = [Violation(self.name, f"staff id {sid} is not in the staff file", staff_id=sid, amount=1) for sid in ctx.unknown_staff]
        bad_shift = ctx.roster[~ctx.roster["shift"].isin(list(ctx.config.shifts))]
        out += [Violation(self.name, f"{r.staff_id} on {r.date}: shift '{r.shift}' is not defined in roster.toml", staff_id=r.staff_id, when=str(r.date), amount=1) for r in bad_shift.itertuples()]
        bad_d = ctx.roster[~ctx.roster["district"].isin(list(ctx.config.districts))]
        out += [Violation(self.name, f"{r.staff_id} on {r.date}: district '{r.district}' is not defined in roster.toml", staff_id=r.staff_id, when=str(r.date), amount=1) for r in bad_d.itertuples()]
        return out
