"""The solve's progress on stderr: elapsed time, time limit, the incumbent's cost, the bound and the gap.

:func:`solve_display` gives the :class:`roster.solve.trace.SolveWatcher` the solve layer
calls: a rich live line when stderr is a terminal, otherwise plain lines -- each at most
every few seconds, so a log stays short.  ``--quiet`` shows nothing.
"""

from __future__ import annotations

import sys
import threading
import time

from roster.solve.trace import TracePoint

# Plain lines: at most one per this many seconds (the first roster is always shown).
PLAIN_EVERY_SECONDS = 5.0


def _money(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def describe(point: TracePoint | None, elapsed: float, time_limit: float, step: str = "") -> str:
    """``12 s of 300 s · roster 184,578 · bound 183,900 · gap 0.37 %`` (or ``no roster yet``, with
    ``step``, what the solve does meanwhile, e.g. ``planning week 2 of 4``)."""
    head = f"{elapsed:5.0f} s of {time_limit:g} s"
    if point is None or point.objective is None:
        bound = "" if point is None or point.bound is None else f" · bound {_money(point.bound)}"
        return f"{head} · no roster yet{bound}" + (f" · {step}" if step else "")
    gap = "" if point.gap is None else f" · gap {100 * point.gap:.2f} %"
    return f"{head} · roster {_money(point.objective)} · bound {_money(point.bound)}{gap}"


class PlainDisplay:
    """One line per improvement on stderr, at most every ``every`` seconds, and the last one at the end."""

    def __init__(self, stream=None, every: float = PLAIN_EVERY_SECONDS):
        self.stream = stream or sys.stderr
        self.every = every
        self.time_limit = 0.0
        self.t0 = time.perf_counter()
        self.last_shown = -1e9
        self.shown: TracePoint | None = None
        self.latest: TracePoint | None = None
        self.had_roster = False
        self._lock = threading.Lock()

    def start(self, time_limit: float) -> None:
        self.time_limit, self.t0 = time_limit, time.perf_counter()

    def update(self, point: TracePoint) -> None:
        with self._lock:
            self.latest = point
            first_roster = point.objective is not None and not self.had_roster
            self.had_roster = self.had_roster or point.objective is not None
            now = time.perf_counter()
            if first_roster or now - self.last_shown >= self.every:
                self._show(point, now)

    def step(self, seconds: float, text: str) -> None:
        with self._lock:
            if not self.had_roster:
                print(f"  solving: {describe(self.latest, seconds, self.time_limit, text)}", file=self.stream, flush=True)

    def _show(self, point: TracePoint, now: float) -> None:
        self.last_shown, self.shown = now, point
        print(f"  solving: {describe(point, point.seconds, self.time_limit)}", file=self.stream, flush=True)

    def stop(self) -> None:
        with self._lock:
            if self.latest is not None and self.latest is not self.shown:
                self._show(self.latest, time.perf_counter())


class RichDisplay:
    """A rich live line (spinner, elapsed of the time limit, incumbent, bound, gap), redrawn each second."""

    def __init__(self):
        from rich.console import Console

        self.console = Console(stderr=True)
        self.latest: TracePoint | None = None
        self.time_limit = 0.0
        self.t0 = time.perf_counter()
        self.live = None
        self.current_step = ""

    def _render(self):
        from rich.spinner import Spinner

        text = describe(self.latest, time.perf_counter() - self.t0, self.time_limit, self.current_step)
        return Spinner("dots", text=f"solving: {text}")

    def __rich__(self):
        return self._render()

    def start(self, time_limit: float) -> None:
        from rich.live import Live

        self.time_limit, self.t0 = time_limit, time.perf_counter()
        self.live = Live(self, console=self.console, refresh_per_second=1, transient=True)
        self.live.start()

    def update(self, point: TracePoint) -> None:
        self.latest = point  # drawn at the next refresh (at most once a second)

    def step(self, seconds: float, text: str) -> None:
        self.current_step = text

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        if self.latest is not None:
            self.console.print(f"  solved:  {describe(self.latest, self.latest.seconds, self.time_limit)}")


def solve_display(quiet: bool, stream=None):
    """The solve's watcher for the CLI: None with ``--quiet``, rich on a terminal, else plain lines."""
    if quiet:
        return None
    stream = stream or sys.stderr
    if stream.isatty():
        return RichDisplay()
    return PlainDisplay(stream)
