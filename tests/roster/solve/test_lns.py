"""The fix-and-optimise search (roster/solve/lns/) and the standby slacks it starts from."""

from __future__ import annotations

import math

import numpy as np
import pulp
import pytest

from cities import person, small_config
from roster.solve.lns import lns_solve
from roster.solve.lns.bounds import objective_step, round_bound_up
from roster.solve.lns.neighbourhoods import draw_weights
from roster.solve.lns.settings import DEFAULT_SETTINGS
from roster.solve.highs import solve_model
from roster.solve.model import build, extract_roster
from rule_helpers import cfg_with, check, make_problem, requirements, solve
from benchmarks.ssb.instance import parse_instance
from benchmarks.ssb.evaluate import evaluate
from benchmarks.ssb.model import roster_to_assignment, solve_instance, ssb_config, ssb_problem, ssb_rules
from ssb_helpers import MINI_TEXT


@pytest.fixture(scope="module")
def mini():
    return parse_instance(MINI_TEXT, source="mini.txt", name="mini")


def test_standby_slacks_leave_the_model_unchanged(mini):
    cfg = ssb_config(mini, time_limit=30)
    plain = build(ssb_problem(mini, cfg), ssb_rules(cfg))
    standby = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    assert standby.slacks and all(s.var.upBound == 0 for s in standby.slacks)
    assert len(standby.prob.constraints) == len(plain.prob.constraints)
    s1, obj1, _, _ = solve_model(plain, time_limit=30)
    s2, obj2, _, _ = solve_model(standby, time_limit=30)
    assert s1 == s2 == "optimal" and obj1 == pytest.approx(obj2)
    assert all((s.var.varValue or 0) == 0 for s in standby.slacks)


def test_lns_repairs_an_empty_start_and_reaches_the_mip_optimum(mini):
    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=3, use_lp=False, construct=False)
    # Q must work exactly 3840 minutes, so the empty roster it starts from needs slacks...
    assert res.stats.first_objective >= m.elastic_cost
    # ...and the search gets rid of them and finds the optimum, proven.
    assert res.status == "optimal"
    assert res.objective == pytest.approx(reference.objective)
    assert all((s.var.varValue or 0) < 1e-6 for s in m.slacks)
    assert pulp.value(m.prob.objective) == pytest.approx(res.objective)


def test_lns_strategy_through_the_normal_path_is_scored_by_the_evaluator(mini):
    res, assignment = solve_instance(mini, time_limit=30, strategy="lns")
    ev = evaluate(mini, assignment)
    assert ev.feasible, ev.summary()
    assert res.status == "optimal" and ev.objective == pytest.approx(res.objective)
    assert res.bound == pytest.approx(res.objective)


def test_lns_roster_for_a_crisis_city_passes_the_checker():
    def city(**solver):
        c = cfg_with(**{f"solver.{k}": v for k, v in solver.items()})
        staff = [person(s, "clinician", "North", cfg=c) for s in ("C1", "C2", "C3", "C4")]
        staff += [person("P1", "peer_supporter", "South", cfg=c), person("P2", "peer_supporter", "South", cfg=c)]
        req = requirements(c, [("North", "clinician", range(7), 7, 23), ("South", "peer_supporter", range(5), 9, 17)])
        return make_problem(c, staff, req)

    p = city(strategy="lns", time_limit_seconds=40, relative_gap=0.0)
    roster, res = solve(p, time_limit=40)
    assert [v for v in check(p, roster) if v.hard] == []
    _, ref = solve(city(time_limit_seconds=40, relative_gap=0.0), time_limit=40)
    assert ref.status == "optimal"
    assert res.objective == pytest.approx(ref.objective, rel=1e-6)


def test_lns_needs_highs():
    from roster.errors import InputError

    with pytest.raises(InputError, match="strategy"):
        small_config(**{"solver.name": "cbc", "solver.strategy": "lns"})


