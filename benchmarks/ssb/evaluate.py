"""Independent evaluator for Employee Shift Scheduling Benchmark rosters.

Scores a roster directly from the assignment -- never from a solver's objective --
so that a MIP result can be re-checked: :func:`evaluate` returns the benchmark
objective (shift-on/off request penalties + under/over cover penalties) and a list of
every hard-rule violation in plain words.

An *assignment* is one of

* a mapping ``{(staff_id, day): shift_id}`` -- a value of ``None``, ``""`` or ``"-"``
  means a day off, and a value may also be a list/tuple/set of shift ids (so a roster
  with two shifts on one day can be expressed and is reported);
* a pandas DataFrame with columns ``staff_id``, ``day``, ``shift`` (``shift_id`` is
  accepted too), one row per worked shift; repeated ``(staff_id, day)`` rows mean
  several shifts that day; NaN/empty/``-`` shift = day off;
* any other iterable of ``(staff_id, day, shift_id)`` triples.

Absent ``(staff_id, day)`` pairs are days off.  Unknown staff or shift ids and days
outside the horizon are not rule violations but a malformed solution:
:class:`SSBSolutionError` (a ``ValueError``) is raised.

Horizon edges (see ``docs/ssb.md``): days before day 0 and after day H-1 count as
days off for the succession and maximum-consecutive rules, so nothing is checked
across the edges; runs of work (resp. days off) that start on day 0 or end on day
H-1 are exempt from the *minimum* consecutive shifts (resp. days off) rules.

When a day carries several shifts (an invalid roster), the objective counts every
one of them: each is a person on that shift for cover, an on-request is met if the
requested shift is among them, an off-request is violated if it is among them, and
every shift's minutes and per-type count are added.
"""

from __future__ import annotations

import csv
import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.ssb.instance import CoverRequirement, ShiftRequest, SSBInstance

__all__ = [
    "Rule",
    "Violation",
    "Evaluation",
    "SSBSolutionError",
    "evaluate",
    "normalise_assignment",
    "write_solution",
    "read_solution",
]

_OFF_TOKENS = ("", "-")


