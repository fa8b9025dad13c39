"""Which solve a plan gets when ``solver.strategy`` is ``"auto"`` (the default): by the model's size.

``"mip"`` (the whole model in HiGHS), ``"rens"`` (a roster from the LP relaxation, then the whole
model from it), ``"lns"`` (the neighbourhood search) or, on a period of several weeks, ``"chain"``
(the weeks one after another as a start for the whole model).

HiGHS on the whole model finds good rosters and proves them optimal on a week of a city of
a few hundred people; on longer horizons of large cities its heuristics stall and it may
hold no roster at all after ten minutes, where the neighbourhood search
(:mod:`roster.solve.lns`) builds one at once and improves it.  The size that decides is the
number of assignment candidates before the rules restrict them: people x shift instances of
the horizon x districts each person may work in.  See BENCHMARKS.md (Roster scale) for the
runs the threshold comes from.
"""

from __future__ import annotations

from constraints.base import Rule
from constraints.problem import Problem

# On one week, "auto" is the search above this many candidates (people x shift instances x their
# districts).
LNS_ABOVE_CANDIDATES = 60_000
# On one week, "auto" is RENS (the LP relaxation, then the MIP over what it leaves open, then the
# whole model from that roster until the relative gap) above this many.  Measured (BENCHMARKS.md,
# Roster scale): 200 staff x 10 districts (14 154 candidates) and 400 x 20 (28 980) within 0.5 % in
# 7 s and 19 s, where the whole model took minutes; below it (the example city's week, 8 650) the
# whole model proves its optimum in well under a minute.
RENS_ABOVE_CANDIDATES = 10_000
# On a period of more than one week, "auto" chains the weeks (roster/solve/chain.py) above this
# many.  Measured (BENCHMARKS.md): 50 staff over 28 days (14 400 candidates) chained reached
# 0.15 % in 58 s where the whole model took 284 s to 0.06 %; on the example city's 4 weeks
# (34 600) the whole model and the search held no roster after 300 s, the chained weeks had one
# at 154 s.  Below it a period is small enough to solve whole in seconds.
CHAIN_ABOVE_CANDIDATES_MULTI_WEEK = 5_000


def model_size(problem: Problem) -> int:
    """People x shift instances x districts each may work in (the assignment candidates before any rule)."""
    places = sum(1 + len(set(f) - {h}) for h, f in zip(problem.staff["home_district"], problem.staff["float_districts"]))
    return places * len(problem.instances)


def choose_strategy(problem: Problem, rules: list[Rule] | None = None) -> str:
    """The strategy for ``problem``: ``"mip"``, ``"rens"``, ``"lns"`` or ``"chain"``."""
    s = problem.config.solver
    if s.name != "highs":
        return "mip"  # the search drives HiGHS directly
    if s.strategy == "chain" and problem.days <= 7:
        return "mip"  # one week: nothing to chain
    if s.strategy != "auto":
        return s.strategy
    size = model_size(problem)
    if problem.days > 7:
        return "chain" if size > CHAIN_ABOVE_CANDIDATES_MULTI_WEEK else "mip"
    if size > LNS_ABOVE_CANDIDATES:
        return "lns"
    return "rens" if size > RENS_ABOVE_CANDIDATES else "mip"
