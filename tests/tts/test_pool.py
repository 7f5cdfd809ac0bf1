"""The engine pool: several worker processes speaking one episode's segments in turn."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from crash_backend import CRASH_WORD, RATE

from listen.errors import ProfileError, SynthesisError
from listen.models import Segment, VoiceSettings
from listen.profile import load_profile
from listen.render import open_voice
from listen.speak import speak, speak_segment
from listen.tts import create_backend
from listen.tts.pool import MAX_PROCESSES, EnginePool, shares, start_engine
from listen.tts.worker import WorkerBackend

CRASHY = "crash_backend:CrashBackend"
PROFILE = VoiceSettings(profile="crashy", backend="crashy")
ESPEAK = "listen.tts.espeak:EspeakBackend"


@pytest.fixture
def pool() -> Iterator[EnginePool]:
    engine = start_engine(CRASHY, PROFILE, 2)
    assert isinstance(engine, EnginePool)
    yield engine
    engine.close()


def _words(audio_samples: int) -> int:
    """How many words the crash backend's tone of this length says (0.1 s a word)."""
    return audio_samples * 10 // RATE


def _environ(pid: int | None) -> dict[str, str]:
    assert pid is not None
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().partition("=")[::2] for item in raw if item)


@pytest.mark.parametrize(
    ("threads", "expected"),
    [(1, [1]), (2, [1, 1]), (3, [2, 1]), (4, [2, 2]), (8, [4, 4]), (0, [1])],
)
def test_the_threads_are_shared_out_over_at_most_two_processes(
    threads: int, expected: list[int]
) -> None:
    assert shares(threads) == expected
    assert len(shares(threads)) <= MAX_PROCESSES


def test_one_thread_is_one_worker_not_a_pool() -> None:
    engine = start_engine(CRASHY, PROFILE, 1)
    try:
        assert isinstance(engine, WorkerBackend)
        assert _environ(engine.pid)["LISTEN_ENGINE_THREADS"] == "1"
    finally:
        engine.close()


def test_each_worker_is_told_its_share_of_the_threads() -> None:
    engine = start_engine(CRASHY, PROFILE, 3)
    try:
        assert isinstance(engine, EnginePool) and engine.capacity == 2
        pids = engine.pids
        assert len(set(pids)) == 2 and os.getpid() not in pids
        assert [_environ(pid)["LISTEN_ENGINE_THREADS"] for pid in pids] == ["2", "1"]
    finally:
        engine.close()


def test_texts_sent_ahead_go_to_different_workers_and_come_back_in_order(
    pool: EnginePool,
) -> None:
    texts = ["one", "two words", "now three words", "four words this time", "five " * 5]
    served: list[int | None] = []
    sent_to: dict[str, int | None] = {}
    asked_of: dict[str, int | None] = {}
    for worker in pool.workers:
        prefetch, synthesize = worker.prefetch, worker.synthesize

        def ahead(text: str, w: WorkerBackend = worker, p=prefetch) -> None:  # type: ignore[no-untyped-def]
            served.append(w.pid)
            sent_to[text] = w.pid
            p(text)

        def asked(text: str, w: WorkerBackend = worker, s=synthesize):  # type: ignore[no-untyped-def]
            asked_of[text] = w.pid
            return s(text)

        worker.prefetch = ahead  # type: ignore[method-assign]
        worker.synthesize = asked  # type: ignore[method-assign]
    pool.prefetch(texts[0])
    pool.prefetch(texts[1])
    pool.prefetch(texts[2])  # both workers busy: not sent, spoken when asked for
    assert len(served) == 2 and served[0] != served[1]
    lengths = []
    for n, text in enumerate(texts):
        lengths.append(_words(len(pool.synthesize(text).samples)))
        if n + 2 < len(texts):
            pool.prefetch(texts[n + 2])
    assert lengths == [1, 2, 3, 4, 5]
    assert sent_to == {t: asked_of[t] for t in sent_to}  # collected where it was spoken
    assert set(sent_to) == set(texts)  # the third went ahead once a worker was free


def test_a_text_sent_ahead_that_nobody_asks_for_is_dropped(pool: EnginePool) -> None:
    pool.prefetch("never asked for")
    pool.prefetch("two words")
    assert _words(len(pool.synthesize("two words").samples)) == 2
    assert _words(len(pool.synthesize("then four more words").samples)) == 4
    assert _words(len(pool.synthesize("one").samples)) == 1