class Rule(enum.StrEnum):
    """The benchmark's hard rules (README §3.1 numbering in brackets)."""

    ONE_SHIFT_PER_DAY = "one_shift_per_day"  # (1)
    FORBIDDEN_SUCCESSION = "forbidden_succession"  # (2)
    MAX_SHIFTS_PER_TYPE = "max_shifts_per_type"  # (3)
    MAX_TOTAL_MINUTES = "max_total_minutes"  # (4)
    MIN_TOTAL_MINUTES = "min_total_minutes"  # (4)
    MAX_CONSECUTIVE_SHIFTS = "max_consecutive_shifts"  # (5)
    MIN_CONSECUTIVE_SHIFTS = "min_consecutive_shifts"  # (6)
    MIN_CONSECUTIVE_DAYS_OFF = "min_consecutive_days_off"  # (7)
    MAX_WEEKENDS = "max_weekends"  # (8)
    DAY_OFF = "day_off"  # (9)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule.

    ``days`` are the days involved (the run, the offending day(s), the worked days
    that make up a total); ``amount`` is by how much the limit is missed, in the
    rule's unit (shifts, minutes, days or weekends); ``message`` says it in words.
    """

    rule: Rule
    staff_id: str
    days: tuple[int, ...]
    amount: int
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Evaluation:
    """Objective and hard-rule check of one roster."""

    objective: int
    shift_on_penalty: int
    shift_off_penalty: int
    under_cover_penalty: int
    over_cover_penalty: int
    violations: tuple[Violation, ...]
    unmet_on_requests: tuple[ShiftRequest, ...]
    violated_off_requests: tuple[ShiftRequest, ...]
    #: ``(cover row, number of staff assigned)`` for every row where that differs from the requirement
    cover_deviations: tuple[tuple[CoverRequirement, int], ...]

    @property
    def feasible(self) -> bool:
        """True when no hard rule is violated."""
        return not self.violations

    def violations_of(self, rule: Rule | str) -> list[Violation]:
        r = Rule(rule)
        return [v for v in self.violations if v.rule is r]

    def summary(self) -> str:
        head = (
            f"objective {self.objective} = shift-on {self.shift_on_penalty} + shift-off {self.shift_off_penalty}"
            f" + under-cover {self.under_cover_penalty} + over-cover {self.over_cover_penalty}; "
        )
        if self.feasible:
            return head + "feasible (no hard-rule violation)"
        return head + f"{len(self.violations)} hard-rule violation(s):\n" + "\n".join(
            f"  - {v.message}" for v in self.violations
        )


class SSBSolutionError(ValueError):
    """A solution that cannot be scored (unknown ids, bad day, malformed CSV)."""


# ------------------------------------------------------------ normalisation


def _is_off(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if pd.isna(value) is True:
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and value.strip() in _OFF_TOKENS


def _as_day(value: Any, where: str) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise SSBSolutionError(f"{where}: day {value!r} is not an integer") from None
    if not f.is_integer():
        raise SSBSolutionError(f"{where}: day {value!r} is not an integer")
    return int(f)


def _triples(assignment: Any) -> Iterable[tuple[Any, Any, Any]]:
    if isinstance(assignment, pd.DataFrame):
        cols = set(assignment.columns)
        shift_col = "shift" if "shift" in cols else "shift_id" if "shift_id" in cols else None
        if "staff_id" not in cols or "day" not in cols or shift_col is None:
            raise SSBSolutionError(
                f"assignment DataFrame needs columns staff_id, day, shift; has {list(assignment.columns)}"
            )
        yield from zip(assignment["staff_id"].tolist(), assignment["day"].tolist(), assignment[shift_col].tolist())
        return
    if isinstance(assignment, Mapping):
        for key, value in assignment.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise SSBSolutionError(f"assignment keys must be (staff_id, day) pairs, got {key!r}")
            if not _is_off(value) and not isinstance(value, str) and isinstance(value, Iterable):
                for v in value:
                    yield key[0], key[1], v
            else:
                yield key[0], key[1], value
        return
    for item in assignment:
        if len(item) != 3:
            raise SSBSolutionError(f"assignment items must be (staff_id, day, shift_id) triples, got {item!r}")
        yield item[0], item[1], item[2]


def normalise_assignment(instance: SSBInstance, assignment: Any) -> dict[str, list[list[str]]]:
    """``{staff_id: [shifts on day 0, shifts on day 1, ...]}`` for every staff member.

    Each inner list is empty on a day off and has one entry per assigned shift
    (so more than one entry is a violation of the one-shift-a-day rule).
    Raises :class:`SSBSolutionError` for unknown ids or days outside the horizon.
    """
    H = instance.horizon
    grid: dict[str, list[list[str]]] = {e: [[] for _ in range(H)] for e in instance.staff_ids}
    for staff_id, day, shift in _triples(assignment):
        if _is_off(shift):
            continue
        sid = str(shift).strip()
        eid = str(staff_id).strip()
        where = f"assignment ({eid}, {day}, {sid})"
        if eid not in grid:
            raise SSBSolutionError(f"{where}: unknown staff id {eid!r} in {instance.name}")
        if not instance.has_shift(sid):
            raise SSBSolutionError(f"{where}: unknown shift id {sid!r} in {instance.name}")
        d = _as_day(day, where)
        if not 0 <= d < H:
            raise SSBSolutionError(f"{where}: day {d} is outside the horizon 0..{H - 1}")
        grid[eid][d].append(sid)
    return grid


# ----------------------------------------------------------------- helpers


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """Maximal runs ``(first, last)`` of ``value`` in ``flags``."""
    out: list[tuple[int, int]] = []
    start = None
    for i, f in enumerate(flags):
        if f == value:
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(flags) - 1))
    return out


def _days_text(days: Iterable[int]) -> str:
    ds = sorted(days)
    if not ds:
        return "no days"
    if len(ds) == 1:
        return f"day {ds[0]}"
    if ds == list(range(ds[0], ds[-1] + 1)):
        return f"days {ds[0]}-{ds[-1]}"
    return "days " + ", ".join(map(str, ds))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------- evaluate


def evaluate(instance: SSBInstance, assignment: Any) -> Evaluation:
    """Score ``assignment`` on ``instance`` and list every hard-rule violation.

    The objective is computed whether or not the roster is feasible (it is the
    benchmark's penalty only; hard rules are reported, never priced).
    """
    H = instance.horizon
    grid = normalise_assignment(instance, assignment)
    violations: list[Violation] = []

    for e in instance.staff:
        days = grid[e.id]
        works = [bool(x) for x in days]
        worked_days = [d for d in range(H) if works[d]]

        # (1) one shift per day
        for d, shifts in enumerate(days):
            if len(shifts) > 1:
                violations.append(
                    Violation(
                        Rule.ONE_SHIFT_PER_DAY, e.id, (d,), len(shifts) - 1,
                        f"staff {e.id} has {len(shifts)} shifts on day {d} ({', '.join(shifts)}); "
                        f"at most one shift a day is allowed ({len(shifts) - 1} too many)",
                    )
                )

        # (9) days off
        for d in sorted(instance.days_off.get(e.id, ())):
            if days[d]:
                violations.append(
                    Violation(
                        Rule.DAY_OFF, e.id, (d,), len(days[d]),
                        f"staff {e.id} works {'/'.join(days[d])} on day {d}, which is one of their days off",
                    )
                )

        # (2) forbidden successions (inside the horizon only)
        for d in range(H - 1):
            for s in days[d]:
                banned = instance.shift(s).forbidden_next
                for t in days[d + 1]:
                    if t in banned:
                        violations.append(
                            Violation(
                                Rule.FORBIDDEN_SUCCESSION, e.id, (d, d + 1), 1,
                                f"staff {e.id} works shift {s} on day {d} and shift {t} on day {d + 1}; "
                                f"shift {t} may not follow shift {s} on the next day",
                            )
                        )

        # (3) max shifts per type
        for s in instance.shifts:
            on = [d for d in range(H) if s.id in days[d]]
            count = sum(days[d].count(s.id) for d in on)
            limit = e.max_shifts[s.id]
            if count > limit:
                what = "may never work it" if limit == 0 else f"more than the maximum {limit}"
                violations.append(
                    Violation(
                        Rule.MAX_SHIFTS_PER_TYPE, e.id, tuple(on), count - limit,
                        f"staff {e.id} works shift {s.id} {_plural(count, 'time')} ({_days_text(on)}), "
                        f"{what} (by {count - limit})",
                    )
                )

        # (4) total minutes
        minutes = sum(instance.shift(s).length_minutes for d in range(H) for s in days[d])
        if minutes > e.max_total_minutes:
            over = minutes - e.max_total_minutes
            violations.append(
                Violation(
                    Rule.MAX_TOTAL_MINUTES, e.id, tuple(worked_days), over,
                    f"staff {e.id} works {minutes} minutes in total, more than the maximum "
                    f"{e.max_total_minutes} (by {over} minutes)",
                )
            )
        if minutes < e.min_total_minutes:
            short = e.min_total_minutes - minutes
            violations.append(
                Violation(
                    Rule.MIN_TOTAL_MINUTES, e.id, tuple(worked_days), short,
                    f"staff {e.id} works {minutes} minutes in total, fewer than the minimum "
                    f"{e.min_total_minutes} (short by {short} minutes)",
                )
            )

        # (5)/(6) consecutive working days
        for a, b in _runs(works, True):
            n = b - a + 1
            if n > e.max_consecutive_shifts:
                violations.append(
                    Violation(
                        Rule.MAX_CONSECUTIVE_SHIFTS, e.id, tuple(range(a, b + 1)), n - e.max_consecutive_shifts,
                        f"staff {e.id} works {n} consecutive days ({_days_text(range(a, b + 1))}), "
                        f"more than the maximum {e.max_consecutive_shifts} (by {n - e.max_consecutive_shifts})",
                    )
                )
            touches_edge = a == 0 or b == H - 1
            if not touches_edge and n < e.min_consecutive_shifts:
                violations.append(
                    Violation(
                        Rule.MIN_CONSECUTIVE_SHIFTS, e.id, tuple(range(a, b + 1)), e.min_consecutive_shifts - n,
                        f"staff {e.id} works a run of only {_plural(n, 'day')} ({_days_text(range(a, b + 1))}) "
                        f"between days off, fewer than the minimum {e.min_consecutive_shifts} consecutive shifts "
                        f"(short by {e.min_consecutive_shifts - n})",
                    )
                )

        # (7) consecutive days off
        for a, b in _runs(works, False):
            n = b - a + 1
            if a == 0 or b == H - 1:
                continue  # runs touching the horizon edge are exempt
            if n < e.min_consecutive_days_off:
                violations.append(
                    Violation(
                        Rule.MIN_CONSECUTIVE_DAYS_OFF, e.id, tuple(range(a, b + 1)), e.min_consecutive_days_off - n,
                        f"staff {e.id} has a run of only {_plural(n, 'day')} off ({_days_text(range(a, b + 1))}) "
                        f"between working days, fewer than the minimum {e.min_consecutive_days_off} consecutive "
                        f"days off (short by {e.min_consecutive_days_off - n})",
                    )
                )

        # (8) weekends: worked if Saturday or Sunday is worked
        worked_weekends = [(w, wk) for w, wk in enumerate(instance.weekends) if any(works[d] for d in wk)]
        if len(worked_weekends) > e.max_weekends:
            over = len(worked_weekends) - e.max_weekends
            wdays = tuple(d for _w, wk in worked_weekends for d in wk if works[d])
            listing = "; ".join(
                f"weekend {w} ({_days_text([d for d in wk if works[d]])})" for w, wk in worked_weekends
            )
            violations.append(
                Violation(
                    Rule.MAX_WEEKENDS, e.id, wdays, over,
                    f"staff {e.id} works on {_plural(len(worked_weekends), 'weekend')} ({listing}), "
                    f"more than the maximum {e.max_weekends} (by {over})",
                )
            )

    # ---- objective
    unmet_on = tuple(r for r in instance.shift_on_requests if r.shift_id not in grid[r.staff_id][r.day])
    bad_off = tuple(r for r in instance.shift_off_requests if r.shift_id in grid[r.staff_id][r.day])
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for days in grid.values():
        for d, shifts in enumerate(days):
            for s in shifts:
                counts[(d, s)] += 1
    under = over = 0
    deviations: list[tuple[CoverRequirement, int]] = []
    for c in instance.cover:
        n = counts.get((c.day, c.shift_id), 0)
        if n != c.requirement:
            deviations.append((c, n))
        under += c.weight_under * max(0, c.requirement - n)
        over += c.weight_over * max(0, n - c.requirement)
    on_pen = sum(r.weight for r in unmet_on)
    off_pen = sum(r.weight for r in bad_off)
    return Evaluation(
        objective=on_pen + off_pen + under + over,
        shift_on_penalty=on_pen,
        shift_off_penalty=off_pen,
        under_cover_penalty=under,
        over_cover_penalty=over,
        violations=tuple(violations),
        unmet_on_requests=unmet_on,
        violated_off_requests=bad_off,
        cover_deviations=tuple(deviations),
    )


# ------------------------------------------------------------ solution CSV

SOLUTION_COLUMNS = ("staff_id", "day", "shift")


def write_solution(path: str | Path, assignment: Any, instance: SSBInstance | None = None) -> None:
    """Write ``staff_id,day,shift`` rows, one per worked shift (days off are omitted).

    With ``instance`` the assignment is validated first and rows follow the file's
    staff order, then day; without it, rows are sorted by (staff_id, day, shift).
    """
    if instance is not None:
        grid = normalise_assignment(instance, assignment)
        rows = [(e, d, s) for e in instance.staff_ids for d, shifts in enumerate(grid[e]) for s in shifts]
    else:
        rows = sorted(
            (str(e).strip(), _as_day(d, "assignment"), str(s).strip())
            for e, d, s in _triples(assignment)
            if not _is_off(s)
        )
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SOLUTION_COLUMNS)
        w.writerows(rows)


def read_solution(path: str | Path) -> pd.DataFrame:
    """Read a ``staff_id,day,shift`` CSV into a DataFrame (columns ``staff_id``, ``day``, ``shift``).

    Rows whose shift is empty or ``-`` are days off and are dropped.  Repeated
    ``(staff_id, day)`` rows are kept (they are reported by :func:`evaluate`).
    Raises :class:`SSBSolutionError` naming the file and line on malformed input.
    """
    p = Path(path)
    rows: list[tuple[str, int, str]] = []
    with p.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != list(SOLUTION_COLUMNS):
            raise SSBSolutionError(f"{p}, line 1: header must be 'staff_id,day,shift', got {header!r}")
        for row in reader:
            lineno = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 3:
                raise SSBSolutionError(f"{p}, line {lineno}: expected 3 fields, got {len(row)}: {row!r}")
            staff_id, day, shift = (c.strip() for c in row)
            if not staff_id:
                raise SSBSolutionError(f"{p}, line {lineno}: empty staff_id")
            if not day.isdigit():
                raise SSBSolutionError(f"{p}, line {lineno}: day must be a non-negative integer, got {day!r}")
            if shift in _OFF_TOKENS:
                continue
            rows.append((staff_id, int(day), shift))
    return pd.DataFrame(
        {
            "staff_id": pd.Series([r[0] for r in rows], dtype=object),
            "day": pd.Series([r[1] for r in rows], dtype="int64"),
            "shift": pd.Series([r[2] for r in rows], dtype=object),
        }
    )
