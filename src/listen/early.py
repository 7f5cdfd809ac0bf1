"""Encoding while the episode is still being spoken, so the encoder is not left to the end.

:func:`encode_as_laid_out` drives :func:`listen.assemble.laying_out`. Once the first
:data:`PREFIX_S` seconds are laid out it plans the mastering from them, as
:func:`listen.master.plan_mastering` plans it for a whole episode, starts the encoder (and the
second ffmpeg that measures the MP3 as it is written), and limits each chunk into it as soon
as the engine has spoken as far as that chunk's look-ahead reads
(:class:`listen.limiter.GrowingLimiter`). An episode shorter than that is planned whole.

When the episode is whole, the MP3 is kept if its measured loudness is within
:data:`~listen.master.ENCODED_TOLERANCE_LU` of the target, the test every encode must pass;
if the rest of the article was louder or quieter than its beginning, it is mastered again
from the whole episode's figures and encoded once more, aiming off by the loss this encode
showed (:func:`listen.master.encode_levelled`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import numpy as np

from listen.encoder import encode_measured
from listen.levels import analyse
from listen.limiter import CHUNK, GrowingLimiter
from listen.master import (
    ENCODER_LOSS_LU,
    ENCODER_MARGIN_DB,
    Plan,
    check_length,
    encode_levelled,
    next_margin,
    on_target,
    plan_mastering,
    scaled,
)
from listen.models import Assembly, Loudness, Mastering
from listen.spool import PcmSpool

__all__ = ["PREFIX_S", "encode_as_laid_out"]

_LOGGER = logging.getLogger(__name__)

PREFIX_S = 120.0
"""Seconds of the episode the mastering is planned from before the encoder starts."""

Layout = Generator[PcmSpool, None, Assembly]


def encode_as_laid_out(
    layout: Layout,
    path: Path,
    mastering: Mastering,
    rate: int,
    prefix_s: float = PREFIX_S,
    encoders: int = 1,
) -> tuple[Assembly, Loudness]:
    """Lay out the episode (``layout``, from :func:`listen.assemble.laying_out`, at ``rate``
    Hz) while encoding it to ``path``: the whole assembly (close it) and the MP3's measured
    loudness. ``prefix_s`` infinite waits for the whole episode before encoding. With more
    than one of ``encoders``, the engine is not held to the first encoder's pace, and what
    that encoder has not reached once the episode is whole is shared out
    (:func:`listen.encoder.encode_measured`). A failure anywhere, the engine's included,
    stops every ffmpeg and raises."""
    stream = _Stream(layout, mastering, prefix_s * rate)
    try:
        blocks = stream.mastered()
        loudness = encode_measured(blocks, path, mastering.bitrate, rate, encoders)
        episode = stream.whole()
        if on_target(loudness, mastering):
            return episode, loudness
        _LOGGER.info(
            "%s: %.2f LUFS, %.2f dBTP planned from the first %.0f s; mastering the whole again",
            path.name, loudness.integrated_lufs, loudness.true_peak_dbtp, prefix_s,
        )  # fmt: skip
        return episode, _again(episode, stream.plan, loudness, path, mastering, encoders)
    except BaseException:
        stream.close()
        raise


def _again(
    episode: Assembly,
    plan: Plan,
    first: Loudness,
    path: Path,
    mastering: Mastering,
    encoders: int,
) -> Loudness:
    """Master the whole episode and encode it again, aiming off by the loss the first encode
    showed: what its PCM measured (predicted from the figures) less what the MP3 measured."""
    levels = episode.levels
    assert levels is not None and plan.gain is not None  # laying_out measures; silence passes
    sent, _ = levels.limited_loudness(plan.gain, plan.ceiling)
    loss = sent + 20.0 * math.log10(plan.scale) - first.integrated_lufs
    loss = loss if math.isfinite(loss) else ENCODER_LOSS_LU
    margin = next_margin(ENCODER_MARGIN_DB, first, mastering)
    return encode_levelled(levels, path, mastering, loss, margin, encoders)


class _Stream:
    """The layout driven by the encoder's appetite: each chunk it asks for is limited once
    the engine has spoken far enough."""

    def __init__(self, layout: Layout, mastering: Mastering, prefix: float) -> None:
        self._layout = layout
        self._mastering = mastering
        self._prefix = prefix
        self._assembly: Assembly | None = None
        self.plan = Plan(None)

    def mastered(self) -> Iterator[np.ndarray]:
        pcm = self._lay_out(lambda spool: len(spool) >= self._prefix)
        self.plan = self._planned(pcm)
        if self.plan.gain is None:  # silence: nothing to limit
            self._lay_out(lambda spool: False)
            yield from pcm.blocks(CHUNK)
            return
        limiter = GrowingLimiter(pcm.read, self.plan.gain, self.plan.ceiling, pcm.sample_rate)
        while self._assembly is None:
            yield from scaled(limiter.ready(len(pcm), whole=False), self.plan.scale)
            self._step()
        yield from scaled(limiter.ready(len(pcm), whole=True), self.plan.scale)

    def whole(self) -> Assembly:
        assert self._assembly is not None  # the encoder read every block
        return self._assembly

    def close(self) -> None:
        self._layout.close()
        if self._assembly is not None:
            self._assembly.close()

    def _step(self) -> PcmSpool | None:
        """Lay out the next piece: the spool, or None once the episode is whole."""
        try:
            return next(self._layout)
        except StopIteration as done:
            self._assembly = done.value
            return None

    def _lay_out(self, enough: Callable[[PcmSpool], bool]) -> PcmSpool:
        """Lay out pieces until ``enough`` says so or the episode is whole; the spool."""
        pcm = self._step()
        assert pcm is not None  # the layout yields once the lead-in is down
        while not enough(pcm) and self._step() is not None:
            pass
        return pcm

    def _planned(self, pcm: PcmSpool) -> Plan:
        target = self._mastering.loudness + ENCODER_LOSS_LU
        peak = self._mastering.true_peak
        if self._assembly is not None:
            check_length(pcm)
            assert self._assembly.levels is not None
            return plan_mastering(self._assembly.levels, target, peak)
        with analyse(pcm) as levels:  # the spool does not grow while the plan is made
            return plan_mastering(levels, target, peak)
