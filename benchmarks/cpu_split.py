"""Where a listen command's CPU time goes: each kind of process it starts, and the cores used.

    python benchmarks/cpu_split.py -- listen publish ARTICLES --out SITE --config listen.toml
    python benchmarks/cpu_split.py -- listen render --voice espeak ARTICLE -o OUT

Runs the command and samples /proc every 100 ms for it and every process below it: the
command's own process, the publish pool's workers, the engine's child process, the ffmpeg
encoders and the ffmpeg that measures each MP3. Prints the wall time, the CPU seconds of each
kind (a process that lives under 100 ms can be missed), and CPU over wall: the cores the
command kept busy on average. That last figure bounds what more jobs can gain: a command that
already keeps 1.25 of 2 cores busy can at best run 1.6 times as fast on both.

Sampling misses the last moments of every process that exits between two samples (each
episode's encoders and measuring decoder), so it also prints the cores the whole machine kept
busy over the same wall time, from /proc/stat: the truer figure on an otherwise quiet machine
(the load average before the run says how quiet).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import time
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def kind(command: str, root: bool) -> str:
    if root:
        return "the command itself"
    if "ffmpeg" in command:
        return "ffmpeg encoding" if "libmp3lame" in command else "ffmpeg decoding an MP3"
    if "listen.tts.worker" in command:
        return "engine child process"
    if "multiprocessing" in command:
        return "publish pool worker"
    return "other: " + command[:50]


def descendants(root: int) -> dict[int, tuple[str, float]]:
    """Every process under ``root`` (and ``root``): its command line and CPU seconds."""
    found: dict[int, tuple[str, float, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parent, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK
        found[int(entry.name)] = (command, cpu, parent)
    mine = {root}
    grew = True
    while grew:
        grew = False
        for pid, (_, _, parent) in found.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grew = True
    return {pid: found[pid][:2] for pid in mine if pid in found}


def machine_busy() -> tuple[int, int]:
    """Clock ticks since boot across all cores: (all, busy), from /proc/stat's first line."""
    ticks = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks), sum(ticks) - idle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="+", help="the command to run, after --")
    args = parser.parse_args()
    before = f"load before {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    ticks = machine_busy()
    started = time.perf_counter()
    process = subprocess.Popen(args.command, stdout=subprocess.DEVNULL)
    seen: dict[int, tuple[str, float]] = {}
    while process.poll() is None:
        for pid, (command, seconds) in descendants(process.pid).items():
            known = seen.get(pid, ("", 0.0))[0]  # an exited process shows no command line
            seen[pid] = (known or command, seconds)
        time.sleep(0.1)
    wall = time.perf_counter() - started
    ticks_after = machine_busy()
    cores = os.cpu_count() or 1
    machine = cores * (ticks_after[1] - ticks[1]) / max(1, ticks_after[0] - ticks[0])
    if process.returncode != 0:
        raise SystemExit(f"the command failed with exit code {process.returncode}")
    cpu: dict[str, float] = collections.defaultdict(float)
    count: collections.Counter[str] = collections.Counter()
    for pid, (command, seconds) in seen.items():
        name = kind(command, pid == process.pid)
        cpu[name] += seconds
        count[name] += 1
    total = sum(cpu.values())
    busy = f"cores busy {total / wall:.2f} of {os.cpu_count()}"
    print(f"wall {wall:.2f} s   CPU {total:.2f} s   {busy}")
    for name, seconds in sorted(cpu.items(), key=lambda item: -item[1]):
        print(f"  {seconds:8.2f} s  {seconds / total:6.1%}  {count[name]:>3} x {name}")
    print(f"the whole machine: cores busy {machine:.2f} of {cores} ({before})")
    print(f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print("command: python benchmarks/cpu_split.py -- " + " ".join(args.command))


if __name__ == "__main__":
    main()
