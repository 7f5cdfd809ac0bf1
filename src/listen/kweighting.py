"""BS.1770's K-weighting filter, run on blocks of samples with numpy's matrix products.

The filter is pyloudnorm's: a high shelf (+4 dB above about 1.5 kHz) and a high-pass at 38 Hz,
two biquads from the RBJ cookbook designed for the sample rate (:func:`k_weighting`). A
recursive filter is one sample after another; here it runs :data:`_BLOCK` samples at a time
as linear algebra on its four-number state (the two sections' transposed direct form II
states, stacked):

- within a block, the output is a matrix times the block's input (the impulse response, as a
  lower-triangular Toeplitz matrix) plus a matrix times the state at the block's start;
- the state at each block's start follows from the one before and the previous block's input,
  a recurrence solved for all blocks of a call at once by a prefix scan (log2 steps);
- a call's last partial block is filtered with the same matrices, cut to its length.

The result equals a sample-by-sample run in double precision within about 1e-4 of the signal's
RMS (float32 products), however the signal is split into pieces; the same pieces give the
same result to the last bit. It needs no scipy, whose import costs
listen's start-up most of a second. Single precision is in and out.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["KWeighting", "k_weighting"]

_BLOCK = 128
"""Samples per matrix step: longer blocks mean fewer state steps and larger products."""

Biquad = tuple[tuple[float, float, float], tuple[float, float, float]]
"""(b0, b1, b2), (1, a1, a2): a normalised second-order section."""


def k_weighting(rate: int) -> tuple[Biquad, Biquad]:
    """The high shelf and the high-pass of BS.1770 for ``rate`` Hz, as pyloudnorm designs
    them (its ``IIRfilter`` 'high_shelf' at 4 dB, Q 1/sqrt(2), 1,500 Hz, and 'high_pass' at
    Q 0.5, 38 Hz)."""
    gain, w0 = 10.0 ** (4.0 / 40.0), 2.0 * math.pi * 1500.0 / rate
    cos, alpha, root = math.cos(w0), math.sin(w0) / math.sqrt(2.0), math.sqrt(gain)
    shelf = _normalised(
        (gain * ((gain + 1) + (gain - 1) * cos + 2 * root * alpha),
         -2 * gain * ((gain - 1) + (gain + 1) * cos),
         gain * ((gain + 1) + (gain - 1) * cos - 2 * root * alpha)),
        ((gain + 1) - (gain - 1) * cos + 2 * root * alpha,
         2 * ((gain - 1) - (gain + 1) * cos),
         (gain + 1) - (gain - 1) * cos - 2 * root * alpha),
    )  # fmt: skip
    w0 = 2.0 * math.pi * 38.0 / rate
    cos, alpha = math.cos(w0), math.sin(w0)  # Q = 0.5: sin(w0) / (2 Q)
    high_pass = _normalised(
        ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha)
    )
    return shelf, high_pass


def _normalised(b: tuple[float, ...], a: tuple[float, ...]) -> Biquad:
    return (b[0] / a[0], b[1] / a[0], b[2] / a[0]), (1.0, a[1] / a[0], a[2] / a[0])


class KWeighting:
    """Filter consecutive pieces of one signal: ``weighting(x)`` returns K-weighted ``x``,
    the filter's state carried from the piece before."""

    def __init__(self, rate: int) -> None:
        a, b, c, d = _state_space(k_weighting(rate))
        self._powers = [np.eye(a.shape[0])]
        for _ in range(_BLOCK):
            self._powers.append(a @ self._powers[-1])
        response = np.array([d] + [c @ self._powers[k] @ b for k in range(_BLOCK - 1)])
        lag = np.subtract.outer(np.arange(_BLOCK), np.arange(_BLOCK))
        self._impulse = np.where(lag >= 0, response[np.maximum(lag, 0)], 0.0)
        """Output ``i`` of a block from input ``j``: the impulse response at ``i - j``."""
        self._from_state = np.array([c @ self._powers[i] for i in range(_BLOCK)])
        """Output ``i`` of a block from the state at its start."""
        self._to_state = np.array([self._powers[k] @ b for k in range(_BLOCK)])
        """The state after ``k`` more samples, from one input sample: A^k b."""
        self._impulse32 = self._impulse.T.astype(np.float32)
        self._from_state32 = self._from_state.T.astype(np.float32)
        self._carry32 = self._to_state[::-1].astype(np.float32)
        self._state = np.zeros(a.shape[0])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        whole = x.size // _BLOCK * _BLOCK
        y = np.empty(x.size, dtype=np.float32)
        if whole:
            blocks = x[:whole].reshape(-1, _BLOCK)
            states = self._states(blocks)
            out = blocks @ self._impulse32 + states[:-1].astype(np.float32) @ self._from_state32
            y[:whole] = out.ravel()
            self._state = states[-1]
        if whole < x.size:
            y[whole:] = self._tail(x[whole:].astype(np.float64))
        return y

    def _states(self, blocks: np.ndarray) -> np.ndarray:
        """The state at the start of every block and after the last: a prefix scan of
        ``s[k + 1] = A^B s[k] + u[k]``, ``u[k]`` what block ``k``'s input adds."""
        scan = np.empty((blocks.shape[0] + 1, self._state.size))
        scan[0] = self._state
        scan[1:] = blocks @ self._carry32
        step, power = 1, self._powers[_BLOCK].T
        while step < scan.shape[0]:
            scan[step:] += scan[:-step] @ power
            step, power = 2 * step, power @ power
        return scan

    def _tail(self, x: np.ndarray) -> np.ndarray:
        n = x.size
        y = self._impulse[:n, :n] @ x + self._from_state[:n] @ self._state
        self._state = self._powers[n] @ self._state + self._to_state[:n][::-1].T @ x
        return y.astype(np.float32)


def _state_space(sections: tuple[Biquad, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(A, b, c, d) of the sections in cascade, each in transposed direct form II:
    state' = A state + b x, y = c state + d x."""
    a = np.zeros((0, 0))
    b, c, d = np.zeros(0), np.zeros(0), 1.0
    for (b0, b1, b2), (_, a1, a2) in sections:
        n = a.shape[0]
        joined = np.zeros((n + 2, n + 2))
        joined[:n, :n] = a
        joined[n:, :n] = np.outer([b1 - a1 * b0, b2 - a2 * b0], c)
        joined[n:, n:] = [[-a1, 1.0], [-a2, 0.0]]
        b = np.concatenate((b, np.array([b1 - a1 * b0, b2 - a2 * b0]) * d))
        c = np.concatenate((b0 * c, [1.0, 0.0]))
        a, d = joined, b0 * d
    return a, b, c, d
