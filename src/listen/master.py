"""Mastering: trim, resample, measure and limit mono speech so every episode sounds even.

Everything here is a pure function on :class:`~listen.models.Audio` (mono float32), except
:func:`load_audio_file` and :func:`measure_file`, which run ffmpeg on a file.

Loudness follows ITU-R BS.1770: integrated loudness through pyloudnorm, true peak by 4x
oversampling. :func:`master` brings speech to a loudness target and then holds its true peak
under a ceiling with a look-ahead limiter; it limits to a little below the ceiling it is given
(``margin_db``) because MP3 encoding raises true peaks by a fraction of a dB.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly, upfirdn
from scipy.signal.windows import kaiser

from listen.errors import AudioError
from listen.ffmpeg import run_ffmpeg
from listen.models import Audio, Loudness

__all__ = [
    "ENCODER_MARGIN_DB",
    "load_audio_file",
    "master",
    "measure",
    "measure_file",
    "resample",
    "trim_silence",
]

_LOGGER = logging.getLogger(__name__)

ENCODER_MARGIN_DB = 0.5
"""How far below the requested true-peak ceiling :func:`master` limits, so that the MP3
encoder's overshoot still leaves the encoded file under the ceiling."""

_OVERSAMPLE = 4
"""True-peak oversampling factor (BS.1770-4, Annex 2)."""
_CHUNK = 1 << 20
"""Samples oversampled at a time, so a long episode never needs four copies of itself."""
_MARGIN = 64
"""Context samples each side of a chunk; the interpolation filter spans about ten."""

_RMS_WINDOW_S = 0.010
_MERGE_GAP_S = 0.080
"""Sound separated by less than this silence belongs to the same utterance."""
_MIN_SPEECH_S = 0.040
"""An utterance has at least this much sound above the threshold: a click has far less."""
_SPEECH_RANGE_DB = 25.0
"""An utterance peaks within this range of the loudest sound: a breath stays below it."""

_GAIN_BLOCK = 32
"""Samples per step of the limiter's gain envelope (0.7 ms at 44.1 kHz)."""
_LOOKAHEAD_S = 0.005
_RELEASE_S = 0.080
_LOUDNESS_TOLERANCE_LU = 0.05
_MIN_LOUDNESS_S = 0.4
"""pyloudnorm needs one gating block (400 ms) of audio."""


def trim_silence(audio: Audio, threshold_db: float = -45.0, pad_ms: int = 20) -> Audio:
    """Cut leading and trailing silence, keeping ``pad_ms`` of it each side of the speech.

    Sound is measured as RMS over 10 ms windows. Speech starts at the first utterance (a run
    of sound at least 40 ms long, gaps under 80 ms bridged, peaking within 25 dB of the
    loudest window), so an isolated click or a quiet breath before it is trimmed too.
    Returns zero samples when nothing in ``audio`` reaches ``threshold_db``.
    """
    x = audio.samples
    rate = audio.sample_rate
    if x.size == 0:
        return audio
    level = _moving_rms_db(x, max(1, round(_RMS_WINDOW_S * rate)))
    span = _speech_span(level, threshold_db, rate)
    if span is None:
        return Audio(x[:0].copy(), rate)
    pad = round(pad_ms * rate / 1000)
    start, end = max(0, span[0] - pad), min(x.size, span[1] + pad)
    return Audio(x[start:end].copy(), rate)


def _moving_rms_db(x: np.ndarray, window: int) -> np.ndarray:
    """RMS level in dBFS of a window centred on each sample (zeros beyond the ends)."""
    power = np.concatenate(([0.0], np.cumsum(np.square(x, dtype=np.float64))))
    centre = np.arange(x.size) - window // 2
    lo = np.clip(centre, 0, x.size)
    hi = np.clip(centre + window, 0, x.size)
    mean = np.maximum((power[hi] - power[lo]) / window, 1e-20)
    return 10.0 * np.log10(mean)


