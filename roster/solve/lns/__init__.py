"""The neighbourhood search (``solver.strategy = "lns"``) over the roster model.

:func:`lns_solve` takes a model built with standby slacks and returns the best roster
found, with a bound from a final solve of the whole model.  The phases live in their
own modules: the first roster person by person (:mod:`.construct`), the cutting of
one neighbourhood out of the model (:mod:`.submip`), and the search itself
(:mod:`.search`).
"""

from roster.solve.lns.search import LnsResult, lns_solve

__all__ = ["LnsResult", "lns_solve"]
