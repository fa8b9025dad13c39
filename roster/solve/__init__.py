"""Solving: the MIP from the rules (:mod:`.model`), HiGHS/CBC (:mod:`.highs`), the
neighbourhood search for large horizons (:mod:`.lns`), and the diagnosis of an
infeasible plan (:mod:`.diagnose`)."""
