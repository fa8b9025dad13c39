"""Where independent tasks run: serially, in local processes, or on a Dask cluster.

One interface (:class:`Executor`): ``map(fn, items, on_done=...)`` runs ``fn`` on every
item and returns the results in input order, so the same inputs and seed give the same
outputs serially or in parallel.  ``fn`` and the items must be picklable (a module-level
function and plain data).  :func:`make_executor` picks one from ``--jobs`` and
``--scheduler``.  Tasks that solve set their own solver threads (one per task), so N
tasks use N cores.
"""

from roster.executors.base import DaskExecutor, Executor, ProcessExecutor, SerialExecutor, make_executor

__all__ = ["Executor", "SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor"]
