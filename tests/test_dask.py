"""Publishing on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_publish_cli import BASE, assert_consistent, listen, make_articles

from listen.catalogue import Catalogue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    # The dashboard on a free port: None means the default 8787, and a port in use is a
    # warning, which this suite treats as an error.
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
        host="127.0.0.1",
    ) as running:  # fmt: skip
        yield running


def publish_command(articles: Path, out: Path, show_dir: Path, *extra: str) -> list[str]:
    return listen("publish", articles, "--out", out, "--config", show_dir / "listen.toml",
                  "--voice", "espeak", "--base-url", BASE, "--json", *extra)  # fmt: skip


def run_publish(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr + done.stdout  # the summary names a failed article
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def test_a_dask_publish_matches_a_local_one(tmp_path: Path, show_dir: Path, cluster: Any) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 7))
    dask = ("--executor", "dask", "--scheduler", cluster.scheduler_address)
    remote = run_publish(publish_command(articles, tmp_path / "dask", show_dir, *dask))
    local = run_publish(publish_command(articles, tmp_path / "local", show_dir, "--jobs", "2"))
    assert sorted(remote["rendered"]) == sorted(local["rendered"]) and len(local["rendered"]) == 6
    addresses = set(cluster.scheduler_info["workers"])
    assert set(remote["workers"]) == addresses and sum(remote["workers"].values()) == 6
    items = assert_consistent(tmp_path / "dask")
    assert set(items) == set(assert_consistent(tmp_path / "local"))
    assert episodes(tmp_path / "dask") == episodes(tmp_path / "local")
    assert (tmp_path / "local" / ".cache" / "segments").is_dir()
    assert not (tmp_path / "dask" / ".cache").exists()
    assert all(_worker_caches(cluster).values())


def _worker_caches(cluster: Any) -> dict[str, bool]:
    """Whether each worker has filled a segment cache in its own local directory."""
    from distributed import Client

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        found: dict[str, bool] = client.run(_has_cache)
    return found


def _has_cache(dask_worker: Any) -> bool:
    return any((Path(dask_worker.local_directory) / "listen-segments").rglob("*"))


def episodes(out: Path) -> dict[str, tuple[str, bytes]]:
    """Each published episode's title and MP3 bytes, by episode id."""
    with Catalogue(out) as catalogue:
        records = catalogue.all(["published"])
    return {r.id: (r.title, (out / r.files["audio"]).read_bytes()) for r in records}


def test_a_worker_killed_mid_publish_is_replaced(
    tmp_path: Path, show_dir: Path, cluster: Any
) -> None:
    from distributed import Client

    articles = make_articles(tmp_path / "articles", range(1, 7))
    out = tmp_path / "site"
    command = publish_command(articles, out, show_dir, "--executor", "dask",
                              "--scheduler", cluster.scheduler_address)  # fmt: skip
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        running = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        victim = _busy_worker(client, running)
        os.kill(pids[victim], signal.SIGKILL)
        stdout, stderr = running.communicate(timeout=600)
    assert running.returncode == 0, stderr
    summary = json.loads(stdout)
    assert len(summary["rendered"]) == 6 and not summary["failed"]
    assert len(assert_consistent(out)) == 6


def _busy_worker(client: Any, running: subprocess.Popen[str]) -> str:
    """The address of a worker that is rendering one of the publish's tasks."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and running.poll() is None:
        busy = [address for address, tasks in client.processing().items() if tasks]
        if busy:
            return busy[0]
        time.sleep(0.05)
    raise AssertionError("the publish never gave the cluster a task")


def test_an_unreachable_scheduler_is_one_error_and_writes_nothing(
    tmp_path: Path, show_dir: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    articles = make_articles(tmp_path / "articles", range(1, 2))
    out = tmp_path / "site"
    started = time.monotonic()
    done = subprocess.run(
        publish_command(articles, out, show_dir, "--executor", "dask",
                        "--scheduler", f"tcp://127.0.0.1:{port}"),
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - started < 15
    assert done.returncode == 1
    assert done.stderr.startswith(
        f"Error: Could not reach the Dask scheduler at 'tcp://127.0.0.1:{port}'"
    )
    assert done.stderr.count("\n") == 1
    assert not out.exists()


def test_without_the_extra_dask_is_an_install_hint(tmp_path: Path, show_dir: Path) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 2))
    out = tmp_path / "site"
    args = publish_command(articles, out, show_dir, "--executor", "dask",
                           "--scheduler", "tcp://127.0.0.1:8786")[3:]  # fmt: skip
    script = "import sys; sys.modules['distributed'] = None; from listen.cli import main; main()"
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          check=False, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "Error: The dask executor needs Dask's distributed scheduler; "
        "install it with: pip install 'listen[dask]'\n"
    )
    assert not out.exists()


def test_the_summary_names_each_worker_and_its_count() -> None:
    from listen.publish import PublishSummary
    from listen.report import summary_lines

    summary = PublishSummary(workers={"tcp://127.0.0.1:2": 4, "tcp://127.0.0.1:1": 2})
    lines = list(summary_lines(summary))
    assert lines[1] == "Workers: tcp://127.0.0.1:1 rendered 2, tcp://127.0.0.1:2 rendered 4"
