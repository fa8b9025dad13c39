"""Skills: languages spoken on duty, and which seats a person may fill.

``language_cover`` (a list of tables: one rule per language/area): at least
``min`` speakers of ``language`` (from the staff file's ``languages`` column) on
duty in each listed district (default: all) during the local clock hours
``start``–``end`` (``end`` may be past midnight: ``start = "20:00"``,
``end = "02:00"``).  Soft by default (``weight`` per uncovered hour), or hard.  A horizon
planned after last week's roster holds it in the next week's first hours too
(``Problem.boundary``, which only its last shifts reach), in the model and the check alike.

    [[rules.language_cover]]
    language = "es"
    min = 1
    districts = ["Eastgate", "Downtown"]
    start = "08:00"
    end = "22:00"
    weight = 100

``cross_cover``: people of a role may fill another role's seat, e.g. a
clinician in the peer-support seat of a team:

    [rules.cross_cover]
    allow = { clinician = ["peer_supporter"] }
    staff = ["S004", "S017"]   # optional: only these people (default: all of the role)
    per_hour = 1.0             # small extra cost per hour outside one's own seat

Design: the rule adds one extra *candidate* per (person, shift, district, other
seat) through the ``restrict`` hook that model building already calls; the
core one-shift-per-day rule lets a person take at most one of them, so the
coverage rule (which counts candidates by ``seat``) counts a person once, in
the seat chosen.  After the solve, :meth:`CrossCover.annotate_roster` writes the
chosen seat into the roster's ``seat`` column, and the checker counts coverage
by that column (a roster without it counts everyone in their own role's seat).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pulp
from pydantic import Field, field_validator

from constraints.base import CoverNeed, ModelContext, RosterContext, Rule, Violation, fmt_time, hour_ranges, unknown_names
from constraints.problem import covered_hours
from constraints.registry import RuleParams, register
from constraints.supervision import NEXT_WEEK

_CLOCK = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")


def _minutes(value: str) -> int:
    h, m = value.split(":")
    return int(h) * 60 + int(m)


def in_window(hours: pd.DatetimeIndex, start: str, end: str) -> np.ndarray:
    """Which local hours fall in [start, end) on the clock (wrapping past midnight)."""
    mins = np.asarray(hours.hour) * 60 + np.asarray(hours.minute)
    a, b = _minutes(start), _minutes(end)
    if a == b or (a == 0 and b == 24 * 60):
        return np.ones(len(hours), dtype=bool)
    if a < b:
        return (mins >= a) & (mins < b)
    return (mins >= a) | (mins < b)


@register
class LanguageCover(Rule):
    name = "language_cover"
    hard = False
    description = "At least N speakers of a language on duty in a district during configured hours."

    class Params(RuleParams):
        language: str
        min: int = Field(default=1, ge=1)
        districts: list[str] | None = None
        start: str = "00:00"
        end: str = "24:00"
        hard: bool = False
        weight: float = Field(default=100.0, ge=0)

        @field_validator("start", "end")
        @classmethod
        def _clock(cls, v: str) -> str:
            if not _CLOCK.fullmatch(v) or _minutes(v) > 24 * 60:
                raise ValueError(f"'{v}' is not a local clock time HH:MM")
            return v

    def __init__(self, params):
        self.params = params
        self.hard = params.hard

    def validate(self, config) -> list[str]:
        return unknown_names("rules.language_cover.districts", self.params.districts or [], config.districts, "districts")

    def _districts(self, config) -> list[str]:
        return self.params.districts or list(config.districts)

    def speakers(self, staff: pd.DataFrame) -> set[str]:
        lang = self.params.language.strip().lower()
        return {sid for sid, langs in zip(staff["staff_id"], staff["languages"]) if lang in {str(x).strip().lower() for x in (langs or [])}}

    def apply(self, m: ModelContext) -> None:
        speak = self.speakers(m.problem.staff)
        fixed = m.fixed_on_duty
        fixed = fixed[fixed["staff_id"].isin(speak)].groupby(["district", "hour"]).size().to_dict() if not fixed.empty else {}
        terms = self._cover(m, m.on_duty(), speak, fixed, m.problem.hours, "")
        # The next week's first hours, which only this horizon's last shifts reach (Problem.boundary).
        terms += self._cover(m, m.boundary_on_duty(), speak, {}, m.problem.boundary, NEXT_WEEK)
        if terms:
            p = self.params
            m.add_penalty(self.name, f"hours without {p.min} {p.language} speaker(s)", terms)

    def _cover(self, m: ModelContext, duty: pd.DataFrame, speak: set[str], fixed: dict, hours: pd.DatetimeIndex,
               note: str) -> list:
        """``min`` speakers on duty in each district and window hour of ``hours``: hard, or soft with
        the returned (shortfall variable, weight) terms."""
        p = self.params
        duty = duty[duty["staff_id"].isin(speak)]
        sums = m.sum_by(duty, ["district", "hour"])
        terms = []
        for d in self._districts(m.config):
            for h in np.flatnonzero(in_window(hours, p.start, p.end)):
                key = (d, int(h))
                need = p.min - fixed.get(key, 0)
                if need <= 0:
                    continue
                expr = sums.get(key, pulp.LpAffineExpression())
                if p.hard:
                    m.add_hard(self.name, expr, ">=", need, f"{d}, {fmt_time(hours[h])}{note}")
                else:
                    s = m.new_var("lang_short")
                    m.prob += expr + s >= need
                    terms.append((s, p.weight))
        return terms

    def cover_needs(self, problem) -> list[CoverNeed]:
        """In hard mode: per district, ``min`` speakers every hour of the window (less what last week's roster covers)."""
        p = self.params
        if not p.hard:
            return []
        speak = self.speakers(problem.staff)
        base = in_window(problem.hours, p.start, p.end).astype(float) * p.min
        prev = problem.previous
        out = []
        for d in self._districts(problem.config):
            per_hour = base.copy()
            if prev is not None and not prev.empty:
                on = prev[prev["staff_id"].isin(speak) & (prev["district"] == d)].reset_index(drop=True)
                np.subtract.at(per_hour, covered_hours(on["start"], on["end"], problem.hours, wrap=False)["hour"].to_numpy(), 1.0)
            out.append(CoverNeed(self.name, f"{p.language}-speaking cover", np.maximum(per_hour, 0.0), tuple(sorted(speak)),
                                 f"rules.language_cover min = {p.min}, {p.start}–{p.end}", district=d))
        return out

    def diagnose_context(self, problem, places: list[str]) -> str:
        p = self.params
        staff = problem.staff
        speak = self.speakers(staff)
        areas = sorted({w.split(",")[0].strip() for w in places})
        may = {d: sorted(sid for sid, h, f in zip(staff["staff_id"], staff["home_district"], staff["float_districts"])
                         if sid in speak and (d == h or d in f)) for d in areas}
        on_leave = set(problem.leave["staff_id"]) if not problem.leave.empty else set()
        parts = [f"{d}: {len(ids)} {p.language} speaker(s) may work there" + (f", {len(set(ids) & on_leave)} with approved leave" if ids else "")
                 for d, ids in may.items()]
        return (
            f"rules.language_cover needs {p.min} {p.language} speaker(s) on duty {p.start}–{p.end}; {len(speak)} people speak "
            f"{p.language} in all ({'; '.join(parts)}). Add speakers or let them float there, lower min, or set hard = false."
        )

    def check(self, ctx: RosterContext) -> list[Violation]:
        speak = self.speakers(ctx.problem.staff)
        return (self._check(ctx, ctx.on_duty, speak, ctx.problem.hours, "")
                + self._check(ctx, ctx.boundary_duty, speak, ctx.problem.boundary, NEXT_WEEK))

    def _check(self, ctx: RosterContext, duty: pd.DataFrame, speak: set[str], hours: pd.DatetimeIndex,
               note: str) -> list[Violation]:
        p = self.params
        window = np.flatnonzero(in_window(hours, p.start, p.end))
        counts = duty[duty["staff_id"].isin(speak)].groupby(["district", "hour"]).size().to_dict()
        out = []
        for d in self._districts(ctx.config):
            bad = [int(h) for h in window if counts.get((d, int(h)), 0) < p.min]
            if bad:
                missing = sum(p.min - counts.get((d, h), 0) for h in bad)
                out.append(
                    Violation(
                        self.name,
                        f"{d}: fewer than {p.min} {p.language} speaker(s) on duty at {hour_ranges(hours, bad)}{note}",
                        district=d,
                        when=hour_ranges(hours, bad),
                        amount=float(missing),
                        hard=p.hard,
                    )
                )
        return out


def natural_seat(config, role: str) -> str:
    return config.roles[role].seat(role)


@register
class CrossCover(Rule):
    name = "cross_cover"
    hard = True  # a row in a seat the person may not fill is an error
    description = "People of one role may fill another role's seat where allowed."

    class Params(RuleParams):
        allow: dict[str, list[str]]
        staff: list[str] | None = None
        per_hour: float = Field(default=1.0, ge=0)

    def __init__(self, params):
        self.params = params
        self._rows = None

    def validate(self, config) -> list[str]:
        problems = unknown_names("rules.cross_cover.allow", list(self.params.allow), config.roles, "roles")
        seats = set(config.seat_roles) | {natural_seat(config, r) for r in config.roles}
        for role, targets in self.params.allow.items():
            problems += unknown_names(f"rules.cross_cover.allow.{role}", targets, seats, "seats")
        return problems

    def allowed_seats(self, config, staff_id: str, role: str) -> set[str]:
        own = natural_seat(config, role)
        if self.params.staff is not None and staff_id not in set(self.params.staff):
            return {own}
        return {own, *self.params.allow.get(role, [])}

    def restrict(self, cand: pd.DataFrame, problem) -> pd.DataFrame:
        """Add one candidate per extra seat a person may fill (same person, shift and district)."""
        cfg = problem.config
        extra = []
        for role, targets in self.params.allow.items():
            rows = cand[cand["role"] == role]
            if self.params.staff is not None:
                rows = rows[rows["staff_id"].isin(self.params.staff)]
            for seat in targets:
                if seat == natural_seat(cfg, role) or rows.empty:
                    continue
                extra.append(rows.assign(seat=seat))
        if not extra:
            return cand
        return pd.concat([cand, *extra], ignore_index=True)

    def apply(self, m: ModelContext) -> None:
        a = m.assign
        own = a["role"].map(lambda r: natural_seat(m.config, r))
        cross = a[a["seat"] != own]
        self._rows = cross[["staff_id", "date", "shift", "district", "seat", "x"]]
        if self.params.per_hour > 0 and not cross.empty:
            m.add_penalty(self.name, "hours in another role's seat", zip(cross["x"], self.params.per_hour * cross["paid_hours"]))

    def annotate_roster(self, roster: pd.DataFrame, config) -> pd.DataFrame:
        """Add the ``seat`` each person fills (after a solve)."""
        out = roster.copy()
        out["seat"] = [natural_seat(config, r) for r in out["role"]]
        if self._rows is None or self._rows.empty or out.empty:
            return out
        chosen = self._rows[[v.varValue is not None and v.varValue > 0.5 for v in self._rows["x"]]]
        if chosen.empty:
            return out
        key = ["staff_id", "date", "shift", "district"]
        merged = out[key].merge(chosen[key + ["seat"]], on=key, how="left")
        out["seat"] = merged["seat"].fillna(pd.Series(out["seat"].to_numpy())).to_numpy()
        return out

    def check(self, ctx: RosterContext) -> list[Violation]:
        r = ctx.roster
        out = []
        for row in r.itertuples():
            ok = self.allowed_seats(ctx.config, row.staff_id, row.role)
            if row.seat not in ok:
                out.append(
                    Violation(
                        self.name,
                        f"{row.staff_id} ({row.role}) fills a {row.seat} seat on {row.date} in {row.district}; allowed seats: {sorted(ok)}",
                        staff_id=row.staff_id,
                        district=row.district,
                        when=str(row.date),
                        amount=1,
                    )
                )
        return out
