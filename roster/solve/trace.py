"""The course of a solve: the incumbent's cost, the proven bound and the gap as they improve.

A :class:`SolveTrace` collects :class:`TracePoint`s from whatever improves them -- HiGHS's
callbacks (:meth:`SolveTrace.watch_highs`) or the neighbourhood search's new incumbents --
and passes each to an optional :class:`SolveWatcher` (the CLI's display,
``roster/cli/progress.py``).  Nothing here prints; ``summary.json`` stores the points as
``trace``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

# A bound that moves by less than this share of the incumbent is not a new point of the trace.
BOUND_STEP = 1e-4


@dataclass(frozen=True)
class TracePoint:
    seconds: float  # since the solve began
    objective: float | None  # the incumbent's cost (None: no roster yet)
    bound: float | None  # the best proven lower bound (None: none yet)
    gap: float | None  # (objective - bound) / |objective|

    def as_dict(self) -> dict:
        def r(v, n):
            return None if v is None else round(v, n)

        return {"seconds": r(self.seconds, 2), "objective": r(self.objective, 4), "bound": r(self.bound, 4),
                "gap": r(self.gap, 6)}


class SolveWatcher(Protocol):
    """What the solve layer tells a display: the solve began (with its time limit), improved, is at
    a new step (e.g. "planning week 2 of 4", before a period has any roster), ended."""

    def start(self, time_limit: float) -> None: ...

    def update(self, point: TracePoint) -> None: ...

    def step(self, seconds: float, text: str) -> None: ...

    def stop(self) -> None: ...


def _finite(v) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


class SolveTrace:
    """Incumbent and bound over time; thread-safe (HiGHS calls back from its own threads)."""

    def __init__(self, watcher: SolveWatcher | None = None):
        self.watcher = watcher
        self.points: list[TracePoint] = []
        self.objective: float | None = None
        self.bound: float | None = None
        self.t0 = time.perf_counter()
        self._lock = threading.Lock()

    def start(self, time_limit: float) -> None:
        self.t0 = time.perf_counter()
        if self.watcher is not None:
            self.watcher.start(time_limit)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def step(self, text: str) -> None:
        """Tell the watcher what the solve does now (words for a person; not kept in the trace)."""
        if self.watcher is not None:
            self.watcher.step(time.perf_counter() - self.t0, text)

    def offer(self, objective: float | None = None, bound: float | None = None) -> None:
        """A roster of cost ``objective`` and/or a lower bound ``bound``; kept when either improves."""
        objective, bound = _finite(objective), _finite(bound)
        with self._lock:
            better = objective is not None and (self.objective is None or objective < self.objective - 1e-9)
            scale = max(abs(self.objective or objective or 1.0), 1e-9)
            higher = bound is not None and (self.bound is None or bound > self.bound + BOUND_STEP * scale)
            if not (better or higher):
                return
            if better:
                self.objective = objective
            if bound is not None and (self.bound is None or bound > self.bound):
                self.bound = bound
            if self.objective is not None and self.bound is not None and self.bound > self.objective:
                self.bound = self.objective  # a bound never passes a roster it bounds
            gap = None
            if self.objective is not None and self.bound is not None:
                gap = abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)
            point = TracePoint(time.perf_counter() - self.t0, self.objective, self.bound, gap)
            self.points.append(point)
        if self.watcher is not None:
            self.watcher.update(point)

    def watch_highs(self, highs, *, bounds: bool = True) -> None:
        """Subscribe to a ``highspy.Highs``'s MIP callbacks: new incumbents, and the bound as it rises.

        ``bounds=False`` takes the incumbents only: with a partial MIP start, HiGHS first completes
        the start by a search whose bound is that search's, not the model's.
        """

        def on_event(event) -> None:
            d = event.data_out
            self.offer(d.mip_primal_bound, d.mip_dual_bound if bounds else None)

        for hook in (highs.cbMipImprovingSolution, highs.cbMipInterrupt, highs.cbMipLogging):
            hook.subscribe(on_event)

    def as_list(self) -> list[dict]:
        with self._lock:
            return [p.as_dict() for p in self.points]
