"""What the machine was doing while a benchmark ran: its load, and the CPU time its host took.

On a virtual machine the hypervisor can take CPU time from it ("steal" in /proc/stat) whenever
other guests are busy; a run it takes seconds from is slower for reasons that have nothing to
do with what runs, so the benchmarks print it beside each figure.
"""

from __future__ import annotations

import os
from pathlib import Path


def load() -> str:
    """The 1, 5 and 15-minute load averages ("?" where there is no /proc)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "?"


def stolen() -> float:
    """CPU seconds the host has taken from this machine since it booted, over all cores
    (0 where there is no steal figure)."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


QUIET_SHARE = 0.02
"""A run counts as quiet when the host took at most this share of the machine's CPU time."""


def quiet(stolen_s: float, wall_s: float, share: float = QUIET_SHARE) -> bool:
    """Whether the host took at most ``share`` of the machine's CPU time (``wall_s`` times its
    cores) during a run."""
    return stolen_s <= share * wall_s * (os.cpu_count() or 1)
