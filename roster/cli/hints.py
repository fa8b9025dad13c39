"""Hints printed beside a command's result when the likely cause is an option left out."""

from __future__ import annotations

import datetime as dt

from constraints.base import fmt_time
from forecast.timegrid import local_midnight


def previous_week_hint(violations: list, monday: dt.date, tz: str) -> str | None:
    """A hint to pass ``--previous`` when hard violations start at Monday 00:00 and no last week was given.

    Without last week's roster the check treats the week as repeating (this Sunday's night shift
    covers Monday's first hours); a roster planned with ``--previous`` relies on last week's night
    instead, so its Monday early hours look uncovered.
    """
    first = fmt_time(local_midnight(monday, tz))
    at_start = [v for v in violations if v.hard and v.when and first in v.when]
    if not at_start:
        return None
    return (f"hint: {len(at_start)} violation(s) start at {first}, the hours last week's night shifts cover. "
            "If this roster was planned with --previous, check it the same way: "
            "roster check ROSTER.csv --previous LAST_WEEK.csv")
