"""The kinds of neighbourhood, their sizes and scores, and how each is drawn.

Kinds: ``people`` (a few whole people), ``days`` (everyone over a window of days, placed
where the roster pays most), ``people_days`` (some people over a quarter of the horizon),
``lp_people`` (the people whose rosters differ most from the LP relaxation's, when it
solved), ``person`` (one whole person re-placed as the construction does, on models too large
to try whole) and, while rules bend, ``repair``.  Each kind keeps its own size, in
assignment columns: it grows while its pieces are solved to optimality quickly and shrinks
when they time out.  The next kind is drawn by what its pieces gained per second -- the
adaptive choice of ALNS.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from roster.solve.lns.repair import bent_owners, free_bent_people
from roster.solve.lns.settings import DEFAULT_SETTINGS, SearchSettings
from roster.solve.lns.state import SearchState

log = logging.getLogger("roster")


@dataclass(eq=False)  # compared by identity (it holds arrays)
class Job:
    """One neighbourhood drawn for solving: what it frees and how, and (once dispatched) the
    incumbent it was cut from and the future of its solve."""

    kind: str
    free: np.ndarray  # over the assignment columns
    target: float  # the kind's size when it was drawn
    whole: bool
    carry: bool
    limit: float
    repairing: bool
    abs_gap: float
    gap: float = 0.0  # relative gap the piece is solved to (0: to optimality)
    base: np.ndarray | None = None  # the incumbent it was cut from, when solved beside others
    base_objective: float = math.inf
    started: float = 0.0
    future: Future | None = None
    retried: bool = False  # drawn again after it did not fit a newer roster


def widen_on_stall(targets: dict[str, float], stale: int, level: int, n_x: int,
                   settings: SearchSettings = DEFAULT_SETTINGS) -> int:
    """After every ``stall_every`` neighbourhoods in a row without gain, grow every kind's size
    by ``stall_growth`` (at most the whole model) and return the new stall level, up to
    ``stall_levels``; pieces get ``1 + level / 2`` times their time limit.  The caller sets
    the level back to 0 at the next improvement (sizes then adapt as usual).

    Why: on mid-sized models the search stalls with every neighbourhood solved to optimality
    and none paying, and sizes only grow on pieces solved in under a quarter of their limit;
    what breaks such a stall are pieces larger than the search has been drawing."""
    if stale == 0 or stale % settings.stall_every or level >= settings.stall_levels:
        return level
    for kind in targets:
        targets[kind] = min(float(n_x), targets[kind] * settings.stall_growth)
    return level + 1


def draw_weights(scores: dict[str, float], durations: dict[str, float], kinds: tuple[str, ...]) -> np.ndarray:
    """The chances of drawing each of ``kinds`` next: in proportion to its score (what its pieces
    gained per second) over its pieces' average time, so that each kind's share of the workers'
    *time*, not of the draws, follows its score -- a kind whose pieces take a tenth of the time is
    drawn ten times as often (a kind not yet timed counts as 1 s).  Every kind keeps at least
    15 % of the mean weight, so none is starved."""
    w = np.array([scores[k] / durations.get(k, 1.0) for k in kinds])
    w = np.maximum(w, 0.15 * w.mean())
    return w / w.sum()


def day_window(rng: np.random.Generator, days: np.ndarray, staff_codes: np.ndarray, busy: np.ndarray,
               target: float, day_penalty: np.ndarray) -> np.ndarray:
    """A day-window neighbourhood of about ``target`` assignment columns: everyone over a few
    days (see :func:`window_start`), but the people ``busy`` in a piece being solved.

    Why leave them out: a day window beside a piece of whole people changes some of those
    people too, and then it seldom fits the newer roster.  Not when most people are busy
    (another day window is being solved): then the window is everyone's."""
    away = busy if busy.sum() <= 0.5 * len(busy) else np.zeros(len(busy), dtype=bool)
    included = ~away[staff_codes]
    horizon = len(day_penalty)
    per_day = max(included.sum() / horizon, 1.0)
    width = int(min(horizon, max(1, math.ceil(target / per_day))))
    first = window_start(rng, day_penalty, width)
    return (days >= first) & (days < first + width) & included


