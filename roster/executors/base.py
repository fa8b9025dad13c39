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

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet) -> list:
        """``[fn(item) for item in items]``, in input order; ``on_done(index, result)`` as each finishes."""


class SerialExecutor:
    name = "serial"

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet) -> list:
        out = []
        for i, item in enumerate(items):
            out.append(fn(item))
            on_done(i, out[-1])
        return out


class ProcessExecutor:
    """A local pool of ``jobs`` processes (started fresh, not forked, so no solver state is inherited)."""

    name = "processes"

    def __init__(self, jobs: int):
        self.jobs = jobs

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet) -> list:
        if not items:
            return []
        out: list = [None] * len(items)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self.jobs, len(items)), mp_context=ctx, initializer=_init_worker) as pool:
            futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
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

    def map(self, fn: Callable, items: Sequence, *, on_done: Done = _quiet) -> list:
        if not items:
            return []
        from distributed import as_completed as dask_completed

        client, owned = self._connect()
        try:
            futures = client.map(fn, list(items), pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
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
