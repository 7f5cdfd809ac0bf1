"""How far two engine processes outrun one on this machine, with listen nowhere in the loop.

    python benchmarks/cores.py [--words 2000] [--rounds 2]

The publish figures ask how much faster two jobs are than one (espeak), and whether two Piper
processes with one thread each beat one Piper with two threads (joe). Both depend first on the
machine: on two cores that are really one (hyperthreads of one physical core, or a host that
shares them out), two processes cannot do twice the work whatever listen does. This measures
the bare engines on a generated article's text (``articles.py``):

- espeak-ng: the bundled library speaking the whole text in one call (``render_speed.py``'s
  bare engine), once alone and then two copies at the same time;
- ffmpeg: one encode of that speech to MP3 at 44.1 kHz, alone and two at once;
- Piper (joe): the piper-tts command line on the text's sentences, one process with one thread,
  one process with two threads, and two processes with one thread each on half the text each.

Each figure is work per wall second relative to one process alone: 2.00x is perfect scaling.
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
from render_speed import _encode_command, _engine_command, spoken_text


def _together(commands: list[list[str]], env: dict[str, str] | None = None) -> float:
    """Wall seconds for ``commands`` run at the same time; any failure stops the benchmark."""
    started = time.perf_counter()
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
             for c in commands]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(proc.args[:4])} ... failed:\n{err.decode()[-2000:]}")
    return time.perf_counter() - started


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as loadavg:
        return "load " + " ".join(loadavg.read().split()[:3])


def _piper(text: Path, wav: Path, threads: int) -> list[str]:
    """The bare Piper command for ``text`` with onnxruntime held to ``threads`` threads."""
    command = _engine_command("joe", text, wav)
    code = (
        "import sys, onnxruntime, runpy\n"
        "class Options(onnxruntime.SessionOptions):\n"
        "    def __init__(self):\n        super().__init__()\n"
        f"        self.intra_op_num_threads = {threads}\n        self.inter_op_num_threads = 1\n"
        "onnxruntime.SessionOptions = Options\n"
        "sys.argv = ['piper', *sys.argv[1:]]\n"
        "runpy.run_module('piper', run_name='__main__')\n"
    )
    return [sys.executable, "-c", code, *command[3:]]


def _halves(text: Path) -> tuple[Path, Path]:
    lines = text.read_text(encoding="utf-8").split(". ")
    middle = len(lines) // 2
    first, second = text.with_suffix(".a.txt"), text.with_suffix(".b.txt")
    first.write_text(". ".join(lines[:middle]) + ".\n", encoding="utf-8")
    second.write_text(". ".join(lines[middle:]) + "\n", encoding="utf-8")
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}  cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="listen-cores-") as folder:
        scratch = Path(folder)
        article = write_article(scratch, args.words)
        text = spoken_text("espeak", article, scratch)
        wav, mp3 = scratch / "speech.wav", scratch / "speech.mp3"
        espeak = _engine_command("espeak", text, wav)
        subprocess.run(espeak, check=True)
        encode = _encode_command(wav, mp3, "64k")
        one_thread, halves = spoken_text("joe", article, scratch), _halves(text)
        other_wav = [*espeak[:-3], str(scratch / "other.wav"), *espeak[-2:]]
        other_mp3 = [*encode[:-1], str(scratch / "other.mp3")]
        piper = _piper(one_thread, wav, 1)
        split = [_piper(halves[0], scratch / "a.wav", 1), _piper(halves[1], scratch / "b.wav", 1)]
        rows = {  # name: (one process alone, what runs against it, how much more work that is)
            "espeak-ng, 2 processes": ([espeak], [espeak, other_wav], 2.0),
            "ffmpeg encode, 2 processes": ([encode], [encode, other_mp3], 2.0),
            "Piper, 2 processes x 1 thread": ([piper], split, 1.0),
            "Piper, 1 process x 2 threads": ([piper], [_piper(one_thread, wav, 2)], 1.0),
        }
        for name, (alone, paired, work) in rows.items():
            speedups = []
            for _ in range(args.rounds):
                single = _together(alone)
                speedups.append(work * single / _together(paired))
            best = max(speedups)
            spread = ", ".join(f"{s:.2f}" for s in speedups)
            print(f"  {name:32} {best:5.2f}x one process's work per second  ({spread})  {_load()}",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
