"""What running the engine in a child process costs: the worker against the same engine in-process.

    python benchmarks/worker_overhead.py [--voice espeak|joe] [--rounds 3] [ARTICLE]

Both speak the article's segments (as listen sends them, one sentence at a time) in the same run:
the engine constructed in this process, and the same engine behind ``WorkerBackend`` (a child
process kept warm, text and float32 PCM over a pipe). Start-up (spawning the child, importing
and loading the engine there) is reported apart, since it is paid once per run. Rounds
alternate so that neither side gets a warmer machine; the best round of each is kept.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"


def _speak_all(backend: object, texts: list[str]) -> tuple[float, float]:
    """Seconds taken and seconds of audio produced."""
    started = time.perf_counter()
    audio = sum(backend.synthesize(text).duration for text in texts)  # type: ignore[attr-defined]
    return time.perf_counter() - started, audio


def main() -> None:
    from listen.profile import load_profile
    from listen.render import read_script
    from listen.tts import load_backend_class
    from listen.tts.worker import WorkerBackend

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=SEED)
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    profile = load_profile(args.voice)
    texts = [s.spoken for s in read_script(args.article, profile).segments]
    cls = load_backend_class(profile.speech.backend)

    started = time.perf_counter()
    here = cls(profile.speech)
    here_start = time.perf_counter() - started
    started = time.perf_counter()
    worker = WorkerBackend(f"{cls.__module__}:{cls.__qualname__}", profile.speech)
    worker_start = time.perf_counter() - started
    try:
        rounds = [(_speak_all(here, texts), _speak_all(worker, texts)) for _ in range(args.rounds)]
        inproc = min(r[0] for r in rounds)
        child = min(r[1] for r in rounds)
    finally:
        here.close()
        worker.close()
    print(f"article: {args.article.name}   voice: {args.voice}   segments: {len(texts)}")
    print(f"{'':<12}{'start s':>10}{'speak s':>10}{'audio s':>10}{'ms/segment':>12}")
    for name, start, (seconds, audio) in (("in-process", here_start, inproc),
                                          ("worker", worker_start, child)):  # fmt: skip
        per = 1000 * seconds / len(texts)
        print(f"{name:<12}{start:>10.2f}{seconds:>10.2f}{audio:>10.1f}{per:>12.2f}")
    print(
        f"ratio worker/in-process: speaking {child[0] / inproc[0]:.3f}x, "
        f"including start-up {(child[0] + worker_start) / (inproc[0] + here_start):.3f}x"
    )


if __name__ == "__main__":
    main()