def test_a_crash_fails_that_segment_only_and_its_worker_starts_again(pool: EnginePool) -> None:
    before = pool.pids
    pool.prefetch(f"this goes {CRASH_WORD}")
    pool.prefetch("the other worker speaks")
    with pytest.raises(SynthesisError, match=r"crashed \(SIGABRT\)"):
        pool.synthesize(f"this goes {CRASH_WORD}")
    assert _words(len(pool.synthesize("the other worker speaks").samples)) == 4
    assert _words(len(pool.synthesize("and on we go").samples)) == 4
    after = pool.pids
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert sum(worker.restarts for worker in pool.workers) == 1


def test_a_worker_that_cannot_start_stops_the_others_and_raises() -> None:
    refusing = VoiceSettings(profile="crashy", backend="crashy", options={"refuse": 1})
    before = set(os.listdir("/proc"))
    with pytest.raises(ProfileError, match="refuses to start"):
        start_engine(CRASHY, refusing, 2)
    left = {p for p in set(os.listdir("/proc")) - before if p.isdigit()}
    assert not [p for p in left if _is_worker(p)]


def _is_worker(pid: str) -> bool:
    try:
        return b"listen.tts.worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def test_closing_the_pool_stops_every_worker(pool: EnginePool) -> None:
    pids = pool.pids
    pool.close()
    for pid in pids:
        assert pid is not None and not _is_worker(str(pid))
    with pytest.raises(SynthesisError, match="closed"):
        pool.synthesize("anyone there")


def test_speak_keeps_one_text_in_flight_per_worker_and_the_audio_is_the_same() -> None:
    """Real espeak-ng in two workers: segments sent two ahead give exactly the audio that one
    worker gives them one at a time."""
    texts = ["The first sentence.", "A second one, longer than the first.", "And a third.",
             "Fourth.", "The fifth and last sentence of this short test."]  # fmt: skip
    segments = [Segment(t, t, "sentence", 300) for t in texts]
    settings = VoiceSettings(profile="robot", backend="espeak")
    pool = EnginePool([WorkerBackend(ESPEAK, settings), WorkerBackend(ESPEAK, settings)])
    single = WorkerBackend(ESPEAK, settings)
    try:
        sent: list[str] = []
        real = pool.prefetch
        pool.prefetch = lambda text: (sent.append(text), real(text))  # type: ignore[method-assign]
        in_flight = []
        ahead = []
        for spoken in speak(segments, pool, 22050):
            in_flight.append(len(pool._sent))
            ahead.append(spoken.audio.samples)
        one_by_one = [speak_segment(s, single, 22050).samples for s in segments]
    finally:
        pool.close()
        single.close()
    assert sent == texts[1:]
    assert in_flight[:3] == [2, 2, 2]  # both workers speaking while a segment is laid out
    assert all(np.array_equal(a, b) for a, b in zip(ahead, one_by_one, strict=True))


def test_piper_given_two_threads_runs_in_two_one_thread_processes() -> None:
    """Real Piper: each worker's onnxruntime gets one thread, and every sentence comes back
    from the pool as long as its own text makes it (a mix-up of sentences would not be)."""
    texts = ["Yes.", "The council voted on Tuesday to spend four million pounds on new cycle "
             "lanes, after a consultation in which nine thousand residents took part.",
             "Work starts in May.", "It is expected to take two years."]  # fmt: skip
    backend = create_backend(load_profile("joe").speech, threads=2)
    try:
        assert isinstance(backend, EnginePool) and backend.name == "piper"
        assert [_environ(pid)["LISTEN_ENGINE_THREADS"] for pid in backend.pids] == ["1", "1"]
        segments = [Segment(t, t, "sentence", 300) for t in texts]
        durations = [s.audio.duration for s in speak(segments, backend, 22050)]
    finally:
        backend.close()
    words = [len(t.split()) for t in texts]
    assert all(0.15 * w < d < 0.9 * w + 0.4 for w, d in zip(words, durations, strict=True))
    assert durations[1] > 3 * max(durations[0], durations[2], durations[3]) / 2


def test_a_render_speaks_with_a_pool_when_the_engine_may_use_more_than_one_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LISTEN_ENGINE_THREADS", raising=False)
    cores = len(os.sched_getaffinity(0))
    with open_voice(load_profile("joe")) as voice:
        kind = type(voice.backend)
    assert kind is (EnginePool if cores > 1 else WorkerBackend)
    monkeypatch.setenv("LISTEN_ENGINE_THREADS", "1")  # a publish worker's share of one core
    with open_voice(load_profile("joe")) as voice:
        assert type(voice.backend) is WorkerBackend
    with open_voice(load_profile("espeak")) as voice:  # one thread of its own: never a pool
        assert type(voice.backend) is WorkerBackend
