"""Where renders run: a pool of local processes, or any executor shaped like concurrent.futures.

Publishing hands the executor pure tasks (bytes and settings in, bytes and metadata out) and
writes every result itself, so any ``concurrent.futures.Executor`` can run them: the local
process pool here, or a Dask cluster's executor. Each local worker process limits the
engines' threads so that N processes do not fight over the same cores.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, TypeVar

from listen.errors import ListenError
from listen.threads import BLAS_VARIABLES, ENGINE_VARIABLES, THREAD_VARIABLES

__all__ = [
    "BLAS_VARIABLES",
    "DASK_INSTALL",
    "ENGINE_VARIABLES",
    "THREAD_VARIABLES",
    "ExecutorError",
    "available_cores",
    "create_executor",
    "dask_executor",
    "engine_threads",
    "executor_factory",
    "local_executor",
]

T = TypeVar("T")
ExecutorFactory = Callable[[], Executor]

DASK_INSTALL = "pip install 'listen[dask]'"
SCHEDULER_TIMEOUT_S = 5
_WATCH_INTERVAL_S = 1.0


class ExecutorError(ListenError, RuntimeError):
    """An executor could not be started: a missing extra, or a scheduler out of reach."""


def executor_factory(kind: str, jobs: int | None, scheduler: str | None = None) -> ExecutorFactory:
    """What publishing calls for an executor when it has work: local processes are started
    only then; a Dask scheduler is reached at once, so an unreachable one fails before any
    file is written."""
    if kind == "dask":
        ready = create_executor(kind, jobs or 1, scheduler)
        return lambda: ready
    count = jobs or available_cores()
    return lambda: create_executor(kind, count, scheduler)


def create_executor(kind: str, jobs: int, scheduler: str | None = None) -> Executor:
    """The executor named ``kind``: "local" processes, or "dask" on ``scheduler``."""
    if kind == "local":
        return local_executor(jobs)
    if kind == "dask":
        if not scheduler:
            raise ExecutorError(
                "The dask executor needs a scheduler address: give --scheduler tcp://HOST:8786"
            )
        return dask_executor(scheduler)
    raise ExecutorError(f"Unknown executor '{kind}': choose local or dask")


def dask_executor(scheduler: str, timeout: float = SCHEDULER_TIMEOUT_S) -> Executor:
    """A concurrent.futures executor on the Dask cluster whose scheduler is at ``scheduler``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ExecutorError(
            f"The dask executor needs Dask's distributed scheduler; install it with: {DASK_INSTALL}"
        ) from exc
    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"Could not reach the Dask scheduler at '{scheduler}' within {timeout:g} s: "
            "check that 'dask scheduler' runs there and the address is right"
        ) from exc
    return _DaskExecutor(client)


class _DaskExecutor(Executor):
    """Dask's client executor, closing the client with the executor."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._executor = client.get_executor(pure=False)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = self._executor.submit(fn, *args, **kwargs)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)
        self._client.close()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, not just the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def engine_threads(jobs: int) -> int:
    """Threads each of ``jobs`` worker processes gives its engine: the cores shared out."""
    return max(1, available_cores() // max(1, jobs))


def local_executor(jobs: int) -> Executor:
    """A pool of ``jobs`` fresh processes (spawned, never forked), each engine limited, each
    exiting on its own if the publishing process is killed."""
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(engine_threads(jobs), os.getpid()),
    )


def _start_worker(threads: int, parent: int) -> None:
    for name in ENGINE_VARIABLES:
        os.environ[name] = str(threads)
    for name in BLAS_VARIABLES:
        os.environ[name] = "1"
    # A worker holds both ends of its task queue, so it never sees the parent go: watch it.
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL_S)
    os._exit(1)
