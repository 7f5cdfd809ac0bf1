"""listen publish: first run, no-op rerun and one-paragraph edit, as ratios of the first run.

    python benchmarks/publish_speed.py [--articles 20] [--voice espeak] [--jobs N]

Writes a throwaway show and articles into a temporary folder, runs `listen publish` there
three times as a user would (separate processes, wall time), and prints each run's summary
figures and its wall time against the first run's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "The council of {town} voted on Tuesday to spend {money} on new cycle lanes, after a "
    "consultation in which {people} residents took part. Work starts in {month}."
)
TOWNS = ["Ashford", "Bexley", "Carlow", "Dunmore", "Eastleigh", "Fairview", "Glenrock"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def article(n: int, edited: bool = False) -> str:
    paragraphs = [
        PARAGRAPH.format(
            town=TOWNS[(n + k) % len(TOWNS)],
            money=f"${(n + 1) * (k + 2)}.{k}m",
            people=f"{(n + 3) * 117 + k}",
            month=MONTHS[(n + k) % len(MONTHS)],
        )
        for k in range(6)
    ]
    if edited:
        paragraphs[2] = paragraphs[2].replace("voted on Tuesday", "voted late on Wednesday")
    body = "\n\n".join(paragraphs)
    return f"---\ntitle: Cycle lanes for town {n}\ndate: 2026-11-{1 + n % 28:02d}\n---\n\n{body}\n"


def publish(listen: Path, work: Path, jobs: int | None) -> tuple[float, dict[str, object]]:
    command = [str(listen), "publish", str(work / "articles"), "--out", str(work / "site")]
    command += ["--config", str(work / "listen.toml"), "--json"]
    if jobs:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"publish failed: {done.stderr.strip()}")
    return wall, json.loads(done.stdout)


def setup(work: Path, count: int, voice: str) -> None:
    (work / "articles").mkdir(parents=True)
    for n in range(count):
        (work / "articles" / f"story-{n:03d}.md").write_text(article(n), encoding="utf-8")
    shutil.copy(ROOT / "seeds" / "cover.png", work / "cover.png")
    config = (ROOT / "seeds" / "listen.toml").read_text(encoding="utf-8")
    config = config.replace('voice = "joe"', f'voice = "{voice}"')
    (work / "listen.toml").write_text(config, encoding="utf-8")


def line(name: str, wall: float, first: float, summary: dict[str, object]) -> str:
    return (
        f"{name:<22} {wall:7.2f} s  {wall / first:7.1%} of the first run   "
        f"rendered {len(summary['rendered']):>3}  skipped {summary['skipped']:>3}  "
        f"synthesised {summary['segments_synthesised']:>4}  reused {summary['segments_reused']:>4}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    listen = Path(sys.executable).with_name("listen")
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as temp:
        work = Path(temp)
        setup(work, args.articles, args.voice)
        first, summary = publish(listen, work, args.jobs)
        print(f"{args.articles} articles, voice {args.voice}, jobs {args.jobs or 'default'}")
        print(line("first run", first, first, summary))
        wall, summary = publish(listen, work, args.jobs)
        print(line("no-op rerun", wall, first, summary))
        (work / "articles" / "story-000.md").write_text(article(0, edited=True), encoding="utf-8")
        wall, summary = publish(listen, work, args.jobs)
        print(line("one paragraph edited", wall, first, summary))
    print(f"command: python benchmarks/publish_speed.py --articles {args.articles}", end=" ")
    print(f"--voice {args.voice}")


if __name__ == "__main__":
    main()
