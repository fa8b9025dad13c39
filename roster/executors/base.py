"""The executors: serial, a local process pool, and a dask.distributed cluster."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Protocol, Sequence

from roster.errors import InputError

Done = Callable[[int, Any], None]

# Numerical libraries in a worker use one thread each: the parallelism is the tasks'.
SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _quiet(_i: int, _r: Any) -> None:
    pass


def _init_worker() -> None:
    for k, v in SINGLE_THREAD_ENV.items():
        os.environ.setdefault(k, v)


class Executor(Protocol):
    name: str

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet, order: Sequence[int] | None = None) -> list:
        """``[fn(item) for item in items]``, in input order; ``on_done(index, result)`` as each finishes.

        ``order``: the indices in the order to start them (the longest first keeps the last
        worker from running alone); the results do not depend on it.
        """


def _start_order(n: int, order: Sequence[int] | None) -> list[int]:
    if order is None:
        return list(range(n))
    if sorted(order) != list(range(n)):
        raise ValueError("order must list every index of items once")
    return list(order)


class SerialExecutor:
    name = "serial"

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet, order: Sequence[int] | None = None) -> list:
        out: list = [None] * len(items)
        for i in _start_order(len(items), order):
            out[i] = fn(items[i])
            on_done(i, out[i])
        return out


class ProcessExecutor:
    """A local pool of ``jobs`` processes (started fresh, not forked, so no solver state is inherited)."""

    name = "processes"

    def __init__(self, jobs: int):
        self.jobs = jobs

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet, order: Sequence[int] | None = None) -> list:
        if not items:
            return []
        out: list = [None] * len(items)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self.jobs, len(items)), mp_context=ctx, initializer=_init_worker) as pool:
            futures = {pool.submit(fn, items[i]): i for i in _start_order(len(items), order)}
            for fut in as_completed(futures):
                i = futures[fut]
                out[i] = fut.result()
                on_done(i, out[i])
        return out


class DaskExecutor:
    """Tasks on an existing dask.distributed cluster (``tcp://HOST:8786``) or a given ``Client``."""

    name = "dask"

    def __init__(self, address: str | None = None, client=None):
        self.address = address
        self._client = client

    def _connect(self):
        if self._client is not None:
            return self._client, False
        from distributed import Client

        try:
            return Client(self.address, timeout="10s"), True
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {self.address}: no Dask scheduler answered ({exc}); start one "
                             "(dask scheduler) or check the address, e.g. tcp://HOST:8786.") from None

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet, order: Sequence[int] | None = None) -> list:
        if not items:
            return []
        from distributed import as_completed as dask_completed

        client, owned = self._connect()
        try:
            start = _start_order(len(items), order)
            # earlier in the start order = higher priority on the scheduler
            futures = [client.submit(fn, items[i], pure=False, priority=len(start) - k) for k, i in enumerate(start)]
            index = {f.key: i for f, i in zip(futures, start)}
            out: list = [None] * len(items)
            for fut in dask_completed(futures):
                i = index[fut.key]
                out[i] = fut.result()
                on_done(i, out[i])
            return out
        finally:
            if owned:
                client.close()


def make_executor(jobs: int = 1, scheduler: str | None = None) -> Executor:
    """Dask at ``scheduler`` if given, else ``jobs`` local processes (serial for one)."""
    if jobs < 1:
        raise InputError(f"--jobs {jobs}: give 1 or more parallel tasks.")
    if scheduler:
        if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
            raise InputError(f"--scheduler {scheduler}: give the scheduler's address, e.g. tcp://HOST:8786.")
        return DaskExecutor(scheduler)
    return SerialExecutor() if jobs == 1 else ProcessExecutor(jobs)
