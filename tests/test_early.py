"""Encoding while the episode is laid out (listen.early), on real espeak speech and real ffmpeg."""

from __future__ import annotations

import logging
import math
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from speechkit import espeak_spoken

from listen import early
from listen.assemble import laying_out
from listen.errors import SynthesisError
from listen.executor import available_cores
from listen.ffmpeg import ffmpeg_exe
from listen.limiter import GrowingLimiter, limit_blocks
from listen.master import ENCODED_TOLERANCE_LU, measure_file
from listen.models import SAMPLE_RATE, SPEECH_RATE, Audio, Mastering, SpokenSegment
from listen.profile import resolve_profile
from listen.render import encodes_beside
from listen.spool import PcmSpool
from listen.tts import create_backend

SENTENCES = [
    "The harbour board met on Monday to approve the winter timetable for the island ferry.",
    "Sailings will run twice a day from November, and three times at weekends.",
    "Captain Ingrid Lindgren said the crews had asked for the change since 1996.",
    "Fares stay at four pounds fifty for adults and two pounds for children.",
]


@pytest.fixture(scope="module")
def spoken() -> list[SpokenSegment]:
    return espeak_spoken(SENTENCES, 500)


@pytest.fixture(scope="module")
def mastering() -> Mastering:
    return resolve_profile("espeak").mastering


def _louder(items: list[SpokenSegment], gain: float) -> list[SpokenSegment]:
    return [
        SpokenSegment(s.segment, Audio(s.audio.samples * np.float32(gain), s.audio.sample_rate))
        for s in items
    ]


def _decoded_samples(path: Path) -> int:
    args = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"]
    return len(subprocess.run(args, capture_output=True, check=True).stdout) // 4


def test_the_growing_limiter_hands_over_the_chunks_of_the_whole(
    spoken: list[SpokenSegment],
) -> None:
    x = np.concatenate([s.audio.samples for s in spoken * 3]) * np.float32(4.0)
    chunk = 1 << 13
    whole = list(limit_blocks(lambda a, b: x[max(0, a) : b], x.size, 1.0, 0.5, SPEECH_RATE, chunk))
    growing = GrowingLimiter(lambda a, b: x[max(0, a) : b], 1.0, 0.5, SPEECH_RATE, chunk)
    rng = np.random.default_rng(3)
    handed: list[np.ndarray] = []
    for length in np.sort(rng.choice(x.size, size=40, replace=False)):
        handed += growing.ready(int(length), whole=False)
    assert 0 < len(handed) < len(whole)  # some chunks went before the signal was whole
    handed += growing.ready(x.size, whole=True)
    assert len(handed) == len(whole)
    for mine, theirs in zip(handed, whole, strict=True):
        assert np.array_equal(mine, theirs)