def test_each_persons_bent_rules_are_traced_to_that_person(mini):
    import numpy as np
    import pandas as pd

    from roster.solve.lns.highs_model import HighsModel
    from roster.solve.lns.state import slack_owners

    cfg = ssb_config(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    hw = HighsModel(m, threads=1, seed=1)
    codes, ids = pd.factorize(m.assign["staff_id"])
    slacks = [s for s in m.slacks if s.var is not None]
    owners = slack_owners(hw, np.array([v.index for v in m.assign["x"]]), codes,
                           np.array([s.var.index for s in slacks]))
    by_where = {s.where: (ids[o] if o >= 0 else None) for s, o in zip(slacks, owners)}
    total_hours = {w: who for w, who in by_where.items() if w.endswith("in the horizon")}
    assert total_hours and all(w.startswith(f"{who},") for w, who in total_hours.items())


def test_lns_replan_after_a_sick_call_keeps_the_published_shifts():
    """Pins are hard rules like any other: the search keeps them (through the standby slacks)."""
    from constraints.pinning import pin_changes
    from pin_helpers import WED, day_leave, pin_staff, pinned_rules, published_week

    c = cfg_with(**{"solver.strategy": "lns", "solver.time_limit_seconds": 30, "solver.relative_gap": 0.0})
    req, published = published_week(c)
    sick = published[published["date"] == WED]["staff_id"].iloc[0]
    p = make_problem(c, pin_staff(c), req, leave=day_leave(c, sick, WED), pinned=published)
    rules = pinned_rules(c)
    r, _ = solve(p, rules, time_limit=30)
    ch = pin_changes(p, r, rules)
    assert (ch["change"] == "kept").sum() == 6 and (ch["change"] == "added").sum() == 1
    assert not [v for v in check(p, r, rules) if v.hard]


def _mini_with_a_poor_start(mini):
    """The mini instance's model in HiGHS and a feasible but poor roster (objective ignored),
    its auxiliary columns (cover shortfalls, the flow) settled for it as the search does."""
    import numpy as np

    from roster.solve.lns.highs_model import HighsModel

    cfg = ssb_config(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    hw = HighsModel(m, threads=1, seed=1)
    x_idx = np.array([v.index for v in m.assign["x"]])
    hw.set_costs(np.zeros(len(hw.cost)))
    _, start, _, _ = hw.run(None, 30, 0.0)
    assert start is not None
    hw.set_costs(hw.cost)
    hw.set_bounds(x_idx, np.round(start[x_idx]), np.round(start[x_idx]))
    _, start, _, _ = hw.run(start, 30, 0.0)
    hw.set_bounds(x_idx, hw.lower[x_idx], hw.upper[x_idx])
    return m, hw, x_idx, start


def test_a_cut_out_neighbourhood_is_the_full_model_with_the_rest_fixed(mini):
    """roster.solve.lns.submip: solving the piece gives the same optimum as fixing the other columns by their
    bounds in the full model, and the assembled values satisfy every row of the full model."""
    import numpy as np
    import pandas as pd

    from roster.solve.lns.submip import SubMip

    m, hw, x_idx, start = _mini_with_a_poor_start(mini)
    free = (m.assign["staff_id"] == "P").to_numpy()
    piece = SubMip(hw.lp, x_idx).piece(x_idx[free], start, hw.lower, hw.upper, hw.cost)
    assert 0 < piece.model.num_col_ < len(hw.cost) and piece.model.num_row_ < len(hw.row_start) - 1
    status, values = hw.run_piece(piece, start, 30, 0.0)
    assert status == "Optimal"
    # Reference: the full model with Q's assignment columns fixed by bounds.
    keep = x_idx[~free]
    hw.set_bounds(keep, np.round(start[keep]), np.round(start[keep]))
    ref_status, ref, ref_obj, _ = hw.run(start, 30, 0.0)
    assert ref_status == "Optimal"
    assert hw.objective(values) == pytest.approx(ref_obj)
    assert hw.objective(values) <= hw.objective(start) + 1e-9
    np.testing.assert_array_equal(np.round(values[keep]), np.round(start[keep]))
    # Every row and bound of the full model holds for the assembled values.
    A = SubMip(hw.lp, x_idx).A
    act = A @ values
    lp = hw.lp
    assert np.all(act >= np.asarray(lp.row_lower_) - 1e-6) and np.all(act <= np.asarray(lp.row_upper_) + 1e-6)
    assert np.all(values >= hw.lower - 1e-9) and np.all(values <= hw.upper + 1e-9)
    assert pd.Series(values[x_idx]).sub(pd.Series(values[x_idx]).round()).abs().max() < 1e-6


def test_day_windows_are_drawn_towards_where_the_roster_pays():
    import numpy as np

    from roster.solve.lns.neighbourhoods import window_start

    rng = np.random.default_rng(0)
    pay = np.zeros(28)
    pay[20] = 500.0  # all the penalty on day 20
    starts = np.array([window_start(rng, pay, 5) for _ in range(400)])
    covering = ((starts <= 20) & (starts + 5 > 20)).mean()
    # Half the draws are uniform (5 of 24 starts cover day 20), half follow the penalty.
    assert 0.45 < covering < 0.75
    assert starts.min() >= 0 and starts.max() <= 23
    assert window_start(rng, np.zeros(28), 28) == 0
    flat = np.array([window_start(rng, np.zeros(28), 7) for _ in range(200)])
    assert len(set(flat)) > 10  # nothing paid: uniform


def test_a_day_window_leaves_out_the_people_of_a_piece_being_solved():
    import numpy as np

    from roster.solve.lns.neighbourhoods import day_window

    # 6 people x 10 days, one assignment column each (person-major).
    staff_codes = np.repeat(np.arange(6), 10)
    days = np.tile(np.arange(10), 6)
    flat = np.zeros(10)
    busy = np.zeros(6, dtype=bool)
    busy[[1, 4]] = True
    free = day_window(np.random.default_rng(0), days, staff_codes, busy, 12, flat)
    assert not free[np.isin(staff_codes, [1, 4])].any()
    # 12 columns among the 4 people left: a window of 3 days for each of them.
    assert set(np.unique(staff_codes[free])) == {0, 2, 3, 5}
    assert len(np.unique(days[free])) == 3 and free.sum() == 12
    # Most people busy (another day window in flight): the window is everyone's.
    busy[:4] = True
    free = day_window(np.random.default_rng(0), days, staff_codes, busy, 12, flat)
    assert set(np.unique(staff_codes[free])) == set(range(6)) and len(np.unique(days[free])) == 2


def test_lns_repair_by_bends_alone_then_settles_the_costs(mini):
    """The repair used when the LP relaxation does not solve: minimise the bends only, then
    price the roster (its cover shortfalls are settled once) and improve it to the optimum."""
    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=5, use_lp=False, bends_only_repair=True, construct=False)
    assert res.stats.first_objective >= m.elastic_cost
    assert res.status == "optimal" and res.objective == pytest.approx(reference.objective)
    assert all((s.var.varValue or 0) < 1e-6 for s in m.slacks)
    assert pulp.value(m.prob.objective) == pytest.approx(res.objective)


def test_pieces_leave_the_run_flow_out_and_the_search_settles_it(mini):
    """The run-rule flow is implied by the pattern rows: pieces without it find the same
    optimum, and the search's final values satisfy every row, the flow's included."""
    import numpy as np

    from roster.solve.lns.submip import SubMip

    m, hw, x_idx, start = _mini_with_a_poor_start(mini)
    assert m.implied, "the mini instance has run rules, so the flow is built"
    implied = np.array([v.index for v in m.implied])
    cfg = ssb_config(mini, time_limit=30)
    free = (m.assign["staff_id"] == "P").to_numpy()
    with_flow = SubMip(hw.lp, x_idx).piece(x_idx[free], start, hw.lower, hw.upper, hw.cost)
    without = SubMip(hw.lp, x_idx, implied).piece(x_idx[free], start, hw.lower, hw.upper, hw.cost)
    assert not np.isin(without.columns, implied).any() and np.isin(with_flow.columns, implied).any()
    assert without.model.num_row_ < with_flow.model.num_row_
    s1, v1 = hw.run_piece(with_flow, start, 30, 0.0)
    s2, v2 = hw.run_piece(without, start, 30, 0.0)
    assert s1 == s2 == "Optimal"
    assert hw.objective(v2) == pytest.approx(hw.objective(v1))
    # Settling: the flow alone, with the roster fixed, makes every row of the full model hold.
    cutter = SubMip(hw.lp, x_idx, implied)
    status, settled = hw.run_piece(cutter.settling_piece(v2, hw.lower, hw.upper, hw.cost), v2, 30, 0.0)
    assert status == "Optimal"
    np.testing.assert_array_equal(settled[x_idx], v2[x_idx])
    act = cutter.A @ settled
    assert np.all(act >= np.asarray(hw.lp.row_lower_) - 1e-6) and np.all(act <= np.asarray(hw.lp.row_upper_) + 1e-6)
    # The search itself: whatever it took from pieces, the flow is settled at the end.
    m2 = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m2, time_limit=30, seed=5, use_lp=False, lns_share=1.0)
    assert res.status in ("optimal", "feasible") and res.stats.sub_solves > 0
    assert m2.prob.valid(1e-6)


