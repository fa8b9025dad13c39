"""Reader for the Employee Shift Scheduling Benchmark (Curtois & Qu), instances 1..24.

The benchmark's plain-text instances (``Instance1.txt`` ... ``Instance24.txt``) are
used to check the crisis-roster engine against published optima.  This module only
*reads* them into frozen dataclasses; scoring a roster lives in :mod:`benchmarks.ssb.evaluate`
and the mapping onto the rostering MIP lives elsewhere.  See ``docs/ssb.md`` for the
format, the semantics of every rule and the horizon-edge conventions.

Format in one paragraph: ASCII lines; ``#`` starts a comment line; blank lines are
ignored; a line that is exactly ``SECTION_<NAME>`` starts a section; data lines are
comma separated.  Sections: HORIZON (one integer, the number of days; day 0 is a
Monday), SHIFTS (``id,minutes,forbidden|next|ids``), STAFF (``id,S1=n|S2=m,maxmin,
minmin,maxcons,mincons,mindaysoff,maxweekends``), DAYS_OFF (``staff,day,day,...``),
SHIFT_ON_REQUESTS and SHIFT_OFF_REQUESTS (``staff,day,shift,weight``) and COVER
(``day,shift,requirement,weight_under,weight_over``).

Public API: :func:`read_instance`, :func:`parse_instance`, :func:`load_best_known`,
:func:`describe`, the dataclasses and :class:`SSBFormatError`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "SECTIONS",
    "SSBFormatError",
    "ShiftType",
    "StaffMember",
    "ShiftRequest",
    "CoverRequirement",
    "SSBInstance",
    "BestKnown",
    "read_instance",
    "parse_instance",
    "load_best_known",
    "describe",
]

#: The seven section names, in the order every benchmark file uses.
SECTIONS: tuple[str, ...] = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
_REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF")
_ID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")


class SSBFormatError(ValueError):
    """Malformed benchmark input.  ``str(err)`` names the file and, when known, the line."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ShiftType:
    """A shift type: ``id``, its length in minutes and the shift ids forbidden on the next day."""

    id: str
    length_minutes: int
    forbidden_next: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StaffMember:
    """One employee's hard limits over the whole horizon.

    ``max_shifts[s]`` bounds how often shift ``s`` may be worked (0 = never).
    Minutes bounds apply to the sum of shift lengths.  Consecutive limits count
    working *days* (any shift) and days off; see ``docs/ssb.md`` for horizon edges.
    """

    id: str
    max_shifts: Mapping[str, int] = field(hash=False)
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class ShiftRequest:
    """A weighted soft request: staff ``staff_id`` wants (on) / does not want (off) ``shift_id`` on ``day``."""

    staff_id: str
    day: int
    shift_id: str
    weight: int


@dataclass(frozen=True)
class CoverRequirement:
    """Preferred number of staff on ``shift_id`` on ``day``; penalty per missing / surplus person."""

    day: int
    shift_id: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class SSBInstance:
    """A parsed benchmark instance.  Day ``d`` is a Saturday when ``d % 7 == 5``."""

    name: str
    horizon: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[StaffMember, ...]
    days_off: Mapping[str, frozenset[int]] = field(hash=False)
    shift_on_requests: tuple[ShiftRequest, ...]
    shift_off_requests: tuple[ShiftRequest, ...]
    cover: tuple[CoverRequirement, ...]
    _shift_index: Mapping[str, ShiftType] = field(init=False, repr=False, compare=False)
    _staff_index: Mapping[str, StaffMember] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shift_index", MappingProxyType({s.id: s for s in self.shifts}))
        object.__setattr__(self, "_staff_index", MappingProxyType({e.id: e for e in self.staff}))

    # convenience look-ups -------------------------------------------------
    @property
    def shift_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.shifts)

    @property
    def staff_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.staff)

    def shift(self, shift_id: str) -> ShiftType:
        return self._shift_index[shift_id]

    def staff_member(self, staff_id: str) -> StaffMember:
        return self._staff_index[staff_id]

    def has_shift(self, shift_id: str) -> bool:
        return shift_id in self._shift_index

    def has_staff(self, staff_id: str) -> bool:
        return staff_id in self._staff_index

    @property
    def weekends(self) -> tuple[tuple[int, ...], ...]:
        """Each weekend as the tuple of its days inside the horizon: ``(7w+5, 7w+6)``.

        Only weekends whose Saturday lies in the horizon are listed (all benchmark
        horizons are whole weeks, so this is ``H // 7`` full Saturday+Sunday pairs).
        """
        return tuple(
            tuple(d for d in (sat, sat + 1) if d < self.horizon) for sat in range(5, self.horizon, 7)
        )

    @property
    def cover_by_key(self) -> Mapping[tuple[int, str], CoverRequirement]:
        return MappingProxyType({(c.day, c.shift_id): c for c in self.cover})


