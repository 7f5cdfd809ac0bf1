"""The figures of a finished episode, measured on what a decoder hands over.

:class:`DecodedMeter` takes the decoded MP3 as ffmpeg writes it (little-endian float32
bytes, in pieces of any size) and measures the three BS.1770 figures in one pass over it:
integrated loudness and loudness range (:class:`listen.loudness.LoudnessMeter`) and true
peak (:class:`listen.limiter.TruePeakMeter`, 4x oversampled where a peak could be).

An MP3 piped as it is encoded has no gapless header, so its decoder also hands over the
encoder's delay at the start and its padding at the end. :data:`ENCODER_DELAY` says how
many samples to skip, and :meth:`DecodedMeter.finish` how many to keep, so the copy
measures exactly as the file does.

An episode encoded in parts side by side (:mod:`listen.encoder`) is measured a part at a
time, each part's meter on the whole episode's 100 ms grid, and :func:`joined` gives the
figures of the whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from listen.limiter import TruePeakMeter
from listen.loudness import LoudnessMeter, gated_loudness, loudness_range
from listen.models import SAMPLE_RATE, Loudness

__all__ = ["ENCODER_DELAY", "DecodedMeter", "joined", "to_db"]

ENCODER_DELAY = 1105
"""Samples that ffmpeg's decoder hands over ahead of the audio of an MP3 from libmp3lame
with no gapless header (LAME's 576 and the decoder's 529, which the header lets it skip)."""
_PADDING = 4 * 1152
"""More than LAME's end padding: four MP3 frames."""


class DecodedMeter:
    """Feed the decoder's output with :meth:`add`, then :meth:`finish` for the figures.

    ``skip`` samples at the start are not measured; when ``gapless`` is false, the last
    :data:`_PADDING` samples wait until :meth:`finish` says how many of them are audio. A
    part of an episode that starts at its sample ``start`` is measured on the episode's
    100 ms grid (:func:`joined`)."""

    def __init__(
        self, rate: int = SAMPLE_RATE, skip: int = 0, gapless: bool = True, start: int = 0
    ) -> None:
        self._loudness = LoudnessMeter(rate)
        self._peak = TruePeakMeter()
        self._skip = skip
        self._hold = 0 if gapless else _PADDING
        self._held = np.zeros(0, dtype=np.float32)
        self._lead = start % self._loudness.step
        if self._lead:  # the quarter it starts in began before it: silence here
            self._loudness.add(np.zeros(self._lead, dtype=np.float32))

    def add(self, data: bytes) -> None:
        """Measure the next decoded float32 samples, ``data`` a whole number of them."""
        x = np.frombuffer(data, dtype="<f4")
        if self._skip:
            cut = min(self._skip, x.size)
            x, self._skip = x[cut:], self._skip - cut
        if self._hold:
            x = np.concatenate((self._held, x))
            cut = max(0, x.size - self._hold)
            x, self._held = x[:cut], x[cut:]
        self._measure(x)

    def finish(self, samples: int | None = None) -> Loudness:
        """The figures, ``samples`` long in all (the audio the encoder was given, at the
        decoder's rate) when the stream had no gapless header."""
        self.close(samples)
        return joined([self])

    def close(self, samples: int | None = None, span: int | None = None) -> None:
        """Measure what waits: ``samples`` in all as in :meth:`finish`, then silence up to
        ``span`` samples (a part that stops that much short of the next one)."""
        left = self._held.size if samples is None else samples - self.decoded + self._held.size
        if left < 0 or left > self._held.size:
            raise ValueError(f"{samples} samples asked for, {self.decoded} decoded")
        self._measure(self._held[:left])
        self._held = self._held[:0]
        if span is not None and span > self.decoded:
            self._loudness.add(np.zeros(span - self.decoded, dtype=np.float32))

    @property
    def decoded(self) -> int:
        """Samples measured or waiting, the skipped ones not counted."""
        return self._loudness.samples - self._lead + self._held.size

    def _measure(self, x: np.ndarray) -> None:
        if x.size:
            self._loudness.add(x)
            self._peak.add(x)


def joined(meters: Sequence[DecodedMeter]) -> Loudness:
    """The figures of parts measured one after the other, each closed (:meth:`close`) and
    each started on the grid of the parts before it: a part's first quarter shares its
    100 ms with the partial quarter the part before it ended on."""
    pieces: list[np.ndarray] = []
    partial, samples, peak = 0.0, 0, 0.0
    for meter in meters:
        quarters = meter._loudness.quarters()
        quarters[0] += partial
        pieces.append(quarters[:-1])
        partial = float(quarters[-1])
        samples += meter.decoded
        peak = max(peak, meter._peak.finish())
    quarters = np.concatenate([*pieces, [partial]])
    rate = meters[0]._loudness.rate
    return Loudness(
        integrated_lufs=round(gated_loudness(quarters, samples, rate), 2),
        true_peak_dbtp=round(to_db(peak), 2),
        loudness_range_lu=round(loudness_range(quarters, samples, rate), 2),
    )


def to_db(linear: float) -> float:
    """A linear peak in dB (dBFS, dBTP); ``-inf`` for zero."""
    return 20.0 * math.log10(linear) if linear > 0 else float("-inf")
