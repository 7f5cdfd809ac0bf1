"""`listen render` against the bare engine plus one ffmpeg encode, on the same spoken text.

    python benchmarks/render_speed.py [--voices espeak,joe] [--words 5000] [--rounds 3]

For each voice, on the seed article and on a generated news article of ``--words`` words
(``benchmarks/articles.py``, the same text every run), three kinds of process run side by side:

- bare engine: the engine alone speaks listen's spoken script (``listen script``'s text, every
  segment joined) in one call to a WAV file: espeak-ng through the library espeakng-loader
  bundles (one ``espeak_Synth``), Piper through its own command line (``python -m piper`` with
  the joe model and the profile's scales);
- bare encoder: one ffmpeg run encoding that WAV to the MP3 listen publishes (mono, 44.1 kHz,
  CBR at the profile's bit rate);
- listen: ``listen render --voice VOICE ARTICLE`` end to end (reading, normalising, speaking,
  trimming, pauses, mastering, encoding, tags, transcript files).

Every figure is the wall time of whole processes, start-up included. Rounds alternate bare and
listen so neither gets a quieter machine; the median round is reported with the spread of the
per-round ratios, and audio seconds per wall second for each side. On a virtual machine each
round also shows the CPU seconds the host took ("steal"), and the median ratio over the rounds
where it took little from either side.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import machine
from articles import write_article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"
QUIET_STOLEN = machine.QUIET_SHARE
"""A round counts as quiet when the hypervisor took at most this share of the machine's CPU
time (wall time times cores) during either side: on a shared virtual machine a busy host
slows one side at random (the bare encode of the same WAV took from 10 to 25 s)."""


def _run(command: list[str]) -> tuple[float, str, float]:
    """Run ``command``; (wall seconds, its stdout, the CPU seconds the host took meanwhile).
    Any failure stops the benchmark."""
    started, stolen = time.perf_counter(), machine.stolen()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    stolen = machine.stolen() - stolen
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout, stolen


def espeak_wav(text_file: Path, wav: Path, voice: str, wpm: int) -> None:
    """The bare espeak-ng: the bundled library speaks the whole text in one call to a WAV."""
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    data = espeakng_loader.get_data_path().encode()
    rate = lib.espeak_Initialize(2, 0, ctypes.c_char_p(data), 0x8000)  # synchronous
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
    )

    def collect(samples: ctypes._Pointer[ctypes.c_short], count: int, events: int) -> int:
        if count > 0 and samples:
            chunks.append(ctypes.string_at(samples, 2 * count))
        return 0

    callback = callback_type(collect)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(voice.encode())
    lib.espeak_SetParameter(1, wpm, 0)
    text = text_file.read_bytes()
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, *[ctypes.c_uint] * 4,
                                 ctypes.c_void_p, ctypes.c_void_p]  # fmt: skip
    lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 1, None, None)
    lib.espeak_Synchronize()
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(chunks))


def _engine_command(voice: str, text_file: Path, wav: Path) -> list[str]:
    """The bare engine's command for the profile ``voice``."""
    from listen.profile import load_profile

    profile = load_profile(voice)
    speech = profile.speech
    if speech.backend == "espeak":
        wpm = round(175 * speech.rate)
        args = [str(text_file), str(wav), speech.voice or "en-us", str(wpm)]
        return [sys.executable, __file__, "--espeak-wav", *args]
    if speech.backend == "piper":
        from listen.tts.piper import _config, _model

        model = _model(speech.voice)
        scales = [f"--{k.replace('_', '-')}={v}" for k, v in sorted(speech.options.items())]
        return [sys.executable, "-m", "piper", "-m", str(model), "-c", str(_config(model)),
                "-i", str(text_file), "-f", str(wav), *scales]  # fmt: skip
    raise SystemExit(f"no bare engine for the {speech.backend} backend")


def _encode_command(wav: Path, mp3: Path, bitrate: str) -> list[str]:
    from listen.ffmpeg import ffmpeg_exe

    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
            str(wav), "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", bitrate,
            str(mp3)]  # fmt: skip


def _wav_seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as w:
        return w.getnframes() / w.getframerate()


def bare_round(voice: str, text_file: Path, scratch: Path) -> dict[str, float]:
    """Engine to WAV, then one encode to MP3: wall seconds of each and the audio's length."""
    from listen.profile import load_profile

    wav, mp3 = scratch / "bare.wav", scratch / "bare.mp3"
    engine, _, engine_stolen = _run(_engine_command(voice, text_file, wav))
    bitrate = load_profile(voice).mastering.bitrate
    encode, _, encode_stolen = _run(_encode_command(wav, mp3, bitrate))
    return {"engine": engine, "encode": encode, "seconds": engine + encode,
            "audio": _wav_seconds(wav), "stolen": engine_stolen + encode_stolen}  # fmt: skip