def test_a_piece_may_carry_the_flow_once_its_people_are_settled(mini):
    """A piece that leaves the flow out changes a person's days and leaves their flow stale;
    settling that person alone (their roster fixed) makes every row hold again, and a piece
    that carries the flow is the one a cutter with nothing left out would cut."""
    import numpy as np

    from roster.solve.lns.submip import SubMip

    m, hw, x_idx, start = _mini_with_a_poor_start(mini)
    implied = np.array([v.index for v in m.implied])
    lean = SubMip(hw.lp, x_idx, implied)
    carrying = lean.carrying_left_out()
    free = (m.assign["staff_id"] == "P").to_numpy()
    a = carrying.piece(x_idx[free], start, hw.lower, hw.upper, hw.cost)
    b = SubMip(hw.lp, x_idx).piece(x_idx[free], start, hw.lower, hw.upper, hw.cost)
    np.testing.assert_array_equal(a.columns, b.columns)
    assert a.model.num_row_ == b.model.num_row_ > lean.piece(x_idx[free], start, hw.lower, hw.upper,
                                                              hw.cost).model.num_row_

    def broken_rows(values):
        act = lean.A @ values
        return int(((act < np.asarray(hw.lp.row_lower_) - 1e-6) | (act > np.asarray(hw.lp.row_upper_) + 1e-6)).sum())

    assert broken_rows(start) == 0
    status, moved = hw.run_piece(lean.piece(x_idx[free], start, hw.lower, hw.upper, hw.cost), start, 30, 0.0)
    assert status == "Optimal"
    assert np.abs(moved[x_idx] - start[x_idx]).sum() > 0.5, "P's days change from the poor start"
    assert broken_rows(moved) > 0, "P's flow is stale"
    settle = carrying.piece(x_idx[free], moved, hw.lower, hw.upper, hw.cost, fix_cut=True)
    assert not np.isin(x_idx, settle.columns).any()
    status, settled = hw.run_piece(settle, moved, 30, 0.0)
    assert status == "Optimal"
    np.testing.assert_array_equal(settled[x_idx], moved[x_idx])
    assert broken_rows(settled) == 0


