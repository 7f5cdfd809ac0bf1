"""BS.1770 integrated loudness of a signal handed over block by block.

The K-weighting is pyloudnorm's (the same two biquads, designed for the sample rate), run on
blocks of samples by :class:`listen.kweighting.KWeighting` with its state carried across
blocks, so any split of the signal filters as one pass would. Only the mean square of each
100 ms quarter of a gating block is kept (36,000 numbers an hour), then the 400 ms blocks
with 75 % overlap are gated as BS.1770-4 says: absolute gate -70 LUFS, relative gate 10 LU
below the absolutely gated mean. It agrees with ``pyloudnorm.Meter.integrated_loudness``
(tests check 0.05 LU). The same quarters give the loudness range (EBU Tech 3342,
:func:`loudness_range`): 3 s short-term windows every 100 ms.
"""

from __future__ import annotations

import numpy as np

from listen.kweighting import KWeighting

__all__ = ["LoudnessMeter", "gated_loudness", "loudness_range"]

_BLOCK_S = 0.4
_QUARTERS = 4
"""A gating block is four steps of 100 ms (75 % overlap)."""
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
_SHORT_TERM = 30
"""A short-term window is thirty quarters (3 s), one every quarter (EBU Tech 3342)."""
_RANGE_GATE = -20.0
_RANGE_PERCENTILES = (10.0, 95.0)
_FLOOR = np.float32(1e-12)
"""Added to every sample before K-weighting (-240 dBFS, and DC, which the high-pass removes):
digital silence otherwise lets the filters' state decay into subnormal floats, which the CPU
computes some fifteen times slower; it changes the energy by less than a part in a billion."""


class LoudnessMeter:
    """Feed consecutive blocks of mono PCM with :meth:`add`, then read :meth:`integrated`."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._weighting = KWeighting(rate)
        self.step = _quarter(rate)
        """Samples in a quarter of a gating block (100 ms)."""
        self._sums: list[np.ndarray] = []
        self._rest = np.zeros(0)
        self.samples = 0

    def add(self, x: np.ndarray) -> np.ndarray:
        """K-weight ``x`` (following what came before) and keep its quarter-block energies;
        the squares of the K-weighted samples (float32) are returned for callers that keep
        finer ones. Quarters are summed in double precision, each in one piece whatever
        the blocks."""
        y = self._weighting(np.add(x, _FLOOR, dtype=np.float32))
        squares = np.square(y, out=y)
        joined = np.concatenate((self._rest, squares), dtype=np.float64)
        whole = joined.size // self.step * self.step
        self._sums.append(joined[:whole].reshape(-1, self.step).sum(axis=1))
        self._rest = joined[whole:].copy()
        self.samples += x.size
        return squares

    def quarters(self) -> np.ndarray:
        """The energy (sum of squares) of each 100 ms quarter so far, the last one partial."""
        return np.concatenate([*self._sums, [self._rest.sum()]])

    def integrated(self) -> float:
        """Integrated loudness in LUFS of everything added so far; ``-inf`` for silence."""
        return gated_loudness(self.quarters(), self.samples, self.rate)


def gated_loudness(quarters: np.ndarray, samples: int, rate: int) -> float:
    """BS.1770-4 integrated loudness from the K-weighted energies of consecutive 100 ms
    quarters (:meth:`LoudnessMeter.quarters`) of a signal ``samples`` long."""
    count = int(np.round((samples / rate - _BLOCK_S) / (_BLOCK_S / _QUARTERS))) + 1
    count = max(0, min(count, quarters.size - _QUARTERS + 1))
    window = np.lib.stride_tricks.sliding_window_view(quarters, _QUARTERS)[:count]
    energy = window.sum(axis=1) / (_quarter(rate) * _QUARTERS)
    level = _level(energy)
    loud = energy[level >= _ABSOLUTE_GATE]
    if loud.size == 0:
        return float("-inf")
    relative = float(_level(loud.mean())) + _RELATIVE_GATE
    gated = energy[(level > relative) & (level > _ABSOLUTE_GATE)]
    if gated.size == 0:
        return float("-inf")
    return float(_level(gated.mean()))


def loudness_range(quarters: np.ndarray, samples: int, rate: int) -> float:
    """EBU Tech 3342 loudness range in LU from the quarters of :func:`gated_loudness`: the
    spread between the 10th and 95th percentiles of the 3 s short-term loudness, taken
    every 100 ms, of the windows above -70 LUFS and within 20 LU of their mean; 0.0 when the
    signal is shorter than one window or silent."""
    step = _quarter(rate)
    whole = min(quarters.size, samples // step)
    if whole < _SHORT_TERM:
        return 0.0
    sums = np.lib.stride_tricks.sliding_window_view(quarters[:whole], _SHORT_TERM).sum(axis=1)
    energy = sums / (step * _SHORT_TERM)
    loud = energy[_level(energy) > _ABSOLUTE_GATE]
    if loud.size == 0:
        return 0.0
    gated = loud[_level(loud) > float(_level(loud.mean())) + _RANGE_GATE]
    low, high = np.percentile(_level(gated), _RANGE_PERCENTILES)
    return float(high - low)


def _quarter(rate: int) -> int:
    """Samples in a quarter of a gating block (100 ms)."""
    return round(_BLOCK_S * rate / _QUARTERS)


def _level(energy: np.ndarray | np.floating) -> np.ndarray:
    """Loudness in LUFS of K-weighted mean squares (-inf for zero)."""
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(energy)
