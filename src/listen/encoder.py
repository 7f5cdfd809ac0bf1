"""The episode's MP3 from its mastered PCM: one encoder, or several side by side.

:func:`encode_measured` pipes the PCM to ffmpeg's LAME encoder and hands the MP3 it writes to
a second ffmpeg that decodes it as it is made, so the file is measured
(:class:`listen.metering.DecodedMeter`) without being read again.

LAME runs on one thread, and with a fast engine it is most of a render's time. Given more
than one encoder, the mastered PCM goes to a spool on disk as it is made, the first encoder
reading it from the start; once it is whole, the part not yet encoded is shared out between
the first encoder and new ones, each starting in a pause, and the parts are joined into one
gapless MP3 (:mod:`listen.mp3join`) that decodes to the same samples, at the same times, as
one encode. Each part is measured on its own and the figures joined
(:func:`listen.metering.joined`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from listen.ffmpeg import feed_ffmpeg, read_ffmpeg
from listen.metering import ENCODER_DELAY, DecodedMeter, joined
from listen.models import SAMPLE_RATE, Loudness
from listen.mp3join import FRAME_SAMPLES, join_mp3, lead_for
from listen.spool import PcmSpool

__all__ = ["DECODED", "MIN_PART_S", "encode_blocks", "encode_measured", "quiet_point"]

_LOGGER = logging.getLogger(__name__)

MIN_PART_S = 30.0
"""The least audio, in seconds, a part is given to encode: a shorter one gains less than
starting its two ffmpegs costs."""
_QUIET = 1e-4
"""Samples at most this loud (-80 dBFS) count as the silence of a pause."""
_GUARD = 2048
"""Samples (at 44.1 kHz) of silence kept each side of where two parts meet, past the reach of
the encoder's transform windows and the resampler's filter."""
_SEARCH_S = 60.0
"""How far either side of an even share to look for a pause to start a part in."""
_PIECE = 1 << 18
"""Samples an encoder takes at a time (a megabyte, what its pipe holds)."""
_BACKLOG = 4
"""Pieces an encoder has taken but not yet encoded while it keeps up with nothing: three
queued for its pipe and one in it. The first encoder of a short episode had taken 98 s of
its 225 s when the rest was shared out, and was given 64 s more than the second."""


def encode_blocks(
    blocks: Iterable[np.ndarray], path: Path, bitrate: str = "64k", rate: int = SAMPLE_RATE
) -> None:
    """Encode mono float PCM at ``rate`` Hz, handed over a block at a time, to CBR MP3 at
    44.1 kHz (the encoder resamples) with a Xing/Info (LAME) header and no tags
    (:mod:`listen.tags` writes them)."""
    args = [*_encoder_args(bitrate, rate), *_MP3, str(path)]
    with feed_ffmpeg(args, _what(path)) as write:
        _write_blocks(write, blocks)


def encode_measured(
    blocks: Iterable[np.ndarray],
    path: Path,
    bitrate: str = "64k",
    rate: int = SAMPLE_RATE,
    encoders: int = 1,
) -> Loudness:
    """:func:`encode_blocks`, the MP3 measured as it is made, on another core: what
    :func:`listen.master.measure_file` would find, without reading the file again. Up to
    ``encoders`` encoders run side by side once the blocks are all handed over; with one, the
    blocks are taken only as fast as the encoder takes them."""
    if encoders <= 1:
        meter = DecodedMeter(skip=ENCODER_DELAY, gapless=False)
        samples = _encode_metered(blocks, path, bitrate, rate, meter)
        return meter.finish(samples * SAMPLE_RATE // rate)
    return _SideBySide(path, bitrate, rate, encoders).run(blocks)


def _encode_metered(
    blocks: Iterable[np.ndarray], path: Path, bitrate: str, rate: int, meter: DecodedMeter
) -> int:
    """Encode ``blocks`` to ``path``, the encoder's copy of the MP3 decoded into ``meter``;
    the samples encoded."""
    # The copy for the meter is written 32 KiB at a time, not flushed after each 209-byte frame
    # (84,000 writes, each waking the decoder's reader, for 37 minutes).
    copy = f"[f=mp3:{_MP3_OPTIONS}]{_tee_escape(str(path))}|[f=mp3:{_METER_COPY}]pipe:1"
    args = [*_encoder_args(bitrate, rate), "-f", "tee", copy]
    what = f"measure loudness of '{path}'"
    measuring = read_ffmpeg(["-nostats", "-f", "mp3", "-i", "pipe:", *DECODED], what, meter.add)
    with measuring as (pipe, _), feed_ffmpeg(args, _what(path), pipe) as write:
        return _write_blocks(write, blocks)


def quiet_point(
    pcm: PcmSpool, target: int, low: int, high: int, grid: int, lead: int
) -> int | None:
    """Where in ``pcm``, between ``low`` and ``high`` and as near ``target`` as there is
    one, a part can start: a multiple of ``grid`` samples inside a pause, with ``lead``
    samples and a guard of silence before it and a guard after it; None if no pause within
    :data:`_SEARCH_S` seconds of ``target`` has room."""
    guard = -(-_GUARD * pcm.sample_rate // SAMPLE_RATE)
    span = int(_SEARCH_S * pcm.sample_rate)
    start = max(low, target - span)
    x = pcm.read(start, min(high, target + span))
    quiet = np.concatenate(([False], np.abs(x) <= _QUIET, [False]))
    edges = np.flatnonzero(np.diff(quiet.view(np.int8)))
    begins, ends = edges[0::2] + start, edges[1::2] + start
    first = -(-(begins + lead + guard) // grid) * grid  # the earliest start each pause allows
    last = (ends - guard) // grid * grid
    room = first <= last
    if not room.any():
        return None
    points = np.clip(target, first[room], last[room]) // grid * grid
    points = np.maximum(points, first[room])
    return int(points[np.argmin(np.abs(points - target))])


class _Mastered:
    """The mastered PCM as it is made: appended in the calling thread, read by the encoders'
    threads, each waiting for what it needs."""

    def __init__(self, rate: int) -> None:
        self.spool = PcmSpool(rate)
        self.cond = threading.Condition()
        self.failed: BaseException | None = None

    def append(self, block: np.ndarray) -> None:
        with self.cond:
            self.spool.append(block)
            self.cond.notify_all()

    def fail(self, failure: BaseException) -> None:
        """The PCM will not be finished: every encoder waiting for more gives up."""
        with self.cond:
            self.failed = failure
            self.cond.notify_all()


class _Part:
    """One encoder's share: the mastered PCM from ``start`` up to ``stop`` (None while the
    share is not settled), read a chunk at a time as it is made."""

    def __init__(self, source: _Mastered, start: int, path: Path, bitrate: str) -> None:
        self.source, self.start, self.path, self.bitrate = source, start, path, bitrate
        self.stop: int | None = None
        self.claimed = start
        self.meter = DecodedMeter(skip=ENCODER_DELAY, gapless=False, start=self._out(start))
        self.encoded = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"encoder-{start}", daemon=True)

    def _out(self, samples: int) -> int:
        return samples * SAMPLE_RATE // self.source.spool.sample_rate

    def blocks(self) -> Iterator[np.ndarray]:
        while (block := self._next()) is not None:
            yield block

    def _next(self) -> np.ndarray | None:
        source = self.source
        with source.cond:
            while True:
                if source.failed is not None:
                    raise _Abandoned
                end = len(source.spool) if self.stop is None else self.stop
                if self.claimed < min(end, len(source.spool)):
                    lo, self.claimed = self.claimed, min(end, self.claimed + _PIECE)
                    return source.spool.read(lo, self.claimed)
                if self.stop is not None and self.claimed >= self.stop:
                    return None
                source.cond.wait()

    def _run(self) -> None:
        try:
            rate = self.source.spool.sample_rate
            self.encoded = _encode_metered(self.blocks(), self.path, self.bitrate, rate, self.meter)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the calling thread
            self.error = exc
            with self.source.cond:
                self.source.cond.notify_all()

    def close(self, until: int) -> None:
        """Close the meter: the audio this part was given, then silence up to ``until``."""
        self.meter.close(self._out(self.encoded), self._out(until - self.start))


class _Abandoned(Exception):
    """The mastered PCM will not be finished: an encoder stops without a word."""


class _SideBySide:
    """:func:`encode_measured` with up to ``encoders`` encoders."""

    def __init__(self, path: Path, bitrate: str, rate: int, encoders: int) -> None:
        self._path, self._bitrate, self._rate, self._most = path, bitrate, rate, encoders
        self._source = _Mastered(rate)
        self._grid = FRAME_SAMPLES * rate // SAMPLE_RATE
        self._lead = lead_for(FRAME_SAMPLES) * rate // SAMPLE_RATE

    def run(self, blocks: Iterable[np.ndarray]) -> Loudness:
        parts = [self._start(0, self._path)]
        try:
            for block in blocks:
                self._source.append(block)
                self._raise_failed(parts)
            self._share(parts)
            for part in parts:
                part.thread.join()
            self._raise_failed(parts)
            return self._joined(parts)
        except BaseException as exc:
            self._source.fail(exc)
            for part in parts:
                part.thread.join()
            raise
        finally:
            for part in parts[1:]:
                part.path.unlink(missing_ok=True)
            self._source.spool.close()

    def _start(self, start: int, path: Path) -> _Part:
        part = _Part(self._source, start, path, self._bitrate)
        part.thread.start()
        return part

    def _raise_failed(self, parts: list[_Part]) -> None:
        for part in parts:
            if part.error is not None:
                raise part.error

    def _share(self, parts: list[_Part]) -> None:
        """Share out what the first encoder has not claimed: each new part starts in a pause
        near an even share, and each part stops one frame's lead short of the next."""
        source, first = self._source, parts[0]
        with source.cond:
            total = len(source.spool)
            starts = self._starts(first.claimed, total)
            for start in starts:
                parts.append(self._start(start, self._part_path(len(parts))))
            stops = [*starts, total]
            for part, stop in zip(parts, stops, strict=True):
                part.stop = stop - self._lead if stop < total else stop
            source.cond.notify_all()
        rate = self._rate
        _LOGGER.info("%s: encoded in %d parts from %s s of %.1f s", self._path.name, len(parts),
                     ", ".join(f"{p.start / rate:.1f}" for p in parts), total / rate)  # fmt: skip

    def _starts(self, claimed: int, total: int) -> list[int]:
        """Where each new part starts: the work left, from where the first encoder has
        reached, shared evenly, the first part keeping at least what it has taken."""
        low = claimed + self._lead
        reached = max(0, claimed - _BACKLOG * _PIECE)
        count = min(self._most, int((total - reached) / (MIN_PART_S * self._rate)))
        starts: list[int] = []
        for i in range(1, count):
            target = max(low, reached + (total - reached) * i // count)
            floor = (starts[-1] if starts else low) + int(MIN_PART_S * self._rate / 2)
            point = quiet_point(self._source.spool, target, floor, total, self._grid, self._lead)
            if point is not None and total - point >= MIN_PART_S * self._rate / 2:
                starts.append(point)
        return starts

    def _part_path(self, index: int) -> Path:
        """Where part ``index`` is encoded: beside the MP3 (in the episode's folder that is
        not yet published), hidden."""
        return self._path.with_name(f".{self._path.stem}.part{index}{self._path.suffix}")

    def _joined(self, parts: list[_Part]) -> Loudness:
        total = len(self._source.spool)
        for part, after in zip(parts, [*(p.start for p in parts[1:]), total], strict=True):
            part.close(after)
        if len(parts) > 1:
            join_mp3(self._path, [p.path for p in parts[1:]], total * SAMPLE_RATE // self._rate)
        return joined([p.meter for p in parts])


def _encoder_args(bitrate: str, rate: int) -> list[str]:
    return ["-loglevel", "error", "-f", "f32le", "-ar", str(rate), "-ac", "1",
            "-i", "pipe:", "-map", "0:a", "-c:a", "libmp3lame", "-b:a", bitrate,
            "-ar", str(SAMPLE_RATE), "-ac", "1", "-map_metadata", "-1", "-y"]  # fmt: skip


def _what(path: Path) -> str:
    return f"encode '{path.name}' to MP3"


_MP3_OPTIONS = "write_xing=1:id3v2_version=0:write_id3v1=0"
_METER_COPY = "write_xing=0:flush_packets=0"
_MP3 = ["-f", "mp3", "-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0"]
DECODED = ["-map", "0:a:0", "-ac", "1", "-af", "asetnsamples=n=44100:p=0",
           "-c:a", "pcm_f32le", "-f", "f32le", "pipe:1"]  # fmt: skip
"""The decoded MP3, mono float samples on standard output, for the meter: regrouped into
frames of 44,100 samples (the last one not padded), since each frame costs ffmpeg a hand-over
between its threads and a write; with the decoder's 1,152-sample frames the decode took 1.5
times the CPU."""


def _tee_escape(path: str) -> str:
    """``path`` as one output of ffmpeg's tee muxer: its separators backslash-escaped."""
    return re.sub(r"([\\'\[\]|:=,;])", r"\\\1", path)


def _write_blocks(write: Callable[[bytes], None], blocks: Iterable[np.ndarray]) -> int:
    """Hand every block to ``write`` as float32 bytes; the samples written."""
    samples = 0
    for block in blocks:
        samples += block.size
        write(np.clip(block, -1.0, 1.0).astype("<f4", copy=False).tobytes())
    return samples
