"""What-if scenarios for budget officers (docs/scenarios.md).

A scenario is an overlay on the config and the in-memory inputs of :mod:`roster.pipeline`
(config keys, demand multipliers, staff added, removed or repriced, a weekly budget cap),
re-planned through the same stages and compared with the baseline: ``spec`` reads the YAML
file, ``overlay`` applies it, ``run`` re-plans one scenario as a picklable task, ``compare``
puts the results in words and ``frontier`` sweeps a budget cap or target share.  Nothing
here reads or writes files but ``spec.load_scenarios``; the CLI loads the inputs and writes
the outputs.
"""
