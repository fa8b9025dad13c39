"""A published week to re-plan: three North clinicians, one shift a day, and a day of sick leave.

Shared by the pinning tests (tests/roster/pipeline) and the search's re-plan test (tests/roster/solve)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cities import person
from constraints import default_rules
from constraints.pinning import PinnedShifts
from forecast.timegrid import local_midnight
from rule_helpers import MONDAY, make_problem, requirements, solve

ALL = range(7)
WED = MONDAY + dt.timedelta(days=2)


def pin_staff(c):
    return [person(s, "clinician", "North", cfg=c) for s in ("C1", "C2", "C3")]


def day_leave(c, sid, day):
    return pd.DataFrame([{"staff_id": sid, "start": local_midnight(day, c.timezone),
                          "end": local_midnight(day + dt.timedelta(days=1), c.timezone)}])


def published_week(c):
    req = requirements(c, [("North", "clinician", ALL, 7, 15)])
    p = make_problem(c, pin_staff(c), req)
    r, _ = solve(p)
    assert len(r) == 7
    return req, r


def pinned_rules(c, **params):
    return default_rules(c) + [PinnedShifts(PinnedShifts.Params(**params))]
