from __future__ import annotations

import importlib.metadata
import os
import pickle
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from listen.cache import INDEX_NAME, SegmentCache, segment_key
from listen.models import Audio
from listen.profile import load_profile
from listen.tts import create_backend

VOICE = {"name": "espeak", "rate": 1.0, "lexicons": [Path("voices/lexicon/en.toml")]}


def tone(seconds: float, rate: int = 22050, freq: float = 440.0) -> Audio:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    return Audio(samples=(0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32), sample_rate=rate)


def entry_bytes(audio: Audio) -> int:
    return 16 + 4 * len(audio.samples)


def key(n: int) -> str:
    return segment_key(f"Sentence {n}.", VOICE, "espeak", "1.52")


def test_the_key_covers_text_voice_engine_and_version() -> None:
    base = segment_key("Hello.", VOICE, "piper", "1.3.0")
    assert len(base) == 64 and base == segment_key(
        "Hello.", dict(reversed(VOICE.items())), "piper", "1.3.0"
    )
    assert base == SegmentCache.key("Hello.", VOICE, "piper", "1.3.0")
    others = {
        segment_key("Hello!", VOICE, "piper", "1.3.0"),
        segment_key("Hello.", {**VOICE, "rate": 1.1}, "piper", "1.3.0"),
        segment_key("Hello.", VOICE, "espeak", "1.3.0"),
        segment_key("Hello.", VOICE, "piper", "1.3.1"),
    }
    assert base not in others and len(others) == 4


def test_round_trip_is_exact(tmp_path: Path) -> None:
    cache = SegmentCache(tmp_path / "cache", max_bytes=10_000_000)
    audio = tone(0.5, rate=22050)
    assert cache.get(key(1)) is None and key(1) not in cache
    assert cache.put(key(1), audio) is True
    back = cache.get(key(1))
    assert back is not None and back.sample_rate == 22050 and back.samples.dtype == np.float32
    np.testing.assert_array_equal(back.samples, audio.samples)
    assert key(1) in cache and len(cache) == 1
    assert cache.total_bytes() == entry_bytes(audio)
    assert not list((tmp_path / "cache" / "tmp").iterdir())  # written to a temporary, renamed
    path = tmp_path / "cache" / key(1)[:2] / f"{key(1)}.pcm"
    assert path.stat().st_size == entry_bytes(audio)
    cache.close()


def test_real_engine_audio_comes_back_unchanged(tmp_path: Path) -> None:
    profile = load_profile("espeak")
    backend = create_backend(profile.speech)
    try:
        spoken = backend.synthesize("The cache keeps what the engine said.")
    finally:
        backend.close()
    version = importlib.metadata.version("espeakng-loader")
    k = segment_key("The cache keeps what the engine said.", profile.to_dict(), "espeak", version)
    with SegmentCache(tmp_path, max_bytes=50_000_000) as cache:
        assert cache.put(k, spoken)
    with SegmentCache(tmp_path, max_bytes=50_000_000) as cache:  # another run
        back = cache.get(k)
    assert back is not None and back.sample_rate == spoken.sample_rate
    assert back.duration > 1.0
    np.testing.assert_array_equal(back.samples, np.asarray(spoken.samples, dtype=np.float32))


def test_least_recently_used_goes_first(tmp_path: Path) -> None:
    a, b, c = tone(0.1), tone(0.1, freq=220), tone(0.1, freq=110)
    cache = SegmentCache(tmp_path, max_bytes=2 * entry_bytes(a) + 10)
    cache.put(key(1), a)
    cache.put(key(2), b)
    assert cache.get(key(1)) is not None  # 1 is now used more recently than 2
    cache.put(key(3), c)
    assert (key(1) in cache, key(2) in cache, key(3) in cache) == (True, False, True)
    assert len(cache) == 2 and cache.total_bytes() <= cache.max_bytes
    assert not (tmp_path / key(2)[:2] / f"{key(2)}.pcm").exists()


