"""The solve's trace (roster/solve/trace.py), its display (roster/cli/progress.py) and the choice of strategy by size."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

import pytest

from cities import person, problem, small_config
from roster.cli.progress import PlainDisplay, RichDisplay, describe, solve_display
from constraints.problem import Problem
from cities import no_leave
from roster.solve.strategy import (CHAIN_ABOVE_CANDIDATES_MULTI_WEEK, LNS_ABOVE_CANDIDATES, RENS_ABOVE_CANDIDATES,
                                   choose_strategy, model_size)
from roster.solve.trace import SolveTrace, TracePoint


class Recorder:
    def __init__(self):
        self.started, self.points, self.stopped, self.steps = None, [], False, []

    def start(self, time_limit):
        self.started = time_limit

    def update(self, point):
        self.points.append(point)

    def step(self, seconds, text):
        self.steps.append(text)

    def stop(self):
        self.stopped = True


def test_trace_keeps_only_improvements_and_computes_the_gap():
    rec = Recorder()
    t = SolveTrace(rec)
    t.start(60)
    t.offer(bound=90.0)
    t.offer(objective=120.0, bound=float("-inf"))  # HiGHS's "no bound yet" is not a bound
    t.offer(objective=130.0, bound=90.0)  # worse roster, same bound: nothing new
    t.offer(objective=float("inf"), bound=90.000001)  # no roster and a bound within BOUND_STEP: nothing new
    t.offer(objective=100.0, bound=95.0)
    t.stop()
    assert rec.started == 60 and rec.stopped
    got = [(p.objective, p.bound) for p in t.points]
    assert got == [(None, 90.0), (120.0, 90.0), (100.0, 95.0)]
    assert t.points[-1].gap == pytest.approx(0.05)
    assert rec.points == t.points
    assert t.as_list()[-1] == {"seconds": pytest.approx(t.points[-1].seconds, abs=0.01), "objective": 100.0,
                               "bound": 95.0, "gap": 0.05}


def test_without_bounds_the_highs_events_give_incumbents_only():
    class Event:
        def __init__(self, primal, dual):
            self.data_out = type("Out", (), {"mip_primal_bound": primal, "mip_dual_bound": dual})()

    class Hook:
        def __init__(self):
            self.fns = []

        def subscribe(self, fn):
            self.fns.append(fn)

    class FakeHighs:
        cbMipImprovingSolution, cbMipInterrupt, cbMipLogging = Hook(), Hook(), Hook()

    t = SolveTrace()
    h = FakeHighs()
    t.watch_highs(h, bounds=False)
    h.cbMipImprovingSolution.fns[0](Event(120.0, 119.0))
    assert [(p.objective, p.bound) for p in t.points] == [(120.0, None)]
    t2 = SolveTrace()
    t2.watch_highs(FakeHighs2 := type("H", (), {"cbMipImprovingSolution": Hook(), "cbMipInterrupt": Hook(),
                                                "cbMipLogging": Hook()})())
    FakeHighs2.cbMipInterrupt.fns[0](Event(120.0, 119.0))
    assert [(p.objective, p.bound) for p in t2.points] == [(120.0, 119.0)]


def test_a_bound_above_the_roster_is_capped_at_it():
    t = SolveTrace()
    t.offer(objective=100.0, bound=100.0000001)
    assert t.points[-1].bound == 100.0 and t.points[-1].gap == 0


def test_plain_display_shows_the_first_roster_at_once_and_then_at_most_every_few_seconds():
    out = io.StringIO()
    d = PlainDisplay(out, every=3600)
    d.start(300)
    d.update(TracePoint(1.0, None, 50.0, None))  # the first point is shown
    d.update(TracePoint(2.0, 120.0, 50.0, 0.58))  # the first roster is shown at once
    d.update(TracePoint(3.0, 110.0, 60.0, 0.45))  # throttled ...
    d.update(TracePoint(4.0, 100.0, 99.0, 0.01))  # ...
    d.stop()  # ... and the last one shown at the end
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "no roster yet · bound 50" in lines[0]
    assert "roster 120 · bound 50 · gap 58.00 %" in lines[1]
    assert lines[2].endswith("4 s of 300 s · roster 100 · bound 99 · gap 1.00 %")


def test_plain_display_says_what_the_solve_does_until_the_first_roster():
    out = io.StringIO()
    d = PlainDisplay(out, every=3600)
    d.start(300)
    d.step(1.2, "planning week 1 of 4")
    d.update(TracePoint(20.0, 120.0, None, None))
    d.step(21.0, "proving a bound from the weeks")  # a roster is shown from now on, not the steps
    d.stop()
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("1 s of 300 s · no roster yet · planning week 1 of 4")
    assert len(lines) == 2 and "roster 120" in lines[1]


def test_describe_before_any_point():
    assert describe(None, 3.2, 120) == "    3 s of 120 s · no roster yet"


def test_solve_display_is_plain_off_a_terminal_rich_on_one_and_none_when_quiet():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert solve_display(True) is None
    assert isinstance(solve_display(False, io.StringIO()), PlainDisplay)
    assert isinstance(solve_display(False, Tty()), RichDisplay)


def _people(cfg, n, floats=()):
    return [person(f"P{i}", "clinician", "North", cfg=cfg, floats=floats) for i in range(n)]


def test_auto_strategy_follows_the_model_size():
    cfg = small_config()
    small = problem(cfg, _people(cfg, 5))
    assert model_size(small) == 5 * len(small.instances)
    assert choose_strategy(small) == "mip"
    k = RENS_ABOVE_CANDIDATES // len(small.instances)
    assert choose_strategy(problem(cfg, _people(cfg, k))) == "mip"  # at the threshold
    middle = problem(cfg, _people(cfg, k + 1))
    assert RENS_ABOVE_CANDIDATES < model_size(middle) <= LNS_ABOVE_CANDIDATES and choose_strategy(middle) == "rens"
    n = LNS_ABOVE_CANDIDATES // (2 * len(small.instances)) + 1  # two districts each: just above the threshold
    big = problem(cfg, _people(cfg, n, floats=("South",)))
    assert model_size(big) > LNS_ABOVE_CANDIDATES
    assert choose_strategy(big) == "lns"
    # An explicit strategy is kept; CBC never gets the search.
    pinned = small_config(**{"solver.strategy": "mip"})
    assert choose_strategy(problem(pinned, _people(pinned, n, floats=("South",)))) == "mip"
    cbc = small_config(**{"solver.name": "cbc"})
    assert choose_strategy(problem(cbc, _people(cbc, n, floats=("South",)))) == "mip"


def test_auto_strategy_chains_the_weeks_of_a_large_period():
    cfg = small_config()
    people = pd.DataFrame(_people(cfg, 100))  # 100 x 6 shifts x 28 days: above the multi-week threshold
    req = pd.DataFrame(columns=["district", "hour", "role", "required"])
    period = Problem.build(cfg, dt.date(2026, 11, 2), people, no_leave(), req, days=28)
    week = Problem.build(cfg, dt.date(2026, 11, 2), people, no_leave(), req, days=7)
    assert model_size(period) > CHAIN_ABOVE_CANDIDATES_MULTI_WEEK
    assert choose_strategy(period) == "chain" and choose_strategy(week) == "mip"
    small = Problem.build(cfg, dt.date(2026, 11, 2), people.iloc[:5], no_leave(), req, days=28)
    assert model_size(small) <= CHAIN_ABOVE_CANDIDATES_MULTI_WEEK and choose_strategy(small) == "mip"
    chain = small_config(**{"solver.strategy": "chain"})
    assert choose_strategy(Problem.build(chain, dt.date(2026, 11, 2), people, no_leave(), req, days=7)) == "mip"
