"""True peak and the look-ahead true-peak limiter, on a whole array or block by block.

True peak follows ITU-R BS.1770-4 Annex 2: 4x oversampling with a 49-tap windowed sinc.
:func:`limit` is the one-shot limiter (music clips, tests); :func:`limit_blocks` runs the
same limiter over PCM it reads a chunk at a time, carrying the look-ahead, the release and
the smoothing across chunks, so its output equals :func:`limit`'s while it only ever holds
one chunk. :class:`TruePeakMeter` measures the true peak of PCM handed to it in blocks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CHUNK",
    "GAIN_BLOCK",
    "PEAK_BOUND",
    "REACH",
    "GrowingLimiter",
    "TruePeakMeter",
    "block_true_peaks",
    "fold_rows",
    "gain_knots",
    "limit",
    "limit_blocks",
]

OVERSAMPLE = 4
"""True-peak oversampling factor (BS.1770-4, Annex 2)."""
CHUNK = 1 << 20
"""Samples oversampled at a time, so a long episode never needs four copies of itself."""
_MARGIN = 64
"""Context samples each side of a chunk; the interpolation filter spans about ten."""
GAIN_BLOCK = 32
"""Samples per step of the limiter's gain envelope (0.7 ms at 44.1 kHz, 1.5 ms at 22.05 kHz)."""
_LOOKAHEAD_S = 0.005
_RELEASE_S = 0.080

Reader = Callable[[int, int], np.ndarray]
"""Samples ``start`` to ``stop`` of a signal (clipped to its length), as float32."""


_FOLDED = 64
"""Rows up to this long are folded column by column (:func:`fold_rows`)."""


_PIECE_ROWS = 4096
"""Rows folded at a time: 512 KB of 32-sample float32 rows, which stay in the core's cache
while every column passes over them (a megasample at once ran four times as slow)."""