def test_too_big_or_switched_off_stores_nothing(tmp_path: Path) -> None:
    audio = tone(1.0)
    small = SegmentCache(tmp_path / "small", max_bytes=entry_bytes(audio) - 1)
    assert small.put(key(1), audio) is False and len(small) == 0
    off = SegmentCache(tmp_path / "off", max_bytes=0)
    assert off.put(key(1), tone(0.01)) is False and off.get(key(1)) is None
    with pytest.raises(ValueError, match="mono"):
        SegmentCache(tmp_path / "s", 10**9).put(key(1), Audio(np.zeros((2, 10), np.float32), 8000))
    with pytest.raises(ValueError, match="not a segment cache key"):
        small.get("../../etc/passwd")


def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    cache = SegmentCache(tmp_path, max_bytes=10**8)
    cache.put(key(1), tone(0.2))
    path = tmp_path / key(1)[:2] / f"{key(1)}.pcm"
    path.write_bytes(path.read_bytes()[:-7])  # cut short, as by a full disk
    assert cache.get(key(1)) is None and not path.exists()
    cache.put(key(2), tone(0.2))
    path = tmp_path / key(2)[:2] / f"{key(2)}.pcm"
    path.write_bytes(b"RIFF" + path.read_bytes()[4:])
    assert cache.get(key(2)) is None


def test_stale_temporary_files_are_swept(tmp_path: Path) -> None:
    SegmentCache(tmp_path, 10**6).close()
    stale, fresh = tmp_path / "tmp" / "stale", tmp_path / "tmp" / "fresh"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    SegmentCache(tmp_path, 10**6).close()
    assert not stale.exists() and fresh.exists()


def _worker(cache: SegmentCache, first: int) -> int:
    stored = 0
    for n in range(first, first + 15):
        stored += cache.put(key(n), tone(0.05, freq=100 + n))
        cache.get(key(first))
    return stored


def test_worker_processes_share_one_cache_within_its_limit(tmp_path: Path) -> None:
    one = entry_bytes(tone(0.05))
    cache = SegmentCache(tmp_path, max_bytes=10 * one)
    copy = pickle.loads(pickle.dumps(cache))
    assert copy.directory == cache.directory and copy.max_bytes == cache.max_bytes
    with ProcessPoolExecutor(2) as pool:
        stored = list(pool.map(_worker, [cache, cache], [0, 100]))
    assert stored == [15, 15]
    assert len(cache) == 10 and cache.total_bytes() == 10 * one
    files = sorted(p.stem for p in tmp_path.glob("??/*.pcm"))
    assert len(files) == 10
    assert all(cache.get(k) is not None for k in files)
    assert (tmp_path / INDEX_NAME).exists()


def test_a_file_whose_row_a_killed_run_never_wrote_is_adopted(tmp_path: Path) -> None:
    with SegmentCache(tmp_path, max_bytes=10**8) as cache:
        cache.put(key(1), tone(0.2))
    conn = sqlite3.connect(tmp_path / INDEX_NAME)
    with conn:
        conn.execute("DELETE FROM entries")
    conn.close()
    with SegmentCache(tmp_path, max_bytes=10**8) as cache:
        assert len(cache) == 0
        assert cache.get(key(1)) is not None
        assert len(cache) == 1 and cache.total_bytes() == entry_bytes(tone(0.2))


def _open_together(directory: str, barrier: Any, n: int) -> str:
    """Open the cache at ``directory`` as soon as every process is ready, and store a segment."""
    barrier.wait()
    try:
        cache = SegmentCache(Path(directory), 1 << 30)
        cache.put(f"{n:064x}", tone(0.01))
        cache.close()
    except Exception as exc:  # reported to the test, which names it
        return repr(exc)
    return "ok"


def test_workers_opening_a_new_cache_at_once_all_get_it(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for trial in range(8):  # before, one start in three failed with "database is locked"
        folder = tmp_path / f"cache-{trial}"
        with context.Manager() as manager:
            barrier = manager.Barrier(4)
            with ProcessPoolExecutor(4, mp_context=context) as pool:
                outcomes = list(
                    pool.map(_open_together, [str(folder)] * 4, [barrier] * 4, range(4))
                )
        assert outcomes == ["ok"] * 4
        assert len(SegmentCache(folder, 1 << 30)) == 4
