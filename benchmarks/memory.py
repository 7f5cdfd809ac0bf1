"""Peak memory of `listen render` as articles grow: 1,000, 5,000 and 20,000 words.

    python benchmarks/memory.py [--voice espeak] [--words 1000,5000,20000]

Each article is generated from varied news-like sentences with numbers (``articles.py``, the
same text on every run), and rendered by `listen render --voice VOICE` in a child process of
its own; the figure is that process's peak resident memory (ru_maxrss from wait4: the largest
of the process, its engine worker and the ffmpegs it runs).
Figures are printed with their ratio to the smallest article's peak in the same run, so they
compare across machines: a render that holds the episode in memory grows with the article, a
streaming one stays flat. Piper's joe voice is slow: 20,000 words are over two hours of
speech, about ten minutes of synthesis on an idle two-core machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from articles import write_article


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
            article = write_article(Path(scratch), words)
            peak, seconds = peak_rss_mb(args.voice, article, Path(scratch) / "out")
            first = first or peak
            print(f"{words:>8}{seconds:>10.1f}{peak:>14.0f}{peak / first:>7.2f}x", flush=True)


if __name__ == "__main__":
    main()
