"""Peak memory of `listen render` as articles grow: 1,000, 5,000 and 20,000 words.

    python benchmarks/memory.py [--voice espeak] [--words 1000,5000,20000]

Each article is generated from varied news-like sentences with numbers (``articles.py``, the
same text on every run), and rendered by `listen render --voice VOICE` in a child process of
its own; the first figure is that process's peak resident memory (ru_maxrss from wait4: the
largest of the process, its engine workers and the ffmpegs it runs), the second the largest sum
of all of them at once (sampled from /proc ten times a second).
Figures are printed with their ratio to the smallest article's peak in the same run, so they
compare across machines: a render that holds the episode in memory grows with the article, a
streaming one stays flat. Piper's joe voice is slow: 20,000 words are over two hours of
speech, about ten minutes of synthesis on an idle two-core machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from articles import write_article
from cpu_split import descendants


def peak_rss_mb(voice: str, article: Path, out: Path) -> tuple[float, float, float]:
    """Run `listen render` on ``article`` in a child process: (peak RSS in MB of its largest
    process, peak MB of all its processes together, seconds)."""
    command = [sys.executable, "-m", "listen", "render", "--voice", voice, str(article), "-o"]
    started = time.perf_counter()
    proc = subprocess.Popen([*command, str(out)], stdout=subprocess.DEVNULL)
    together = _TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    together.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"listen render failed on {article.name} (exit {proc.returncode})")
    return usage.ru_maxrss / 1024, together.peak_mb, time.perf_counter() - started


class _TreeSampler:
    """The largest sum of resident memory over a process and all its descendants, read from
    /proc ten times a second on a thread of its own (Linux; elsewhere it stays 0)."""

    def __init__(self, root: int) -> None:
        self.root, self.peak_mb = root, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(0.1):
            total = sum(_rss_kb(pid) for pid in descendants(self.root))
            self.peak_mb = max(self.peak_mb, total / 1024)


def _rss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--words", default="1000,5000,20000")
    args = parser.parse_args()
    sizes = [int(w) for w in args.words.split(",")]
    print(f"voice: {args.voice}   command: {' '.join(sys.argv)}")
    print(f"{'words':>8}{'seconds':>10}{'peak RSS MB':>14}{'ratio':>8}"
          f"{'all processes MB':>19}{'ratio':>8}")  # fmt: skip
    first = first_all = None
    with tempfile.TemporaryDirectory() as scratch:
        for words in sizes:
            article = write_article(Path(scratch), words)
            peak, together, seconds = peak_rss_mb(args.voice, article, Path(scratch) / "out")
            first, first_all = first or peak, first_all or together
            print(f"{words:>8}{seconds:>10.1f}{peak:>14.0f}{peak / first:>7.2f}x"
                  f"{together:>19.0f}{together / first_all:>7.2f}x", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
