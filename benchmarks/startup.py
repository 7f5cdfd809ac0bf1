"""listen's start-up: wall time of `listen --help` and `listen voices`, against bare Python.

    python benchmarks/startup.py [--runs 11]

Runs each command as a user would (a separate process each time, N times, interleaved so a
change in the machine's load hits all alike) and prints the median and the fastest wall time,
with `python -c pass` and `python -c "import click"` as the floor they stand on, and what each
command imported (python -X importtime) that costs the most.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import click'": [sys.executable, "-c", "import click"],
    "listen --help": [str(BIN / "listen"), "--help"],
    "listen voices": [str(BIN / "listen"), "voices"],
}


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def heaviest(args: list[str], count: int = 5) -> str:
    """The top-level imports that took longest (cumulative), as "name ms"."""
    command = [sys.executable, "-X", "importtime", "-c", "from listen.cli import main; main()"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=False)
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))
    return ", ".join(f"{name} {us / 1000:.0f} ms" for us, name in sorted(rows)[::-1][:count])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():
        wall(command)  # warm the file cache
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    floor = statistics.median(times["python -c pass"])
    print(f"{os.cpu_count()} cores, {args.runs} runs each, load {_load()}")
    for name, found in times.items():
        median = statistics.median(found)
        print(
            f"{name:<26} median {median:6.3f} s  fastest {min(found):6.3f} s  "
            f"{median / floor:5.1f}x bare python"
        )
    print(f"listen --help imports most: {heaviest(['--help'])}")
    print(f"listen voices imports most: {heaviest(['voices'])}")
    print(f"command: python benchmarks/startup.py --runs {args.runs}")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