def fold_rows(rows: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc`` (np.maximum, np.add) over each row of ``rows``. Short rows are folded a
    column at a time, :data:`_PIECE_ROWS` rows at a time: numpy reduces rows one call each,
    which for 32-sample rows is about three times as slow. The order of the operations does
    not depend on a row's place, so a row gives the same result to the last bit wherever it
    is."""
    if rows.shape[-1] > _FOLDED:
        return ufunc.reduce(rows, axis=-1)  # type: ignore[no-any-return]
    if rows.shape[0] <= _PIECE_ROWS:
        return _fold_columns(rows, ufunc)
    result = np.empty(rows.shape[:-1], dtype=rows.dtype)
    for start in range(0, rows.shape[0], _PIECE_ROWS):
        result[start : start + _PIECE_ROWS] = _fold_columns(
            rows[start : start + _PIECE_ROWS], ufunc
        )
    return result


def _fold_columns(rows: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    columns = np.moveaxis(rows, -1, 0)
    result = columns[0].copy()
    for column in columns[1:]:
        ufunc(result, column, out=result)
    return result


def _interpolator() -> np.ndarray:
    taps = np.arange(-24, 25)
    return (np.sinc(taps / OVERSAMPLE) * np.kaiser(taps.size, 5.0)).astype(np.float32)


_INTERPOLATOR = _interpolator()
_TAPS = -(-_INTERPOLATOR.size // OVERSAMPLE)
_PHASES = [
    np.pad(_INTERPOLATOR[p::OVERSAMPLE], (0, _TAPS - _INTERPOLATOR[p::OVERSAMPLE].size))[::-1]
    for p in range(OVERSAMPLE)
]
"""The interpolation filter split by output phase (13 taps, zero-padded), reversed so that
output sample ``n`` of phase ``p`` is the dot product with the samples ``n - 6 .. n + 6``."""
REACH = _TAPS // 2
"""Samples the filter reads each side of an output sample (6)."""
PEAK_BOUND = float(max(np.abs(phase).sum() for phase in _PHASES))
"""How far above the largest sample within reach the true peak can be (about 1.9, 5.6 dB):
a block whose bound stays under the limiter's threshold cannot make it act, so its true peak
need not be measured (:func:`picked_true_peaks`)."""


def _fine(window: np.ndarray, skip: int, count: int) -> np.ndarray:
    """Absolute 4x-oversampled values of ``count`` samples of ``window`` from ``skip`` on, the
    rest of ``window`` read as context (zeros beyond it): each output phase is the samples
    correlated with that phase's taps. The filter passes the samples through exactly."""
    padded = np.pad(window, REACH)[skip : skip + count + 2 * REACH]
    fine = np.empty(count * OVERSAMPLE, dtype=np.float32)
    for p, phase in enumerate(_PHASES):
        fine[p::OVERSAMPLE] = np.abs(np.correlate(padded, phase, "valid"))
    return fine


def _span_peaks(window: np.ndarray, skip: int, count: int, block: int) -> np.ndarray:
    """True peak of each ``block`` of the ``count`` samples of ``window`` from ``skip`` on."""
    fine = _fine(window, skip, count)
    blocks = -(-count // block)
    fine = np.pad(fine, (0, blocks * block * OVERSAMPLE - fine.size))
    return fold_rows(fine.reshape(blocks, -1), np.maximum)


def picked_true_peaks(x: np.ndarray, picked: np.ndarray, size: int) -> np.ndarray:
    """True peaks of the 32-sample blocks ``picked`` of a signal whose sample ``i`` is
    ``x[REACH + i]`` (``x`` holds :data:`REACH` samples of context before the first block and
    after the last picked one, zeros beyond the signal); samples from ``size`` on are not
    counted. Each block is oversampled alone, so a few blocks cost a few blocks' work.

    The filter runs tap by tap over all the picked blocks at once: element-wise products and
    sums, added in the same order for every block, so a block's peak is the same to the last
    bit whichever other blocks are picked with it. A matrix product is not: OpenBLAS sums a
    row in an order that depends on the matrix's shape and the row's place in it, and the
    limiter then differed by a float's last bit from the peaks measured for it."""
    span = GAIN_BLOCK + 2 * REACH
    starts = picked * GAIN_BLOCK
    windows = x[starts[:, None] + np.arange(span)]
    top = np.zeros((picked.size, GAIN_BLOCK), dtype=np.float32)
    phase_sum, term = np.empty_like(top), np.empty_like(top)
    for phase in _PHASES:
        np.multiply(windows[:, :GAIN_BLOCK], phase[0], out=phase_sum)
        for tap in range(1, phase.size):
            np.multiply(windows[:, tap : tap + GAIN_BLOCK], phase[tap], out=term)
            phase_sum += term
        np.maximum(top, np.abs(phase_sum, out=phase_sum), out=top)
    top[np.arange(GAIN_BLOCK) >= (size - starts)[:, None]] = 0.0
    return fold_rows(top, np.maximum).astype(np.float64)


def _bounded_peaks(window: np.ndarray, skip: int, count: int, threshold: float) -> np.ndarray:
    """Per 32-sample block of the ``count`` samples of ``window`` from ``skip`` on: its true
    peak where :data:`PEAK_BOUND` times the largest sample within the filter's reach exceeds
    ``threshold``, else that bound (at or above the true peak, at most ``threshold``)."""
    x, bound = _bounds(window, skip, count)
    return _exact_over(x, bound, threshold, count)


def _bounds(window: np.ndarray, skip: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The samples the blocks of :func:`_bounded_peaks` read (as :func:`picked_true_peaks`
    takes them) and the bound on each block's true peak."""
    blocks = -(-count // GAIN_BLOCK)
    front = max(0, REACH - skip)
    x = window[max(0, skip - REACH) : skip + blocks * GAIN_BLOCK + REACH]
    back = blocks * GAIN_BLOCK + 2 * REACH - front - x.size
    x = np.pad(x, (front, back)) if front or back else x
    loud = fold_rows(np.abs(x[REACH : REACH + blocks * GAIN_BLOCK]).reshape(blocks, -1), np.maximum)
    edges = np.abs(x[:REACH]).max(initial=0.0), np.abs(x[x.size - REACH :]).max(initial=0.0)
    near = np.concatenate(([edges[0]], loud, [edges[1]]))
    return x, PEAK_BOUND * np.maximum(np.maximum(near[:-2], near[1:-1]), near[2:])


def _exact_over(x: np.ndarray, bound: np.ndarray, threshold: float, count: int) -> np.ndarray:
    """``bound`` with the true peak in place of every bound over ``threshold``."""
    picked = np.flatnonzero(bound > threshold)
    if picked.size:
        bound[picked] = picked_true_peaks(x, picked, count)
    return bound.astype(np.float32)


def block_true_peaks(x: np.ndarray, block: int) -> np.ndarray:
    """Largest absolute value, at a sample or between samples, in each ``block`` of ``x``;
    a chunk at a time with context each side, so chunk edges read as in one pass."""
    peaks = np.zeros(-(-x.size // block), dtype=np.float32)
    step = block * max(1, CHUNK // block)
    for lo in range(0, x.size, step):
        hi = min(x.size, lo + step)
        a, b = max(0, lo - _MARGIN), min(x.size, hi + _MARGIN)
        found = _span_peaks(x[a:b], lo - a, hi - lo, block)
        peaks[lo // block : lo // block + found.size] = found
    return peaks


class TruePeakMeter:
    """The true peak of a signal handed over in consecutive blocks of any size. Only the
    32-sample blocks whose bound (:data:`PEAK_BOUND`) could beat the peak found so far, or the
    largest sample of their chunk, are oversampled: speech seldom comes near its peak."""

    def __init__(self) -> None:
        self._buffer = np.zeros(0, dtype=np.float32)
        self._context = 0
        self.peak = 0.0

    def add(self, x: np.ndarray) -> None:
        """Measure ``x``; its last few samples wait for the next block as their context."""
        buffer = np.concatenate((self._buffer, x))
        ready = buffer.size - _MARGIN - self._context
        if ready > 0:
            self._measure(buffer, ready)
            keep = min(buffer.size, 2 * _MARGIN)
            self._buffer, self._context = buffer[buffer.size - keep :], _MARGIN
        else:
            self._buffer = buffer

    def finish(self) -> float:
        """Measure what is left (read as followed by silence); the true peak, linear."""
        pending = self._buffer.size - self._context
        if pending > 0:
            self._measure(self._buffer, pending)
        self._buffer, self._context = self._buffer[:0], 0
        return self.peak

    def _measure(self, buffer: np.ndarray, count: int) -> None:
        x, bound = _bounds(buffer, self._context, count)
        floor = max(self.peak, float(bound.max(initial=0.0)) / PEAK_BOUND)  # a sample's height
        self.peak = max(floor, float(_exact_over(x, bound, floor, count).max(initial=0.0)))


def _look(rate: int) -> int:
    return max(1, math.ceil(_LOOKAHEAD_S * rate / GAIN_BLOCK))


def limit(x: np.ndarray, gain: float, ceiling: float, rate: int) -> np.ndarray:
    """``x`` times ``gain``, turned down wherever that would take the true peak over ``ceiling``.

    Per 32-sample block: the gain each block can take, its minimum over the 5 ms look-ahead
    (so the gain is already down when the peak arrives), a release that lets the gain
    recover with an 80 ms time constant, and a moving average over the look-ahead that turns
    each drop into a ramp. The average of gains that are each at most a block's need is at
    most that need, so no peak escapes. Within a block the gain moves linearly between knots
    at the block edges, each the lower of the two blocks' gains. No audio is delayed.
    """
    peaks = block_true_peaks(x, GAIN_BLOCK)
    need = np.minimum(1.0, ceiling / np.maximum(peaks.astype(np.float64) * gain, 1e-12))
    look = _look(rate)
    ahead = np.lib.stride_tricks.sliding_window_view(
        np.pad(need, (0, look - 1), constant_values=1.0), look
    ).min(axis=1)
    released = _release(ahead, math.exp(-GAIN_BLOCK / (_RELEASE_S * rate)))
    kernel = np.full(look, 1.0 / look)
    smooth = np.convolve(np.pad(released, (look - 1, 0), mode="edge"), kernel, "valid")
    knots = np.concatenate(([smooth[0]], np.minimum(smooth[:-1], smooth[1:]), [smooth[-1]]))
    return _applied(knots, x, gain)


def _release(gain: np.ndarray, coef: float, current: float | None = None) -> np.ndarray:
    """Follow drops in ``gain`` at once and recoveries exponentially (one step per block),
    starting from ``current`` (the first gain when None). Python visits only the blocks
    that limit (gain under 1); a run of full gain between them is the closed-form recovery
    ``1 - (1 - current) * coef**k``, so a chunk that barely limits costs a few array ops."""
    out = np.ones(gain.size)
    if gain.size == 0:
        return out
    current = float(gain[0]) if current is None else current
    busy = np.flatnonzero(gain < 1.0)
    done = 0
    for i, target in zip(busy.tolist(), gain[busy].tolist(), strict=True):
        if i > done:
            current = _recover(out, done, i, current, coef)
        current = target if target < current else target + (current - target) * coef
        out[i] = current
        done = i + 1
    if done < gain.size:
        _recover(out, done, gain.size, current, coef)
    return out


def _recover(out: np.ndarray, lo: int, hi: int, current: float, coef: float) -> float:
    """Fill ``out[lo:hi]`` with the recovery from ``current`` towards 1; the last value."""
    if current >= 1.0:
        return current
    if hi - lo == 1:
        current = 1.0 + (current - 1.0) * coef
        out[lo] = current
        return current
    out[lo:hi] = 1.0 - (1.0 - current) * coef ** np.arange(1, hi - lo + 1)
    return float(out[hi - 1])


@dataclass
class _Carry:
    """What one chunk hands the next: the release state, the last released gains (for the
    moving average) and the last smoothed gain (for the knot between the chunks)."""

    current: float | None = None
    released: np.ndarray | None = None
    smooth: float | None = None


def limit_blocks(
    read: Reader,
    n: int,
    gain: float,
    ceiling: float,
    rate: int,
    chunk: int = CHUNK,
    peaks: Reader | None = None,
) -> Iterator[np.ndarray]:
    """:func:`limit` over the ``n`` samples ``read`` returns, yielded ``chunk`` at a time
    (``chunk`` a multiple of 32); equal to :func:`limit` on the whole signal. ``peaks``, if
    given, reads the signal's true peak per 32-sample block (blocks ``start`` to ``stop``),
    measured once beforehand (:mod:`listen.levels`), instead of oversampling each chunk."""
    for lo, hi, knots in gain_knots(read, n, gain, ceiling, rate, chunk, peaks):
        yield _applied(knots, read(lo, hi), gain)


def gain_knots(
    read: Reader,
    n: int,
    gain: float,
    ceiling: float,
    rate: int,
    chunk: int = CHUNK,
    peaks: Reader | None = None,
) -> Iterator[tuple[int, int, np.ndarray]]:
    """The limiter's gain, relative to ``gain``, at the edges of the 32-sample blocks of each
    ``chunk``: ``(start, stop, knots)`` with one knot more than the chunk has blocks (the gain
    moves linearly between knots). ``peaks`` as in :func:`limit_blocks`."""
    steps = _Steps(read, gain, ceiling, rate, peaks)
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        yield lo, hi, steps.knots(lo, hi, n)


class GrowingLimiter:
    """:func:`limit_blocks` over a signal still being written: :meth:`ready` hands over each
    chunk as soon as the samples its look-ahead reads are there, and the rest once the signal
    is known to be whole; the chunks are those :func:`limit_blocks` yields on the whole."""

    def __init__(
        self, read: Reader, gain: float, ceiling: float, rate: int, chunk: int = CHUNK
    ) -> None:
        self._read = read
        self._gain = gain
        self._chunk = chunk
        self._steps = _Steps(read, gain, ceiling, rate, None)
        self._done = 0

    def ready(self, length: int, whole: bool) -> Iterator[np.ndarray]:
        """The limited chunks that the first ``length`` samples allow; all of them when
        ``whole`` (the signal is ``length`` long and will not grow)."""
        while self._done < length:
            lo, hi = self._done, min(length, self._done + self._chunk)
            if not whole and (hi - lo < self._chunk or length < self._steps.reads_to(hi)):
                return
            knots = self._steps.knots(lo, hi, length)
            self._done = hi
            yield _applied(knots, self._read(lo, hi), self._gain)


def _applied(knots: np.ndarray, x: np.ndarray, gain: float) -> np.ndarray:
    """``x`` times ``gain`` times the gain moving linearly between ``knots``. Only the blocks
    whose two knots differ are ramped (in float64, then rounded); the others, most blocks of
    speech, are their knot rounded, which is what the ramp gives them."""
    rows = -(-x.size // GAIN_BLOCK)
    start, step = knots[:rows], np.diff(knots[: rows + 1])
    curve = np.empty((rows, GAIN_BLOCK), dtype=np.float32)
    curve[:] = start.astype(np.float32)[:, None]
    moving = np.flatnonzero(step)
    if moving.size:
        ramp = np.arange(GAIN_BLOCK) / GAIN_BLOCK
        curve[moving] = start[moving, None] + step[moving, None] * ramp
    flat = curve.ravel()[: x.size]
    flat *= np.float32(gain)
    flat *= x
    return flat


class _Steps:
    """The limiter's gain chunk after chunk, each from the one before (the look-ahead, the
    release and the smoothing carry over)."""

    def __init__(
        self, read: Reader, gain: float, ceiling: float, rate: int, peaks: Reader | None
    ) -> None:
        self._read, self._peaks = read, peaks
        self._gain, self._ceiling = gain, ceiling
        self._threshold = ceiling / gain * (1.0 - 1e-6)  # a block bounded under it needs no gain
        self._look = _look(rate)
        self._coef = math.exp(-GAIN_BLOCK / (_RELEASE_S * rate))
        self._carry = _Carry()

    def reads_to(self, hi: int) -> int:
        """How far into the signal :meth:`knots` reads for a chunk ending at ``hi``."""
        return (-(-hi // GAIN_BLOCK) + self._look) * GAIN_BLOCK + _MARGIN

    def knots(self, lo: int, hi: int, n: int) -> np.ndarray:
        """The knots of the chunk ``lo`` to ``hi`` of a signal ``n`` samples long (or, for a
        chunk that is not the last, at least :meth:`reads_to` long: it reads no further)."""
        look = self._look
        b0, b1 = lo // GAIN_BLOCK, -(-hi // GAIN_BLOCK)
        stop = min(n, (b1 + look) * GAIN_BLOCK)
        if self._peaks is None:
            a, b = max(0, lo - _MARGIN), min(n, stop + _MARGIN)
            found = _bounded_peaks(self._read(a, b), lo - a, stop - lo, self._threshold)
        else:
            found = self._peaks(b0, -(-stop // GAIN_BLOCK))
        wanted = self._ceiling / np.maximum(found.astype(np.float64) * self._gain, 1e-12)
        need = np.minimum(1.0, wanted)
        extra = 1 if b1 < -(-n // GAIN_BLOCK) else 0
        smooth = _smooth(need, b1 - b0 + extra, look, self._coef, self._carry)
        return _knots(smooth, extra, self._carry)


def _smooth(need: np.ndarray, count: int, look: int, coef: float, carry: _Carry) -> np.ndarray:
    """Look-ahead minimum, release and moving average for the next ``count`` blocks. The
    carry moves past all but the last block: the next chunk starts again at that one."""
    padded = np.pad(need, (0, max(0, count + look - 1 - need.size)), constant_values=1.0)
    ahead = np.lib.stride_tricks.sliding_window_view(padded, look).min(axis=1)[:count]
    start = float(ahead[0]) if carry.current is None else carry.current
    released = _release(ahead, coef, start)
    carry.current = float(released[count - 2]) if count > 1 else start
    history = np.full(look - 1, released[0]) if carry.released is None else carry.released
    joined = np.concatenate((history, released))
    carry.released = joined[joined.size - look : -1]
    return np.convolve(joined, np.full(look, 1.0 / look), "valid")


def _knots(smooth: np.ndarray, extra: int, carry: _Carry) -> np.ndarray:
    """Gains at the block edges: the lower of the two blocks' smoothed gains at each inner
    edge, the block's own at the signal's ends."""
    first = smooth[0] if carry.smooth is None else min(carry.smooth, smooth[0])
    inner = np.minimum(smooth[:-1], smooth[1:])
    last = [] if extra else [smooth[-1]]
    carry.smooth = float(smooth[-2]) if extra else None
    return np.concatenate(([first], inner, last))
