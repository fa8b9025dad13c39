"""What ``roster plan`` needs for re-plans of a published week: the --sick options and the
printed words of a pinned plan (the words of changes.csv and penalties.csv)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from roster.errors import InputError


def sick_setup(cfg, sick: str | None, sick_from: str | None, sick_to: str | None, pin: Path | None,
               week: str | None, freeze_before: str | None):
    """(the sick call or None, week, freeze_before) for ``roster plan``'s --sick options."""
    if sick is None:
        if sick_from is not None or sick_to is not None:
            raise InputError("--from/--to need --sick STAFF_ID (the person who is off sick).")
        return None, week, freeze_before
    if sick_from is None:
        raise InputError("--sick needs --from DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM): when the absence starts.")
    if pin is None:
        raise InputError("--sick needs --pin PUBLISHED.csv: the roster published for the week, to change as little as possible.")
    from roster.io.readers import load_people
    from roster.io.sick import sick_call

    staff, _ = load_people(cfg)
    call = sick_call(sick, sick_from, sick_to, cfg, staff["staff_id"])
    day = call.first_day
    monday = day - dt.timedelta(days=day.weekday())
    return call, (week if week is not None else monday.isoformat()), (freeze_before if freeze_before is not None else day.isoformat())


def pin_lines(pins: dict, penalties: pd.DataFrame | None) -> list[str]:
    """The printed summary of a pinned re-plan, in the words of changes.csv and penalties.csv."""
    lines = [
        f"  published:  {pins['kept']} of {pins['published']} shifts kept; {len(pins['forced'])} forced off, "
        f"{len(pins['moved'])} moved by choice, {len(pins['dropped'])} dropped by choice; {pins['added']} added (see changes.csv)"
    ]
    for kind, word in (("forced", "forced off"), ("moved", "moved"), ("dropped", "dropped")):
        for r in pins[kind]:
            lines.append(f"    {word}: {r['staff_id']} {r['shift']} {r['date']} in {r['district']}: {r['reason']}")
    if penalties is not None:
        row = penalties[(penalties["rule"] == "pinned_shifts") & (penalties["label"] == "published shifts not kept")]
        if len(row) and row["penalty"].iloc[0] > 0:
            lines.append(f"    charged in penalties.csv: {int(row['places'].iloc[0])} published shift(s) not kept = "
                         f"{row['penalty'].iloc[0]:,.0f} (shifts forced off by leave before solving are free)")
    return lines
