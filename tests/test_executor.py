"""The local executor: real processes, each engine's threads limited to its share of the cores."""

from __future__ import annotations

import os

import pytest

from listen.executor import (
    THREAD_VARIABLES,
    ExecutorError,
    available_cores,
    create_executor,
    engine_threads,
)


def _environment(_: int) -> tuple[int, dict[str, str]]:
    return os.getpid(), {name: os.environ.get(name, "") for name in THREAD_VARIABLES}


def test_engine_threads_share_out_the_cores() -> None:
    cores = available_cores()
    assert engine_threads(1) == cores
    assert engine_threads(cores) == 1
    assert engine_threads(cores * 4) == 1


def test_local_workers_are_separate_processes_with_limited_threads() -> None:
    pool = create_executor("local", jobs=2)
    try:
        results = list(pool.map(_environment, range(8)))
    finally:
        pool.shutdown()
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2
    expected = str(engine_threads(2))
    assert all(env == dict.fromkeys(THREAD_VARIABLES, expected) for _, env in results)


def test_unknown_executor_and_missing_scheduler_are_errors() -> None:
    with pytest.raises(ExecutorError, match="Unknown executor 'ray'"):
        create_executor("ray", jobs=1)
    with pytest.raises(ExecutorError, match="needs a scheduler address"):
        create_executor("dask", jobs=1)