@pytest.mark.parametrize("flow_in_pieces", [True, None])
def test_search_with_the_flow_in_its_pieces_ends_settled_at_the_optimum(mini, flow_in_pieces):
    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    # Neighbourhoods of a few days of one person, so that pieces are cut (not the whole model).
    res = lns_solve(m, time_limit=20, seed=4, use_lp=False, lns_share=0.6, flow_in_pieces=flow_in_pieces,
                    start_size=4)
    assert res.stats.carried > 0
    assert m.prob.valid(1e-6)
    assert res.status == "optimal" and res.objective == pytest.approx(reference.objective)


def test_left_out_columns_must_be_tied_to_the_assignment_only(mini):
    import numpy as np

    from roster.solve.lns.submip import SubMip

    m, hw, x_idx, _ = _mini_with_a_poor_start(mini)
    # Leaving out a column that shares a row with another auxiliary column would drop that
    # row and let the other column float: refused.
    sub = SubMip(hw.lp, x_idx, np.array([v.index for v in m.implied]))  # the flow is fine
    aux = np.ones(sub.n_cols, dtype=bool)
    aux[x_idx] = False
    aux[[v.index for v in m.implied]] = False
    per_row = sub.A[:, np.flatnonzero(aux)]
    row = int(np.flatnonzero(per_row.getnnz(axis=1) >= 2)[0])
    shared = np.flatnonzero(aux)[per_row[row].indices[:1]]
    with pytest.raises(ValueError, match="left-out"):
        SubMip(hw.lp, x_idx, shared)


def test_the_lp_relaxation_value_is_kept_as_a_bound(mini):
    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=2)
    assert res.stats.lp_bound is not None
    assert res.stats.lp_bound <= reference.objective + 1e-6
    assert res.bound is not None and res.stats.lp_bound - 1e-6 <= res.bound <= res.objective + 1e-6
    # The LP's rounding (RENS, cut out as a piece, then every auxiliary column settled) gave a
    # first roster that bends no rule and is not scored below the optimum (as fractional
    # auxiliary columns left from the LP would be).
    assert reference.objective - 1e-6 <= res.stats.first_objective < m.elastic_cost


class _IpmEvent:
    """Stands in for highspy's callback event: the iteration count and the interrupt flag."""

    def __init__(self, iterations: int):
        self.data_out = type("Out", (), {"ipm_iteration_count": iterations})()
        self.interrupted = False

    def interrupt(self):
        self.interrupted = True


def test_the_lp_is_given_up_when_its_pace_foresees_a_miss(monkeypatch):
    import roster.solve.lns.first as first

    clock = [100.0]
    monkeypatch.setattr(first.time, "perf_counter", lambda: clock[0])
    slow = first.LpForesight(cap=60.0)
    clock[0] = 102.0  # presolve done: the first call, before any iteration
    slow(_IpmEvent(-1))
    clock[0] = 110.0  # 8 s for 2 iterations: too early to tell
    early = _IpmEvent(2)
    slow(early)
    assert not early.interrupted and slow.gave_up is None
    clock[0] = 114.0  # 12 s for 3 iterations: 2 s + 4 s x 50 iterations x 2 = 402 s foreseen
    late = _IpmEvent(3)
    slow(late)
    assert late.interrupted and slow.gave_up == pytest.approx(14.0)
    assert "402.0 s foreseen" in slow.reason

    clock[0] = 200.0
    fast = first.LpForesight(cap=60.0)
    clock[0] = 210.0  # a long presolve is not taken for the pace of the iterations
    fast(_IpmEvent(-1))
    clock[0] = 211.2  # 0.4 s per iteration: 10 s + 40 s foreseen, within the cap
    on_time = _IpmEvent(3)
    fast(on_time)
    assert not on_time.interrupted and fast.gave_up is None
    # Calls that report no iteration count (-1) are ignored.
    clock[0] = 300.0
    crossover = _IpmEvent(-1)
    fast(crossover)
    assert not crossover.interrupted


def test_a_given_up_lp_leaves_the_search_to_the_repair(mini, monkeypatch):
    from dataclasses import replace

    # Every LP foreseen to miss its cap.
    settings = replace(DEFAULT_SETTINGS, lp_look=1, lp_crossover=1e9)
    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=2, settings=settings)
    assert res.stats.lp_given_up is not None and res.stats.lp_bound is None
    # HiGHS was interrupted, yet every later solve ran: the repair found a roster and the
    # search reached the optimum.
    assert res.status in ("optimal", "feasible")
    assert res.objective == pytest.approx(reference.objective)


