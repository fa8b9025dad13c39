"""The Employee Shift Scheduling Benchmark: instance reader (:mod:`.instance`),
independent evaluator (:mod:`.evaluate`) and the mapping onto the product's model
(:mod:`.model`).  See docs/ssb.md."""
