"""The local executor: real processes, each engine's threads limited to its share of the cores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from listen.executor import (
    BLAS_VARIABLES,
    ENGINE_VARIABLES,
    THREAD_VARIABLES,
    ExecutorError,
    available_cores,
    create_executor,
    engine_threads,
)


def _environment(_: int) -> tuple[int, dict[str, str]]:
    return os.getpid(), {name: os.environ.get(name, "") for name in THREAD_VARIABLES}


def _blas_threads() -> int:
    """The thread count of the OpenBLAS numpy loaded, asked of the library itself."""
    import ctypes

    import numpy as np

    maps = Path("/proc/self/maps").read_text().splitlines()
    paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower()})
    assert paths, f"numpy {np.__version__} loaded no OpenBLAS"
    blas = ctypes.CDLL(paths[0])
    names = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_")
    getter = next(getattr(blas, name) for name in names if hasattr(blas, name))
    return int(getter())


def test_engine_threads_share_out_the_cores() -> None:
    cores = available_cores()
    assert engine_threads(1) == cores
    assert engine_threads(cores) == 1
    assert engine_threads(cores * 4) == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_workers_are_separate_processes_with_limited_threads(jobs: int) -> None:
    pool = create_executor("local", jobs=jobs)
    try:
        results = list(pool.map(_environment, range(8)))
    finally:
        pool.shutdown()
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= jobs
    engine = str(engine_threads(jobs))
    expected = dict.fromkeys(ENGINE_VARIABLES, engine) | dict.fromkeys(BLAS_VARIABLES, "1")
    assert all(env == expected for _, env in results)


def test_numpy_in_a_worker_runs_one_blas_thread() -> None:
    """Even in the only worker, whose engine has every core, numpy's BLAS keeps to one thread:
    a second one would only spin on the core the engine and the encoder need."""
    pool = create_executor("local", jobs=1)
    try:
        threads = pool.submit(_blas_threads).result()
    finally:
        pool.shutdown()
    assert threads == 1


def test_unknown_executor_and_missing_scheduler_are_errors() -> None:
    with pytest.raises(ExecutorError, match="Unknown executor 'ray'"):
        create_executor("ray", jobs=1)
    with pytest.raises(ExecutorError, match="needs a scheduler address"):
        create_executor("dask", jobs=1)


_KILLED_PARENT = """
import os, signal
from listen.executor import create_executor
pool = create_executor("local", jobs=2)
print(pool.submit(os.getpid).result(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_the_publishing_process_is_killed(tmp_path: Path) -> None:
    out = tmp_path / "worker.txt"
    with out.open("w") as stdout:  # a file, not a pipe a leftover worker would hold open
        done = subprocess.run(
            [sys.executable, "-c", _KILLED_PARENT], stdout=stdout, stderr=subprocess.DEVNULL
        )
    assert done.returncode == -signal.SIGKILL
    worker = int(out.read_text().split()[0])
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