def test_an_lp_too_large_for_its_cap_is_not_tried(mini):
    from dataclasses import replace

    cfg = ssb_config(mini, time_limit=30)
    reference, _ = solve_instance(mini, time_limit=30)
    # The mini model's LP is tried at the default threshold ...
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    tried = lns_solve(m, time_limit=30, seed=2)
    assert not tried.stats.lp_skipped and tried.stats.lp_bound is not None
    # ... and not when every nonzero counts as too many for the cap.
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=2, settings=replace(DEFAULT_SETTINGS, lp_nonzeros_per_second=1e-9))
    assert res.stats.lp_skipped and res.stats.lp_bound is None and res.stats.lp_given_up is None
    assert res.stats.first_from.startswith("the person-by-person construction")
    assert res.status in ("optimal", "feasible")
    assert res.objective == pytest.approx(reference.objective)


class _MipEvent:
    """Stands in for highspy's branch-and-bound callback event: the clock, the incumbent's
    value (infinite while there is none) and the interrupt flag."""

    def __init__(self, running_time: float, primal_bound: float):
        self.data_out = type("Out", (), {"running_time": running_time, "mip_primal_bound": primal_bound})()
        self.interrupted = False

    def interrupt(self):
        self.interrupted = True


def test_a_solve_that_found_no_roster_is_given_up_after_its_patience():
    from roster.solve.lns.first import RensWatch

    watch = RensWatch(patience=30.0)
    early = _MipEvent(29.0, float("inf"))
    watch(early)
    assert not early.interrupted and watch.gave_up is None
    found = _MipEvent(45.0, 2481.0)  # a roster in hand: the solve goes on to its own limit
    watch(found)
    assert not found.interrupted and watch.gave_up is None
    late = _MipEvent(30.5, float("inf"))
    watch(late)
    assert late.interrupted and watch.gave_up == pytest.approx(30.5)


def test_rens_is_given_up_when_its_roster_stops_improving():
    from roster.solve.lns.first import RensWatch

    watch = RensWatch(patience=30.0, stall=10.0)
    for clock, value in ((1.0, 7e6), (4.0, 5e6), (13.0, 5e6)):  # improved at 4 s, 9 s since
        event = _MipEvent(clock, value)
        watch(event)
        assert not event.interrupted and watch.gave_up is None
    better = _MipEvent(13.5, 4e6)  # an improvement starts the wait again
    watch(better)
    assert not better.interrupted
    still = _MipEvent(23.0, 4e6)
    watch(still)
    assert not still.interrupted
    stalled = _MipEvent(23.6, 4e6)
    watch(stalled)
    assert stalled.interrupted and watch.gave_up == pytest.approx(23.6)
    assert "no better roster" in watch.reason


def give_up_rens_at_once(monkeypatch) -> None:
    """Make RENS give up at its first branch-and-bound event, before it has a roster."""
    import roster.solve.lns.first as first

    class GiveUpAtOnce(first.RensWatch):
        def __call__(self, event):
            if self.gave_up is None:
                self.gave_up = float(event.data_out.running_time)
            event.interrupt()

    monkeypatch.setattr(first, "RensWatch", GiveUpAtOnce)


def test_without_a_rens_roster_the_search_starts_from_the_lps_rounding(mini, monkeypatch):
    give_up_rens_at_once(monkeypatch)
    reference, _ = solve_instance(mini, time_limit=30)
    cfg = ssb_config(mini, time_limit=30)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=2, construct=False)  # RENS runs only without a constructed roster
    assert res.stats.lp_bound is not None and res.stats.rens_given_up is not None
    assert res.stats.first_from == "the LP's rounding"
    # The rounding bends rules (the LP left assignments fractional, now off); the repair
    # mends them and the search still reaches the optimum.
    assert res.stats.first_objective >= m.elastic_cost
    assert res.status in ("optimal", "feasible")
    assert res.objective == pytest.approx(reference.objective)


def test_a_stalled_search_widens_its_neighbourhoods_in_steps():
    from roster.solve.lns.neighbourhoods import widen_on_stall

    every = DEFAULT_SETTINGS.stall_every
    targets = {"people": 400.0, "days": 1000.0}
    level = 0
    for stale in range(1, every):
        level = widen_on_stall(targets, stale, level, n_x=2158)
    assert level == 0 and targets == {"people": 400.0, "days": 1000.0}
    level = widen_on_stall(targets, every, level, n_x=2158)
    assert level == 1 and targets == {"people": 600.0, "days": 1500.0}
    level = widen_on_stall(targets, 2 * every, level, n_x=2158)
    assert level == 2 and targets == {"people": 900.0, "days": 2158.0}  # never beyond the model
    # At the last level the sizes are left to adapt as usual.
    level = widen_on_stall(targets, 3 * every, level, n_x=2158)
    assert level == DEFAULT_SETTINGS.stall_levels == 2 and targets == {"people": 900.0, "days": 2158.0}