def test_an_even_episode_is_encoded_once_as_it_is_laid_out(
    spoken: list[SpokenSegment],
    mastering: Mastering,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Path] = []
    real = early.encode_measured

    def counted(blocks: Iterator[np.ndarray], path: Path, *rest: object) -> object:
        calls.append(path)
        return real(blocks, path, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(early, "encode_measured", counted)
    layout = laying_out(spoken * 6, ["A"], rate=SPEECH_RATE)
    mp3 = tmp_path / "even.mp3"
    episode, loudness = early.encode_as_laid_out(layout, mp3, mastering, SPEECH_RATE, 10.0)
    with episode:
        assert episode.duration > 60.0
        extra = _decoded_samples(mp3) - len(episode.pcm) * SAMPLE_RATE // SPEECH_RATE
        assert 0 <= extra <= 64  # ffmpeg's gapless header pads some lengths by up to 1 ms
    assert calls == [mp3]  # one encode, started before the episode was whole
    assert loudness == measure_file(mp3)
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU
    assert loudness.true_peak_dbtp <= mastering.true_peak


def test_an_article_louder_after_its_beginning_is_mastered_again_whole(
    spoken: list[SpokenSegment],
    mastering: Mastering,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_start = _louder(spoken * 2, 0.1) + spoken * 6
    mp3 = tmp_path / "uneven.mp3"
    with caplog.at_level(logging.INFO, logger="listen.early"):
        layout = laying_out(quiet_start, ["A"], rate=SPEECH_RATE)
        episode, loudness = early.encode_as_laid_out(layout, mp3, mastering, SPEECH_RATE, 10.0)
    episode.close()
    assert "mastering the whole again" in caplog.text
    assert loudness == measure_file(mp3)
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU
    assert loudness.true_peak_dbtp <= mastering.true_peak


def test_an_episode_shorter_than_the_prefix_is_planned_whole(
    spoken: list[SpokenSegment], mastering: Mastering, tmp_path: Path
) -> None:
    mp3 = tmp_path / "short.mp3"
    layout = laying_out(spoken[:1], ["A"], rate=SPEECH_RATE)
    episode, loudness = early.encode_as_laid_out(layout, mp3, mastering, SPEECH_RATE)
    with episode:
        assert episode.duration < early.PREFIX_S
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU


def test_an_engine_failing_mid_episode_stops_the_encoder_and_frees_the_spool(
    spoken: list[SpokenSegment],
    mastering: Mastering,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spools: list[PcmSpool] = []
    real_init = PcmSpool.__init__

    def recorded(self: PcmSpool, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        spools.append(self)

    def failing() -> Iterator[SpokenSegment]:
        yield from spoken * 4
        raise SynthesisError("the engine stopped")

    monkeypatch.setattr(PcmSpool, "__init__", recorded)
    before = _children()
    layout = laying_out(failing(), ["A"], rate=SPEECH_RATE)
    with pytest.raises(SynthesisError, match="the engine stopped"):
        early.encode_as_laid_out(layout, tmp_path / "x.mp3", mastering, SPEECH_RATE, 5.0)
    assert spools and all(spool._file.closed for spool in spools)
    assert _children() <= before  # both ffmpegs were stopped and reaped


def _children() -> set[int]:
    """This process's living child processes."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.add(int(name.split(" (", 1)[0]))
    return found


@pytest.mark.parametrize(("prefix_s", "after_the_last_sentence"), [(5.0, False), (math.inf, True)])
def test_the_encoder_starts_early_or_once_the_engine_has_spoken(
    spoken: list[SpokenSegment],
    mastering: Mastering,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prefix_s: float,
    after_the_last_sentence: bool,
) -> None:
    spoken_all: list[bool] = []

    def watched() -> early.Layout:
        episode = yield from laying_out(spoken * 3, ["A"], rate=SPEECH_RATE)
        spoken_all.append(True)
        return episode

    first: list[bool] = []
    real = early.encode_measured

    def watching(blocks: Iterator[np.ndarray], path: Path, *rest: object) -> object:
        def tapped() -> Iterator[np.ndarray]:
            for block in blocks:
                first.append(bool(spoken_all))
                yield block

        return real(tapped(), path, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(early, "encode_measured", watching)
    mp3 = tmp_path / "x.mp3"
    episode, loudness = early.encode_as_laid_out(watched(), mp3, mastering, SPEECH_RATE, prefix_s)
    episode.close()
    assert first[0] is after_the_last_sentence
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU


class _OneThread:
    name = "one"


class _Threaded:
    name = "many"
    threaded = True


def test_only_an_engine_that_leaves_a_core_free_is_encoded_beside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LISTEN_ENGINE_THREADS", raising=False)
    assert encodes_beside(_OneThread())  # type: ignore[arg-type]
    assert not encodes_beside(_Threaded())  # type: ignore[arg-type]  # one thread per core
    monkeypatch.setenv("LISTEN_ENGINE_THREADS", "1")
    assert encodes_beside(_Threaded()) is (available_cores() > 1)  # type: ignore[arg-type]


def test_the_real_engines_say_whether_they_are_threaded() -> None:
    for voice, threaded in (("espeak", False), ("joe", True)):
        backend = create_backend(resolve_profile(voice).speech)
        try:
            assert getattr(backend, "threaded", False) is threaded
        finally:
            backend.close()
