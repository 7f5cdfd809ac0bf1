"""The normaliser's speed: milliseconds per sentence over NVIDIA NeMo's English test cases.

    python benchmarks/normalise_speed.py ../shared/peer/nemo_tn_en [--rounds 5]

Pinned to one core, each NeMo category's written sentences go through listen's ``to_spoken``
(best of N rounds), and the figures are printed per category and in total, with the first
call (rules loaded and compiled) apart. As a ratio, the total is set against the time the text
takes to say: the sentences' spoken words at a newsreader's 160 words a minute.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from normalise_peer import NEWS, OTHER, read_cases  # noqa: E402

WORDS_PER_MINUTE = 160


def best_seconds(sentences: list[str], rounds: int) -> float:
    from listen.normalise import to_spoken

    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for sentence in sentences:
            to_spoken(sentence)
        best = min(best, time.perf_counter() - start)
    return best


_FIRST = """
import time
start = time.perf_counter()
from listen.normalise import to_spoken
to_spoken("The 3 councils spent $4.5m on 12 km of lanes on 1 March 2026.")
print(1000 * (time.perf_counter() - start))
"""


def first_call_ms() -> float:
    """In a fresh interpreter: the normaliser imported, its rules compiled, one sentence."""
    done = subprocess.run(
        [sys.executable, "-c", _FIRST], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("peer", type=Path, help="folder holding NeMo's test_cases_*.txt")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"first call (import, rules compiled): {first_call_ms():.0f} ms")
    total_s, total_n, spoken_words = 0.0, 0, 0
    for name in NEWS + OTHER:
        path = args.peer / f"test_cases_{name}.txt"
        if not path.is_file():
            continue
        cases = read_cases(path)
        sentences = [written for written, _ in cases]
        seconds = best_seconds(sentences, args.rounds)
        total_s, total_n = total_s + seconds, total_n + len(sentences)
        spoken_words += sum(len(spoken.split()) for _, spoken in cases)
        each = 1000 * seconds / len(sentences)
        print(f"{name:<14}{len(sentences):>6} sentences  {each:7.3f} ms each")
    said = 60 * spoken_words / WORDS_PER_MINUTE
    print(
        f"{'TOTAL':<14}{total_n:>6} sentences  {1000 * total_s / total_n:7.3f} ms each "
        f"(one core, best of {args.rounds}); {total_s:.2f} s for {said:.0f} s of speech = "
        f"1/{said / total_s:.0f} of the time it takes to say"
    )
    print(f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"command: python benchmarks/normalise_speed.py {args.peer} --rounds {args.rounds}")


if __name__ == "__main__":
    main()
