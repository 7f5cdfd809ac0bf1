"""listen publish on a Dask cluster: wall time with one worker against two.

    python benchmarks/dask_publish.py [--articles 20] [--voice espeak]

Starts a scheduler and N worker processes (one thread each) on 127.0.0.1 with
distributed.LocalCluster, publishes the same articles into a fresh folder through each cluster
(`listen publish ... --executor dask --scheduler ADDRESS`, a separate process, wall time) and
prints the two-worker run against the one-worker run. Each worker starts with an empty segment
cache, so every segment is synthesised in both runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from distributed import LocalCluster
from publish_speed import setup


def publish(work: Path, workers: int) -> tuple[float, dict[str, object]]:
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
        host="127.0.0.1", local_directory=str(work / f"dask-{workers}"),
    ) as cluster:  # fmt: skip
        listen = Path(sys.executable).with_name("listen")
        command = [str(listen), "publish", str(work / "articles"), "--out",
                   str(work / f"site-{workers}"), "--config", str(work / "listen.toml"), "--json",
                   "--executor", "dask", "--scheduler", cluster.scheduler_address]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"publish failed: {done.stderr.strip()}")
    return wall, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--voice", default="espeak")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as temp:
        work = Path(temp)
        setup(work, args.articles, args.voice)
        one, _ = publish(work, 1)
        two, summary = publish(work, 2)
    print(f"{args.articles} articles, voice {args.voice}, each worker 1 process, 1 thread")
    print(f"1 worker   {one:7.2f} s")
    print(f"2 workers  {two:7.2f} s  {two / one:6.1%} of one worker's time   "
          f"articles per worker {summary['workers']}")  # fmt: skip
    print(f"command: python benchmarks/dask_publish.py --articles {args.articles} "
          f"--voice {args.voice}")  # fmt: skip


if __name__ == "__main__":
    main()
