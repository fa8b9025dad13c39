"""The neighbourhood search's tuning constants, in one place (:class:`SearchSettings`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchSettings:
    """How the search spends its time and sizes its pieces.  The defaults are the rule;
    ``lns_solve(..., settings=...)`` takes another set (tests use it to force a path)."""

    # ---- the first roster -------------------------------------------------------------
    # An LP relaxation with more nonzeros than this per second of its cap is not tried: its
    # interior-point solve would miss the cap, and HiGHS's presolve (which no callback can stop)
    # would hold a core the construction could use.  Scales with the cap: longer runs try larger LPs.
    lp_nonzeros_per_second: float = 10_000
    # Interior-point iterations these LPs take, for foreseeing whether the LP meets its cap.
    lp_iterations: int = 50
    # The whole LP solve over its interior-point phase: the crossover to a vertex takes about as long again.
    lp_crossover: float = 2.0
    # Iterations seen before the first forecast; the first are the cheap ones, so the forecast errs hopeful.
    lp_look: int = 3
    # Relative gap of each person's piece in the construction: early on many placements are
    # equally good, and proving which is best costs far more than it gains.
    person_gap: float = 0.01
    # Time limit of each person's piece, in seconds, not a share of the time budget (the pass's
    # deadline keeps that): a piece that hits its limit has cost all of it, often without a roster
    # that keeps the person's rules, and the fallback then costs as much again.
    person_limit: float = 2.0
    # Re-placing passes of the construction go on while one gains at least this share of the objective.
    pass_gain: float = 0.05
    # Share of the search time the construction's passes may use: while they gain that much a pass,
    # they gain more per second than the neighbourhoods after them.
    construction_share: float = 0.5
    # When the LP relaxation is not tried or does not solve, the final whole-model solve keeps only
    # this share of the time limit, at most ``final_reserve_max`` seconds: branch and bound on a
    # model whose LP does not solve in time gets nowhere, so the neighbourhoods get that time.
    final_reserve_share: float = 0.02
    final_reserve_max: float = 10.0

    # ---- the neighbourhoods -----------------------------------------------------------
    # A piece's time limit (unless ``lns_solve`` is given ``sub_time_limit``): the time limit
    # over ``pieces_per_time_limit``, within [piece_seconds_min, piece_seconds_max] seconds, so
    # that a search has room for many pieces and each still has time to prove its optimum.
    piece_seconds_min: float = 3.0
    piece_seconds_max: float = 30.0
    pieces_per_time_limit: float = 40.0
    # A model of at most this many assignment columns is tried whole as the first neighbourhood
    # (with a roster as start HiGHS may simply prove it), and gets no one-person pieces.
    whole_at_once: int = 1000
    # Otherwise the neighbourhoods' first size is this share of the assignment columns ...
    start_share: float = 0.1
    # ... but at least this many ...
    start_size_min: int = 150
    # ... and at most this many: larger pieces of year-long rosters time out, and a time-out
    # shrinks a piece by only a fifth, while sizes grow from here when pieces solve quickly.
    start_size_cap: float = 4000.0
    # After every ``stall_every`` neighbourhoods in a row without gain every kind's size grows by
    # ``stall_growth``, at most ``stall_levels`` times: a plateau where every piece is solved to
    # optimality and none pays is broken by pieces larger than the search has been drawing.
    stall_every: int = 10
    stall_growth: float = 1.5
    stall_levels: int = 2
    # After this many neighbourhoods in a row without gain the whole model gets a turn (two pieces'
    # time limit): proven optimal, the search is over; else the neighbourhoods go on.
    whole_turn_after: int = 30
    # The repair keeps the true objective unless, at its pace so far, it would take more than this
    # share of the search time: then it minimises the bends alone, which is much faster.
    repair_patience_share: float = 0.2


DEFAULT_SETTINGS = SearchSettings()