def listen_round(voice: str, article: Path, scratch: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "listen", "render", "--json", "--voice", voice,
               str(article), "-o", str(scratch / "out")]  # fmt: skip
    seconds, out, stolen = _run(command)
    return {"seconds": seconds, "audio": json.loads(out)[0]["duration"], "stolen": stolen}


def spoken_text(voice: str, article: Path, scratch: Path) -> Path:
    """listen's spoken script for ``article``, every segment joined on one line, in a file."""
    from listen.profile import resolve_profile
    from listen.render import read_script

    script = read_script(article, resolve_profile(voice))
    path = scratch / f"{article.stem}.{voice}.spoken.txt"
    path.write_text(script.spoken + "\n", encoding="utf-8")
    return path


def compare(voice: str, article: Path, rounds: int, scratch: Path) -> None:
    text_file = spoken_text(voice, article, scratch)
    print(f"{voice} | {article.name}", flush=True)
    bare, full = [], []
    for i in range(rounds):
        pair = [lambda: bare.append(bare_round(voice, text_file, scratch)),
                lambda: full.append(listen_round(voice, article, scratch))]  # fmt: skip
        for run in pair if i % 2 == 0 else pair[::-1]:
            run()
        b, f = bare[-1], full[-1]
        print(f"  round {i + 1}: bare {b['seconds']:.2f} s (engine {b['engine']:.2f} s, "
              f"ffmpeg {b['encode']:.2f} s), listen {f['seconds']:.2f} s, "
              f"ratio {f['seconds'] / b['seconds']:.2f}x  load {machine.load()}, stolen by "
              f"the host {b['stolen']:.1f} s and {f['stolen']:.1f} s", flush=True)  # fmt: skip
    _report(voice, article, bare, full)


def _quiet(run: dict[str, float]) -> bool:
    return machine.quiet(run["stolen"], run["seconds"])


def _report(voice: str, article: Path, bare: list[dict], full: list[dict]) -> None:
    ratios = sorted(f["seconds"] / b["seconds"] for b, f in zip(bare, full, strict=True))
    b = statistics.median(r["seconds"] for r in bare)
    engine = statistics.median(r["engine"] for r in bare)
    encode = statistics.median(r["encode"] for r in bare)
    f = statistics.median(r["seconds"] for r in full)
    b_audio, f_audio = bare[0]["audio"], full[0]["audio"]
    words = len(article.read_text(encoding="utf-8").split())
    print(f"\n{voice} | {article.name} ({words:,} words) | {len(full)} rounds, median")
    print(f"  bare engine + encoder {b:8.2f} s  (engine {engine:.2f} s, ffmpeg {encode:.2f} s)"
          f"  {b_audio:7.1f} s audio  {b_audio / b:7.1f} audio s per s")  # fmt: skip
    print(f"  listen render         {f:8.2f} s"
          f"{'':35}{f_audio:7.1f} s audio  {f_audio / f:7.1f} audio s per s")  # fmt: skip
    spread = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"  ratio listen/bare     {f / b:8.2f}x  (per round: {spread})", flush=True)
    quiet = sorted(
        one["seconds"] / two["seconds"]
        for two, one in zip(bare, full, strict=True)
        if _quiet(one) and _quiet(two)
    )
    if quiet:
        shown = ", ".join(f"{r:.2f}" for r in quiet)
        print(f"  rounds the host took at most {QUIET_STOLEN:.0%} from: {len(quiet)}, "
              f"median ratio {statistics.median(quiet):.2f}x ({shown})", flush=True)  # fmt: skip
    else:
        print(f"  no round in which the host took at most {QUIET_STOLEN:.0%}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default="espeak,joe")
    parser.add_argument("--words", type=int, default=5000, help="generated article length")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-seed", action="store_true", help="only the generated article")
    parser.add_argument("--espeak-wav", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.espeak_wav:
        text, wav, voice, wpm = args.espeak_wav
        espeak_wav(Path(text), Path(wav), voice, int(wpm))
        return
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="listen-bench-") as folder:
        scratch = Path(folder)
        articles = [] if args.no_seed else [SEED]
        articles.append(write_article(scratch, args.words))
        for voice in args.voices.split(","):
            for article in articles:
                compare(voice, article, args.rounds, scratch)


if __name__ == "__main__":
    main()
