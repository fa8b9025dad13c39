"""The ``ics`` export: one iCalendar file per person (and optionally per district), through ``icalendar``.

Each shift is a VEVENT with DTSTART/DTEND in the city's zone (a VTIMEZONE for it is in
every file), the district as LOCATION, and a UID made from the city, the person, the
date and the shift template, so the same shift keeps its UID across re-plans.  A
calendar app replaces an event when SEQUENCE rises: given the events of the files
exported before (:func:`previous_events`), a shift whose time or district changed gets
SEQUENCE + 1, and a shift no longer in the roster is sent once more as CANCELLED.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd

PRODID = "-//crisis-roster//roster export//EN"


def shift_uid(city: str, staff_id: str, date, shift: str) -> str:
    digest = hashlib.sha256(f"{city}|{staff_id}|{date}|{shift}".encode("utf-8")).hexdigest()[:32]
    return f"{digest}@crisis-roster"


def _signature(start: dt.datetime, end: dt.datetime, location: str) -> tuple:
    return (start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc), str(location))


def previous_events(files: dict[str, bytes]) -> dict[str, dict]:
    """UID → {sequence, signature, event, file} of the events in earlier exported personal .ics files."""
    out = {}
    for file_name, data in files.items():
        if file_name.startswith("district-"):
            continue  # district calendars repeat the personal events
        try:
            cal = icalendar.Calendar.from_ical(data)
        except ValueError:
            continue  # not a calendar we can read: its events start again at SEQUENCE 0
        for ev in cal.walk("VEVENT"):
            out[str(ev["UID"])] = {"sequence": int(ev.get("SEQUENCE", 0)), "event": ev, "file": file_name.removesuffix(".ics"),
                                   "signature": _signature(ev.decoded("DTSTART"), ev.decoded("DTEND"), ev.get("LOCATION", ""))}
    return out


def whole_seconds(when, tz: ZoneInfo) -> dt.datetime:
    """A tz-aware time as a python datetime in ``tz``, rounded to the second: iCalendar's DATE-TIME has no
    fraction of a second, so an event and the earlier export's copy of it compare equal."""
    t = pd.Timestamp(when).tz_convert("UTC").round("s")
    return t.to_pydatetime().astimezone(tz)


def _event(r, cfg, previous: dict, stamp: dt.datetime) -> icalendar.Event:
    tz = ZoneInfo(cfg.timezone)
    start, end = whole_seconds(r.start, tz), whole_seconds(r.end, tz)
    uid = shift_uid(cfg.city.name, r.staff_id, r.date, r.shift)
    old = previous.get(uid)
    seq = 0 if old is None else old["sequence"] + (old["signature"] != _signature(start, end, r.district))
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("sequence", seq)
    ev.add("summary", f"{r.shift} shift, {r.district}")
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("location", r.district)
    return ev


def _cancelled(old: dict, stamp: dt.datetime) -> icalendar.Event:
    ev = old["event"]
    gone = icalendar.Event()
    for key in ("UID", "DTSTART", "DTEND", "SUMMARY", "LOCATION"):
        if key in ev:
            gone.add(key, ev.decoded(key) if key in ("DTSTART", "DTEND") else ev[key])
    gone.add("dtstamp", stamp)
    gone.add("sequence", old["sequence"] + (0 if str(ev.get("STATUS", "")) == "CANCELLED" else 1))
    gone.add("status", "CANCELLED")
    return gone


def _calendar(name: str, events: list[icalendar.Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for ev in events:
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


def calendars(priced: pd.DataFrame, cfg, *, file_names: dict[str, str], previous: dict[str, dict] | None = None,
              per_district: bool = False, stamp: dt.datetime | None = None) -> dict[str, bytes]:
    """``{file name: .ics bytes}``: one per person (named by ``file_names[staff_id]``), and per district if asked."""
    previous = previous or {}
    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    rows = priced.sort_values(["start", "staff_id"], kind="stable")
    events = {r.Index: _event(r, cfg, previous, stamp) for r in rows.itertuples()}
    current = {str(ev["UID"]) for ev in events.values()}
    out = {}
    for sid, g in rows.groupby("staff_id", sort=True):
        mine = [events[i] for i in g.index]
        gone = [_cancelled(o, stamp) for u, o in previous.items() if u not in current and o["file"] == file_names[sid]]
        out[f"{file_names[sid]}.ics"] = _calendar(file_names[sid], mine + gone)
    for name in sorted({o["file"] for o in previous.values()} - {f.removesuffix(".ics") for f in out}):
        # someone with no shifts left: their calendar once more, every event cancelled
        out[f"{name}.ics"] = _calendar(name, [_cancelled(o, stamp) for u, o in previous.items()
                                              if o["file"] == name and u not in current])
    if per_district:
        for district, g in rows.groupby("district", sort=True):
            out[f"district-{district}.ics"] = _calendar(f"{cfg.city.name} {district}", [events[i] for i in g.index])
    return out
