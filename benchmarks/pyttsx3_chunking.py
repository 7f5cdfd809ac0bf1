"""pyttsx3's quadratic slow-down, and listen's chunking that removes it.

    python benchmarks/pyttsx3_chunking.py

pyttsx3's espeak driver grows its audio buffer by concatenation, so one long save_to_file call
takes time that grows with the square of the text. listen's system voice hands the engine at
most MAX_WORDS words a call. This prints seconds for texts of growing length both ways, and
each as a ratio to the shortest text in the same run: linear growth doubles with the length.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"
LENGTHS = (250, 500, 1000, 2000)


def _words(count: int) -> str:
    words = SEED.read_text(encoding="utf-8").split()
    return " ".join((words * (count // len(words) + 1))[:count])


def _time(speak, text: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    speak(text)
    return time.perf_counter() - start


def main() -> None:
    from listen.profile import load_profile
    from listen.tts import pyttsx3 as module

    backend = module.Pyttsx3Backend(load_profile("system").speech)
    chunked = backend.synthesize
    whole = backend._speak  # one engine call for the whole text: what pyttsx3 alone does
    try:
        chunked(_words(20))
        print(f"{'words':>6}{'chunked s':>11}{'ratio':>7}{'one call s':>12}{'ratio':>7}")
        base: tuple[float, float] | None = None
        for n in LENGTHS:
            text = _words(n)
            a, b = _time(chunked, text), _time(whole, text)
            base = base or (a, b)
            print(f"{n:>6}{a:>11.2f}{a / base[0]:>7.1f}{b:>12.2f}{b / base[1]:>7.1f}")
    finally:
        backend.close()
    print(f"chunks of at most {module.MAX_WORDS} words; ratio = time / time for {LENGTHS[0]} words")


if __name__ == "__main__":
    sys.exit(main())
