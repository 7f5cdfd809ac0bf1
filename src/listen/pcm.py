"""Sample-level operations on mono PCM: cut an engine's silence, change the sample rate.

Pure functions on :class:`~listen.models.Audio` (mono float32); :mod:`listen.speak` applies
both to every segment, :mod:`listen.master` resamples what it encodes.
"""

from __future__ import annotations

import math

import numpy as np

from listen.models import Audio

__all__ = ["resample", "trim_silence"]

_RMS_WINDOW_S = 0.010
_MERGE_GAP_S = 0.080
"""Sound separated by less than this silence belongs to the same utterance."""
_MIN_SPEECH_S = 0.040
"""An utterance has at least this much sound above the threshold: a click has far less."""
_SPEECH_RANGE_DB = 25.0
"""An utterance peaks within this range of the loudest sound: a breath stays below it."""


def trim_silence(audio: Audio, threshold_db: float = -45.0, pad_ms: int = 20) -> Audio:
    """Cut leading and trailing silence, keeping ``pad_ms`` of it each side of the speech.

    Sound is measured as RMS over 10 ms windows (compared as power: no logarithm per sample).
    Speech starts at the first utterance (a run of sound at least 40 ms long, gaps under 80 ms
    bridged, peaking within 25 dB of the loudest window), so an isolated click or a quiet
    breath before it is trimmed too. Returns zero samples when nothing in ``audio`` reaches
    ``threshold_db``.
    """
    x = audio.samples
    rate = audio.sample_rate
    if x.size == 0:
        return audio
    power = _moving_power(x, max(1, round(_RMS_WINDOW_S * rate)))
    span = _speech_span(power, 10.0 ** (threshold_db / 10.0), rate)
    if span is None:
        return Audio(x[:0].copy(), rate)
    pad = round(pad_ms * rate / 1000)
    start, end = max(0, span[0] - pad), min(x.size, span[1] + pad)
    return Audio(x[start:end].copy(), rate)


def _moving_power(x: np.ndarray, window: int) -> np.ndarray:
    """Mean square of a window centred on each sample (zeros beyond the ends), at least
    1e-20 (-200 dBFS); levels are compared as powers, so no logarithm is taken per sample."""
    half = window // 2
    squares = np.zeros(1 + half + x.size + window - half)
    np.square(x, out=squares[1 + half : 1 + half + x.size], dtype=np.float64)
    power = np.cumsum(squares, out=squares)  # the zeros each side make the ends' windows short
    return np.maximum((power[window : window + x.size] - power[: x.size]) / window, 1e-20)


def _speech_span(power: np.ndarray, threshold: float, rate: int) -> tuple[int, int] | None:
    """First and last sample (end exclusive) of the utterances in a power curve, if any."""
    active = np.concatenate(([False], power > threshold, [False]))
    edges = np.flatnonzero(np.diff(active.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    if starts.size == 0:
        return None
    breaks = np.flatnonzero(starts[1:] - ends[:-1] > _MERGE_GAP_S * rate) + 1
    utterances = []
    for group in np.split(np.arange(starts.size), breaks):
        first, last = int(starts[group[0]]), int(ends[group[-1]])
        if np.sum(ends[group] - starts[group]) >= _MIN_SPEECH_S * rate:
            utterances.append((first, last, float(power[first:last].max())))
    if not utterances:
        return None
    floor = max(u[2] for u in utterances) * 10.0 ** (-_SPEECH_RANGE_DB / 10.0)
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
    from scipy.signal import resample_poly  # most of a second to import; seldom needed

    common = math.gcd(rate, audio.sample_rate)
    x = np.asarray(audio.samples, dtype=np.float32)
    y = resample_poly(x, rate // common, audio.sample_rate // common)
    return Audio(y.astype(np.float32, copy=False), rate)
