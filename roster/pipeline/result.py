"""What a plan produces: :class:`PlanResult`, its ``summary.json`` and the files it writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from constraints.problem import Problem
from roster.evaluate.pay import cost_summary
from roster.io.pseudonyms import pseudonyms, shareable_files
from roster.io.schemas import COVERAGE_COLUMNS, ROSTER_COLUMNS
from roster.io.writers import iso
from roster.solve.model import SolveResult


@dataclass
class PlanResult:
    monday: dt.date
    problem: Problem
    forecast: pd.DataFrame
    requirements: pd.DataFrame
    solve: SolveResult | None
    roster: pd.DataFrame  # priced roster rows (tz-aware start/end)
    coverage: pd.DataFrame
    summary: dict
    violations: list = field(default_factory=list)
    simulation: pd.DataFrame | None = None
    explain: pd.DataFrame | None = None
    penalties: pd.DataFrame | None = None
    changes: pd.DataFrame | None = None
    shortfalls: pd.DataFrame | None = None  # shortfalls.csv: uncovered hours with their reason

    def files(self, *, pseudonym_key: bytes | None = None) -> dict[str, object]:
        """Every output file's contents; with ``pseudonym_key``, keyed pseudonyms replace names and staff ids
        (:func:`~roster.io.pseudonyms.shareable_files`: no staff_id, no per-shift cost)."""
        roster = self.roster.copy()
        if pseudonym_key is not None:
            roster["name"] = pseudonyms(roster["staff_id"], pseudonym_key)
        # A `seat` column appears only when rules.cross_cover lets people fill another role's seat.
        cols = ROSTER_COLUMNS + (["seat"] if "seat" in roster.columns else [])
        roster_out = roster[cols].copy()
        roster_out["start"] = iso(roster_out["start"])
        roster_out["end"] = iso(roster_out["end"])
        roster_out["date"] = roster_out["date"].astype(str)
        fc = self.forecast.copy()
        fc["hour_start"] = iso(fc["hour_start"])
        cov = self.coverage.copy()
        cov["hour_start"] = iso(cov["hour_start"])
        req = self.requirements.drop(columns=["hour"], errors="ignore").copy()
        req["hour_start"] = iso(req["hour_start"])
        files = {
            "roster.csv": roster_out,
            "coverage.csv": cov[COVERAGE_COLUMNS],
            "forecast.csv": fc,
            "requirements.csv": req,
            "summary.json": self.summary,
            **({"simulation.csv": self.simulation} if self.simulation is not None else {}),
            **({"explain.csv": self.explain} if self.explain is not None else {}),
            **({"penalties.csv": self.penalties} if self.penalties is not None else {}),
            **({"changes.csv": _dates_as_text(self.changes)} if self.changes is not None else {}),
            **({"shortfalls.csv": _times_as_text(self.shortfalls)} if self.shortfalls is not None else {}),
        }
        return files if pseudonym_key is None else shareable_files(files, self.problem.staff["staff_id"], pseudonym_key)


def _times_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("start", "end"):
        out[col] = iso(out[col]) if len(out) else out[col].astype(str)
    return out


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["date"] = out["date"].astype(str)
    return out


def summarise(problem: Problem, result: SolveResult | None, priced: pd.DataFrame, coverage: pd.DataFrame, meta: dict) -> dict:
    cfg = problem.config
    short = coverage[coverage["shortfall"] > 0]
    by_district = {d: float(short.loc[short["district"] == d, "shortfall"].sum()) for d in cfg.district_names}
    by_role = {r: float(short.loc[short["role"] == r, "shortfall"].sum()) for r in cfg.seat_roles}
    summary = {
        "status": result.status if result else "no_solution",
        "solver": cfg.solver.name,
        "objective": None if result is None or result.objective is None else round(result.objective, 4),
        "bound": None if result is None or result.bound is None else round(result.bound, 4),
        "gap": None if result is None or result.gap is None else round(result.gap, 6),
        "solve_seconds": None if result is None else round(result.solve_seconds, 3),
        "build_seconds": None if result is None else round(result.build_seconds, 3),
        "week_start": problem.hours[0].isoformat(),
        "week_end": problem.week_end().isoformat(),
        "timezone": cfg.timezone,
        "currency": cfg.city.currency,
        "hours_in_week": len(problem.hours),
        "weeks": len(problem.weeks()),
        "period_start": problem.hours[0].isoformat(),
        "period_end": problem.week_end().isoformat(),
        "hours_in_period": len(problem.hours),
        **cost_summary(priced, problem.staff, cfg),
        "shortfall_hours": {
            "total": float(short["shortfall"].sum()),
            "by_district": by_district,
            "by_role": by_role,
        },
        "required_hours": float(coverage["required"].sum()),
        "scheduled_hours": float(coverage["scheduled"].sum()),
        "staff_used": int(priced["staff_id"].nunique()) if not priced.empty else 0,
        "staff_total": int(len(problem.staff)),
        "shifts": int(len(priced)),
        "penalties": {k: round(v, 2) for k, v in (result.penalties if result else {}).items()},
        "model_size": result.model_size if result else {},
        "strategy": result.strategy if result else None,
        "trace": result.trace if result else [],
        "forecast": meta,
        "planned_as_repeating_week": problem.wrap,
        "cost_by_role": {r: cost_summary(priced[priced["role"] == r], problem.staff, cfg)
                         for r in sorted(priced["role"].unique())} if not priced.empty else {},
        "night_shifts": sorted(n for n, t in cfg.shifts.items() if t.night),
        "service_target": None if cfg.service is None else {"target_minutes": cfg.service.target_minutes,
                                                            "target_share": cfg.service.target_share},
    }
    return summary


def erlang_expectation(req: pd.DataFrame) -> dict:
    """Call-weighted Erlang C service level the requirements were set for, per district and ALL."""
    first = req.drop_duplicates(["district", "hour_start"])
    w = first["arrival_rate"].clip(lower=0)
    out = {}
    for d, g in first.groupby("district"):
        ww = w.loc[g.index]
        out[d] = round(float((g["expected_service_level"] * ww).sum() / ww.sum()), 4) if ww.sum() > 0 else None
    out["ALL"] = round(float((first["expected_service_level"] * w).sum() / w.sum()), 4) if w.sum() > 0 else None
    return out