def window_start(rng: np.random.Generator, day_penalty: np.ndarray, width: int) -> int:
    """First day of a window of ``width`` days: half the time uniformly at random, otherwise
    drawn in proportion to the penalty paid inside the window (where the roster is weak)."""
    horizon = len(day_penalty)
    starts = horizon - width + 1
    if starts <= 1:
        return 0
    inside = np.convolve(day_penalty, np.ones(width), mode="valid")[:starts]
    if rng.random() < 0.5 or inside.sum() <= 0:
        return int(rng.integers(0, starts))
    w = inside + 0.05 * inside.mean()
    return int(rng.choice(starts, p=w / w.sum()))


class Neighbourhoods:
    """The kinds of neighbourhood with their sizes (``targets``), scores and piece times, and
    the draw of the next one from the incumbent.

    Each kind's score is a moving average of what its pieces gained per second, in per cent of
    the objective (so that the first score, 1, is on the scale of what they gain); kinds are
    drawn in proportion to it over their pieces' average time (:func:`draw_weights`).  Whether a
    piece carries the implied columns is chosen the same way, on its own: the flow's tight LP
    relaxation helps a sub-MIP find and prove its optimum on some models and slows it several
    times on others."""

    def __init__(self, s: SearchState, *, flow_in_pieces: bool | None, start_size: float | None):
        st = s.settings
        self.s = s
        self.flow_in_pieces = flow_in_pieces
        n_x, n_staff = s.n_x, len(s.staff_ids)
        # Neighbourhood sizes are counted in assignment columns and adapt as the search goes.
        self.per_person = n_x / max(n_staff, 1)
        # Each kind keeps its own size: whole days for everyone are often solved in a blink
        # where a few whole people time out, and vice versa.
        self.kinds = ("people", "days", "people_days") + (("lp_people",) if s.lp_x is not None else ())
        # One whole person re-placed, everyone else fixed, solved to the construction's gap and
        # time (person_gap, person_limit) without the flow: the construction's re-placing pass,
        # one person at a time and drawn by its pay like the other kinds, so that it goes on
        # for as long as it pays more than they do.  Its size is one person and does not adapt.
        if n_staff > 1 and n_x > st.whole_at_once:
            self.kinds += ("person",)
        self.person_order = s.rng.permutation(n_staff)
        self.person_pointer = 0
        # A small model is tried whole at once: with a roster as start HiGHS may simply prove it.
        if start_size is None:
            start_size = n_x if n_x <= st.whole_at_once else min(
                n_x, max(st.start_size_min, st.start_share * n_x), st.start_size_cap)
        self.start_size = float(min(max(start_size, 1.0), n_x))
        self.targets = {k: self.start_size for k in self.kinds if k != "person"}
        if s.slacks_open:
            self.targets["people"] = float(min(n_x, max(self.per_person, 0.05 * n_x)))
        self.order = s.rng.permutation(n_staff)
        self.pointer = 0
        self.scores = {k: 1.0 for k in self.kinds}
        # A moving average of each kind's piece times, from its first piece's own time on.
        self.durations: dict[str, float] = {}
        self.carry_scores = {False: 1.0, True: 1.0}
        self.can_carry = len(s.implied_idx) > 0 and flow_in_pieces is not False
        self.stall_level = 0  # see widen_on_stall
        self._penalty_cache: dict = {}

    def day_penalties(self, values: np.ndarray) -> np.ndarray:
        """What the roster pays in auxiliary columns (cover shortfalls, overtime, ...), spread
        over the days of the assignment columns that share a row with them."""
        if self._penalty_cache.get("of") is values:
            return self._penalty_cache["days"]
        s = self.s
        cutter = s.cutter()
        paid = np.maximum(s.hw.cost * values, 0.0)
        paid[s.x_idx] = 0.0
        per_row = cutter.pattern @ paid
        per_x = cutter.pattern_t[s.x_idx] @ per_row
        self._penalty_cache.update({"of": values, "days": np.bincount(s.days, weights=per_x, minlength=s.horizon)})
        return self._penalty_cache["days"]

    def draw(self, busy: np.ndarray) -> Job:
        """The next neighbourhood from the incumbent as it is now, leaving the ``busy`` people
        (in pieces being solved) out where the kind allows."""
        s = self.s
        if s.slacks_open:
            kind = "repair"
        else:
            p = draw_weights(self.scores, self.durations, self.kinds)
            kind = self.kinds[int(s.rng.choice(len(self.kinds), p=p))]
        free = np.zeros(s.n_x, dtype=bool)
        target = self.targets.get("people" if kind == "repair" else kind, 0.0)
        owners = bent_owners(s) if s.slacks_open else np.array([], dtype=np.int64)
        if kind == "repair" and (owners >= 0).any():
            free_bent_people(s, free, owners, target)
        elif kind in ("people", "repair"):
            self._free_people(free, busy, target)
        elif kind == "person":
            target = self._free_person(free, busy)
        elif kind == "lp_people":
            self._free_lp_people(free, busy, target)
        elif kind == "days":
            free = day_window(s.rng, s.days, s.staff_codes, busy, target, self.day_penalties(s.incumbent))
        else:
            self._free_people_days(free, busy, target)
        return self._job(kind, free, target)

    def _free_people(self, free: np.ndarray, busy: np.ndarray, target: float) -> None:
        """Whole people in turn (a permutation, drawn again when used up), skipping busy ones
        while others are left, until about ``target`` columns are free."""
        s = self.s
        count = 0
        taken = np.zeros(len(s.staff_ids), dtype=bool)
        while count < target and count < s.n_x:
            if self.pointer >= len(self.order):
                self.order = s.rng.permutation(len(s.staff_ids))
                self.pointer = 0
            person = self.order[self.pointer]
            rows = s.by_staff[person]
            self.pointer += 1
            if free[rows].all():
                break
            if busy[person] and not (busy | taken).all():
                continue
            free[rows] = True
            taken[person] = True
            count = int(free.sum())

    def _free_person(self, free: np.ndarray, busy: np.ndarray) -> float:
        """The next person in turn who is not busy (or the next at all); returns the size."""
        s = self.s
        for _ in range(len(s.staff_ids)):
            person = self.person_order[self.person_pointer]
            self.person_pointer = (self.person_pointer + 1) % len(s.staff_ids)
            if not busy[person]:
                break
        free[s.by_staff[person]] = True
        return float(free.sum())

    def _free_lp_people(self, free: np.ndarray, busy: np.ndarray, target: float) -> None:
        """The people whose rosters differ most from the LP relaxation's (with noise, so that
        the same few are not picked every time)."""
        s = self.s
        n_staff = len(s.staff_ids)
        diff = np.bincount(s.staff_codes, weights=np.abs(np.round(s.incumbent[s.x_idx]) - s.lp_x), minlength=n_staff)
        score = diff / (diff.max() + 1e-9) + 0.5 * s.rng.random(n_staff) - 2.0 * busy
        for k in np.argsort(-score, kind="stable"):
            free[s.by_staff[k]] = True
            if free.sum() >= target:
                break

    def _free_people_days(self, free: np.ndarray, busy: np.ndarray, target: float) -> None:
        """People in random order (the busy last) over a window of a quarter of the horizon
        (at least a week)."""
        s = self.s
        width = int(min(s.horizon, max(7, s.horizon // 4)))
        first = int(s.rng.integers(0, s.horizon - width + 1))
        window = (s.days >= first) & (s.days < first + width)
        people = s.rng.permutation(len(s.staff_ids))
        for k in np.concatenate([people[~busy[people]], people[busy[people]]]):
            free |= window & (s.staff_codes == k)
            if free.sum() >= target:
                break

    def _job(self, kind: str, free: np.ndarray, target: float) -> Job:
        """The drawn neighbourhood as a job: whether it carries the implied columns, its time
        limit and gaps."""
        s = self.s
        whole = bool(free.all())
        carry = False
        if kind == "person":
            limit = min(s.settings.person_limit, max(s.lns_deadline - time.perf_counter(), 0.1))
            return Job(kind, free, target, whole, False, limit, repairing=False, abs_gap=1e-6,
                       gap=s.settings.person_gap)
        if self.can_carry and not s.slacks_open and not whole:
            if self.flow_in_pieces:
                carry = True
            else:
                w = np.array([self.carry_scores[False], self.carry_scores[True]])
                w = np.maximum(w, 0.15 * w.mean())
                carry = bool(s.rng.random() < w[1] / w.sum())
        remaining = s.lns_deadline - time.perf_counter()
        limit = min(s.sub_limit * (1.0 + 0.5 * self.stall_level), max(remaining, 0.1))  # see widen_on_stall
        # While repairing, the bends dominate the objective (10^6 each), but the rest of it
        # still counts: the repaired people are placed where the roster needs them, so the
        # search goes on from a sensible roster instead of an arbitrary one.
        return Job(kind, free, target, whole, carry, limit, repairing=s.slacks_open,
                   abs_gap=0.5 if s.bends_only else 1e-6)

    def score(self, job: Job, gained: float, took: float) -> None:
        """Credit an improving piece's kind (and its way with the implied columns) with what it
        gained, in per cent of the objective per second of the piece's own time."""
        s = self.s
        spent = max(took, 0.2)
        pay = 100.0 * gained / max(abs(s.best), 1.0) / spent
        self.scores[job.kind] = 0.8 * self.scores[job.kind] + 0.2 * pay
        self.durations[job.kind] = (0.8 * self.durations[job.kind] + 0.2 * spent if job.kind in self.durations
                                    else spent)
        tally = s.stats.by_kind.setdefault(job.kind, [0, 0, 0.0, 0.0])
        tally[0] += 1
        tally[1] += int(gained > 0)
        tally[2] += gained
        tally[3] += took
        if self.can_carry and not job.whole and job.kind != "person":
            self.carry_scores[job.carry] = 0.8 * self.carry_scores[job.carry] + 0.2 * pay

    def adapt_size(self, job: Job, status: str, took: float, improved: bool, turn: bool) -> None:
        """Grow a kind's size when its piece was solved to optimality in a fraction of its
        limit; shrink it when the piece timed out.  One person's piece keeps its size."""
        kind, target, n_x = job.kind, job.target, float(self.s.n_x)
        if kind == "person":
            return
        if status == "Optimal":
            if job.repairing and took < 0.5 * job.limit:
                self.targets["people"] = min(n_x, target * 1.5)
            elif took < 0.25 * job.limit:
                self.targets[kind] = min(n_x, target * 1.25)
        elif not turn:  # a turn of the whole model that timed out says nothing about sizes
            # A timed-out repair is halved: its sub-MIPs are nearly independent per person, and
            # one size too many costs a whole time limit.  An improving piece that times out has
            # often still paid, so it shrinks gently; one that paid nothing is halved like the repair.
            shrink = 0.8 if improved and not job.repairing else 0.5
            self.targets["people" if kind == "repair" else kind] = max(min(30.0, self.per_person), target * shrink)

    def widen(self, stale: int) -> None:
        """Grow every size after a stall (see :func:`widen_on_stall`)."""
        level = widen_on_stall(self.targets, stale, self.stall_level, self.s.n_x, self.s.settings)
        if level > self.stall_level:
            log.debug("LNS: %d neighbourhoods without gain; sizes grown to %s", stale,
                      {k: int(v) for k, v in self.targets.items()})
        self.stall_level = level
