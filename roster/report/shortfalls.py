"""Why the hours are uncovered and whom to hire: the plan's shortfalls.csv and summary.json's
``shortfall_reasons`` and ``sizing`` as words and tables for the report's Explanations."""

from __future__ import annotations

import pandas as pd

from roster.report.frames import PlanFrames, local_times, zone_of
from roster.report.tables import esc, table

REASON_WORDS = {
    "no_shift": "no shift template covers these hours",
    "previous_roster": "only last week's published roster reaches these hours (the first hours of a week planned "
                       "with --previous, reached only by last week's last shifts); add someone to that roster",
    "no_one_free": "no one of the seat is free (district, leave, nights, or held by rest, weekly hours, days off, "
                   "one shift a day or the supervision ratio)",
    "too_costly": "a free person could cover them, but the shift costs more than the shortfall price",
    "other_rules": "a free person could cover them for less than the shortfall price; another rule or the "
                   "solver's gap kept them uncovered",
}
SHORT_WORDS = {"no_shift": "no shift covers them", "previous_roster": "last week's roster", "no_one_free": "no one free",
               "too_costly": "too costly", "other_rules": "other rules or the solver's gap"}
TOP_PLACES = 12


def reason_totals(frames: PlanFrames) -> dict[str, float]:
    """Uncovered staff-hours by reason: summary.json's ``shortfall_reasons``, else summed from shortfalls.csv."""
    given = frames.summary.get("shortfall_reasons")
    if isinstance(given, dict) and given:
        return {str(k): float(v or 0) for k, v in given.items()}
    s = frames.shortfalls
    if s is None or s.empty:
        return {}
    return {str(k): float(v) for k, v in s.groupby("reason", sort=False)["uncovered_staff_hours"].sum().items()}


def reasons_words(frames: PlanFrames) -> str:
    """One sentence per reason with staff-hours, largest first."""
    totals = {k: v for k, v in reason_totals(frames).items() if v > 0}
    if not totals:
        return ""
    whole = sum(totals.values())
    items = [f"<li><b>{v:g} staff-hours</b> ({v / whole:.0%}): {esc(REASON_WORDS.get(k, k.replace('_', ' ')))}.</li>"
             for k, v in sorted(totals.items(), key=lambda kv: -kv[1])]
    return f'<p class="words">Why the uncovered hours are uncovered:</p><ul class="explain">{"".join(items)}</ul>'


def _when(start: pd.Series, end: pd.Series) -> list[str]:
    out = []
    for a, b in zip(start, end):
        last = b - pd.Timedelta(seconds=1)
        same_day = last.normalize() == a.normalize()
        out.append(f"{a:%a %d %b %H:%M}–{b:%H:%M}" if same_day else f"{a:%a %d %b %H:%M}–{b:%a %H:%M}")
    return out


def places_table(frames: PlanFrames, top: int = TOP_PLACES) -> str:
    """The largest runs of uncovered hours with the reason in words and its detail."""
    s = frames.shortfalls
    if s is None or s.empty:
        return ""
    zone = zone_of(frames.summary)
    big = s.sort_values(["uncovered_staff_hours", "hours"], ascending=False, kind="stable").head(top).copy()
    start, end = local_times(big["start"], zone), local_times(big["end"], zone)
    detail = big["detail"] if "detail" in big.columns else pd.Series("", index=big.index)
    shown = pd.DataFrame({
        "district": big["district"].astype(str).to_numpy(), "seat": big["role"].astype(str).to_numpy(),
        "when": _when(start, end), "hours": big["hours"].to_numpy(),
        "staff-hours uncovered": big["uncovered_staff_hours"].to_numpy(),
        "why": [SHORT_WORDS.get(str(r), str(r)) for r in big["reason"]],
        "in detail": detail.fillna("").astype(str).to_numpy(),
    })
    more = len(s) - len(big)
    note = (f'<p class="note">The {len(big)} largest of {len(s)} runs of uncovered hours; shortfalls.csv lists every '
            "one.</p>" if more > 0 else '<p class="note">Every run of uncovered hours (shortfalls.csv).</p>')
    return table(shown, {"hours": "g", "staff-hours uncovered": "g"}) + note


def sizing_table(frames: PlanFrames) -> str:
    """summary.json's ``sizing``: about how many more people of each short seat would cover how much."""
    hints = frames.summary.get("sizing")
    if not isinstance(hints, list) or not hints:
        return ""
    rows = sorted((h for h in hints if isinstance(h, dict)), key=lambda h: -float(h.get("uncovered_hours") or 0))
    shown = pd.DataFrame({
        "district": [str(h.get("district", "")) for h in rows], "seat": [str(h.get("role", "")) for h in rows],
        "more people": [h.get("people") for h in rows], "hours a week each": [h.get("hours_each") for h in rows],
        "would cover staff-hours": [h.get("covers_hours") for h in rows],
        "of uncovered": [h.get("uncovered_hours") for h in rows],
    })
    words = "".join(f"<li>{esc(h.get('text', ''))}</li>" for h in rows if h.get("text"))
    return (table(shown, {"hours a week each": "g", "would cover staff-hours": "g", "of uncovered": "g"})
            + (f'<ul class="explain">{words}</ul>' if words else "")
            + '<p class="note">Added one seat at a time, each with one shift a day, rest, days off and a usual '
              "contract's hours, on top of this roster: a size to plan hiring with, not a roster.</p>")


def shortfall_explanations(frames: PlanFrames, runs_in_words: str) -> list[str]:
    """The Explanations' shortfall parts: with shortfalls.csv, the reasons and the largest places; without it (an
    older plan folder), ``runs_in_words``; then the sizing hints when summary.json has them."""
    places = places_table(frames)
    if places:
        parts = ["<h3>Shortfalls and why</h3>", reasons_words(frames), places]
    else:
        parts = ["<h3>Shortfalls</h3>", runs_in_words]
    sizing = sizing_table(frames)
    if sizing:
        parts += ["<h3>How many more people would cover them</h3>", sizing]
    return parts
