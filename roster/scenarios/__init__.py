"""What-if scenarios for budget officers (home of issue "Budget officers: cost what-if
scenarios"): a scenario is an overlay on the config and the in-memory inputs of
:mod:`roster.pipeline` (changed staff, demand, rates, a budget cap), re-planned through
the same stages, and compared with the baseline.  Nothing lives here yet; a scenario
must not read files itself — the CLI loads them and hands the stages data."""
