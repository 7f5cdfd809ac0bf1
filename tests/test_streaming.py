"""Streaming the episode on real espeak speech: the spool, the streaming loudness meter, the
block-wise limiter and true-peak meter against their one-shot versions, and a streamed encode."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from speechkit import espeak_spoken

from listen.assemble import assemble
from listen.ffmpeg import ffmpeg_exe
from listen.levels import PEAK_BOUND, Analyser, analyse
from listen.limiter import (
    GAIN_BLOCK,
    REACH,
    TruePeakMeter,
    _applied,
    block_true_peaks,
    fold_rows,
    limit,
    limit_blocks,
    picked_true_peaks,
)
from listen.loudness import LoudnessMeter
from listen.master import encode_episode, encode_measured, measure_file, plan_mastering
from listen.models import SAMPLE_RATE, SPEECH_RATE, SpokenSegment
from listen.profile import resolve_profile
from listen.spool import PcmSpool

SENTENCES = [
    "The council approved 4.2 million dollars for the new rail line on Tuesday.",
    "Officials said 12,500 people would use it every day by 2028.",
    '"We have waited eleven years for this," said the mayor.',
    "Inflation rose to 3.7 percent in March, its highest level since 1991.",
]


@pytest.fixture(scope="module")
def spoken() -> list[SpokenSegment]:
    """Real espeak speech, trimmed and at the speech rate, as the renderer makes it."""
    return espeak_spoken(SENTENCES, 400)


@pytest.fixture(scope="module")
def speech(spoken: list[SpokenSegment]) -> np.ndarray:
    """About 30 seconds of espeak speech with pauses, longer than one 2**20-sample chunk."""
    pause = np.zeros(SPEECH_RATE // 3, dtype=np.float32)
    parts = [p for s in spoken for p in (s.audio.samples, pause)]
    x = np.concatenate(parts)
    return np.tile(x, -(-(1 << 20) // x.size) + 1)


def blocks_of(x: np.ndarray, size: int) -> Iterator[np.ndarray]:
    for start in range(0, x.size, size):
        yield x[start : start + size]


@pytest.mark.parametrize("block", [4_410, 65_537, 1 << 20])
def test_streaming_loudness_equals_pyloudnorm(speech: np.ndarray, block: int) -> None:
    meter = LoudnessMeter(SPEECH_RATE)
    for part in blocks_of(speech, block):
        meter.add(part)
    expected = pyloudnorm.Meter(SPEECH_RATE).integrated_loudness(speech.astype(np.float64))
    assert meter.integrated() == pytest.approx(expected, abs=0.05)
    assert meter.integrated() < -10.0


def test_streaming_loudness_of_silence_is_minus_infinity() -> None:
    meter = LoudnessMeter(SPEECH_RATE)
    meter.add(np.zeros(SPEECH_RATE, dtype=np.float32))
    assert meter.integrated() == float("-inf")


@pytest.mark.parametrize("chunk", [32 * 1000, 1 << 16, 1 << 20])
def test_the_block_wise_limiter_equals_the_one_shot_limiter(speech: np.ndarray, chunk: int) -> None:
    gain, ceiling = 4.0, 0.7
    whole = limit(speech, gain, ceiling, SPEECH_RATE)
    read = lambda a, b: speech[max(0, a) : max(0, b)]  # noqa: E731
    parts = list(limit_blocks(read, speech.size, gain, ceiling, SPEECH_RATE, chunk))
    assert len(parts) == -(-speech.size // chunk)
    streamed = np.concatenate(parts)
    assert streamed.size == speech.size
    assert np.abs(streamed - whole).max() <= 1e-6
    assert np.abs(whole).max() < np.abs(speech * gain).max() * 0.9  # it did limit


def test_the_block_wise_limiter_holds_peaks_that_fall_between_samples() -> None:
    # A quarter-rate tone sampled 45 degrees off its crests: every sample is at 0.71 of
    # the crest, so only oversampling sees that it reaches 0.8, over the 0.7 ceiling.
    n = np.arange(SPEECH_RATE)
    tone = (0.8 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)
    tone[: SPEECH_RATE // 2] *= np.float32(0.1)  # the quiet half is bounded, never oversampled
    assert np.abs(tone).max() < 0.6
    read = lambda a, b: tone[max(0, a) : max(0, b)]  # noqa: E731
    limited = np.concatenate(list(limit_blocks(read, tone.size, 1.0, 0.7, SPEECH_RATE, 1 << 12)))
    assert float(block_true_peaks(limited, 1 << 20).max()) <= 0.7 * 1.0001
    assert np.array_equal(limited[: SPEECH_RATE // 4], tone[: SPEECH_RATE // 4])


def test_the_true_peak_meter_equals_the_one_shot_true_peak(speech: np.ndarray) -> None:
    meter = TruePeakMeter()
    for part in blocks_of(speech * np.float32(3.0), 10_001):
        meter.add(part)
    expected = block_true_peaks(speech * np.float32(3.0), 1 << 20).max()
    assert meter.finish() == pytest.approx(float(expected), rel=1e-6)


def test_the_spool_reads_back_what_was_written(tmp_path: Path) -> None:
    x = np.linspace(-1, 1, 10_000, dtype=np.float32)
    with PcmSpool(SPEECH_RATE, tmp_path) as pcm:
        for part in blocks_of(x, 777):
            pcm.append(part)
        assert len(pcm) == x.size and list(tmp_path.iterdir()) == []
        assert np.array_equal(np.concatenate(list(pcm.blocks(4096))), x)
        assert np.array_equal(pcm.read(-5, 20), x[:20])
        assert pcm.read(9_990, 20_000).size == 10


def test_the_assembler_holds_one_segment_at_a_time(
    spoken: list[SpokenSegment], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every piece goes to the spool as it comes: nothing longer than a segment or a pause
    is ever handed over, and the spool holds the whole episode."""
    appended: list[tuple[PcmSpool, int]] = []
    real = PcmSpool.append

    def counted(self: PcmSpool, samples: np.ndarray) -> None:
        appended.append((self, len(samples)))
        real(self, samples)

    monkeypatch.setattr(PcmSpool, "append", counted)
    many = spoken * 25
    with assemble(iter(many), ["A"]) as episode:
        sizes = [size for spool, size in appended if spool is episode.pcm]
        longest = max(s.audio.samples.size for s in spoken)
        assert max(sizes) <= max(longest, SPEECH_RATE)
        assert len(episode.pcm) == sum(sizes) > 20 * longest
        assert episode.timings[-1].end * SPEECH_RATE < len(episode.pcm)