def _speech_span(level: np.ndarray, threshold_db: float, rate: int) -> tuple[int, int] | None:
    """First and last sample (end exclusive) of the utterances in a level curve, if any."""
    active = np.concatenate(([False], level > threshold_db, [False]))
    edges = np.flatnonzero(np.diff(active.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    if starts.size == 0:
        return None
    breaks = np.flatnonzero(starts[1:] - ends[:-1] > _MERGE_GAP_S * rate) + 1
    utterances = []
    for group in np.split(np.arange(starts.size), breaks):
        first, last = int(starts[group[0]]), int(ends[group[-1]])
        if np.sum(ends[group] - starts[group]) >= _MIN_SPEECH_S * rate:
            utterances.append((first, last, float(level[first:last].max())))
    if not utterances:
        return None
    floor = max(u[2] for u in utterances) - _SPEECH_RANGE_DB
    kept = [(first, last) for first, last, peak in utterances if peak >= floor]
    return kept[0][0], kept[-1][1]


def resample(audio: Audio, rate: int) -> Audio:
    """Resample to ``rate`` Hz with a polyphase filter at the exact rational ratio.

    22050 Hz to 44100 Hz doubles the sample count exactly; 16000 to 44100 is 441/160.
    """
    if rate <= 0:
        raise ValueError(f"Sample rate must be positive, not {rate}")
    if rate == audio.sample_rate or audio.samples.size == 0:
        return Audio(audio.samples, rate)
    common = math.gcd(rate, audio.sample_rate)
    y = resample_poly(audio.samples.astype(np.float64), rate // common, audio.sample_rate // common)
    return Audio(y.astype(np.float32), rate)


def measure(audio: Audio) -> Loudness:
    """Integrated loudness (LUFS) and true peak (dBTP) of ``audio``.

    Silence measures ``-inf`` for both. ``loudness_range_lu`` is left at 0.0: the loudness
    range of the finished episode comes from :func:`measure_file`.
    """
    x = audio.samples.astype(np.float64)
    return Loudness(
        integrated_lufs=_integrated(x, audio.sample_rate),
        true_peak_dbtp=_db(_true_peak(x)),
    )


def _integrated(x: np.ndarray, rate: int) -> float:
    if x.size <= _MIN_LOUDNESS_S * rate:
        raise AudioError(
            f"Could not measure loudness: the audio lasts {x.size / rate:.2f} s, "
            f"and BS.1770 needs more than {_MIN_LOUDNESS_S} s"
        )
    return float(pyloudnorm.Meter(rate).integrated_loudness(x))


def _db(linear: float) -> float:
    return 20.0 * math.log10(linear) if linear > 0 else float("-inf")


def _true_peak(x: np.ndarray) -> float:
    return float(_block_true_peaks(x, _CHUNK).max(initial=0.0))


def _block_true_peaks(x: np.ndarray, block: int) -> np.ndarray:
    """Largest absolute value, at a sample or between samples, in each ``block`` of ``x``.

    Between-sample values come from 4x oversampling with a 49-tap windowed sinc (flat to
    15 kHz at 44.1 kHz, like the 48-tap filter of BS.1770-4 Annex 2), a chunk at a time with
    context each side so that chunk edges read as they would in one pass. The filter passes
    the original samples through exactly, so the result is never below the sample peak.
    """
    count = -(-x.size // block)
    peaks = np.zeros(count, dtype=np.float32)
    step = block * max(1, _CHUNK // block)
    delay = _INTERPOLATOR.size // 2
    for lo in range(0, x.size, step):
        hi = min(x.size, lo + step)
        a, b = max(0, lo - _MARGIN), min(x.size, hi + _MARGIN)
        fine = upfirdn(_INTERPOLATOR, x[a:b], _OVERSAMPLE)
        start = (lo - a) * _OVERSAMPLE + delay
        fine = np.abs(fine[start : start + (hi - lo) * _OVERSAMPLE])
        blocks = -(-(hi - lo) // block)
        fine = np.pad(fine, (0, blocks * block * _OVERSAMPLE - fine.size))
        peaks[lo // block : lo // block + blocks] = fine.reshape(blocks, -1).max(axis=1)
    return peaks


def _interpolator() -> np.ndarray:
    taps = np.arange(-24, 25)
    return (np.sinc(taps / _OVERSAMPLE) * kaiser(taps.size, 5.0)).astype(np.float32)


_INTERPOLATOR = _interpolator()


def master(
    audio: Audio,
    target_lufs: float = -19.0,
    ceiling_dbtp: float = -1.0,
    margin_db: float = ENCODER_MARGIN_DB,
) -> Audio:
    """Bring ``audio`` to ``target_lufs`` integrated, true peak at most ``ceiling_dbtp``.

    A gain to the target, then a look-ahead true-peak limiter (5 ms attack, 80 ms release)
    holding peaks at ``ceiling_dbtp - margin_db``. The limiter lowers the loudness a little,
    so the gain is corrected and the limiter rerun until the loudness is within 0.05 LU.
    The output has exactly as many samples as the input: nothing moves in time.
    Silence is returned unchanged.
    """
    rate = audio.sample_rate
    x = np.asarray(audio.samples, dtype=np.float32)
    loudness = _integrated(x, rate)
    if not math.isfinite(loudness):
        return audio
    ceiling = 10.0 ** ((ceiling_dbtp - margin_db) / 20.0)
    peaks = _block_true_peaks(x, _GAIN_BLOCK)
    gain_db = target_lufs - loudness
    for _ in range(5):
        y = _limit(x, 10.0 ** (gain_db / 20.0), peaks, ceiling, rate)
        error = target_lufs - _integrated(y, rate)
        if abs(error) <= _LOUDNESS_TOLERANCE_LU:
            break
        gain_db += error
    else:
        _LOGGER.warning(
            "Mastering reached %.2f LUFS, not %.2f: the peaks are too dense to limit further",
            target_lufs - error,
            target_lufs,
        )
    peak = _true_peak(y)
    if peak > ceiling:
        y *= np.float32(ceiling / peak)
    _LOGGER.debug("mastered %.2f LUFS to %.2f LUFS: gain %.2f dB", loudness, target_lufs, gain_db)
    return Audio(y, rate)


def _limit(x: np.ndarray, gain: float, peaks: np.ndarray, ceiling: float, rate: int) -> np.ndarray:
    """``x`` times ``gain``, turned down wherever that would take the true peak over ``ceiling``.

    ``peaks`` holds the true peak of each 32-sample block of ``x``. Per block: the gain each
    block can take, its minimum over the look-ahead (so the gain is already down when the
    peak arrives), a release that lets the gain recover with an 80 ms time constant, and a
    moving average over the look-ahead that turns each drop into a ramp. The average of
    gains that are each at most a block's need is at most that need, so no peak escapes.
    Within a block the gain moves linearly between knots at the block edges, each the lower
    of the two blocks' gains. No audio is delayed, so timing is unchanged.
    """
    need = np.minimum(1.0, ceiling / np.maximum(peaks.astype(np.float64) * gain, 1e-12))
    look = max(1, math.ceil(_LOOKAHEAD_S * rate / _GAIN_BLOCK))
    ahead = np.lib.stride_tricks.sliding_window_view(
        np.pad(need, (0, look - 1), constant_values=1.0), look
    ).min(axis=1)
    released = _release(ahead, math.exp(-_GAIN_BLOCK / (_RELEASE_S * rate)))
    kernel = np.full(look, 1.0 / look)
    smooth = np.convolve(np.pad(released, (look - 1, 0), mode="edge"), kernel, "valid")
    knots = np.concatenate(([smooth[0]], np.minimum(smooth[:-1], smooth[1:]), [smooth[-1]]))
    ramp = np.arange(_GAIN_BLOCK) / _GAIN_BLOCK
    curve = (knots[:-1, None] + np.diff(knots)[:, None] * ramp).astype(np.float32).ravel()
    curve = curve[: x.size]
    curve *= np.float32(gain)
    curve *= x
    return curve


def _release(gain: np.ndarray, coef: float) -> np.ndarray:
    """Follow drops in ``gain`` at once and recoveries exponentially (one step per block)."""
    out = gain.tolist()
    current = out[0]
    for i, target in enumerate(out):
        current = target if target < current else target + (current - target) * coef
        out[i] = current
    return np.asarray(out)


def load_audio_file(path: Path, rate: int, fade_in_ms: int = 0, fade_out_ms: int = 0) -> Audio:
    """Decode an intro or outro (any format ffmpeg reads) to mono float32 at ``rate`` Hz.

    Channels are averaged to mono (ffmpeg first folds surround down to stereo, and a mono
    file comes back as it was); ``fade_in_ms`` and ``fade_out_ms`` apply raised-cosine
    fades at the start and end.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(
            f"Could not open audio file '{path}': no such file; "
            "check the intro_audio or outro_audio path in the voice profile"
        )
    args = ["-v", "error", "-i", str(path), "-vn", "-ac", "2", "-ar", str(rate)]
    done = run_ffmpeg([*args, "-f", "f32le", "-c:a", "pcm_f32le", "-"], f"decode '{path}'")
    stereo = np.nan_to_num(np.frombuffer(done.stdout, dtype="<f4")).reshape(-1, 2)
    samples = stereo.mean(axis=1, dtype=np.float32)
    if samples.size == 0:
        raise AudioError(
            f"Could not decode audio file '{path}': it holds no audio; "
            "use a WAV, MP3, OGG or FLAC file with sound in it"
        )
    return Audio(_fade(samples, rate, fade_in_ms, fade_out_ms), rate)


def _fade(x: np.ndarray, rate: int, fade_in_ms: int, fade_out_ms: int) -> np.ndarray:
    x = x.copy()
    fade_in = min(x.size, round(fade_in_ms * rate / 1000))
    fade_out = min(x.size, round(fade_out_ms * rate / 1000))
    if fade_in:
        x[:fade_in] *= _ramp(fade_in)
    if fade_out:
        x[x.size - fade_out :] *= _ramp(fade_out)[::-1]
    return x


def _ramp(n: int) -> np.ndarray:
    """Raised-cosine rise from 0 towards 1 over ``n`` samples."""
    return (0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)).astype(np.float32)


_NUMBER = r"([-+]?(?:\d+(?:\.\d+)?|inf|nan))"
_SUMMARY = {
    "integrated_lufs": re.compile(rf"\bI:\s+{_NUMBER}\s+LUFS"),
    "loudness_range_lu": re.compile(rf"\bLRA:\s+{_NUMBER}\s+LU\b"),
    "true_peak_dbtp": re.compile(rf"\bPeak:\s+{_NUMBER}\s+dBFS"),
}


def measure_file(path: Path) -> Loudness:
    """Measure an encoded file with ffmpeg's ebur128 filter, true peak on.

    This is the measurement a podcast host makes: it reads what the decoder produces, MP3
    overshoot included.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"Could not measure loudness of '{path}': no such file")
    args = ["-nostats", "-i", str(path), "-map", "0:a:0", "-af", "ebur128=peak=true:framelog=quiet"]
    done = run_ffmpeg([*args, "-f", "null", "-"], f"measure loudness of '{path}'")
    return _parse_summary(done.stderr.decode("utf-8", "replace"), path)


def _parse_summary(log: str, path: Path) -> Loudness:
    summary = log.rpartition("Summary:")[2]
    figures = {}
    for name, pattern in _SUMMARY.items():
        found = pattern.search(summary)
        if found is None:
            raise AudioError(f"Could not measure loudness of '{path}': ffmpeg printed no {name}")
        figures[name] = float(found.group(1))
    return Loudness(**figures)
