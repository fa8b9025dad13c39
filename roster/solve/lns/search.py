"""Large-neighbourhood search: solve a roster model HiGHS cannot solve whole.

Why.  HiGHS proves good lower bounds for month-long rosters of 30+ people, but its primal
heuristics stall on them: after minutes it may hold a roster far above its bound, or none
at all.  Nurse-rostering practice answers this with *fix-and-optimise*: keep most of the
roster fixed, re-solve a small part of it exactly (a few people over the whole horizon, or
everyone over a few days), keep the result if it is no worse, repeat.  Each part is a small
MIP that HiGHS solves in seconds, and the roster can only get better.

How.  The PuLP model is handed to HiGHS once (:func:`roster.solve.highs.highs_lp`).  Each
neighbourhood is cut out of the model as a small MIP (:mod:`roster.solve.lns.submip`), the
columns outside it fixed at the incumbent's values and the incumbent given as a start, so
it costs HiGHS the neighbourhood's size, not a presolve of the whole model, and every
sub-solve begins from a feasible roster.  The model must be built with *standby slacks*
(``build(..., standby_slacks=True)``): every hard constraint has a slack column bounded at
zero.  Opened (at the elastic cost of 10^6 each, the rest of the objective still counting),
they let the search start from a roster that bends rules and repair it, so a first roster
exists even when HiGHS's own heuristics find none.

The phases, in order (:func:`lns_solve`): the first roster (:mod:`.first`), the repair of
its bends (:mod:`.repair`), the improving neighbourhoods (:mod:`.improve`,
:mod:`.neighbourhoods`) for ``lns_share`` of the time limit, and one solve of the whole
model from the best roster (:mod:`.finish`), which improves it further and supplies the
proven lower bound that is reported.  When the LP relaxation is not tried or does not solve
in its share of the time, the neighbourhoods keep all but a small reserve instead
(``final_reserve_share``).  The search stops early when a roster is proven optimal.

Reproducibility: the neighbourhoods come from a generator seeded with ``solver.seed``, but
the search reads the wall clock -- the number of sub-solves depends on the time limit, and
the next kind of neighbourhood is drawn by what it gained per second -- so two runs of the
same model and seed may differ.  With ``solver.threads`` > 1 pieces are solved side by side
(see ``workers``).
"""

from __future__ import annotations

from constraints.base import ModelContext
from roster.solve.lns.finish import LnsResult, finish
from collections.abc import Callable

import numpy as np

from roster.solve.lns.first import find_first_roster, take_start
from roster.solve.lns.improve import Improvement
from roster.solve.lns.repair import Repair
from roster.solve.lns.settings import DEFAULT_SETTINGS, SearchSettings
from roster.solve.lns.state import SearchState
from roster.solve.trace import SolveTrace

__all__ = ["LnsResult", "lns_solve"]


def lns_solve(m: ModelContext, *, time_limit: float, threads: int = 2, seed: int = 7, relative_gap: float = 0.0,
              lns_share: float = 0.9, sub_time_limit: float | None = None, use_lp: bool = True,
              lp_share: float = 0.1, bends_only_repair: bool | None = None,
              flow_in_pieces: bool | None = None, start_size: float | None = None,
              workers: int | None = None, construct: bool = True,
              rens_beside_construction: bool = False, settings: SearchSettings = DEFAULT_SETTINGS,
              trace: SolveTrace | None = None, start: list | None = None,
              outside_bound: Callable[[], float | None] | None = None) -> LnsResult:
    """Fix-and-optimise search on the built model ``m``; writes the best roster into the PuLP variables.

    ``sub_time_limit``: each piece's time limit (None: from the time limit, see
    :class:`SearchSettings`).  ``lp_share``: the LP relaxation's cap, a share of the time.

    ``bends_only_repair``: while hard rules still bend, minimise the bends alone (True) or
    the true objective with the bends priced in (False); None starts with the latter and
    switches to the former when the LP relaxation did not solve in time or the repair, at
    its pace so far, would take more than ``repair_patience_share`` of the search time.

    ``flow_in_pieces``: whether the improving neighbourhoods carry the extended formulation
    (``m.implied``, the run-rule flow) -- False never, True always, None chosen per
    neighbourhood by how much each way has paid.  The repair always leaves it out.

    ``start_size``: the neighbourhoods' first size in assignment columns (they adapt from
    there); None tries a model of up to ``whole_at_once`` assignments whole, else a tenth of
    it (at least ``start_size_min``, at most ``start_size_cap``).

    ``construct``: build the first roster person by person (:mod:`roster.solve.lns.construct`), in a
    thread beside the LP relaxation.  ``rens_beside_construction``: when the LP relaxation
    solves, RENS from it runs too and the better roster is the start (by default RENS runs
    only when the constructed roster still bends rules).

    ``workers``: improving pieces solved side by side, each with one HiGHS thread (None:
    ``threads``): the search is bound by how many pieces it solves, nearly all of its time
    spent inside HiGHS.

    ``settings``: the tuning constants (:class:`roster.solve.lns.settings.SearchSettings`).

    ``trace``: told of each new incumbent without bends, the LP bound and the final solve's progress.

    ``start``: (assignment variable, 1) pairs of a roster to start from instead of building one
    (:func:`roster.solve.lns.first.take_start`); when it bends a rule, the first roster is built as usual.

    ``outside_bound``: gives a lower bound proven beside the search (or None while there is none);
    the search ends when the roster is within ``relative_gap`` of it, as a whole-model solve would.
    """
    s = SearchState(m, time_limit=time_limit, threads=threads, seed=seed, lns_share=lns_share,
                    sub_time_limit=sub_time_limit, workers=workers, settings=settings, trace=trace)
    if outside_bound is not None:
        s.outside_bound = (outside_bound, relative_gap)
    chosen = np.asarray([v.index for v, value in start or [] if value > 0.5], dtype=np.int64)
    if not start or not take_start(s, chosen):
        find_first_roster(s, construct=construct, use_lp=use_lp, lp_share=lp_share,
                          rens_beside_construction=rens_beside_construction)
    repair = Repair(s, bends_only_repair)
    repair.start()
    Improvement(s, repair, flow_in_pieces=flow_in_pieces, start_size=start_size).run()
    return finish(s, relative_gap)
