"""Encoders side by side (listen.encoder), on real espeak speech and real ffmpeg."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from speechkit import espeak_spoken

from listen.assemble import laying_out
from listen.early import encode_as_laid_out
from listen.encoder import encode_measured, quiet_point
from listen.errors import AudioError, SynthesisError
from listen.ffmpeg import ffmpeg_exe
from listen.master import ENCODED_TOLERANCE_LU, encode_episode, measure_file
from listen.models import SAMPLE_RATE, SPEECH_RATE, SpokenSegment
from listen.mp3join import FRAME_SAMPLES
from listen.profile import resolve_profile
from listen.spool import PcmSpool

SENTENCES = [
    "The harbour board met on Monday to approve the winter timetable for the island ferry.",
    "Sailings will run twice a day from November, and three times at weekends.",
    "Captain Ingrid Lindgren said the crews had asked for the change since 1996.",
    "Fares stay at four pounds fifty for adults and two pounds for children.",
]
GRID = FRAME_SAMPLES * SPEECH_RATE // SAMPLE_RATE


@pytest.fixture(scope="module")
def spoken() -> list[SpokenSegment]:
    return espeak_spoken(SENTENCES, 400)


def _speech(spoken: list[SpokenSegment], seconds: float) -> np.ndarray:
    """The sentences over and over, 0.4 s apart, for at least ``seconds``."""
    pause = np.zeros(int(0.4 * SPEECH_RATE), dtype=np.float32)
    once = np.concatenate([p for s in spoken for p in (s.audio.samples * 0.5, pause)])
    return np.tile(once, int(seconds * SPEECH_RATE // once.size) + 1)


def _blocks(x: np.ndarray, size: int = 1 << 18) -> Iterator[np.ndarray]:
    for lo in range(0, x.size, size):
        yield x[lo : lo + size].copy()


def _decoded(path: Path) -> np.ndarray:
    args = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"]
    return np.frombuffer(subprocess.run(args, capture_output=True, check=True).stdout, "<f4")


def _parts(caplog: pytest.LogCaptureFixture) -> int:
    """The parts the last encode was made in, as its log line says."""
    messages = [r.getMessage() for r in caplog.records if "encoded in" in r.getMessage()]
    return int(messages[-1].split("encoded in ")[1].split()[0])


def test_two_encoders_make_the_mp3_one_encoder_makes(
    spoken: list[SpokenSegment], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speech = _speech(spoken, 240.0)
    one, two = tmp_path / "one" / "a.mp3", tmp_path / "two" / "a.mp3"
    one.parent.mkdir()
    two.parent.mkdir()
    single = encode_measured(_blocks(speech), one, "64k", SPEECH_RATE)
    with caplog.at_level(logging.INFO, logger="listen.encoder"):
        joined = encode_measured(_blocks(speech), two, "64k", SPEECH_RATE, encoders=2)
    assert _parts(caplog) == 2
    assert [p.name for p in two.parent.iterdir()] == ["a.mp3"]  # the parts are gone
    checked = subprocess.run(["mp3val", str(two)], capture_output=True, text=True, check=False)
    assert "ERROR" not in checked.stdout and "CBR" in checked.stdout, checked.stdout

    samples = speech.size * SAMPLE_RATE // SPEECH_RATE
    a, b = _decoded(one), _decoded(two)
    assert b.size == samples and a.size >= samples
    error = float(np.sqrt(np.mean(np.square(a[:samples] - b, dtype=np.float64))))
    assert error < 0.03 * float(np.sqrt(np.mean(np.square(a, dtype=np.float64))))  # -30 dB
    measured = measure_file(two)  # what a host measures on the file
    assert joined.integrated_lufs == pytest.approx(measured.integrated_lufs, abs=0.02)
    assert joined.true_peak_dbtp == pytest.approx(measured.true_peak_dbtp, abs=0.1)
    assert joined.loudness_range_lu == pytest.approx(measured.loudness_range_lu, abs=0.1)
    assert joined.integrated_lufs == pytest.approx(single.integrated_lufs, abs=0.05)


def test_a_short_episode_is_left_to_one_encoder(
    spoken: list[SpokenSegment], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speech = _speech(spoken, 40.0)
    mp3 = tmp_path / "short.mp3"
    with caplog.at_level(logging.INFO, logger="listen.encoder"):
        loudness = encode_measured(_blocks(speech), mp3, "64k", SPEECH_RATE, encoders=4)
    assert _parts(caplog) == 1
    assert _decoded(mp3).size == speech.size * SAMPLE_RATE // SPEECH_RATE
    assert loudness == measure_file(mp3)


def test_a_part_starts_on_the_frame_grid_well_inside_a_pause() -> None:
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(SPEECH_RATE * 20) * 0.1).astype(np.float32)
    x[100_000:104_000] = 0.0  # 0.18 s: room for a part's lead and a guard each side
    x[200_000:201_000] = 0.0  # too short
    with PcmSpool(SPEECH_RATE) as pcm:
        pcm.append(x)
        point = quiet_point(pcm, 200_000, 0, x.size, GRID, GRID)
        assert point is not None and point % GRID == 0
        assert np.abs(x[point - GRID - 1024 : point + 1024]).max() == 0.0
        assert quiet_point(pcm, 200_000, 0, x.size, GRID, 4 * GRID) is None  # no room
        assert quiet_point(pcm, 200_000, 110_000, x.size, GRID, GRID) is None  # out of range


def test_a_failure_while_the_episode_is_made_stops_every_encoder(
    spoken: list[SpokenSegment], tmp_path: Path
) -> None:
    speech = _speech(spoken, 120.0)
    before = threading.active_count()

    def failing() -> Iterator[np.ndarray]:
        yield from _blocks(speech[: speech.size // 2])
        raise SynthesisError("espeak-ng stopped")

    with pytest.raises(SynthesisError):
        encode_measured(failing(), tmp_path / "x.mp3", "64k", SPEECH_RATE, encoders=2)
    assert threading.active_count() <= before  # no encoder, feeder or reader left running
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_an_encoder_that_cannot_write_is_an_audio_error(
    spoken: list[SpokenSegment], tmp_path: Path
) -> None:
    speech = _speech(spoken, 90.0)
    with pytest.raises(AudioError, match="ffmpeg"):
        encode_measured(_blocks(speech), tmp_path / "no" / "x.mp3", "64k", SPEECH_RATE, 2)


def test_an_episode_laid_out_by_the_engine_is_shared_out_when_it_is_whole(
    spoken: list[SpokenSegment], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mastering = resolve_profile("espeak").mastering
    layout = laying_out(spoken * 16, ["A"], rate=SPEECH_RATE)
    mp3 = tmp_path / "laid-out.mp3"
    with caplog.at_level(logging.INFO, logger="listen.encoder"):
        episode, loudness = encode_as_laid_out(layout, mp3, mastering, SPEECH_RATE, 10.0, 2)
    with episode:
        assert _decoded(mp3).size == len(episode.pcm) * SAMPLE_RATE // SPEECH_RATE
    assert _parts(caplog) == 2
    assert loudness.integrated_lufs == pytest.approx(measure_file(mp3).integrated_lufs, abs=0.02)
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU


def test_a_whole_episode_is_mastered_into_encoders_side_by_side(
    spoken: list[SpokenSegment], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mastering = resolve_profile("espeak").mastering
    speech = _speech(spoken, 200.0)
    mp3 = tmp_path / "whole.mp3"
    with PcmSpool(SPEECH_RATE) as pcm, caplog.at_level(logging.INFO, logger="listen.encoder"):
        pcm.append(speech)
        loudness = encode_episode(pcm, mp3, mastering, encoders=2)
    assert _parts(caplog) == 2
    assert _decoded(mp3).size == speech.size * SAMPLE_RATE // SPEECH_RATE
    assert loudness.integrated_lufs == pytest.approx(measure_file(mp3).integrated_lufs, abs=0.02)
    assert abs(loudness.integrated_lufs - mastering.loudness) <= ENCODED_TOLERANCE_LU


def test_an_episode_at_the_mp3s_own_rate_is_joined_on_its_frames(
    spoken: list[SpokenSegment], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    speech = np.repeat(_speech(spoken, 150.0), 2)  # 44.1 kHz, as an episode with music is
    mp3 = tmp_path / "music.mp3"
    with caplog.at_level(logging.INFO, logger="listen.encoder"):
        loudness = encode_measured(_blocks(speech), mp3, "128k", SAMPLE_RATE, encoders=2)
    assert _parts(caplog) == 2
    assert _decoded(mp3).size == speech.size
    assert loudness.integrated_lufs == pytest.approx(measure_file(mp3).integrated_lufs, abs=0.02)
