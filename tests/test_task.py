"""The publish task's caching backend: the cache answers what it holds, the engine the rest,
and the engine is started ahead only on what the cache will not answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from listen.cache import SegmentCache
from listen.models import Audio, Segment
from listen.profile import resolve_profile
from listen.render import open_voice
from listen.speak import speak
from listen.task import _CachingBackend

ENGINE = ({"backend": "test"}, "test", "test 1")


class Recording:
    """An engine that says each text as a tone as long as the text, and records its calls."""

    name = "recording"

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.ahead: list[str] = []

    def synthesize(self, text: str) -> Audio:
        self.spoken.append(text)
        return Audio(np.full(100 * len(text), 0.1, dtype=np.float32), 22_050)

    def prefetch(self, text: str) -> None:
        self.ahead.append(text)

    def close(self) -> None:
        pass


def test_only_texts_the_cache_will_not_answer_are_started_ahead(tmp_path: Path) -> None:
    engine = Recording()
    cache = SegmentCache(tmp_path, 10_000_000)
    warm = _CachingBackend(engine, cache, ENGINE)  # type: ignore[arg-type]
    warm.synthesize("cached")
    caching = _CachingBackend(engine, cache, ENGINE)  # type: ignore[arg-type]
    caching.prefetch("cached")
    caching.prefetch("new")
    assert engine.ahead == ["new"]
    caching.synthesize("cached")
    caching.prefetch("cached")  # asked again: a repair, which the engine must speak anew
    assert engine.ahead == ["new", "cached"]
    cache.close()


def test_without_a_cache_every_text_is_started_ahead() -> None:
    engine = Recording()
    caching = _CachingBackend(engine, None, ENGINE)  # type: ignore[arg-type]
    caching.prefetch("one")
    assert engine.ahead == ["one"]


def test_real_espeak_in_its_worker_speaks_ahead_through_the_cache(tmp_path: Path) -> None:
    texts = ["The first sentence.", "A second one follows.", "And a third ends it."]
    segments = [Segment(text=t, spoken=t, kind="sentence", pause_ms=300) for t in texts]
    cache = SegmentCache(tmp_path, 100_000_000)
    with open_voice(resolve_profile("espeak")) as voice:
        assert callable(getattr(voice.backend, "prefetch", None))  # espeak speaks in a worker
        engine: tuple[dict[str, object], str, str] = ({}, "espeak", "espeak test")
        first = _CachingBackend(voice.backend, cache, engine)
        made = [s.audio for s in speak(segments, first, voice.rate)]  # type: ignore[arg-type]
        second = _CachingBackend(voice.backend, cache, engine)
        again = [s.audio for s in speak(segments, second, voice.rate)]  # type: ignore[arg-type]
    assert (first.synthesised, first.reused) == (3, 0)
    assert (second.synthesised, second.reused) == (0, 3)
    for a, b in zip(made, again, strict=True):
        assert a.duration > 0.5 and np.array_equal(a.samples, b.samples)
    cache.close()


_LOCAL_WORKER = """
import json, os, sys, tempfile
from listen import task
print(json.dumps([task._worker(), task.worker_cache_dir(), "distributed" in sys.modules]))
"""


def test_a_local_worker_names_itself_without_importing_dask() -> None:
    """Only a process Dask started is a Dask worker; asking costs any other nothing."""
    import distributed  # noqa: F401  the extra is installed: the question is whether it loads

    done = subprocess.run(
        [sys.executable, "-c", _LOCAL_WORKER], capture_output=True, text=True, check=True
    )
    name, cache, imported = json.loads(done.stdout)
    host, pid = name.rsplit(":", 1)
    assert host == socket.gethostname() and pid.isdigit() and int(pid) != os.getpid()
    assert cache == os.path.join(tempfile.gettempdir(), "listen-segments")
    assert imported is False
