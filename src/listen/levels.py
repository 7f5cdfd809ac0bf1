"""One pass over an episode's PCM that tells mastering all it needs: loudness and peaks.

:func:`analyse` reads the spool once and keeps, besides the BS.1770 quarter-block energies of
:class:`~listen.loudness.LoudnessMeter`, two figures per 32-sample block of the limiter
(:data:`~listen.limiter.GAIN_BLOCK`): the block's sample peak and its K-weighted energy. Both
go to side files (a few MB an hour), so memory stays flat however long the episode.

:meth:`Levels.true_peaks` then measures the true peak (4x oversampling, the limiter's own
interpolation filter) only of the blocks that could reach the ceiling at the gain mastering
will use: a block's true peak is at most :data:`PEAK_BOUND` times the largest sample within
reach of the filter, and a block under the ceiling at that bound cannot make the limiter act.
:meth:`Levels.limited_loudness` predicts the loudness after limiting from the block energies
and the limiter's gain, so mastering finds its gain without limiting the PCM again and again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from listen.limiter import (
    CHUNK,
    GAIN_BLOCK,
    PEAK_BOUND,
    REACH,
    fold_rows,
    gain_knots,
    picked_true_peaks,
)
from listen.loudness import LoudnessMeter, gated_loudness
from listen.spool import PcmSpool

__all__ = ["PEAK_BOUND", "Analyser", "Levels", "analyse"]

_RAMP = np.arange(GAIN_BLOCK) / GAIN_BLOCK
_SQUARE_RAMP = float(np.mean(_RAMP**2))


@dataclass
class Levels:
    """What :func:`analyse` found in a spool; close it to free the side files."""

    pcm: PcmSpool
    meter: LoudnessMeter
    sample_peaks: PcmSpool
    energies: PcmSpool
    peaks: PcmSpool | None = None
    """True peak per block, exact where it could matter (:meth:`true_peaks`)."""
    _threshold: float = field(default=float("inf"))

    @property
    def loudness(self) -> float:
        """Integrated loudness of the spool, LUFS."""
        return self.meter.integrated()

    def true_peaks(self, threshold: float) -> PcmSpool:
        """Per block, its true peak wherever the bound on it exceeds ``threshold`` (linear),
        else the bound; measured again only when a lower threshold is asked for."""
        if self.peaks is not None and threshold >= self._threshold:
            return self.peaks
        if self.peaks is not None:
            self.peaks.close()
        self.peaks = PcmSpool(self.pcm.sample_rate)
        for lo in range(0, len(self.pcm), CHUNK):
            self.peaks.append(self._chunk_peaks(lo, min(len(self.pcm), lo + CHUNK), threshold))
        self._threshold = threshold
        return self.peaks

    def _chunk_peaks(self, lo: int, hi: int, threshold: float) -> np.ndarray:
        b0, b1 = lo // GAIN_BLOCK, -(-hi // GAIN_BLOCK)
        near = np.pad(self.sample_peaks.read(max(0, b0 - 1), b1 + 1), (b0 == 0, 0))
        near = np.pad(near, (0, b1 - b0 + 2 - near.size))
        bound = PEAK_BOUND * np.maximum(np.maximum(near[:-2], near[1:-1]), near[2:])
        picked = np.flatnonzero(bound > threshold)
        if picked.size:
            bound[picked] = _block_true_peaks(self.pcm, lo, hi, picked)
        return bound

    def limited_loudness(self, gain: float, ceiling: float) -> tuple[float, float]:
        """Loudness (LUFS) and true peak (linear) of the spool times ``gain`` through the
        limiter at ``ceiling``: each block's K-weighted energy scaled by the mean square of
        the limiter's gain over it. The K-weighting filters have memory of a few ms and the
        limiter's gain moves over 5 ms and more, so this is within a few hundredths of a LU
        of measuring the limited PCM (tests check it)."""
        quarters = self.meter.quarters()
        step, top = self.meter.step, 0.0
        for lo, knots, peaks in self._knots(gain, ceiling):
            a, d = knots[:-1], np.diff(knots)
            mean_square = a * a + a * d * _RAMP.mean() * 2 + d * d * _SQUARE_RAMP
            blocks = lo // GAIN_BLOCK + np.arange(a.size)
            lost = (1.0 - mean_square) * self.energies.read(blocks[0], blocks[-1] + 1)
            quarters -= _by_quarter(blocks, lost, step, quarters.size)
            top = max(top, float((peaks[: a.size] * np.maximum(knots[:-1], knots[1:])).max()))
        np.maximum(quarters, 0.0, out=quarters)  # rounding, or a block's energy not even
        loudness = gated_loudness(quarters * gain * gain, self.meter.samples, self.meter.rate)
        return loudness, top * gain

    def _knots(self, gain: float, ceiling: float) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        peaks = self.true_peaks(ceiling / gain)
        steps = gain_knots(self.pcm.read, len(self.pcm), gain, ceiling, self.pcm.sample_rate,
                           CHUNK, peaks.read)  # fmt: skip
        for lo, hi, knots in steps:
            yield lo, knots, peaks.read(lo // GAIN_BLOCK, -(-hi // GAIN_BLOCK))

    def close(self) -> None:
        for spool in (self.sample_peaks, self.energies, self.peaks):
            if spool is not None:
                spool.close()

    def __enter__(self) -> Levels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _by_quarter(blocks: np.ndarray, energy: np.ndarray, step: int, size: int) -> np.ndarray:
    """The energy of each block shared out over the 100 ms quarters it covers, by samples (a
    block straddles two when a quarter's ``step`` is no multiple of 32)."""
    start = blocks * GAIN_BLOCK
    first = start // step
    inside = np.minimum(GAIN_BLOCK, (first + 1) * step - start) / GAIN_BLOCK
    shared = np.bincount(first, energy * inside, size)
    over = inside < 1.0
    shared += np.bincount(first[over] + 1, energy[over] * (1.0 - inside[over]), size + 1)[:size]
    return shared


def analyse(pcm: PcmSpool) -> Levels:
    """Read ``pcm`` once: its loudness, and per 32-sample block its sample peak and
    K-weighted energy (blocks aligned to the spool's start)."""
    levels = _empty(pcm)
    for x in pcm.blocks(CHUNK):
        _measure(levels, x)
    return levels


class Analyser:
    """:func:`analyse` while the spool is written, so the figures are ready when the last
    sample is: hand :meth:`add` every block appended to the spool, in order, then take
    :meth:`levels`. The episode is measured while the engine speaks its next sentence, not
    read back afterwards."""

    _BATCH = 1 << 16
    """Samples gathered before they are measured, so a short pause is not a call of its own."""

    def __init__(self, pcm: PcmSpool) -> None:
        self._levels = _empty(pcm)
        self._pending: list[np.ndarray] = []
        self._size = 0

    def add(self, samples: np.ndarray) -> None:
        """Measure ``samples``, the next ones appended to the spool."""
        self._pending.append(np.asarray(samples, dtype=np.float32))
        self._size += len(samples)
        if self._size >= self._BATCH:
            self._measure(whole_blocks=True)

    def levels(self) -> Levels:
        """The figures of everything added, as :func:`analyse` finds them."""
        self._measure(whole_blocks=False)
        return self._levels

    def close(self) -> None:
        self._levels.close()

    def _measure(self, whole_blocks: bool) -> None:
        x = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        cut = x.size // GAIN_BLOCK * GAIN_BLOCK if whole_blocks else x.size
        if cut:
            _measure(self._levels, x[:cut])
        self._pending = [x[cut:]] if cut < x.size else []
        self._size = x.size - cut


def _empty(pcm: PcmSpool) -> Levels:
    rate = pcm.sample_rate
    return Levels(pcm, LoudnessMeter(rate), PcmSpool(rate), PcmSpool(rate))


def _measure(levels: Levels, x: np.ndarray) -> None:
    """Add the next samples ``x`` (a whole number of blocks, unless they are the last)."""
    squares = levels.meter.add(x)
    levels.energies.append(_per_block(squares, np.add))
    levels.sample_peaks.append(_per_block(np.abs(x), np.maximum))


def _per_block(x: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc`` over each 32-sample block of ``x``, the last block padded with zeros."""
    short = -x.size % GAIN_BLOCK
    whole = np.pad(x, (0, short)) if short else x
    return fold_rows(whole.reshape(-1, GAIN_BLOCK), ufunc)


def _block_true_peaks(pcm: PcmSpool, lo: int, hi: int, picked: np.ndarray) -> np.ndarray:
    """True peaks of the blocks ``picked`` (indices from ``lo``) of ``pcm[lo:hi]``, with the
    filter reading :data:`~listen.limiter.REACH` samples each side (zeros beyond the ends),
    as :func:`listen.limiter.block_true_peaks` measures them."""
    x = pcm.read(lo - REACH, hi + REACH + GAIN_BLOCK)
    front = REACH - (lo - max(0, lo - REACH))
    size = (hi - lo) // GAIN_BLOCK * GAIN_BLOCK + GAIN_BLOCK + 2 * REACH
    x = np.pad(x, (front, max(0, size - front - x.size)))[:size]
    return picked_true_peaks(x, picked, hi - lo)
