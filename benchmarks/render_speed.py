"""Speed and peak memory of `listen render` against the bare engine on the same text.

    python benchmarks/render_speed.py [--voice joe|espeak|system] [ARTICLE]

Each measurement runs in its own process, so peak memory (max RSS) is that run's alone. The bare
engine speaks the article's body text in one call with no normalising, trimming, mastering,
encoding or tagging; listen renders the same article end to end. Figures are printed as ratios
to the bare engine measured in the same run, so they compare across machines.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"


def bare(voice: str, article: Path) -> dict[str, float]:
    """Speak the article's text with the engine alone and report seconds of audio produced."""
    from listen.article import load
    from listen.profile import load_profile
    from listen.tts import load_backend_class

    loaded = load(article)
    text = "\n".join([loaded.title, *loaded.paragraphs])
    profile = load_profile(voice)
    started = time.perf_counter()
    backend = load_backend_class(profile.speech.backend)(profile.speech)
    audio = backend.synthesize(text)
    backend.close()
    return {"seconds": time.perf_counter() - started, "audio": audio.duration}


def full(voice: str, article: Path) -> dict[str, float]:
    """Render the article with listen, end to end, into a scratch directory."""
    from listen.render import render_files

    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        [rendered] = render_files([article], out, voice=voice)
        return {"seconds": time.perf_counter() - started, "audio": rendered.duration}


def measure(mode: str, voice: str, article: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--voice", voice, str(article)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child(mode: str, voice: str, article: Path) -> None:
    result = (bare if mode == "bare" else full)(voice, article)
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=SEED)
    parser.add_argument("--voice", default="espeak")
    parser.add_argument("--child", choices=["bare", "full"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.voice, args.article)
        return
    engine, listen = (
        measure("bare", args.voice, args.article),
        measure("full", args.voice, args.article),
    )
    print(f"article: {args.article.name}   voice: {args.voice}")
    print(f"{'':<14}{'seconds':>10}{'audio s':>10}{'x realtime':>12}{'max RSS MB':>12}")
    for name, r in (("bare engine", engine), ("listen render", listen)):
        speed = r["audio"] / r["seconds"]
        print(
            f"{name:<14}{r['seconds']:>10.2f}{r['audio']:>10.1f}{speed:>12.1f}{r['max_rss_mb']:>12.0f}"
        )
    print(
        f"ratio listen/bare: time {listen['seconds'] / engine['seconds']:.2f}x, "
        f"peak memory {listen['max_rss_mb'] / engine['max_rss_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
