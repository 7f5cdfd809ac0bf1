"""Measuring a decoded MP3 (listen.metering): real espeak speech, encoded and decoded by the
real ffmpeg, measured by listen and by ffmpeg's own ebur128 filter."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from speechkit import espeak_spoken

from listen.ffmpeg import run_ffmpeg
from listen.loudness import LoudnessMeter, loudness_range
from listen.master import encode_mp3, measure_file
from listen.metering import ENCODER_DELAY, DecodedMeter
from listen.models import SAMPLE_RATE, SPEECH_RATE, Audio

SENTENCES = [
    "The harbour authority said the new ferry would carry four hundred passengers.",
    "Tickets go on sale in March, at twelve dollars for a single crossing.",
    "Local traders welcomed the plan but asked for more parking near the pier.",
]


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """About 40 s of espeak speech whose level steps down 8 dB and back: a loudness range."""
    spoken = espeak_spoken(SENTENCES, 300)
    pause = np.zeros(SPEECH_RATE // 4, dtype=np.float32)
    once = np.concatenate([p for s in spoken for p in (s.audio.samples, pause)])
    quiet = once * np.float32(10 ** (-8 / 20))
    return np.concatenate([once, quiet, once, quiet, once]) * np.float32(0.7)


@pytest.fixture(scope="module")
def mp3(speech: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("metering") / "speech.mp3"
    encode_mp3(Audio(speech, SPEECH_RATE), path, "64k")
    return path


def _ebur128(path: Path) -> dict[str, float]:
    """ffmpeg's own figures for ``path``: integrated loudness, range and true peak."""
    log = run_ffmpeg(
        ["-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"], "measure"
    ).stderr.decode()
    summary = log.rpartition("Summary:")[2]
    number = r"([-+]?\d+(?:\.\d+)?)"
    found = {
        name: re.search(pattern, summary)
        for name, pattern in {
            "I": rf"\bI:\s+{number} LUFS",
            "LRA": rf"\bLRA:\s+{number} LU\b",
            "peak": rf"True peak:\s+Peak:\s+{number} dBFS",
        }.items()
    }
    return {name: float(match.group(1)) for name, match in found.items() if match}


def test_the_decoded_mp3_measures_as_ffmpegs_ebur128_does(mp3: Path) -> None:
    ours, theirs = measure_file(mp3), _ebur128(mp3)
    # ffmpeg prints tenths and gates over histograms of 0.1 LU steps
    assert ours.integrated_lufs == pytest.approx(theirs["I"], abs=0.15)
    assert ours.loudness_range_lu == pytest.approx(theirs["LRA"], abs=0.2)
    assert ours.loudness_range_lu > 5.0  # the 8 dB steps are seen
    assert ours.true_peak_dbtp == pytest.approx(theirs["peak"], abs=0.2)


def test_the_decoded_mp3_measures_as_pyloudnorm_does(mp3: Path) -> None:
    samples = np.frombuffer(_decoded(mp3), dtype="<f4").astype(np.float64)
    expected = pyloudnorm.Meter(SAMPLE_RATE).integrated_loudness(samples)
    assert measure_file(mp3).integrated_lufs == pytest.approx(expected, abs=0.02)


def _decoded(path: Path) -> bytes:
    command = ["-i", str(path), "-ac", "1", "-f", "f32le", "-"]
    return run_ffmpeg(command, "decode").stdout


def test_any_split_of_the_decoded_stream_measures_the_same(mp3: Path) -> None:
    data = _decoded(mp3)
    whole = DecodedMeter()
    whole.add(data)
    split = DecodedMeter()
    for size in (4, 1_000, 65_536, 4 * 300_001):
        split.add(data[:size])
        data = data[size:]
    split.add(data)
    ours, theirs = split.finish(), whole.finish()
    assert ours.true_peak_dbtp == theirs.true_peak_dbtp
    # the K-weighting's float32 products are split where the pieces are: hundredths agree
    assert ours.integrated_lufs == pytest.approx(theirs.integrated_lufs, abs=0.011)
    assert ours.loudness_range_lu == pytest.approx(theirs.loudness_range_lu, abs=0.011)


def test_a_stream_with_no_gapless_header_measures_as_the_file(tmp_path: Path, mp3: Path) -> None:
    # the same frames without the Xing/LAME header: the decoder hands over the encoder's delay
    # and padding too; skipped and cut, what is measured is the file's audio, sample for sample
    raw = tmp_path / "raw.mp3"
    run_ffmpeg(["-i", str(mp3), "-c", "copy", "-write_xing", "0", str(raw)], "copy")
    file_samples = _decoded(mp3)
    stream = _decoded(raw)
    assert stream[4 * ENCODER_DELAY :].startswith(file_samples)
    assert len(stream) > len(file_samples) + 4 * ENCODER_DELAY  # the padding is there
    meter = DecodedMeter(skip=ENCODER_DELAY, gapless=False)
    for lo in range(0, len(stream), 1 << 18):
        meter.add(stream[lo : lo + (1 << 18)])
    ours, theirs = meter.finish(len(file_samples) // 4), measure_file(mp3)
    assert ours.true_peak_dbtp == theirs.true_peak_dbtp
    assert ours.integrated_lufs == pytest.approx(theirs.integrated_lufs, abs=0.011)
    assert ours.loudness_range_lu == pytest.approx(theirs.loudness_range_lu, abs=0.011)


def test_finishing_with_more_samples_than_were_decoded_is_an_error() -> None:
    meter = DecodedMeter(gapless=False)
    meter.add(np.zeros(100, dtype="<f4").tobytes())
    with pytest.raises(ValueError, match="101 samples asked for, 100 decoded"):
        meter.finish(101)


def test_the_loudness_range_spans_the_levels_of_a_signal() -> None:
    rng = np.random.default_rng(7)
    parts = [rng.standard_normal(SAMPLE_RATE * 20) * 10 ** (db / 20) for db in (-20, -32, -26)]
    meter = LoudnessMeter(SAMPLE_RATE)
    meter.add(np.concatenate(parts).astype(np.float32))
    spread = loudness_range(meter.quarters(), meter.samples, SAMPLE_RATE)
    # the 10th percentile sits in the -32 dB third, the 95th in the -20 dB third
    assert spread == pytest.approx(12.0, abs=0.3)


def test_a_signal_shorter_than_one_window_or_silent_has_no_range() -> None:
    meter = LoudnessMeter(SAMPLE_RATE)
    meter.add(np.full(SAMPLE_RATE * 2, 0.1, dtype=np.float32))
    assert loudness_range(meter.quarters(), meter.samples, SAMPLE_RATE) == 0.0
    silent = LoudnessMeter(SAMPLE_RATE)
    silent.add(np.zeros(SAMPLE_RATE * 10, dtype=np.float32))
    assert loudness_range(silent.quarters(), silent.samples, SAMPLE_RATE) == 0.0
