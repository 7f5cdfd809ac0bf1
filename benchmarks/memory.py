"""Peak memory of `listen render` as articles grow: 1,000, 5,000 and 20,000 words.

    python benchmarks/memory.py [--voice espeak] [--words 1000,5000,20000]

Each article is generated from varied news-like sentences with numbers (the same text on every
run), and rendered by `listen render --voice VOICE` in a child process of its own; the figure is
that process's peak resident memory (ru_maxrss from wait4, which also covers the ffmpeg it runs).
Figures are printed with their ratio to the smallest article's peak in the same run, so they
compare across machines: a render that holds the episode in memory grows with the article, a
streaming one stays flat. Piper's joe voice is slow (20,000 words take about ten minutes), so
run it with `--voice joe --words 1000,5000`.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_PLACES = ["Nairobi", "Lisbon", "Osaka", "Winnipeg", "Valparaiso", "Tbilisi", "Accra", "Perth"]
_BODIES = ["the central bank", "the city council", "the port authority", "the health ministry"]
_PEOPLE = ["Maria Okafor", "Daniel Reyes", "Aiko Tanaka", "Pieter de Vries", "Leila Haddad"]
_THINGS = ["rail line", "water plant", "housing scheme", "wind farm", "school programme"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]
_TEMPLATES = [
    "Officials in {place} said on {month} {day} that {body} would spend ${money} million "
    "on a new {thing}.",
    "The {thing} is expected to serve {count:,} people by {year}, up {pct}% on last year.",
    '"We have waited {small} years for this," said {person}, who chairs the local committee.',
    "According to {body}, inflation rose to {pct}.{digit}% in {month}, its highest since {year}.",
    "{person} told reporters that {count:,} households had signed up in the first {small} weeks.",
    "Critics in {place} argue the {thing} will cost {pct}% more than the {year} estimate.",
    "The vote passed {small} to {digit} after a debate that lasted {small} hours.",
    "Construction of the {thing} near {place} began in {month} {year} and employs {count:,} "
    "workers.",
]


def article_text(words: int, seed: int = 2026) -> str:
    """A headline and paragraphs of news-like sentences, about ``words`` words long."""
    rng = random.Random(seed)
    lines = [f"Benchmark report: {words:,} words on public works"]
    paragraph: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(_TEMPLATES).format(
            place=rng.choice(_PLACES),
            body=rng.choice(_BODIES),
            person=rng.choice(_PEOPLE),
            thing=rng.choice(_THINGS),
            month=rng.choice(_MONTHS),
            day=rng.randint(1, 28),
            year=rng.randint(1990, 2030),
            money=rng.randint(2, 950),
            count=rng.randint(120, 480_000),
            pct=rng.randint(2, 60),
            small=rng.randint(2, 19),
            digit=rng.randint(0, 9),
        )
        paragraph.append(sentence)
        count += len(sentence.split())
        if len(paragraph) == 5:
            lines.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n".join(lines) + "\n"


def peak_rss_mb(voice: str, article: Path, out: Path) -> tuple[float, float]:
    """Run `listen render` on ``article`` in a child process: (peak RSS in MB, seconds)."""
    command = [sys.executable, "-m", "listen", "render", "--voice", voice, str(article), "-o"]
    started = time.perf_counter()
    proc = subprocess.Popen([*command, str(out)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"listen render failed on {article.name} (exit {proc.returncode})")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--words", default="1000,5000,20000")
    args = parser.parse_args()
    sizes = [int(w) for w in args.words.split(",")]
    print(f"voice: {args.voice}   command: {' '.join(sys.argv)}")
    print(f"{'words':>8}{'seconds':>10}{'peak RSS MB':>14}{'ratio':>8}")
    first = None
    with tempfile.TemporaryDirectory() as scratch:
        for words in sizes:
            article = Path(scratch) / f"article-{words}.txt"
            article.write_text(article_text(words), encoding="utf-8")
            peak, seconds = peak_rss_mb(args.voice, article, Path(scratch) / "out")
            first = first or peak
            print(f"{words:>8}{seconds:>10.1f}{peak:>14.0f}{peak / first:>7.2f}x", flush=True)


if __name__ == "__main__":
    main()