def test_a_piece_from_an_older_roster_is_rebased_onto_the_newer_one_exactly(mini):
    """Pieces solved side by side start from the same incumbent; when one lands first, the other's
    assignments are put into the newer roster and the auxiliary columns they touch are settled:
    every row of the full model holds, and the cost is the full model's with that roster fixed.
    A piece whose roster breaks a rule together with the newer roster is refused."""
    import numpy as np

    from roster.solve.lns.highs_model import rebase
    from roster.solve.lns.submip import SubMip

    m, hw, x_idx, start = _mini_with_a_poor_start(mini)
    cutter = SubMip(hw.lp, x_idx)  # nothing left out: every row is checked below
    staff = m.assign["staff_id"].to_numpy()
    on_p, on_q = staff == "P", staff == "Q"

    def solve_piece(free):
        status, values = hw.run_piece(cutter.piece(x_idx[free], start, hw.lower, hw.upper, hw.cost), start, 30, 0.0)
        assert status == "Optimal"
        return values

    newer, from_old = solve_piece(on_p), solve_piece(on_q)
    assert np.abs(newer[x_idx] - start[x_idx]).sum() > 0.5, "P's days change from the poor start"
    merged = rebase(hw, cutter, x_idx, newer, on_q, from_old, hw.upper, hw.cost, 30)
    assert merged is not None
    np.testing.assert_array_equal(merged[x_idx][on_p], newer[x_idx][on_p])
    np.testing.assert_array_equal(merged[x_idx][on_q], from_old[x_idx][on_q])
    act = cutter.A @ merged
    assert np.all(act >= np.asarray(hw.lp.row_lower_) - 1e-6) and np.all(act <= np.asarray(hw.lp.row_upper_) + 1e-6)
    # The same roster fixed in the full model costs exactly as much.
    hw.set_bounds(x_idx, np.round(merged[x_idx]), np.round(merged[x_idx]))
    status, _, reference, _ = hw.run(None, 30, 0.0)
    hw.set_bounds(x_idx, hw.lower[x_idx], hw.upper[x_idx])
    assert status == "Optimal" and hw.objective(merged) == pytest.approx(reference)

    # Q works exactly 3840 minutes: one more early shift on a day Q has free breaks that rule.
    days = m.assign["day"].to_numpy()
    shifts = m.assign["shift"].to_numpy()
    working = {int(d) for d in days[on_q & (np.round(from_old[x_idx]) > 0.5)]}
    spare = next(i for i in np.flatnonzero(on_q & (shifts == "E")) if int(days[i]) not in working)
    too_much = from_old.copy()
    too_much[x_idx[spare]] = 1.0
    assert rebase(hw, cutter, x_idx, newer, on_q, too_much, hw.upper, hw.cost, 30) is None


def test_a_rebase_from_the_old_roster_keeps_the_newer_rosters_changes_the_piece_did_not_make():
    """A neighbourhood over two people (a day window, say) that changed only one of them,
    landing after a piece that changed the other: told its base, the rebase puts in only its
    own changes and keeps the other's newer days; put in whole, it set them back."""
    import numpy as np

    from roster.solve.lns.highs_model import rebase
    from roster.solve.lns.submip import SubMip

    six = parse_instance(_six_people_text(), source="six.txt", name="six")
    m, hw, x_idx, start = _mini_with_a_poor_start(six)
    cutter = SubMip(hw.lp, x_idx)
    staff = m.assign["staff_id"].to_numpy()

    def solve_piece(free):
        status, values = hw.run_piece(cutter.piece(x_idx[free], start, hw.lower, hw.upper, hw.cost), start, 30, 0.0)
        assert status == "Optimal"
        return values

    alone = {p: solve_piece(staff == p) for p in sorted(set(staff))}
    moved = [p for p, v in alone.items() if np.abs(v[x_idx] - start[x_idx]).sum() > 0.5]
    assert len(moved) >= 2, "at least two people's days change from the poor start"
    a, b = moved[:2]
    on_a, on_b = staff == a, staff == b
    newer, b_only = alone[a], alone[b]
    both = on_a | on_b
    merged = rebase(hw, cutter, x_idx, newer, both, b_only, hw.upper, hw.cost, 30, base=start)
    assert merged is not None
    np.testing.assert_array_equal(merged[x_idx][on_a], newer[x_idx][on_a])
    np.testing.assert_array_equal(merged[x_idx][on_b], b_only[x_idx][on_b])
    act = cutter.A @ merged
    assert np.all(act >= np.asarray(hw.lp.row_lower_) - 1e-6) and np.all(act <= np.asarray(hw.lp.row_upper_) + 1e-6)
    whole = rebase(hw, cutter, x_idx, newer, both, b_only, hw.upper, hw.cost, 30)
    assert whole is None or np.array_equal(whole[x_idx][on_a], start[x_idx][on_a])
    # A piece that changed nothing has nothing to carry over.
    assert rebase(hw, cutter, x_idx, newer, both, start, hw.upper, hw.cost, 30, base=start) is None


