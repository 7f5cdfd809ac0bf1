"""Piper's onnxruntime session takes its thread count from $LISTEN_ENGINE_THREADS, so that the
publish workers (listen.executor) share the cores instead of each spinning up one per core."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from listen.executor import create_executor, engine_threads
from listen.models import VoiceSettings
from listen.tts.piper import ENGINE_THREADS, PiperBackend

JOE = VoiceSettings(profile="joe", backend="piper", voice="en_US-joe-medium")

_COUNT_THREADS = """
import os
from listen.models import VoiceSettings
from listen.tts.piper import PiperBackend
import numpy, onnxruntime, piper.voice  # their own threads start before the count
before = len(os.listdir("/proc/self/task"))
backend = PiperBackend(VoiceSettings(profile="joe", backend="piper", voice="en_US-joe-medium"))
print(len(os.listdir("/proc/self/task")) - before)
"""


def _session_threads(_: object = None) -> int:
    backend = PiperBackend(JOE)
    try:
        return int(backend._voice.session.get_session_options().intra_op_num_threads)  # type: ignore[union-attr]
    finally:
        backend.close()


def _new_threads(threads: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != ENGINE_THREADS}
    if threads:
        env[ENGINE_THREADS] = threads
    done = subprocess.run(
        [sys.executable, "-c", _COUNT_THREADS], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout.split()[-1])


def test_the_session_uses_the_threads_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_THREADS, "1")
    assert _session_threads() == 1
    monkeypatch.setenv(ENGINE_THREADS, "3")
    assert _session_threads() == 3


def test_unset_or_nonsense_leaves_onnxruntime_its_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_THREADS, raising=False)
    assert _session_threads() == 0
    monkeypatch.setenv(ENGINE_THREADS, "many")
    assert _session_threads() == 0


def test_one_engine_thread_starts_no_thread_pool() -> None:
    """onnxruntime runs N intra-op threads as the caller plus N - 1 pool threads."""
    assert _new_threads("1") == 0
    assert _new_threads("3") == 2


def test_publish_workers_give_piper_their_share_of_the_cores() -> None:
    pool = create_executor("local", jobs=2)
    try:
        threads = set(pool.map(_session_threads, range(2)))
    finally:
        pool.shutdown()
    assert threads == {engine_threads(2)}
