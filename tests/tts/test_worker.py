"""The worker: a backend in a child process, so a native crash fails one segment, not listen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from crash_backend import CRASH_WORD, HANG_WORD, PRINT_WORD, RATE, CrashBackend

from listen.article import load
from listen.errors import ListenError, ProfileError, SynthesisError
from listen.ffmpeg import ffmpeg_exe
from listen.models import VoiceSettings
from listen.normalise.rule import spell
from listen.profile import profile_lexicon, resolve_profile
from listen.render import Voice, render_article
from listen.tts import create_backend
from listen.tts.worker import WorkerBackend, crash_reason

CRASHY = "crash_backend:CrashBackend"
PROFILE = VoiceSettings(profile="crashy", backend="crashy")
ESPEAK = VoiceSettings(profile="robot", backend="espeak")


@pytest.fixture
def crashy() -> WorkerBackend:
    backend = WorkerBackend(CRASHY, PROFILE)
    yield backend
    backend.close()


def decoded_seconds(mp3: Path) -> float:
    """How long the MP3 is as ffmpeg decodes it."""
    command = [
        ffmpeg_exe(),
        "-v",
        "error",
        "-i",
        str(mp3),
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        "8000",
        "-",
    ]
    pcm = subprocess.run(command, capture_output=True, check=True).stdout
    return len(pcm) / 2 / 8000


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _wait_until_dead(pid: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_audio_comes_back_as_float32_from_a_warm_child(crashy: WorkerBackend) -> None:
    pid = crashy.pid
    audio = crashy.synthesize("five words of test speech")
    assert audio.sample_rate == RATE
    assert audio.samples.dtype == np.float32 and audio.samples.flags.writeable
    assert len(audio.samples) == 5 * RATE // 10
    here = CrashBackend(PROFILE).synthesize("five words of test speech")
    assert np.array_equal(audio.samples, here.samples)  # every sample crossed intact
    crashy.synthesize("again")
    assert crashy.pid == pid and pid != os.getpid()  # the same child, kept warm


def test_an_abort_fails_that_segment_names_it_and_the_next_segment_speaks(
    crashy: WorkerBackend,
) -> None:
    first = crashy.pid
    with pytest.raises(SynthesisError) as caught:
        crashy.synthesize(f"The engine goes {CRASH_WORD} on this particular sentence today, sadly.")
    message = str(caught.value)
    assert "crashed (SIGABRT)" in message
    assert "'The engine goes kaboom on this particular sentence…'" in message
    audio = crashy.synthesize("still here")
    assert len(audio.samples) == 2 * RATE // 10
    assert crashy.pid != first and crashy.restarts == 1
    assert not _alive(first)


def test_engine_output_on_stdout_never_reaches_listen_stdout(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from listen.models import VoiceSettings
        from listen.tts.worker import WorkerBackend
        backend = WorkerBackend({CRASHY!r}, VoiceSettings(profile="crashy", backend="crashy"))
        backend.synthesize("{PRINT_WORD} away")
        backend.close()
        print("only this")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "only this\n"


def test_a_script_without_a_main_guard_can_use_the_worker(tmp_path: Path) -> None:
    """multiprocessing's "spawn" would run such a script again in the child, and fail."""
    script = tmp_path / "nightly.py"
    script.write_text(
        textwrap.dedent(f"""
            import sys
            sys.path.insert(0, {str(Path(__file__).parent)!r})
            from listen.models import VoiceSettings
            from listen.tts.worker import WorkerBackend
            print("started", flush=True)
            backend = WorkerBackend({CRASHY!r}, VoiceSettings(profile="crashy", backend="crashy"))
            print(len(backend.synthesize("three more words").samples))
            backend.close()
        """),
        encoding="utf-8",
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["started", str(3 * RATE // 10)]


def test_a_hung_segment_is_killed_after_the_timeout() -> None:
    backend = WorkerBackend(CRASHY, PROFILE, timeout=1.0)
    try:
        with pytest.raises(SynthesisError, match=r"gave no answer within 1 s while speaking"):
            backend.synthesize(f"{HANG_WORD} forever")
        assert len(backend.synthesize("then this").samples) == 2 * RATE // 10
    finally:
        backend.close()


def test_a_constructor_error_crosses_back_as_the_same_error() -> None:
    refusing = VoiceSettings(profile="stubborn", backend="crashy", options={"refuse": 1})
    with pytest.raises(ProfileError, match="Voice 'stubborn': this test voice refuses to start"):
        WorkerBackend(CRASHY, refusing)
    with pytest.raises(
        SynthesisError,
        match=r"^The no_such_module_here:Backend engine could not start: ModuleNot",
    ):
        WorkerBackend("no_such_module_here:Backend", PROFILE)


def test_close_stops_the_child_and_further_use_is_an_error() -> None:
    backend = WorkerBackend(CRASHY, PROFILE)
    pid = backend.pid
    assert pid is not None and _alive(pid)
    backend.close()
    assert not _alive(pid)
    with pytest.raises(SynthesisError, match="closed"):
        backend.synthesize("hello")


def test_a_child_whose_parent_dies_exits(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from listen.models import VoiceSettings
        from listen.tts.worker import WorkerBackend
        backend = WorkerBackend({CRASHY!r}, VoiceSettings(profile="crashy", backend="crashy"))
        print(backend.pid, flush=True)
        time.sleep(120)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.kill()  # SIGKILL: no cleanup runs in the parent
    _wait_until_dead(child)


def test_crash_reason_names_the_signal() -> None:
    assert crash_reason(-signal.SIGSEGV) == "SIGSEGV"
    assert crash_reason(-signal.SIGBUS) == "SIGBUS"
    assert crash_reason(3) == "exit status 3"


# -- a render over two articles: the crash costs one article, the next renders -----------------


def test_a_crash_fails_one_article_and_the_next_article_renders(
    tmp_path: Path, crashy: WorkerBackend
) -> None:
    articles = [tmp_path / "doomed.txt", tmp_path / "fine.txt"]
    articles[0].write_text(
        f"Doomed story\n\nThe first sentence is fine. This one goes {CRASH_WORD} in the engine.\n",
        encoding="utf-8",
    )
    articles[1].write_text("Fine story\n\nNothing odd here at all.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    profile = resolve_profile("espeak")
    voice = Voice(profile, crashy, profile_lexicon(profile))
    lines, rendered = [], []
    for path, slug in zip(articles, ("doomed", "fine"), strict=True):
        try:
            rendered.append(render_article(load(path), out, voice, slug))
        except ListenError as exc:  # what the CLI prints
            lines.append(f"Error: {exc}")
    assert lines == [
        "Error: The crashy engine crashed (SIGABRT) while speaking "
        f"'This one goes {CRASH_WORD} in the engine.'; that segment was not rendered"
    ]
    [fine] = rendered
    assert fine.slug == "fine" and fine.mp3.is_file()
    assert fine.mp3 == out / "fine" / "fine.mp3"
    assert sorted(p.name for p in out.iterdir()) == ["fine"]  # nothing of the doomed one
    assert sorted(p.name for p in (out / "fine").iterdir()) == [
        "fine.chapters.json", "fine.json", "fine.mp3", "fine.vtt",
    ]  # fmt: skip
    assert abs(decoded_seconds(fine.mp3) - fine.duration) < 0.1


# -- the real espeak-ng --------------------------------------------------------------------------


def test_create_backend_runs_espeak_in_a_child_process() -> None:
    backend = create_backend(ESPEAK)
    try:
        assert isinstance(backend, WorkerBackend) and backend.name == "espeak"
        assert backend.pid != os.getpid()
        audio = backend.synthesize("The engine speaks from another process.")
        assert audio.sample_rate == 22050 and 1.0 < audio.duration < 5.0
    finally:
        backend.close()


def test_real_espeak_crash_on_spelled_letters_is_one_failed_segment() -> None:
    """espeak-ng 1.52 dies (SIGSEGV; stack smashing with more) on 200 letters spelled "A.A.A"."""
    backend = create_backend(ESPEAK)
    try:
        with pytest.raises(SynthesisError, match=r"crashed \((SIGSEGV|SIGABRT|SIGBUS)\)"):
            backend.synthesize(spell("A" * 200))
        audio = backend.synthesize("And the next sentence is spoken.")
        assert 1.0 < audio.duration < 5.0
    finally:
        backend.close()


def test_espeak_worker_survives_a_sigkill_of_its_child() -> None:
    backend = create_backend(ESPEAK)
    assert isinstance(backend, WorkerBackend)
    try:
        first = backend.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)  # between segments: the next one starts a new child
        _wait_until_dead(first)
        assert backend.synthesize("After the kill.").duration > 0.5
        second = backend.pid
        assert second not in (None, first)
        # during a segment: that segment fails, naming the signal; the one after speaks
        assert second is not None
        threading.Timer(0.5, os.kill, (second, signal.SIGKILL)).start()
        with pytest.raises(SynthesisError, match=r"crashed \(SIGKILL\)"):
            backend.synthesize(" ".join(["a long sentence"] * 2000))
        assert backend.synthesize("Back again.").duration > 0.5
        assert backend.restarts == 2
    finally:
        backend.close()


@pytest.mark.slow
def test_a_1000_letter_capital_word_renders_with_espeak(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from listen.cli import main

    article = tmp_path / "shouting.txt"
    word = "A" * 1000
    article.write_text(f"{word}\n\nThe headline above is {word} in full.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(article), "-o", str(tmp_path / "out"),
                                       "--voice", "espeak"])  # fmt: skip
    assert result.exit_code == 0, result.output
    [mp3] = (tmp_path / "out").glob("*/*.mp3")
    assert decoded_seconds(mp3) > 5.0


def test_create_backend_runs_piper_in_a_child_process_and_onnxruntime_stays_there() -> None:
    script = textwrap.dedent("""
        import sys
        from listen.profile import load_profile
        from listen.tts import create_backend
        backend = create_backend(load_profile("joe").speech)
        audio = backend.synthesize("The engine speaks from another process.")
        print(type(backend).__name__, backend.name, audio.sample_rate, round(audio.duration))
        print("onnxruntime" in sys.modules, "piper" in sys.modules)
        backend.close()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kind, name, rate, seconds, *loaded = done.stdout.split()
    assert (kind, name, rate) == ("WorkerBackend", "piper", "22050")
    assert 1 <= int(seconds) <= 5
    assert loaded == ["False", "False"]  # the model and onnxruntime live in the child only


def test_a_prefetched_text_is_collected_by_the_next_synthesize(crashy: WorkerBackend) -> None:
    pid = crashy.pid
    crashy.prefetch("three words here")
    crashy.prefetch("ignored while one is in flight")
    assert len(crashy.synthesize("three words here").samples) == 3 * RATE // 10
    assert len(crashy.synthesize("two words").samples) == 2 * RATE // 10
    assert crashy.pid == pid  # a reply waiting in the pipe did not look like a dead child


def test_a_prefetched_text_nobody_asks_for_is_dropped(crashy: WorkerBackend) -> None:
    crashy.prefetch("four words of nothing")
    assert len(crashy.synthesize("one").samples) == RATE // 10
    assert len(crashy.synthesize("five words of test speech").samples) == 5 * RATE // 10


def test_a_crash_on_a_prefetched_segment_fails_that_segment_only(crashy: WorkerBackend) -> None:
    first = crashy.pid
    crashy.prefetch(f"this one goes {CRASH_WORD}")
    with pytest.raises(SynthesisError, match=r"crashed \(SIGABRT\).*goes kaboom"):
        crashy.synthesize(f"this one goes {CRASH_WORD}")
    crashy.prefetch(f"dropped and {CRASH_WORD}")
    assert len(crashy.synthesize("still speaking").samples) == 2 * RATE // 10
    assert crashy.pid != first


def test_speak_sends_the_next_segment_ahead_and_returns_the_same_audio() -> None:
    """espeak in its worker, with the segments sent ahead, gives exactly the audio it gives
    one segment at a time."""
    from listen.models import Segment
    from listen.speak import speak, speak_segment

    texts = ["The first sentence.", "A second one, longer than the first.", "And a third."]
    segments = [Segment(t, t, "sentence", 300) for t in texts]
    backend = create_backend(ESPEAK)
    try:
        sent: list[str] = []
        real = backend.prefetch
        backend.prefetch = lambda text: (sent.append(text), real(text))  # type: ignore[method-assign]
        ahead = [s.audio.samples for s in speak(segments, backend, 22050)]
        one_by_one = [speak_segment(s, backend, 22050).samples for s in segments]
    finally:
        backend.close()
    assert sent == texts[1:]
    assert all(np.array_equal(a, b) for a, b in zip(ahead, one_by_one, strict=True))