def _six_people_text(people: int = 6) -> str:
    """A two-week instance of six people (or ``people``) with the mini instance's rules (large
    enough that the search draws many pieces before it may try the whole model)."""
    staff = [f"P{k},E=14|L={3 + k % 2},5400,2400,4,2,2,2" for k in range(people)]
    requests = [f"P{k},{(3 * k) % 14},E,{k + 1}" for k in range(people)]
    return "\n".join([
        "SECTION_HORIZON", "14", "",
        "SECTION_SHIFTS", "E,480,", "L,600,E", "",
        "SECTION_STAFF", *staff, "",
        "SECTION_DAYS_OFF", "P0,0", "P3,6,7", "",
        "SECTION_SHIFT_ON_REQUESTS", *requests, "",
        "SECTION_SHIFT_OFF_REQUESTS", "P1,2,E,3", "P4,9,L,2", "",
        "SECTION_COVER", *[f"{d},E,{2 + d % 2},100,1" for d in range(14)], *[f"{d},L,1,100,1" for d in range(14)], "",
    ])


@pytest.mark.parametrize("flow_in_pieces", [False, True, None])
def test_pieces_solved_side_by_side_reach_the_optimum(flow_in_pieces):
    """Two workers, small pieces: the search still ends at the whole model's optimum, with every
    rule kept and the flow settled.  (Whether a piece lands on a roster that moved on, and is
    rebased, depends on which piece finishes first: the rebase itself is checked above.)"""
    inst = parse_instance(_six_people_text(), source="six.txt", name="six")
    cfg = ssb_config(inst, time_limit=30)
    reference, _ = solve_instance(inst, time_limit=30)
    assert reference.status == "optimal"
    m = build(ssb_problem(inst, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=5, use_lp=False, workers=2, lns_share=1.0, start_size=20,
                    flow_in_pieces=flow_in_pieces)
    assert res.stats.sub_solves > 10
    assert res.objective == pytest.approx(reference.objective)
    assert all((s.var.varValue or 0) < 1e-6 for s in m.slacks)
    assert pulp.value(m.prob.objective) == pytest.approx(res.objective)
    for c in m.prob.constraints.values():
        assert c.valid(1e-6), c.name


def test_pieces_are_solved_without_highs_restart(mini, monkeypatch):
    import highspy

    seen = []

    class Recording(highspy.Highs):
        def run(self):
            value = self.getOptionValue("mip_allow_restart")
            seen.append(value[-1] if isinstance(value, tuple) else value)  # (status, value) in highspy 1.16
            return super().run()

    monkeypatch.setattr(highspy, "Highs", Recording)
    cfg = ssb_config(mini, time_limit=20)
    m = build(ssb_problem(mini, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=20, seed=3, start_size=10)
    assert res.stats.sub_solves > 0
    # The whole model keeps HiGHS's default; every cut-out piece has the restart off (an
    # option HiGHS did not know would be left at its default, True, without an error).
    assert seen.count(False) >= res.stats.sub_solves


def test_the_objective_step_needs_integer_costs_on_integer_columns():
    import highspy

    integer, continuous = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
    cost = np.array([0.0, 100.0, 4.0, 1e6, 6.0])
    kinds = [continuous, integer, integer, continuous, integer]
    slacks = np.array([3])  # costed and continuous, but a finished roster leaves it at 0
    assert objective_step(cost, kinds, 0.0, slacks) == 2.0
    assert objective_step(cost, kinds, 0.0, np.array([], dtype=np.int64)) is None
    assert objective_step(cost + np.array([0, 0, 0.5, 0, 0]), kinds, 0.0, slacks) is None
    assert objective_step(cost, [integer, continuous, integer, continuous, integer], 0.0, slacks) is None
    assert objective_step(cost, [], 0.0, slacks) is None  # a pure LP


def test_a_bound_is_raised_to_the_next_value_the_objective_can_take():
    assert round_bound_up(4039.2, 1.0, 0.0) == 4040.0
    assert round_bound_up(4040.0000001, 1.0, 0.0) == 4040.0  # the LP's round-off is not a step
    assert round_bound_up(11.0, 2.0, 3.0) == 11.0
    assert round_bound_up(11.5, 2.0, 3.0) == 13.0
    assert round_bound_up(-math.inf, 1.0, 0.0) == -math.inf  # HiGHS proved nothing


def test_a_roster_at_the_lp_bound_ends_the_search_as_proven():
    """The six-person fortnight's LP relaxation is worth its optimum (1): the search stops
    at the first roster of 1 with the proof from the LP, instead of solving the whole model."""
    inst = parse_instance(_six_people_text(), source="six.txt", name="six")
    cfg = ssb_config(inst, time_limit=30)
    reference, _ = solve_instance(inst, time_limit=30)
    m = build(ssb_problem(inst, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=30, seed=5, start_size=20)
    assert res.stats.lp_bound == pytest.approx(reference.objective)
    assert res.status == "optimal" and res.stats.proven_by == "the LP relaxation"
    assert res.objective == pytest.approx(reference.objective) and res.bound == pytest.approx(res.objective)
    assert pulp.value(m.prob.objective) == pytest.approx(res.objective)


def test_a_stalled_search_gives_the_whole_model_a_turn_and_goes_on(monkeypatch):
    """After 30 neighbourhoods without gain the whole model gets a turn; when that turn proves
    nothing (here every solve from a roster is made to stop at its time limit with that
    roster), the neighbourhoods go on instead of leaving the rest of the time to it."""
    from roster.solve.lns.highs_model import HighsModel

    def no_proof(self, start, time_limit, gap, abs_gap=1e-6):
        if start is None:
            return original(self, start, time_limit, gap, abs_gap)
        return "Time limit reached", start.copy(), self.objective(start), None

    original = HighsModel.run
    monkeypatch.setattr(HighsModel, "run", no_proof)
    inst = parse_instance(_six_people_text(), source="six.txt", name="six")
    cfg = ssb_config(inst, time_limit=30)
    m = build(ssb_problem(inst, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=8, seed=5, use_lp=False, start_size=20, sub_time_limit=0.5)
    assert res.stats.whole_turns >= 2
    assert res.stats.sub_solves > 60
    # Each turn comes after 30 pieces without gain, counted from the turn before (pieces drawn
    # before a turn and landing while it waits do not call for another one at once).
    assert 30 * res.stats.whole_turns <= res.stats.sub_solves
    assert res.status == "feasible" and res.stats.lns_seconds > 6


def test_one_person_re_placed_is_a_kind_of_neighbourhood_at_the_constructions_gap(monkeypatch):
    """On a model of more than 1000 assignments the search also draws one whole person at a time,
    everyone else fixed, solved to the construction's gap and time limit (the re-placing pass as a
    neighbourhood that competes with the others by its pay); the roster still keeps every rule."""
    import threading

    from roster.solve.lns.highs_model import HighsModel

    PERSON_GAP, PERSON_LIMIT = DEFAULT_SETTINGS.person_gap, DEFAULT_SETTINGS.person_limit

    seen: list[tuple[float, float, np.ndarray]] = []
    original = HighsModel.run_piece

    def recording(self, piece, start, time_limit, gap, abs_gap=1e-6, watch=None, threads=None):
        if threading.current_thread().name.startswith("lns-piece"):
            seen.append((gap, time_limit, np.asarray(piece.columns)))
        return original(self, piece, start, time_limit, gap, abs_gap, watch=watch, threads=threads)

    monkeypatch.setattr(HighsModel, "run_piece", recording)
    inst = parse_instance(_six_people_text(people=40), source="forty.txt", name="forty")
    cfg = ssb_config(inst, time_limit=20)
    m = build(ssb_problem(inst, cfg), ssb_rules(cfg), standby_slacks=True)
    res = lns_solve(m, time_limit=12, seed=5, workers=2, use_lp=False)
    staff_of = {v.index: s for v, s in zip(m.assign["x"], m.assign["staff_id"])}
    cols_of = {}
    for index, s in staff_of.items():
        cols_of.setdefault(s, set()).add(index)
    assert len(staff_of) > 1000
    solved, improved, _, _ = res.stats.by_kind["person"]
    assert solved > 0
    persons = [(gap, limit, cols) for gap, limit, cols in seen if gap == PERSON_GAP]
    assert len(persons) == solved
    for _, limit, cols in persons:
        assert limit <= PERSON_LIMIT
        people = {staff_of[c] for c in cols if c in staff_of}
        assert len(people) == 1
        assert {c for c in cols if c in staff_of} == cols_of[people.pop()]
    # What the kinds are credited with is what the search gained (other steps, such as settling
    # the flow, may gain a little more).
    credited = sum(gain for _, _, gain, _ in res.stats.by_kind.values())
    assert credited <= res.stats.first_objective - res.stats.lns_objective + 1e-6
    assert all((gain > 0) == (improved > 0) and seconds > 0 for _, improved, gain, seconds in res.stats.by_kind.values())
    # Every other improving piece is solved to optimality.
    assert all(gap == 0.0 for gap, _, _ in seen if gap != PERSON_GAP)
    assert all((s.var.varValue or 0) < 1e-6 for s in m.slacks)
    for c in m.prob.constraints.values():
        assert c.valid(1e-6), c.name
    ev = evaluate(inst, roster_to_assignment(extract_roster(m)))
    assert ev.feasible and ev.objective == pytest.approx(res.objective)


def test_kinds_share_the_workers_time_by_their_scores():
    """Two kinds paying the same per second get the same share of the time: the one whose pieces
    take a tenth as long is drawn ten times as often.  A kind that pays nothing keeps a floor."""
    kinds = ("people", "person", "days")
    p = draw_weights({"people": 0.5, "person": 0.5, "days": 0.0}, {"people": 3.0, "person": 0.3, "days": 8.0}, kinds)
    assert p.sum() == pytest.approx(1.0)
    assert p[1] == pytest.approx(10 * p[0])
    time_share = p * np.array([3.0, 0.3, 8.0])
    assert time_share[0] == pytest.approx(time_share[1])
    mean = (0.5 / 3.0 + 0.5 / 0.3) / 3
    assert p[2] / p[0] == pytest.approx(0.15 * mean / (0.5 / 3.0))
