"""What a rule is, and the two worlds it works in.

A rule is one named unit with two halves, in the spirit of OR-Tools'
``shift_scheduling_sat`` helpers and Timefold's constraint providers:

* ``apply(model)`` adds the rule's variables, constraints and penalty terms to a
  :class:`ModelContext` (PuLP expressions only; nothing here solves);
* ``check(roster)`` reads a finished roster (a :class:`RosterContext`) on its
  own, without any of the model's code, and returns :class:`Violation` rows a
  person can read.

Hard constraints go through :meth:`ModelContext.add_hard`, which records where
each came from.  In *elastic* mode (used to diagnose an infeasible plan) every
hard constraint gets a slack variable with a large cost, so the solver reports
which rules had to bend, where and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd
import pulp

from constraints.problem import Problem, covered_hours
from forecast.errors import InputError


@dataclass(frozen=True)
class Violation:
    """One broken rule in a finished roster, in words a person can read."""

    rule: str
    message: str
    staff_id: str | None = None
    district: str | None = None
    when: str | None = None
    amount: float = 0.0
    hard: bool = True

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "staff_id": self.staff_id or "",
            "district": self.district or "",
            "when": self.when or "",
            "amount": self.amount,
            "hard": self.hard,
            "message": self.message,
        }


@dataclass
class Penalty:
    """A named term of the objective, so every part of the cost can be explained."""

    rule: str
    label: str
    expr: pulp.LpAffineExpression


@dataclass
class ElasticSlack:
    rule: str
    where: str
    var: pulp.LpVariable


@dataclass(frozen=True)
class HoursBand:
    """A hard band on one person's paid hours, in a week of the horizon or the whole horizon.

    Rules declare their bands (:meth:`Rule.hours_bands`) so the strengthening in
    :mod:`constraints.count_hull` can add the band's integer hull in whole shifts.
    """

    staff_id: str
    week: int | None  # week of the horizon (0 = the first), None = the whole horizon
    low: float | None
    high: float | None
    where: str


RUN_LIMIT_KINDS = ("max_run", "min_run", "min_off", "max_weekends")


@dataclass(frozen=True)
class CoverNeed:
    """Hours of cover a hard rule demands and who may give them, for the capacity check of a diagnosis.

    ``per_hour``: people needed on duty at each hour of the horizon (after what last week's
    roster already covers); ``staff``: the people who count towards it; ``district``: where
    (None = anywhere); ``setting``: the roster.toml key that sets the need, e.g.
    ``supervision.min_supervisors_citywide = 1``.
    """

    rule: str
    what: str
    per_hour: np.ndarray
    staff: tuple[str, ...]
    setting: str
    district: str | None = None


class Rule:
    """One named rule.  Subclasses set ``name``, ``hard`` and ``description`` and implement
    :meth:`apply` and :meth:`check`; every other hook below is optional, with a default
    that does nothing, and is called for every rule at the step its docstring names.
    A new rule needs no edits elsewhere: the pipeline, the model and the strengthening
    ask each rule through these hooks.
    """

    name: str = "rule"
    hard: bool = True
    description: str = ""

    # -- when roster.toml is read ------------------------------------------------
    def validate(self, config) -> list[str]:
        """Problems with the rule's references to the config (districts, shifts, roles,
        seats), each naming the key, e.g. ``rules.language_cover.districts names ['X'],
        which are not districts; ...``.  Called when roster.toml is loaded and again when
        a model is built, so a bad reference never reaches the solver."""
        return []

    def ensure_valid(self, config) -> None:
        """Raise :class:`InputError` naming every problem :meth:`validate` finds."""
        problems = self.validate(config)
        if problems:
            raise InputError("roster.toml: " + " ".join(problems))

    # -- when the staff file is read ---------------------------------------------
    def prepare_staff(self, staff: pd.DataFrame, config) -> pd.DataFrame:
        """Adjust the staff table before anything else sees it (e.g. the float pool widens
        float districts).  Raise :class:`InputError` for staff the rule names but the file lacks."""
        return staff

    # -- building the model --------------------------------------------------------
    def restrict(self, cand: pd.DataFrame, problem: Problem) -> pd.DataFrame:
        """Drop candidate assignments the rule forbids outright (leave, eligibility, rest
        after last week), so the model never creates their variables."""
        return cand

    def apply(self, model: "ModelContext") -> None:  # pragma: no cover - interface
        """Add the rule's variables, hard constraints (``add_hard``) and penalty terms (``add_penalty``)."""
        raise NotImplementedError

    # -- what the rule lets the model derive (strengthening, after every apply) -----
    def hours_bands(self, problem: Problem) -> list[HoursBand]:
        """The hard bands on paid hours the rule imposes (for the whole-shift hull rows)."""
        return []

    def shift_caps(self, problem: Problem) -> dict[str, tuple[frozenset, int]]:
        """Per person, a hard cap on shifts of the given kinds over the horizon."""
        return {}

    def run_limits(self, problem: Problem) -> dict[str, dict[str, int | None]]:
        """Hard limits on runs of working days, per kind of :data:`RUN_LIMIT_KINDS` and
        person (``max_run``: most consecutive days, ``min_run``: fewest, ``min_off``: fewest
        consecutive days off, ``max_weekends``: most weekends worked), for the run flow."""
        return {}

    def shifts_per_day_cap(self) -> int | None:
        """The most shifts a person may start on one day under this rule (None: no cap)."""
        return None

    # -- a finished roster ---------------------------------------------------------
    def check(self, roster: "RosterContext") -> list[Violation]:  # pragma: no cover - interface
        """The roster's breaches of this rule, read from the rows alone (never from a model)."""
        raise NotImplementedError

    def annotate_roster(self, roster: pd.DataFrame, config) -> pd.DataFrame:
        """Add what the rule decided to the solved roster's rows (e.g. the seat each person fills)."""
        return roster

    def diagnose_context(self, problem: Problem, places: list[str]) -> str | None:
        """One sentence for the diagnosis of an infeasible plan when this rule had to bend:
        why it binds and what the user can change."""
        return None

    def cover_needs(self, problem: Problem) -> list[CoverNeed]:
        """The hours of cover this hard rule demands (e.g. a supervisor on duty every hour), so a
        diagnosis can weigh them against the hours the eligible staff can give before any solve."""
        return []


