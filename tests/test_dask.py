"""Publishing on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
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

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        host="127.0.0.1",
    ) as running:  # fmt: skip
        yield running


def publish_command(articles: Path, out: Path, show_dir: Path, *extra: str) -> list[str]:
    return listen("publish", articles, "--out", out, "--config", show_dir / "listen.toml",
                  "--voice", "espeak", "--base-url", BASE, "--json", *extra)  # fmt: skip


def run_publish(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def episodes(out: Path) -> dict[str, tuple[str, float]]:
    """Each published episode's title and its MP3's duration, by episode id."""
    with Catalogue(out) as catalogue:
        records = catalogue.all(["published"])
    return {r.id: (r.title, r.duration) for r in records}


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
    there, here = episodes(tmp_path / "dask"), episodes(tmp_path / "local")
    assert there.keys() == here.keys()
    for key, (title, duration) in here.items():
        assert there[key][0] == title
        assert there[key][1] == pytest.approx(duration, abs=0.1)