@dataclass(frozen=True)
class BestKnown:
    """One row of ``best_known.csv``."""

    instance: int
    days: int
    staff: int
    shift_types: int
    best_known: int
    lower_bound: int
    proven_optimal: bool
    source: str = ""


# ------------------------------------------------------------------- parsing


class _Ctx:
    def __init__(self, source: str):
        self.source = source

    def fail(self, line: int | None, msg: str) -> SSBFormatError:
        return SSBFormatError(self.source, line, msg)

    def int_(self, text: str, line: int, what: str, *, minimum: int = 0) -> int:
        t = text.strip()
        if not re.fullmatch(r"[+-]?\d+", t):
            raise self.fail(line, f"{what} must be an integer, got {text!r}")
        v = int(t)
        if v < minimum:
            raise self.fail(line, f"{what} must be >= {minimum}, got {v}")
        return v

    def ident(self, text: str, line: int, what: str) -> str:
        t = text.strip()
        if not t or not _ID_RE.match(t):
            raise self.fail(line, f"{what} is not a valid identifier: {text!r}")
        return t


def read_instance(path: str | Path) -> SSBInstance:
    """Read one ``InstanceN.txt`` file.  Raises :class:`SSBFormatError` on malformed input."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:  # keep the file name in the message
        raise SSBFormatError(str(p), None, f"cannot read file: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SSBFormatError(str(p), None, f"not UTF-8/ASCII text: {exc}") from exc
    return parse_instance(text, source=str(p), name=p.stem)


def parse_instance(text: str, *, source: str = "<string>", name: str | None = None) -> SSBInstance:
    """Parse the text of an instance file (``source`` is used in error messages only)."""
    ctx = _Ctx(source)
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise ctx.fail(lineno, f"unknown section header {line!r}")
            if line in sections:
                raise ctx.fail(lineno, f"section {line} appears twice")
            sections[line] = []
            current = line
            continue
        if current is None:
            raise ctx.fail(lineno, "data line before the first SECTION_ header")
        sections[current].append((lineno, line))
    for sec in _REQUIRED:
        if sec not in sections:
            raise ctx.fail(None, f"missing section {sec}")

    # HORIZON ---------------------------------------------------------------
    hz = sections["SECTION_HORIZON"]
    if len(hz) != 1:
        first = hz[1][0] if len(hz) > 1 else None
        raise ctx.fail(first, f"SECTION_HORIZON must have exactly one data line, found {len(hz)}")
    hline, htext = hz[0]
    horizon = ctx.int_(htext, hline, "horizon length", minimum=1)

    def day(text_: str, line: int) -> int:
        d = ctx.int_(text_, line, "day index")
        if d >= horizon:
            raise ctx.fail(line, f"day {d} is outside the horizon 0..{horizon - 1}")
        return d

    # SHIFTS ----------------------------------------------------------------
    shift_rows: list[tuple[int, str, int, list[str]]] = []
    seen_shifts: dict[str, int] = {}
    for lineno, line in sections["SECTION_SHIFTS"]:
        f = line.split(",")
        if len(f) != 3:
            raise ctx.fail(lineno, f"shift line needs 3 fields (id,minutes,forbidden_next), found {len(f)}: {line!r}")
        sid = ctx.ident(f[0], lineno, "shift id")
        if sid in seen_shifts:
            raise ctx.fail(lineno, f"shift {sid!r} defined twice (first on line {seen_shifts[sid]})")
        seen_shifts[sid] = lineno
        length = ctx.int_(f[1], lineno, f"length of shift {sid}", minimum=1)
        nxt = [ctx.ident(t, lineno, "forbidden-next shift id") for t in f[2].split("|")] if f[2].strip() else []
        shift_rows.append((lineno, sid, length, nxt))
    if not shift_rows:
        raise ctx.fail(None, "SECTION_SHIFTS has no shift types")
    for lineno, sid, _length, nxt in shift_rows:
        for t in nxt:
            if t not in seen_shifts:
                raise ctx.fail(lineno, f"shift {sid!r} forbids unknown shift {t!r} on the next day")
    shifts = tuple(ShiftType(sid, length, frozenset(nxt)) for _l, sid, length, nxt in shift_rows)
    shift_ids = set(seen_shifts)

    # STAFF -----------------------------------------------------------------
    staff: list[StaffMember] = []
    seen_staff: dict[str, int] = {}
    for lineno, line in sections["SECTION_STAFF"]:
        f = line.split(",")
        if len(f) != 8:
            raise ctx.fail(lineno, f"staff line needs 8 fields, found {len(f)}: {line!r}")
        eid = ctx.ident(f[0], lineno, "staff id")
        if eid in seen_staff:
            raise ctx.fail(lineno, f"staff {eid!r} defined twice (first on line {seen_staff[eid]})")
        seen_staff[eid] = lineno
        max_shifts: dict[str, int] = {}
        for pair in f[1].split("|"):
            if pair.count("=") != 1:
                raise ctx.fail(lineno, f"MaxShifts entry {pair!r} of staff {eid} is not 'ShiftID=count'")
            s, n = pair.split("=")
            s = s.strip()
            if s not in shift_ids:
                raise ctx.fail(lineno, f"MaxShifts of staff {eid} names unknown shift {s!r}")
            if s in max_shifts:
                raise ctx.fail(lineno, f"MaxShifts of staff {eid} lists shift {s!r} twice")
            max_shifts[s] = ctx.int_(n, lineno, f"MaxShifts[{s}] of staff {eid}")
        missing = [s.id for s in shifts if s.id not in max_shifts]
        if missing:
            raise ctx.fail(lineno, f"MaxShifts of staff {eid} has no entry for shift(s) {', '.join(missing)}")
        staff.append(
            StaffMember(
                id=eid,
                max_shifts=MappingProxyType({s.id: max_shifts[s.id] for s in shifts}),
                max_total_minutes=ctx.int_(f[2], lineno, f"MaxTotalMinutes of staff {eid}"),
                min_total_minutes=ctx.int_(f[3], lineno, f"MinTotalMinutes of staff {eid}"),
                max_consecutive_shifts=ctx.int_(f[4], lineno, f"MaxConsecutiveShifts of staff {eid}"),
                min_consecutive_shifts=ctx.int_(f[5], lineno, f"MinConsecutiveShifts of staff {eid}"),
                min_consecutive_days_off=ctx.int_(f[6], lineno, f"MinConsecutiveDaysOff of staff {eid}"),
                max_weekends=ctx.int_(f[7], lineno, f"MaxWeekends of staff {eid}"),
            )
        )
    if not staff:
        raise ctx.fail(None, "SECTION_STAFF has no employees")

    def staff_ref(text_: str, line: int) -> str:
        eid = ctx.ident(text_, line, "staff id")
        if eid not in seen_staff:
            raise ctx.fail(line, f"unknown staff id {eid!r}")
        return eid

    def shift_ref(text_: str, line: int) -> str:
        sid = ctx.ident(text_, line, "shift id")
        if sid not in shift_ids:
            raise ctx.fail(line, f"unknown shift id {sid!r}")
        return sid

    # DAYS_OFF --------------------------------------------------------------
    days_off: dict[str, set[int]] = {e.id: set() for e in staff}
    for lineno, line in sections.get("SECTION_DAYS_OFF", []):
        f = line.split(",")
        if len(f) < 2:
            raise ctx.fail(lineno, f"days-off line needs a staff id and at least one day: {line!r}")
        eid = staff_ref(f[0], lineno)
        for t in f[1:]:
            days_off[eid].add(day(t, lineno))

    # REQUESTS --------------------------------------------------------------
    def requests(sec: str, kind: str) -> tuple[ShiftRequest, ...]:
        out: list[ShiftRequest] = []
        for lineno, line in sections.get(sec, []):
            f = line.split(",")
            if len(f) != 4:
                raise ctx.fail(lineno, f"{kind} request needs 4 fields (staff,day,shift,weight), found {len(f)}: {line!r}")
            out.append(
                ShiftRequest(
                    staff_id=staff_ref(f[0], lineno),
                    day=day(f[1], lineno),
                    shift_id=shift_ref(f[2], lineno),
                    weight=ctx.int_(f[3], lineno, f"{kind} request weight"),
                )
            )
        return tuple(out)

    on = requests("SECTION_SHIFT_ON_REQUESTS", "shift-on")
    off = requests("SECTION_SHIFT_OFF_REQUESTS", "shift-off")

    # COVER -----------------------------------------------------------------
    cover: list[CoverRequirement] = []
    seen_cover: dict[tuple[int, str], int] = {}
    for lineno, line in sections.get("SECTION_COVER", []):
        f = line.split(",")
        if len(f) != 5:
            raise ctx.fail(lineno, f"cover line needs 5 fields (day,shift,requirement,under,over), found {len(f)}: {line!r}")
        d = day(f[0], lineno)
        s = shift_ref(f[1], lineno)
        if (d, s) in seen_cover:
            raise ctx.fail(lineno, f"cover for day {d} shift {s} given twice (first on line {seen_cover[(d, s)]})")
        seen_cover[(d, s)] = lineno
        cover.append(
            CoverRequirement(
                day=d,
                shift_id=s,
                requirement=ctx.int_(f[2], lineno, "cover requirement"),
                weight_under=ctx.int_(f[3], lineno, "cover under-weight"),
                weight_over=ctx.int_(f[4], lineno, "cover over-weight"),
            )
        )

    return SSBInstance(
        name=name if name is not None else source,
        horizon=horizon,
        shifts=shifts,
        staff=tuple(staff),
        days_off=MappingProxyType({k: frozenset(v) for k, v in days_off.items()}),
        shift_on_requests=on,
        shift_off_requests=off,
        cover=tuple(cover),
    )


# --------------------------------------------------------------- best known


_BK_COLUMNS = ("instance", "days", "staff", "shift_types", "best_known", "lower_bound", "proven_optimal")


def load_best_known(path: str | Path) -> dict[int, BestKnown]:
    """Read ``best_known.csv`` into ``{instance number: BestKnown}``.

    The ``instance`` column may be ``Instance7`` or ``7``; ``proven_optimal`` is
    ``yes``/``no`` (also accepts true/false/1/0).
    """
    p = Path(path)
    ctx = _Ctx(str(p))
    try:
        fh = p.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise SSBFormatError(str(p), None, f"cannot read file: {exc}") from exc
    out: dict[int, BestKnown] = {}
    with fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        missing = [c for c in _BK_COLUMNS if c not in cols]
        if missing:
            raise ctx.fail(1, f"missing column(s) {', '.join(missing)}")
        for row in reader:
            lineno = reader.line_num
            m = re.fullmatch(r"(?:Instance)?(\d+)", (row["instance"] or "").strip())
            if not m:
                raise ctx.fail(lineno, f"bad instance name {row['instance']!r}")
            num = int(m.group(1))
            if num in out:
                raise ctx.fail(lineno, f"instance {num} listed twice")
            flag = (row["proven_optimal"] or "").strip().lower()
            if flag not in ("yes", "no", "true", "false", "1", "0"):
                raise ctx.fail(lineno, f"proven_optimal must be yes/no, got {row['proven_optimal']!r}")
            out[num] = BestKnown(
                instance=num,
                days=ctx.int_(row["days"], lineno, "days"),
                staff=ctx.int_(row["staff"], lineno, "staff"),
                shift_types=ctx.int_(row["shift_types"], lineno, "shift_types"),
                best_known=ctx.int_(row["best_known"], lineno, "best_known"),
                lower_bound=ctx.int_(row["lower_bound"], lineno, "lower_bound"),
                proven_optimal=flag in ("yes", "true", "1"),
                source=(row.get("source") or "").strip(),
            )
    return out


# ----------------------------------------------------------------- describe


def _span(values: Iterable[int]) -> str:
    vals = sorted(set(values))
    if not vals:
        return "-"
    return str(vals[0]) if len(vals) == 1 else f"{vals[0]}..{vals[-1]}"


def describe(instance: SSBInstance) -> str:
    """A short human-readable summary of an instance (multi-line string, no trailing newline).

    Lists the horizon, each shift type with its length and forbidden successors,
    the range of every staff limit, and the totals of days off, requests and cover.
    Intended for benchmark logs; the wording is not a stable interface.
    """
    inst = instance
    weeks, rest = divmod(inst.horizon, 7)
    lines = [
        f"{inst.name}: {inst.horizon} days ({weeks} weeks{f' + {rest} days' if rest else ''}, day 0 = Monday), "
        f"{len(inst.staff)} staff, {len(inst.shifts)} shift types",
    ]
    for s in inst.shifts:
        nxt = ",".join(sorted(s.forbidden_next)) or "-"
        lines.append(f"  shift {s.id}: {s.length_minutes} min; not followed next day by: {nxt}")
    st = inst.staff
    lines.append(
        "  staff limits: total minutes "
        f"min {_span(e.min_total_minutes for e in st)} / max {_span(e.max_total_minutes for e in st)}; "
        f"consecutive shifts min {_span(e.min_consecutive_shifts for e in st)} / "
        f"max {_span(e.max_consecutive_shifts for e in st)}; "
        f"min consecutive days off {_span(e.min_consecutive_days_off for e in st)}; "
        f"max weekends {_span(e.max_weekends for e in st)}"
    )
    banned = sum(1 for e in st for v in e.max_shifts.values() if v == 0)
    lines.append(f"  (staff, shift) pairs with MaxShifts = 0: {banned}")
    n_off = sum(len(v) for v in inst.days_off.values())
    lines.append(f"  days off (hard): {n_off} staff-days")
    for label, reqs in (("shift-on", inst.shift_on_requests), ("shift-off", inst.shift_off_requests)):
        lines.append(f"  {label} requests: {len(reqs)} (total weight {sum(r.weight for r in reqs)})")
    lines.append(
        f"  cover rows: {len(inst.cover)} (of {inst.horizon * len(inst.shifts)} day-shift pairs), "
        f"total requirement {sum(c.requirement for c in inst.cover)}, "
        f"under weights {_span(c.weight_under for c in inst.cover)}, over weights {_span(c.weight_over for c in inst.cover)}"
    )
    return "\n".join(lines)