def unknown_names(key: str, names, known, what: str) -> list[str]:
    """``["rules.X.key names [...], which are not <what>; known <what> are [...]."]`` or ``[]``."""
    bad = [n for n in names if n not in known]
    if not bad:
        return []
    return [f"{key} names {bad}, which are not {what}; known {what} are {sorted(known)}."]


def fmt_time(ts: pd.Timestamp) -> str:
    """'Tue 2026-11-03 02:00' – short local time for messages."""
    return ts.strftime("%a %Y-%m-%d %H:%M")


def hour_ranges(hours: pd.DatetimeIndex, idx: Iterable[int]) -> str:
    """Collapse hour positions into readable ranges: 'Tue 2026-11-03 02:00–06:00, …'."""
    idx = sorted(set(int(i) for i in idx))
    if not idx:
        return ""
    parts, start, prev = [], idx[0], idx[0]
    for i in idx[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        end = hours[prev] + pd.Timedelta(hours=1)
        parts.append(f"{fmt_time(hours[start])}–{end.strftime('%H:%M')}")
        if i is not None:
            start = prev = i
    return ", ".join(parts)


class ModelContext:
    """The PuLP model under construction, and the tables rules build from.

    ``assign`` has one row per candidate assignment (a person, a shift instance, a
    district) with a binary variable in column ``x``; candidates that leave,
    eligibility or night rules forbid are never created.  ``cover`` links each
    candidate to the hours of the week it covers (columns ``a`` = row of
    ``assign``, ``hour``).
    """

    def __init__(self, problem: Problem, assign: pd.DataFrame, *, elastic: bool = False, elastic_cost: float = 1e6,
                 standby_slacks: bool = False):
        self.problem = problem
        self.config = problem.config
        self.prob = pulp.LpProblem("roster", pulp.LpMinimize)
        self.assign = assign
        self.elastic = elastic
        # Standby slacks: every hard constraint gets a slack column as in elastic
        # mode, but with upper bound 0, so the model *is* the hard model.  A repair
        # heuristic (roster.solve.lns.search) may open them to start from any roster at all and
        # then drive them back to zero, without building a second model.
        self.standby_slacks = standby_slacks and not elastic
        self.elastic_cost = elastic_cost
        self.penalties: list[Penalty] = []
        self.slacks: list[ElasticSlack] = []
        # Columns of extended formulations whose values follow from the assignment (the
        # run-rule flow): they tighten the LP relaxation, and a neighbourhood search may
        # leave them and their rows out of its small MIPs and settle them afterwards.
        self.implied: list[pulp.LpVariable] = []
        self.constraint_count: dict[str, int] = {}
        self._n = 0
        inst_cover = covered_hours(problem.instances["start"], problem.instances["end"], problem.hours, wrap=problem.wrap)
        inst_cover = inst_cover.rename(columns={"row": "inst"})
        pairs = assign[["inst"]].reset_index(names="a").merge(inst_cover, on="inst")
        self.cover = pairs[["a", "hour"]]
        self.fixed_on_duty = self._previous_on_duty()

    def _previous_on_duty(self) -> pd.DataFrame:
        """Staff of last week's roster still on duty in this week's first hours."""
        prev = self.problem.previous
        if prev is None or prev.empty:
            return pd.DataFrame(columns=["staff_id", "district", "seat", "clinical", "supervisor", "hour"])
        cov = covered_hours(prev["start"], prev["end"], self.problem.hours, wrap=False)
        staff = self.problem.staff.set_index("staff_id")
        rows = prev.reset_index(drop=True).iloc[cov["row"]].reset_index(drop=True)
        out = pd.DataFrame({"staff_id": rows["staff_id"].to_numpy(), "district": rows["district"].to_numpy(), "hour": cov["hour"].to_numpy()})
        out = out[out["staff_id"].isin(staff.index)]
        out["seat"] = staff.loc[out["staff_id"], "seat"].to_numpy()
        out["clinical"] = staff.loc[out["staff_id"], "clinical"].to_numpy()
        out["supervisor"] = staff.loc[out["staff_id"], "supervisor"].to_numpy()
        return out

    # -- building blocks -------------------------------------------------
    def new_var(self, prefix: str, low: float = 0, up: float | None = None, cat: str = "Continuous") -> pulp.LpVariable:
        self._n += 1
        return new_variable(self.prob, f"{prefix}_{self._n}", low, up, cat)

    @staticmethod
    def expr(vars_and_coefs) -> pulp.LpAffineExpression:
        return pulp.LpAffineExpression(vars_and_coefs)

    def sum_by(self, frame: pd.DataFrame, keys: list[str], coef: str | None = None) -> dict:
        """Group candidate rows and sum their variables (times ``coef`` column if given)."""
        out = {}
        if frame.empty:
            return out
        cols = keys + ["x"] + ([coef] if coef else [])
        for key, grp in frame[cols].groupby(keys, sort=False):
            if coef:
                out[key] = pulp.LpAffineExpression(zip(grp["x"], grp[coef]))
            else:
                out[key] = pulp.LpAffineExpression([(v, 1) for v in grp["x"]])
        return out

    def on_duty(self) -> pd.DataFrame:
        """Candidate rows joined to the hours they cover (``assign`` columns plus ``hour``)."""
        a = self.assign.iloc[self.cover["a"].to_numpy()].reset_index(drop=True)
        a["hour"] = self.cover["hour"].to_numpy()
        return a

    def boundary_on_duty(self) -> pd.DataFrame:
        """Candidate rows joined to the next week's first hours they reach (``hour`` indexes
        ``problem.boundary``; empty for a repeating week)."""
        bounds = self.problem.boundary
        if len(bounds) == 0:
            return self.assign.iloc[:0].assign(hour=pd.Series(dtype=np.int64))
        inst = self.problem.instances
        cov = covered_hours(inst["start"], inst["end"], bounds, wrap=False).rename(columns={"row": "inst"})
        pairs = self.assign[["inst"]].reset_index(names="a").merge(cov, on="inst")
        a = self.assign.iloc[pairs["a"].to_numpy()].reset_index(drop=True)
        a["hour"] = pairs["hour"].to_numpy()
        return a

    def add_hard(self, rule: str, lhs, sense: str, rhs: float, where: str) -> None:
        """Add ``lhs (<=|>=|==) rhs`` as a hard constraint of ``rule`` at ``where``."""
        if not isinstance(rhs, (int, float)):
            rhs = float(rhs)  # a numpy integer would make PuLP copy ``lhs`` once more
        if self.elastic or self.standby_slacks:
            up = 0 if self.standby_slacks else None
            s = self.new_var("slack", up=up)
            self.slacks.append(ElasticSlack(rule, where, s))
            if sense == "<=":
                lhs = lhs - s
            elif sense == ">=":
                lhs = lhs + s
            else:
                s2 = self.new_var("slack", up=up)
                self.slacks.append(ElasticSlack(rule, where, s2))
                lhs = lhs + s - s2
        if sense == "<=":
            c = lhs <= rhs
        elif sense == ">=":
            c = lhs >= rhs
        else:
            c = lhs == rhs
        if isinstance(c, bool):
            # A constant comparison: nothing for the solver; a false one is a plain
            # impossibility that the diagnosis must name.
            if not c:
                self.slacks.append(ElasticSlack(rule, where, None))
            return
        self.prob += c
        self.constraint_count[rule] = self.constraint_count.get(rule, 0) + 1

    def add_penalty(self, rule: str, label: str, expr) -> None:
        self.penalties.append(Penalty(rule, label, pulp.LpAffineExpression(expr)))

    def finish(self) -> None:
        """Assemble the objective from the rules' penalty terms (and elastic slacks)."""
        terms = [p.expr for p in self.penalties]
        if self.elastic or self.standby_slacks:
            # One expression for all slacks, instead of a throwaway product per slack
            # (large models have hundreds of thousands of slacks).
            terms.append(pulp.LpAffineExpression([(s.var, self.elastic_cost) for s in self.slacks if s.var is not None]))
        self.prob.setObjective(pulp.lpSum(terms))


class RosterContext:
    """A finished roster and the problem it answers, for independent checking.

    ``roster`` has one row per shift with at least ``staff_id, district, date,
    shift, start, end`` (tz-aware instants); ``problem`` supplies staff, leave,
    requirements and the week.  ``on_duty`` is computed here from the rows,
    never from a model.
    """

    def __init__(self, problem: Problem, roster: pd.DataFrame):
        self.problem = problem
        self.config = problem.config
        self.roster = roster.reset_index(drop=True)
        staff = problem.staff.set_index("staff_id")
        known = self.roster["staff_id"].isin(staff.index)
        self.unknown_staff = sorted(set(self.roster.loc[~known, "staff_id"]))
        self.roster = self.roster[known].reset_index(drop=True)
        # A row may name the seat it fills (rules.cross_cover); otherwise the role's own seat.
        given_seat = self.roster["seat"].astype(object).to_numpy() if "seat" in self.roster.columns else None
        for col in ("role", "seat", "clinical", "supervisor", "home_district", "works_nights"):
            self.roster[col] = staff.loc[self.roster["staff_id"], col].to_numpy()
        if given_seat is not None:
            use = pd.notna(given_seat) & (pd.Series(given_seat, dtype=object).astype(str).str.strip() != "").to_numpy()
            self.roster["seat"] = np.where(use, given_seat, self.roster["seat"].to_numpy())
        cov = covered_hours(self.roster["start"], self.roster["end"], problem.hours, wrap=problem.wrap)
        duty = self.roster.iloc[cov["row"].to_numpy()].reset_index(drop=True)
        duty["hour"] = cov["hour"].to_numpy()
        prev = problem.previous
        if prev is not None and not prev.empty:
            prev = prev.reset_index(drop=True)
            pc = covered_hours(prev["start"], prev["end"], problem.hours, wrap=False)
            p = prev.iloc[pc["row"].to_numpy()].reset_index(drop=True)
            p["hour"] = pc["hour"].to_numpy()
            p = p[p["staff_id"].isin(staff.index)].reset_index(drop=True)
            for col in ("role", "seat", "clinical", "supervisor"):
                p[col] = staff.loc[p["staff_id"], col].to_numpy()
            duty = pd.concat([duty, p[[c for c in duty.columns if c in p.columns]]], ignore_index=True)
        self.on_duty = duty
        # The next week's first hours that only this roster's last shifts reach (Problem.boundary).
        bounds = problem.boundary
        if len(bounds):
            bc = covered_hours(self.roster["start"], self.roster["end"], bounds, wrap=False)
            self.boundary_duty = self.roster.iloc[bc["row"].to_numpy()].reset_index(drop=True)
            self.boundary_duty["hour"] = bc["hour"].to_numpy()
        else:
            self.boundary_duty = self.roster.iloc[:0].assign(hour=pd.Series(dtype=np.int64))

    def hour_label(self, h: int) -> str:
        return fmt_time(self.problem.hours[h])


def new_variable(prob: pulp.LpProblem, name: str, low: float | None = 0, up: float | None = None,
                 cat: str = "Continuous") -> pulp.LpVariable:
    """A variable of ``prob``, made the way PuLP 3.3+ asks for (``prob.add_variable``).

    Constructing ``pulp.LpVariable`` directly makes PuLP 3.x issue a deprecation
    warning for every variable, which costs time on models with millions of columns
    and will stop working in PuLP 4.  Older
    PuLP has no ``add_variable``; there the plain constructor is the only way.
    """
    add = getattr(prob, "add_variable", None)
    if add is None:
        return pulp.LpVariable(name, lowBound=low, upBound=up, cat=cat)
    return add(name, low, up, cat)


def as_int_array(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)
