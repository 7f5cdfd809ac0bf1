"""Mastering on real signals: tones, bursts, clicks, a speech-like voice, a real MP3 encode."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from listen.errors import AudioError
from listen.ffmpeg import ffmpeg_exe, run_ffmpeg
from listen.master import (
    load_audio_file,
    master,
    measure,
    measure_file,
    next_gain,
    next_margin,
    on_target,
)
from listen.models import Audio, Loudness, Mastering
from listen.pcm import resample, trim_silence

RATE = 44100


def tone(seconds: float, freq: float = 440.0, db: float = -12.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (10 ** (db / 20) * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds: float, rate: int = RATE) -> np.ndarray:
    return np.zeros(round(seconds * rate), dtype=np.float32)


def noise(seconds: float, rms_db: float, seed: int = 0, rate: int = RATE) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (10 ** (rms_db / 20) * rng.standard_normal(round(seconds * rate))).astype(np.float32)


def voice(seconds: float = 12.0, rate: int = RATE, seed: int = 7) -> Audio:
    """Syllables of a 130 Hz voice (30 harmonics, random phases) with pauses between words,
    plus a few plosive bursts that take the true peak above 0 dBTP, as raw TTS output does."""
    rng = np.random.default_rng(seed)
    n = round(seconds * rate)
    t = np.arange(n) / rate
    f0 = 130 * (1 + 0.08 * np.sin(2 * np.pi * 0.6 * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    k = np.arange(1, 31)
    weights = 1 / k * (1 + 2 * np.exp(-(((k * 130 - 700) / 300) ** 2)))
    offsets = rng.uniform(0, 2 * np.pi, k.size)
    x = np.zeros(n)
    for weight, harmonic, offset in zip(weights, k, offsets, strict=True):
        x += weight * np.sin(harmonic * phase + offset)
    envelope = np.zeros(n)
    pos = 0
    while pos < n - rate // 2:
        length = round(rng.uniform(0.12, 0.28) * rate)
        envelope[pos : pos + length] = np.hanning(length) ** 0.5 * rng.uniform(0.4, 1.0)
        pos += length + round((0.03 if rng.random() < 0.75 else rng.uniform(0.25, 0.6)) * rate)
    x *= envelope
    for start in rng.integers(rate, n - rate, 6):
        x[start : start + 200] += rng.standard_normal(200) * 3 * np.hanning(200)
    x *= 1.2 / np.abs(x).max()
    return Audio(x.astype(np.float32), rate)


# trim_silence


def test_trim_keeps_the_tone_and_removes_the_silence() -> None:
    body = tone(1.0)
    audio = Audio(np.concatenate([silence(0.5), body, silence(0.7)]), RATE)
    trimmed = trim_silence(audio, pad_ms=20)
    assert trimmed.duration == pytest.approx(1.0 + 2 * 0.020, abs=0.012)
    energy = float(np.sum(np.square(body, dtype=np.float64)))
    assert float(np.sum(np.square(trimmed.samples, dtype=np.float64))) == pytest.approx(energy)


def test_trim_without_pad_stays_within_a_few_ms_of_the_tone() -> None:
    audio = Audio(np.concatenate([silence(0.3), tone(0.8), silence(0.3)]), RATE)
    assert trim_silence(audio, pad_ms=0).duration == pytest.approx(0.8, abs=0.011)


def test_trim_is_not_stopped_by_a_click_in_the_leading_silence() -> None:
    lead = silence(0.5)
    lead[round(0.1 * RATE)] = 0.8
    audio = Audio(np.concatenate([lead, tone(1.0), silence(0.2)]), RATE)
    assert trim_silence(audio).duration == pytest.approx(1.04, abs=0.012)


def test_trim_is_not_stopped_by_a_quiet_breath_before_the_first_word() -> None:
    lead = np.concatenate([silence(0.1), noise(0.2, -40.0), silence(0.3)])
    audio = Audio(np.concatenate([lead, tone(1.0, db=-6.0), silence(0.2)]), RATE)
    assert trim_silence(audio).duration == pytest.approx(1.04, abs=0.012)


def test_trim_keeps_quiet_speech_after_a_loud_click() -> None:
    lead = silence(0.5)
    lead[round(0.2 * RATE) : round(0.203 * RATE)] = 0.9
    audio = Audio(np.concatenate([lead, tone(1.0, db=-36.0), silence(0.2)]), RATE)
    assert trim_silence(audio).duration == pytest.approx(1.04, abs=0.012)


def test_trim_keeps_a_soft_consonant_that_runs_into_the_vowel() -> None:
    audio = Audio(np.concatenate([silence(0.4), noise(0.08, -30.0), tone(1.0), silence(0.4)]), RATE)
    assert trim_silence(audio).duration == pytest.approx(1.08 + 0.04, abs=0.012)


@pytest.mark.parametrize(
    "samples",
    [silence(1.0), noise(1.0, -60.0), np.zeros(0, dtype=np.float32)],
    ids=["digital-silence", "noise-floor", "empty"],
)
def test_trim_of_nothing_but_silence_is_empty(samples: np.ndarray) -> None:
    trimmed = trim_silence(Audio(samples, RATE))
    assert trimmed.samples.size == 0
    assert trimmed.sample_rate == RATE


# resample


def test_resample_22050_to_44100_doubles_the_sample_count_exactly() -> None:
    audio = Audio(tone(1.2345, freq=1000.0, rate=22050), 22050)
    out = resample(audio, 44100)
    assert out.samples.size == 2 * audio.samples.size
    assert out.samples.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(out.samples))
    assert np.fft.rfftfreq(out.samples.size, 1 / 44100)[spectrum.argmax()] == pytest.approx(
        1000.0, abs=1.0
    )
    assert np.abs(out.samples[1000:-1000]).max() == pytest.approx(10 ** (-12 / 20), rel=0.01)


def test_resample_16000_to_44100_uses_the_exact_ratio() -> None:
    audio = Audio(tone(1.0, rate=16000), 16000)
    assert resample(audio, 44100).samples.size == 44100


def test_resample_to_the_same_rate_changes_nothing() -> None:
    audio = Audio(tone(0.5), RATE)
    assert resample(audio, RATE).samples is audio.samples


# measure


def test_measure_a_997_hz_tone_as_bs1770_defines_it() -> None:
    loudness = measure(Audio(tone(5.0, freq=997.0, db=-20.0), RATE))
    assert loudness.integrated_lufs == pytest.approx(-23.01, abs=0.1)
    assert loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.05)


def test_measure_finds_a_true_peak_between_samples() -> None:
    """A quarter-rate sine sampled 45 degrees off its crests: samples at 0.92, peak at 1.3."""
    n = np.arange(RATE * 2)
    x = 1.3 * np.sin(np.pi / 2 * n + np.pi / 4)
    fade = np.hanning(8820)
    x[:4410] *= fade[:4410]
    x[-4410:] *= fade[4410:]
    assert np.abs(x).max() < 1.0
    loudness = measure(Audio(x.astype(np.float32), RATE))
    assert loudness.true_peak_dbtp == pytest.approx(20 * math.log10(1.3), abs=0.1)


def test_measure_refuses_audio_shorter_than_a_gating_block() -> None:
    with pytest.raises(AudioError, match=r"needs more than 0\.4 s"):
        measure(Audio(tone(0.3), RATE))


# master


@pytest.mark.parametrize("target", [-16.0, -19.0, -23.0])
def test_master_reaches_the_target_under_the_ceiling(target: float) -> None:
    raw = voice()
    before = measure(raw)
    assert before.true_peak_dbtp > 0.0
    mastered = master(raw, target_lufs=target, ceiling_dbtp=-1.0)
    after = measure(mastered)
    assert after.integrated_lufs == pytest.approx(target, abs=0.3)
    assert after.true_peak_dbtp <= -1.5 + 1e-3
    assert mastered.samples.size == raw.samples.size
    assert mastered.samples.dtype == np.float32


def test_master_moves_nothing_in_time() -> None:
    raw = voice(6.0)
    mastered = master(raw)
    x, y = raw.samples.astype(np.float64), mastered.samples.astype(np.float64)
    lags = range(-40, 41)
    correlation = [np.dot(x[40:-40], np.roll(y, lag)[40:-40]) for lag in lags]
    assert list(lags)[int(np.argmax(correlation))] == 0


def test_the_limiter_gain_moves_smoothly() -> None:
    """A steady tone with a loud 50 ms burst: the gain dips and recovers without a step."""
    x = np.concatenate([tone(1.5, db=-20.0), tone(0.05, db=-3.0), tone(1.5, db=-20.0)])
    mastered = master(Audio(x, RATE), target_lufs=-16.0)
    assert measure(mastered).true_peak_dbtp <= -1.5 + 1e-3
    usable = np.flatnonzero(np.abs(x) > 0.05)
    gain = mastered.samples[usable].astype(np.float64) / x[usable]
    assert gain.min() < 0.7 * gain.max()
    per_sample = np.abs(np.diff(gain)) / np.diff(usable)
    assert per_sample.max() < 0.005 * gain.max()


def test_master_leaves_silence_alone() -> None:
    audio = Audio(silence(2.0), RATE)
    assert master(audio).samples is audio.samples


def test_master_encoded_to_mp3_measures_in_range_with_ffmpeg(tmp_path: Path) -> None:
    mastered = master(voice(), target_lufs=-19.0, ceiling_dbtp=-1.0)
    mp3 = tmp_path / "episode.mp3"
    args = ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "-"]
    encode = ["-c:a", "libmp3lame", "-b:a", "64k", "-ar", str(RATE), "-ac", "1", str(mp3)]
    run_ffmpeg([*args, *encode], "encode a test MP3", stdin=mastered.samples.tobytes())
    loudness = measure_file(mp3)
    assert loudness.integrated_lufs == pytest.approx(-19.0, abs=1.0)
    assert loudness.true_peak_dbtp <= -1.0
    assert loudness.loudness_range_lu > 0.0


@pytest.mark.parametrize("db", [-12.0, 0.0])
def test_the_true_peak_of_a_file_agrees_with_ffmpegs_own_true_peak(
    tmp_path: Path, db: float
) -> None:
    # listen oversamples the decoded MP3 itself, only where a peak could be; ffmpeg's
    # ebur128 oversamples everything, with its own resampler: the two agree within 0.2 dB.
    loud = master(voice(), target_lufs=-14.0, ceiling_dbtp=db, margin_db=0.0)
    mp3 = tmp_path / "loud.mp3"
    args = ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "-", "-b:a", "64k", str(mp3)]
    run_ffmpeg(args, "encode a test MP3", stdin=loud.samples.tobytes())
    theirs = run_ffmpeg(
        ["-nostats", "-i", str(mp3), "-af", "ebur128=peak=true", "-f", "null", "-"], "measure"
    ).stderr.decode()
    their_peak = float(theirs.rpartition("True peak:")[2].split("Peak:")[1].split()[0])
    assert measure_file(mp3).true_peak_dbtp == pytest.approx(their_peak, abs=0.2)


def test_measure_file_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"gone\.mp3': no such file"):
        measure_file(tmp_path / "gone.mp3")


# load_audio_file


def write_wav(path: Path, channels: list[np.ndarray], rate: int) -> None:
    frames = np.stack(channels, axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(len(channels))
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((frames * 32767).astype("<i2").tobytes())


def test_load_audio_file_mixes_to_mono_resamples_and_fades(tmp_path: Path) -> None:
    intro = tmp_path / "intro.wav"
    write_wav(intro, [tone(2.0, db=-6.0, rate=48000), tone(2.0, db=-6.0, rate=48000)], 48000)
    audio = load_audio_file(intro, RATE, fade_in_ms=500, fade_out_ms=500)
    assert audio.sample_rate == RATE
    assert audio.samples.dtype == np.float32
    assert audio.samples.ndim == 1
    assert audio.duration == pytest.approx(2.0, abs=0.002)
    level = 10 ** (-6 / 20)
    middle = audio.samples[round(0.8 * RATE) : round(1.2 * RATE)]
    assert np.abs(middle).max() == pytest.approx(level, rel=0.05)
    assert np.abs(audio.samples[:220]).max() < 0.01 * level
    assert np.abs(audio.samples[-220:]).max() < 0.01 * level


def test_load_audio_file_that_does_not_exist_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match=r"intro\.ogg': no such file; check intro and outro"):
        load_audio_file(tmp_path / "intro.ogg", RATE)


def test_load_audio_file_that_is_not_audio_is_an_audio_error(tmp_path: Path) -> None:
    fake = tmp_path / "intro.mp3"
    fake.write_text("this is not an MP3\n")
    with pytest.raises(AudioError, match=r"intro\.mp3"):
        load_audio_file(fake, RATE)


def test_ffmpeg_exe_is_a_working_ffmpeg() -> None:
    assert Path(ffmpeg_exe()).is_file()
    encoders = run_ffmpeg(["-encoders"], "list encoders").stdout.decode()
    assert "libmp3lame" in encoders


# the gain search


def test_the_first_step_takes_the_whole_error() -> None:
    assert next_gain([(3.0, -20.0)], -19.0) == pytest.approx(4.0)


def test_a_secant_step_allows_for_what_the_limiter_takes_back() -> None:
    # 2 dB more gain gave 0.5 LU: 1 LU more needs 4 dB more
    assert next_gain([(3.0, -18.0), (5.0, -17.5)], -16.5) == pytest.approx(9.0)


def test_a_slope_over_one_is_taken_as_one() -> None:
    assert next_gain([(0.0, -20.0), (1.0, -18.0)], -17.0) == pytest.approx(2.0)


def test_the_search_ends_where_a_db_buys_less_than_a_tenth_of_a_lu() -> None:
    assert next_gain([(0.0, -20.0), (1.0, -19.85)], -19.0) == pytest.approx(1.0 + 0.85 / 0.15)
    assert next_gain([(0.0, -20.0), (1.0, -19.95)], -19.0) is None
    assert next_gain([(0.0, -20.0), (1.0, -20.5)], -19.5) is None


def test_one_step_moves_the_gain_at_most_12_db() -> None:
    assert next_gain([(0.0, -20.0), (1.0, -19.8)], -14.0) == pytest.approx(13.0)
    assert next_gain([(0.0, -10.0)], -40.0) == pytest.approx(-12.0)


def test_the_gain_stops_at_its_most() -> None:
    assert next_gain([(0.0, -20.0)], -15.0, most_db=3.0) == pytest.approx(3.0)
    assert next_gain([(0.0, -20.0), (3.0, -18.0)], -15.0, most_db=3.0) is None
    assert next_gain([(0.0, -20.0), (3.0, -14.0)], -15.0, most_db=3.0) == pytest.approx(2.0)


@pytest.mark.parametrize("target", [-16.0, -14.0])
def test_master_reaches_a_loud_target_on_a_peaky_voice(target: float) -> None:
    raw = voice()
    mastered = master(raw, target_lufs=target, ceiling_dbtp=-1.0)
    after = measure(mastered)
    assert after.integrated_lufs == pytest.approx(target, abs=0.05)
    assert after.true_peak_dbtp <= -1.5 + 1e-3


# the encoded file


def _encoded(lufs: float, dbtp: float) -> Loudness:
    return Loudness(integrated_lufs=lufs, true_peak_dbtp=dbtp)


def test_an_mp3_over_the_ceiling_is_off_target_however_loud() -> None:
    mastering = Mastering(loudness=-16.0, true_peak=-1.0)
    assert on_target(_encoded(-16.1, -1.0), mastering)
    assert not on_target(_encoded(-16.0, -0.7), mastering)
    assert not on_target(_encoded(-16.4, -1.5), mastering)
    assert on_target(_encoded(-math.inf, -math.inf), mastering)  # silence


def test_the_margin_widens_by_the_overshoot_and_a_little_more() -> None:
    mastering = Mastering(loudness=-14.0, true_peak=-1.0)
    assert next_margin(1.0, _encoded(-14.0, 0.6), mastering) == pytest.approx(1.0 + 1.6 + 0.3)
    assert next_margin(1.0, _encoded(-14.5, -1.2), mastering) == 1.0
