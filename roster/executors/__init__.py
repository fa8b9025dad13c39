"""Where independent plans run: serially, in local processes, or on a Dask cluster
(home of the scenario issue's ``--jobs`` and ``--scheduler``).  An executor takes
pipeline calls and returns their results in input order, so the same inputs and seed
give the same outputs serially or in parallel.  Nothing lives here yet."""
