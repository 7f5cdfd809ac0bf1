"""Where listen finds ffmpeg, and the one way it runs it.

imageio-ffmpeg ships a static build (with libmp3lame) as a pip
dependency, so listen needs no system ffmpeg; a system ffmpeg on PATH is the fallback.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO

from listen.errors import AudioError

__all__ = ["feed_ffmpeg", "ffmpeg_exe", "read_ffmpeg", "run_ffmpeg"]

_INSTALL = "pip install imageio-ffmpeg (or install ffmpeg so that it is on PATH)"


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable: imageio-ffmpeg's bundled build, else ffmpeg on PATH."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        pass
    found = shutil.which("ffmpeg")
    if found is None:
        raise AudioError(f"Could not find ffmpeg in imageio-ffmpeg or on PATH; {_INSTALL}")
    return found


def run_ffmpeg(
    args: Sequence[str], what: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with ``args``; return the finished process (stdout, and stderr where filters
    such as ebur128 report). ``what`` names the job for the error, e.g. "decode 'intro.mp3'".
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"Could not {what}: ffmpeg did not start ({exc}); {_INSTALL}") from exc
    if done.returncode != 0:
        raise _failed(what, done.stderr)
    return done


@contextlib.contextmanager
def feed_ffmpeg(
    args: Sequence[str], what: str, stdout: IO[bytes] | None = None
) -> Iterator[Callable[[bytes], None]]:
    """Run ffmpeg with ``args`` reading its input from a pipe, and yield the function that
    writes to it, so input far larger than memory streams through block by block. Leaving
    the block closes the pipe and waits; a failure is an AudioError as in :func:`run_ffmpeg`,
    and an exception inside the block kills ffmpeg. What ffmpeg writes to its standard output
    goes to ``stdout`` (e.g. another ffmpeg's input, see :func:`read_ffmpeg`), else nowhere."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    with tempfile.TemporaryFile() as log:
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=stdout or subprocess.DEVNULL, stderr=log
            )
        except OSError as exc:
            raise AudioError(f"Could not {what}: ffmpeg did not start ({exc}); {_INSTALL}") from exc
        pipe = proc.stdin
        assert pipe is not None
        _widen(pipe)
        writer = _Writer(pipe)
        try:
            yield writer.write
            writer.finish()
            pipe.close()
        except BrokenPipeError:
            writer.abandon()
            with contextlib.suppress(BrokenPipeError):
                pipe.close()
        except BaseException:
            proc.kill()
            proc.wait()
            writer.abandon()
            with contextlib.suppress(OSError):
                pipe.close()
            raise
        if proc.wait() != 0:
            log.seek(0)
            raise _failed(what, log.read())


class _Writer:
    """Writes to ffmpeg's pipe from a thread of its own, holding up to ``depth`` blocks, so
    the caller prepares the next block while ffmpeg reads this one: with a bare pipe (64 KiB)
    ffmpeg would wait whenever the caller computes, and the caller whenever ffmpeg does."""

    def __init__(self, pipe: IO[bytes], depth: int = 3) -> None:
        self._pipe = pipe
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ffmpeg-writer", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        """Hand ``data`` over, waiting while ``depth`` blocks are queued; raise what the
        writing thread met (BrokenPipeError when ffmpeg has stopped reading)."""
        if self._error is not None:
            raise self._error
        self._blocks.put(data)

    def finish(self) -> None:
        """Wait until every block is written; raise what the writing thread met."""
        self._blocks.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Stop, once ffmpeg is gone, without raising: the writes left fail or are dropped."""
        self._error = self._error or BrokenPipeError()
        with contextlib.suppress(queue.Full):
            self._blocks.put(None, timeout=5.0)
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while (data := self._blocks.get()) is not None:
            if self._error is not None:
                continue  # drop it, so that a caller waiting to hand over is not stuck
            try:
                self._pipe.write(data)
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc


@contextlib.contextmanager
def read_ffmpeg(
    args: Sequence[str], what: str, output: Callable[[bytes], None] | None = None
) -> Iterator[tuple[IO[bytes], list[bytes]]]:
    """Run ffmpeg with ``args`` reading its input from a pipe, for another process to write:
    yield the pipe and a list that holds ffmpeg's stderr (where filters such as ebur128
    report) once the block is left, the pipe closed and ffmpeg finished. What ffmpeg writes
    to its standard output is handed to ``output`` as it comes, from a thread of its own, in
    pieces of whole 4-byte samples. A failure is an AudioError as in :func:`run_ffmpeg`,
    or what ``output`` raised; an exception inside the block kills ffmpeg."""
    command = [ffmpeg_exe(), "-hide_banner", *args]
    report: list[bytes] = []
    with tempfile.TemporaryFile() as log:
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL if output is None else subprocess.PIPE,
                stderr=log,
            )
        except OSError as exc:
            raise AudioError(f"Could not {what}: ffmpeg did not start ({exc}); {_INSTALL}") from exc
        assert proc.stdin is not None
        _widen(proc.stdin)
        reader = None if output is None or proc.stdout is None else _Reader(proc.stdout, output)
        try:
            yield proc.stdin, report
        except BaseException:
            proc.kill()
            proc.wait()
            if reader is not None:
                reader.join()
            raise
        finally:
            proc.stdin.close()
        if reader is not None:
            reader.join()
        code = proc.wait()
        log.seek(0)
        report.append(log.read())
        if code != 0:
            raise _failed(what, report[0])
        if reader is not None:
            reader.check()


class _Reader:
    """Reads ffmpeg's standard output to its end on a thread of its own, handing each piece
    to ``output``; once ``output`` has failed the rest is read and dropped, so ffmpeg is
    never left blocked writing."""

    _PIECE = 1 << 20

    def __init__(self, pipe: IO[bytes], output: Callable[[bytes], None]) -> None:
        _widen(pipe)
        self._pipe, self._output = pipe, output
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ffmpeg-reader", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        self._pipe.close()

    def check(self) -> None:
        """Raise what ``output`` raised, if anything."""
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        left = b""
        while piece := self._pipe.read(self._PIECE):
            joined = left + piece if left else piece
            whole = len(joined) // 4 * 4
            data, left = joined[:whole], joined[whole:]
            if self._error is None and data:
                try:
                    self._output(data)
                except BaseException as exc:  # handed to the caller's thread
                    self._error = exc


_PIPE_BYTES = 1 << 20
"""Linux's limit for an unprivileged pipe (``/proc/sys/fs/pipe-max-size``), 16 times the 64 KiB
default: one read or write moves up to a second of decoded audio, so a reader thread need
not win the GIL back every 64 KiB (with ``sys.getswitchinterval()`` 5 ms per wait)."""


def _widen(pipe: IO[bytes]) -> None:
    """Give ``pipe`` a buffer of :data:`_PIPE_BYTES` where the system allows it (Linux;
    elsewhere there is no fcntl module or no F_SETPIPE_SZ, and the pipe stays as it is)."""
    with contextlib.suppress(ImportError, OSError, AttributeError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _failed(what: str, stderr: bytes) -> AudioError:
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
    return AudioError(f"Could not {what}: ffmpeg failed: {' | '.join(tail) or 'no output'}")
