"""A start for a multi-week period: the period's weeks planned one after another.

Each week is its own small problem (:func:`week_problem`: the period's requirements, requests,
pins and shift requirements of that week, the weeks before it as ``previous``), which HiGHS
solves whole in seconds where the period's model may hold no roster for minutes.  The weeks'
rosters together are a roster of the period that :func:`start_values` turns into a MIP start for
the period's whole model, which then improves it and proves the bound (``strategy = "chain"``,
:func:`roster.solve.model.solve`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from constraints.problem import Problem

KEY = ["staff_id", "date", "shift", "district"]


def _days_slice(frame: pd.DataFrame | None, first: int, days: int) -> pd.DataFrame | None:
    if frame is None:
        return None
    inside = frame[(frame["day"] >= first) & (frame["day"] < first + days)].copy()
    inside["day"] -= first
    return inside.reset_index(drop=True)


def week_problem(problem: Problem, week: int, previous: pd.DataFrame | None) -> Problem:
    """Week ``week`` (0 = the first) of ``problem`` as a problem of its own after ``previous``.

    A week planned after ``previous`` (every week but the last) reaches one day into the next:
    it would otherwise need no Sunday night of its own (nothing after it is planned), and the
    next week would start with no one on duty, which hard rules such as the city-wide
    supervisor forbid.  The extra day's shifts are only there for that; the caller keeps the
    first seven days.  A first week without ``previous`` is planned as a repeating week, whose
    Sunday night covers its own Monday morning.
    """
    monday = problem.monday + dt.timedelta(days=7 * week)
    last = 7 * week + 7 >= problem.days
    wraps = last and problem.wrap and week > 0  # the period repeats: its first Monday follows this week
    days = 8 if previous is not None and (not last or wraps) else 7
    end = monday + dt.timedelta(days=days)
    first_hour = int(problem.hours.searchsorted(pd.Timestamp(monday).tz_localize(problem.tz, ambiguous=False,
                                                                                   nonexistent="shift_forward")))
    req = problem.requirements.copy()
    w = Problem.build(problem.config, monday, problem.staff.drop(columns=["seat", "clinical"]), problem.leave, req.iloc[:0],
                      previous=previous, days=days)
    n = len(w.hours)
    inside = req[(req["hour"] >= first_hour) & (req["hour"] < first_hour + n)].copy()
    inside["hour"] -= first_hour
    if wraps:
        inside = pd.concat([inside, _first_monday_again(problem, req, w)], ignore_index=True)
    req = inside
    pinned = None
    if problem.pinned is not None:
        pinned = problem.pinned[[monday <= d < end for d in problem.pinned["date"]]].reset_index(drop=True)
    w.requirements = req.reset_index(drop=True)
    w.pinned = pinned if pinned is not None and not pinned.empty else None
    w.requests = _days_slice(problem.requests, 7 * week, days)
    if last and not wraps and len(w.boundary):  # the period's last week covers what the period leaves the next
        w.boundary_requirements = problem.boundary_requirements
    w.shift_requirements = _days_slice(problem.shift_requirements, 7 * week, days)
    return w


def _first_monday_again(problem: Problem, req: pd.DataFrame, w: Problem) -> pd.DataFrame:
    """The period's first Monday's requirements on the day after its last week, by wall-clock hour."""
    day_after = w.hours[w.hours >= w.week_end() - pd.Timedelta(hours=30)]
    day_after = day_after[[ts.date() == w.monday + dt.timedelta(days=7) for ts in day_after]]
    first = {(ts.hour, ts.utcoffset() == problem.hours[0].utcoffset()): i for i, ts in enumerate(problem.hours[:24])}
    pos = {i: first.get((ts.hour, True), first.get((ts.hour, False))) for i, ts in zip(w.hours.get_indexer(day_after), day_after)}
    rows = []
    for i, j in pos.items():
        if j is not None:
            rows.append(req[req["hour"] == j].assign(hour=i))
    return pd.concat(rows, ignore_index=True) if rows else req.iloc[:0]


def start_values(assign: pd.DataFrame, roster: pd.DataFrame) -> list[tuple[object, float]]:
    """(assignment variable, 1) for each shift of ``roster``: a partial MIP start, which HiGHS
    completes by a small search over every other column (e.g. adding the last Sunday's night
    that a repeating period needs for its first Monday morning)."""
    chosen = set(map(tuple, roster[KEY].astype(object).to_numpy()))
    keys = zip(assign["staff_id"], assign["date"], assign["shift"], assign["district"])
    return [(x, 1.0) for k, x in zip(keys, assign["x"]) if k in chosen]
