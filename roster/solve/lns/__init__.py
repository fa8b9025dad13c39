"""The neighbourhood search (``solver.strategy = "lns"``) over the roster model.

:func:`lns_solve` (:mod:`.search`) takes a model built with standby slacks, runs these
phases in order on one shared :class:`~.state.SearchState`, and returns the best roster:

1. :mod:`.first` -- a first roster, built person by person (:mod:`.construct`) beside the
   LP relaxation; else RENS from the LP, its rounding, or the empty roster.
2. :mod:`.repair` -- the standby slacks driven back to zero while the roster bends rules.
3. :mod:`.improve` -- neighbourhoods (:mod:`.neighbourhoods`) cut out of the model
   (:mod:`.submip`), solved and landed, side by side when there are workers to spare.
4. :mod:`.finish` -- one solve of the whole model for the bound, rounded to the objective's step.

:mod:`.highs_model` holds the model in HiGHS; :mod:`.settings` the tuning constants.
"""

from roster.solve.lns.finish import LnsResult
from roster.solve.lns.search import lns_solve

__all__ = ["LnsResult", "lns_solve"]
