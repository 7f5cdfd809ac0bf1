"""The one way listen runs ffmpeg: feeding a real ffmpeg through its pipe."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from listen.errors import AudioError
from listen.ffmpeg import _widen, feed_ffmpeg, read_ffmpeg

RATE = 22_050
_WAV_ARGS = ["-loglevel", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1"]


def _block(seconds: float) -> bytes:
    return np.zeros(round(seconds * RATE), dtype="<f4").tobytes()


def test_blocks_are_handed_over_while_ffmpeg_is_still_reading(tmp_path: Path) -> None:
    # -re makes ffmpeg read its input no faster than it plays: 4 s of audio takes it 4 s.
    # The caller is free again at once, to prepare the next block while ffmpeg reads.
    args = ["-re", *_WAV_ARGS, "-i", "pipe:", "-y", str(tmp_path / "out.wav")]
    with pytest.raises(RuntimeError, match="stop"), feed_ffmpeg(args, "test") as write:
        started = time.monotonic()
        write(_block(2.0))
        write(_block(2.0))
        handed_over = time.monotonic() - started
        raise RuntimeError("stop")
    assert handed_over < 1.5
    assert not [t for t in threading.enumerate() if t.name == "ffmpeg-writer"]


def test_every_block_reaches_ffmpeg(tmp_path: Path) -> None:
    out = tmp_path / "out.f32"
    blocks = [np.full(10_000 + i, i, dtype="<f4") for i in range(12)]
    args = [*_WAV_ARGS, "-i", "pipe:", "-f", "f32le", "-y", str(out)]
    with feed_ffmpeg(args, "test") as write:
        for block in blocks:
            write(block.tobytes())
    assert np.array_equal(np.fromfile(out, dtype="<f4"), np.concatenate(blocks))


def test_ffmpeg_that_stops_reading_early_does_not_hold_the_caller(tmp_path: Path) -> None:
    out = tmp_path / "out.f32"
    args = [*_WAV_ARGS, "-i", "pipe:", "-t", "0.5", "-f", "f32le", "-y", str(out)]
    with feed_ffmpeg(args, "test") as write:
        for _ in range(40):
            write(_block(1.0))
    assert out.stat().st_size == round(0.5 * RATE) * 4


def test_ffmpeg_that_fails_is_an_audio_error_naming_the_job(tmp_path: Path) -> None:
    args = [*_WAV_ARGS, "-i", "pipe:", "-f", "no-such-format", str(tmp_path / "out")]
    failed = pytest.raises(AudioError, match="Could not encode the test: ffmpeg failed")
    with failed, feed_ffmpeg(args, "encode the test") as write:
        for _ in range(10):
            write(_block(1.0))


def test_what_ffmpeg_writes_reaches_the_output_in_whole_samples(tmp_path: Path) -> None:
    source = tmp_path / "in.f32"
    samples = np.linspace(-1.0, 1.0, 300_001, dtype="<f4")
    samples.tofile(source)
    pieces: list[bytes] = []
    args = ["-nostdin", *_WAV_ARGS, "-i", str(source), "-f", "f32le", "pipe:1"]
    with read_ffmpeg(args, "test", pieces.append) as (_, report):
        pass
    assert all(len(piece) % 4 == 0 for piece in pieces)
    assert np.array_equal(np.frombuffer(b"".join(pieces), dtype="<f4"), samples)
    assert report and isinstance(report[0], bytes)


def test_an_output_that_fails_is_raised_once_ffmpeg_has_finished(tmp_path: Path) -> None:
    source = tmp_path / "in.f32"
    np.zeros(5 * RATE, dtype="<f4").tofile(source)

    def refuse(data: bytes) -> None:
        raise ValueError("no room")

    args = ["-nostdin", *_WAV_ARGS, "-i", str(source), "-f", "f32le", "pipe:1"]
    with pytest.raises(ValueError, match="no room"), read_ffmpeg(args, "test", refuse):
        pass
    assert not [t for t in threading.enumerate() if t.name == "ffmpeg-reader"]


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are Linux's")
def test_the_pipes_between_listen_and_ffmpeg_hold_a_megabyte(tmp_path: Path) -> None:
    # a 64 KiB pipe makes a reader thread win the GIL back sixteen times as often
    read, write = os.pipe()
    with os.fdopen(write, "wb") as pipe, os.fdopen(read, "rb"):
        assert fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ) < 1 << 20
        _widen(pipe)
        assert fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    with read_ffmpeg(["-f", "f32le", "-i", "pipe:", "-f", "null", "-"], "test") as (stdin, _):
        assert fcntl.fcntl(stdin.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