def _decoded_samples(path: Path) -> int:
    done = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"],
        capture_output=True,
        check=True,
    )
    return len(done.stdout) // 4


@pytest.mark.slow
def test_a_streamed_encode_decodes_to_every_sample_at_the_target(
    speech: np.ndarray, tmp_path: Path
) -> None:
    mastering = resolve_profile("espeak").mastering
    mp3 = tmp_path / "long.mp3"
    with PcmSpool(SPEECH_RATE) as pcm:
        for part in blocks_of(speech, 100_000):
            pcm.append(part)
        loudness = encode_episode(pcm, mp3, mastering)
        assert _decoded_samples(mp3) == len(pcm) * SAMPLE_RATE // SPEECH_RATE  # 44.1 kHz
    assert loudness.integrated_lufs == pytest.approx(mastering.loudness, abs=0.3)
    assert loudness.true_peak_dbtp <= mastering.true_peak


def _spooled(x: np.ndarray) -> PcmSpool:
    pcm = PcmSpool(SPEECH_RATE)
    for part in blocks_of(x, 100_003):
        pcm.append(part)
    return pcm


def test_measuring_as_the_spool_is_written_finds_what_one_pass_over_it_finds(
    speech: np.ndarray,
) -> None:
    """The assembler measures each piece as it appends it (pieces of any length, pauses
    as short as a few samples); the figures are those of one pass over the finished spool,
    to single precision (the K-weighting's products are float32, split where the pieces are)."""
    rng = np.random.default_rng(7)
    cuts = np.sort(rng.choice(speech.size, size=300, replace=False))
    with PcmSpool(SPEECH_RATE) as pcm:
        analyser = Analyser(pcm)
        for piece in np.split(speech, cuts):
            pcm.append(piece)
            analyser.add(piece)
        with analyser.levels() as live, analyse(pcm) as after:
            quarters = after.meter.quarters()
            assert np.allclose(
                live.meter.quarters(), quarters, rtol=1e-5, atol=quarters.max() * 1e-7
            )
            assert live.meter.samples == after.meter.samples == speech.size
            size = -(-speech.size // GAIN_BLOCK)
            assert len(live.energies) == len(after.energies) == size
            energies = after.energies.read(0, size)
            assert np.allclose(live.energies.read(0, size), energies, atol=energies.max() * 1e-6)
            assert len(live.sample_peaks) == len(after.sample_peaks) == size
            assert np.array_equal(live.sample_peaks.read(0, size), after.sample_peaks.read(0, size))
            assert live.loudness == pytest.approx(after.loudness, abs=1e-5)


def test_one_analysis_pass_measures_loudness_as_pyloudnorm(speech: np.ndarray) -> None:
    with _spooled(speech) as pcm, analyse(pcm) as levels:
        expected = pyloudnorm.Meter(SPEECH_RATE).integrated_loudness(speech.astype(np.float64))
        assert levels.loudness == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize("threshold", [0.05, 0.3])
def test_true_peaks_are_exact_wherever_they_could_reach_the_threshold(
    speech: np.ndarray, threshold: float
) -> None:
    loud = speech * np.float32(2.5)
    exact = block_true_peaks(loud, GAIN_BLOCK)
    with _spooled(loud) as pcm, analyse(pcm) as levels:
        found = levels.true_peaks(threshold).read(0, exact.size + 1)
    assert found.size == exact.size
    near = exact > threshold
    assert 0 < near.sum() < near.size  # some blocks measured, some only bounded
    assert np.allclose(found[near], exact[near], rtol=1e-5, atol=1e-7)
    assert np.all(found >= exact - 1e-6)  # elsewhere a bound, never under the true peak
    assert np.all(found[~near] <= PEAK_BOUND * np.abs(loud).max())


@pytest.mark.parametrize(("gain", "ceiling"), [(1.0, 0.9), (4.0, 0.7), (8.0, 0.5)])
def test_the_predicted_limited_loudness_is_what_the_limiter_gives(
    speech: np.ndarray, gain: float, ceiling: float
) -> None:
    """Mastering never limits the PCM to learn its loudness: the prediction from the block
    figures is checked here against limiting it and measuring the result."""
    with _spooled(speech) as pcm, analyse(pcm) as levels:
        predicted, top = levels.limited_loudness(gain, ceiling)
        limited = list(limit_blocks(pcm.read, len(pcm), gain, ceiling, SPEECH_RATE))
        with_peaks = list(
            limit_blocks(pcm.read, len(pcm), gain, ceiling, SPEECH_RATE, peaks=levels.peaks.read)
        )
    y = np.concatenate(limited)
    assert np.array_equal(np.concatenate(with_peaks), y)  # the measured peaks limit the same
    meter = LoudnessMeter(SPEECH_RATE)
    meter.add(y)
    # within 0.03 LU even when 8x gain is limited to 0.5 (a block is 1.5 ms at 22.05 kHz)
    assert predicted == pytest.approx(meter.integrated(), abs=0.04)
    true_peak = float(block_true_peaks(y, 1 << 20).max())
    assert true_peak * 0.999 <= top <= ceiling * 1.001  # never under, and limited to the ceiling
    if gain > 1.0:
        assert top == pytest.approx(true_peak, rel=0.01)


@pytest.mark.parametrize("target", [-19.0, -16.0, -14.0])
def test_mastering_reaches_a_loud_target_through_the_limiter(
    speech: np.ndarray, target: float, caplog: pytest.LogCaptureFixture
) -> None:
    """espeak-ng's peaks sit far above its loudness: at -16 and -14 LUFS most of each extra dB
    is limited away, and the plan must still land on the target, without a warning."""
    with _spooled(speech) as pcm, analyse(pcm) as levels:
        plan = plan_mastering(levels, target, -1.0)
        assert plan.gain is not None
        reached, top = levels.limited_loudness(plan.gain, plan.ceiling)
        y = np.concatenate(list(limit_blocks(pcm.read, len(pcm), plan.gain, plan.ceiling,
                                             SPEECH_RATE)))  # fmt: skip
    meter = LoudnessMeter(SPEECH_RATE)
    meter.add(y * np.float32(plan.scale))
    assert reached == pytest.approx(target, abs=0.05)
    assert meter.integrated() == pytest.approx(target, abs=0.1)
    assert top * plan.scale <= plan.ceiling * 1.001
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_target_out_of_the_limiters_reach_is_planned_short(speech: np.ndarray) -> None:
    with _spooled(speech) as pcm, analyse(pcm) as levels:
        plan = plan_mastering(levels, -8.0, -1.0)
        reached, _ = levels.limited_loudness(plan.gain or 0.0, plan.ceiling)
        natural = levels.loudness
        assert not plan_mastering(levels, -19.0, -1.0).short
    assert plan.short and reached < -8.0 - 0.05
    # never more than 15 dB past the gain that would reach -8 LUFS without a limiter
    assert 20.0 * np.log10(plan.gain or 0.0) <= -8.0 - natural + 15.0 + 1e-9


def test_the_mp3_measured_while_it_is_encoded_measures_as_the_file(
    speech: np.ndarray, tmp_path: Path
) -> None:
    folder = tmp_path / "a [b] c|d: e's=f, g;h"
    folder.mkdir()
    mp3 = folder / "episode.mp3"
    halved = blocks_of(speech * np.float32(0.5), 65_536)
    loudness = encode_measured(halved, mp3, "64k", SPEECH_RATE)
    after = measure_file(mp3)
    # the piped copy has no gapless header: the meter skips the encoder's delay and padding
    assert loudness.true_peak_dbtp == after.true_peak_dbtp
    assert loudness.integrated_lufs == pytest.approx(after.integrated_lufs, abs=0.011)
    assert loudness.loudness_range_lu == pytest.approx(after.loudness_range_lu, abs=0.011)
    # the file kept its gapless header, and the encoder resampled to 44.1 kHz
    assert _decoded_samples(mp3) == speech.size * SAMPLE_RATE // SPEECH_RATE


@pytest.mark.parametrize("width", [GAIN_BLOCK, 4 * GAIN_BLOCK])
@pytest.mark.parametrize("count", [1001, 10_001])  # the second folds in pieces of 4,096 rows
def test_folding_rows_equals_numpys_reduction_and_ignores_a_rows_place(
    width: int, count: int
) -> None:
    rng = np.random.default_rng(3)
    rows = rng.standard_normal((count, width)).astype(np.float32)
    assert np.array_equal(fold_rows(rows, np.maximum), rows.max(axis=1))
    sums = fold_rows(rows, np.add)
    assert sums.dtype == np.float32 and sums.shape == (count,)
    assert np.allclose(sums, rows.sum(axis=1, dtype=np.float64), atol=1e-4)
    cut = count // 2 - 3
    shifted = fold_rows(np.concatenate((rows[cut:], rows[:cut])), np.add)
    assert np.array_equal(np.concatenate((sums[cut:], sums[:cut])), shifted)


@pytest.mark.parametrize("few", [1, 7, 300, 4099])
def test_a_picked_blocks_true_peak_does_not_depend_on_the_other_blocks_picked(few: int) -> None:
    """The limiter measures the blocks it picks, the analysis others; the same block must give
    the same peak to the last bit either way, or the two limit differently."""
    rng = np.random.default_rng(5)
    size = 40_000 * GAIN_BLOCK
    x = np.pad(rng.standard_normal(size).astype(np.float32), REACH)
    many = np.sort(rng.choice(size // GAIN_BLOCK, 20_000, replace=False))
    peaks = picked_true_peaks(x, many, size)
    some = np.sort(rng.choice(many.size, few, replace=False))
    assert np.array_equal(picked_true_peaks(x, many[some], size), peaks[some])
    exact = block_true_peaks(x[REACH : REACH + size], GAIN_BLOCK)[many]
    assert np.allclose(peaks, exact, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("moving", [0, 1, 17, 500])
def test_the_gain_is_applied_as_the_ramp_between_knots_gives_it(moving: int) -> None:
    """Blocks whose knots are equal take the quick way; every sample must come out as the
    linear ramp between the knots, rounded to float32, gives it, to the last bit."""
    rng = np.random.default_rng(moving)
    size = 500 * GAIN_BLOCK - 11  # the last block is short
    x = rng.standard_normal(size).astype(np.float32)
    knots = np.ones(501)
    knots[100:180] = 0.7  # held below 1 for a while
    changed = rng.choice(500, moving, replace=False)
    knots[changed] = rng.uniform(0.2, 1.0, moving)
    ramp = np.arange(GAIN_BLOCK) / GAIN_BLOCK
    curve = (knots[:-1, None] + np.diff(knots)[:, None] * ramp).astype(np.float32).ravel()
    expected = curve[:size] * np.float32(0.8) * x
    got = _applied(knots, x, 0.8)
    assert got.dtype == np.float32
    assert np.array_equal(got, expected)
