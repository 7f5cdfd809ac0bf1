"""Run a TTS backend in a child process, so that a native crash cannot take listen down.

espeak-ng (through ctypes) and Piper (onnxruntime) are C and C++ libraries loaded into the
process that uses them: an engine that smashes its stack on one strange segment kills that
process. ``WorkerBackend`` constructs the real backend in one long-lived child process instead
and speaks through it:

- ``prefetch`` sends the next segment's text before the current one is laid out, so the
  child speaks on one core while the parent trims, resamples and spools on the other;
- the child is a fresh interpreter (``python -c``; never a fork of a process that holds
  onnxruntime or numpy threads, and unlike multiprocessing's "spawn" it does not re-run the
  caller's main script) and stays warm across segments and articles;
- text goes to the child as UTF-8 bytes and the audio comes back as raw float32 bytes after a
  small header, never as pickled lists;
- when the child dies on a segment (SIGSEGV, SIGABRT, SIGBUS, the OOM killer), that segment
  raises ``SynthesisError`` naming its first words and the signal, and the next segment starts a
  new child: one article fails with an ``Error:`` line, the next one renders;
- a segment that gets no answer within ``timeout`` seconds kills the child and fails the same
  way;
- the child's file descriptors 1 and 2 point at a log file, so whatever the engine prints never
  reaches listen's stdout; the last line of that log is quoted in the error;
- ``close()`` stops the child, and a child whose parent dies exits on its own (its end of the
  pipe closes, and a watchdog thread notices the new parent process id).

The backend is named by its ``"module:Class"`` target and built from picklable constructor
arguments (the ``VoiceSettings``), sent pickled with the parent's ``sys.path`` over a socket pair
(``multiprocessing.connection`` framing), so a backend importable in the parent is importable in
the child.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from listen import errors
from listen.errors import ListenError, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Backend, Option, check_settings

__all__ = ["WorkerBackend", "crash_reason"]

_LOGGER = logging.getLogger(__name__)

START_TIMEOUT = 120.0
"""Seconds a child may take to import and construct its backend."""
SEGMENT_TIMEOUT = 300.0
"""Seconds a child may take over one segment before it is killed."""
_HEADER = struct.Struct("<I")
"""An audio reply: the sample rate, then the float32 samples as raw bytes."""
_WATCH_INTERVAL = 1.0


def crash_reason(exitcode: int | None) -> str:
    """How a child ended, for a message: "SIGABRT", "exit status 3", "no exit status"."""
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit status {exitcode}"


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    head = " ".join(words[:count])
    if len(head) > 60:
        head = head[:60]
    return head + ("…" if len(words) > count or len(head) < len(" ".join(words)) else "")


# -- the child's side ------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """Exit when the parent dies, even while the engine is busy in C code."""
    while os.getppid() == parent:
        time.sleep(_WATCH_INTERVAL)
    os._exit(0)


def _load_class(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _construct(target: str, args: tuple[Any, ...]) -> Any:
    return _load_class(target)(*args)


def _error_reply(exc: BaseException) -> bytes:
    """A ListenError crosses as itself; any other error as "" and "Type: message"."""
    if isinstance(exc, ListenError):
        return pickle.dumps(("error", type(exc).__name__, str(exc)))
    return pickle.dumps(("error", "", f"{type(exc).__name__}: {exc}"))


def main() -> None:
    """The child's entry point: ``python -c "...; main()" FD PARENT_PID``."""
    fd, parent = int(sys.argv[1]), int(sys.argv[2])
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    conn = Connection(fd)
    try:
        target, args, path = pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):
        return
    sys.path[:] = [*path, *(p for p in sys.path if p not in path)]
    _serve(conn, target, args)


def _serve(conn: Connection, target: str, args: tuple[Any, ...]) -> None:
    """The child's loop: construct the backend, then one text in, one audio (or error) out."""
    try:
        backend = _construct(target, args)
    except BaseException as exc:
        conn.send_bytes(_error_reply(exc))
        return
    conn.send_bytes(pickle.dumps(("ready", getattr(backend, "name", target))))
    while True:
        try:
            text = conn.recv_bytes().decode("utf-8")
        except (EOFError, OSError):
            break
        try:
            audio = backend.synthesize(text)
            samples = np.ascontiguousarray(audio.samples, dtype=np.float32)
            reply = _HEADER.pack(audio.sample_rate) + samples.tobytes()
        except Exception as exc:
            reply = b"\0\0\0\0" + _error_reply(exc)
        conn.send_bytes(reply)
    with contextlib.suppress(Exception):
        backend.close()


# -- the parent's side -----------------------------------------------------------------------


def _raise_remote(kind: str, message: str, context: str) -> None:
    """Raise the child's ListenError again here; anything else as a SynthesisError."""
    cls = getattr(errors, kind, None) if kind else None
    if isinstance(cls, type) and issubclass(cls, ListenError):
        raise cls(message)
    raise SynthesisError(f"{context}: {message}")


_CHILD = "from listen.tts.worker import main; main()"


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process and not a zombie, as far as /proc can tell (where
    another waiter reaped it first, Popen.poll() cannot)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return not Path("/proc/self/stat").exists()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


class _Child:
    """One running child process and our end of its socket pair."""

    def __init__(
        self, target: str, args: tuple[Any, ...], log_path: Path, extra: Mapping[str, str]
    ) -> None:
        ours, theirs = socket.socketpair()
        # LIBC_FATAL_STDERR_: glibc's "stack smashing detected" goes to fd 2, not to a tty.
        env = {**os.environ, "LIBC_FATAL_STDERR_": "1", **extra}
        source = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
        with log_path.open("ab") as log:  # the engine's printing goes here, never to our stdout
            self.process = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(theirs.fileno()), str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=[theirs.fileno()], env=env,
            )  # fmt: skip
        theirs.close()
        self.conn = Connection(ours.detach())
        self.timed_out = False
        with contextlib.suppress(OSError):  # if it died at once, receive() says so
            self.conn.send_bytes(pickle.dumps((target, args, sys.path)))

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        """Running, and its end of the socket still open (no EOF waiting to be read)."""
        try:
            if self.process.poll() is not None or self.conn.poll(0):
                return False
        except (EOFError, OSError):
            return False
        return _running(self.process.pid)

    def receive(self, timeout: float) -> bytes | None:
        """The next reply, or None when the child died or gave none within ``timeout``."""
        try:
            if not self.conn.poll(timeout):
                self.timed_out = True
                return None
            return self.conn.recv_bytes()
        except (EOFError, OSError):
            return None

    def stop(self, kill: bool = False) -> int | None:
        """End the child (politely unless ``kill``) and return its exit code."""
        with contextlib.suppress(OSError):
            self.conn.close()  # the child reads EOF and exits
        if kill and self.process.poll() is None:
            self.process.kill()
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def _shutdown(state: dict[str, Any]) -> None:
    child: _Child | None = state.pop("child", None)
    if child is not None:
        child.stop()
    log: Path | None = state.pop("log", None)
    if log is not None:
        log.unlink(missing_ok=True)


class WorkerBackend:
    """A backend constructed and run in a child process; speaks like the backend it wraps.

    ``WorkerBackend("listen.tts.espeak:EspeakBackend", settings)`` behaves like
    ``EspeakBackend(settings)``: it has the wrapped class's ``name``, ``options`` and
    ``availability``; the settings are checked here and the backend constructed in the child
    before the constructor returns, so a missing engine or a bad setting raises the same
    ``ListenError`` here. A crash on a segment raises ``SynthesisError``; the next segment gets
    a new child. ``environment`` adds variables to the child's (e.g.
    ``$LISTEN_ENGINE_THREADS``, see :mod:`listen.tts.pool`). Importing the wrapped class's
    module must not load the engine (every built-in backend's module loads it only when
    constructed).
    """

    def __init__(
        self,
        target: str,
        settings: VoiceSettings,
        *,
        timeout: float = SEGMENT_TIMEOUT,
        start_timeout: float = START_TIMEOUT,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        self.environment: Mapping[str, str] = dict(environment or {})
        """Variables set for the child on top of this process's (e.g. the engine's threads)."""
        try:
            self.wrapped: type[Backend] = _load_class(target)
        except (ImportError, AttributeError) as exc:
            message = f"The {target} engine could not start: {type(exc).__name__}: {exc}"
            raise SynthesisError(message) from exc
        self.name: str = getattr(self.wrapped, "name", target)
        self.options: Mapping[str, Option] = getattr(self.wrapped, "options", {})
        self.threaded: bool = getattr(self.wrapped, "threaded", False)
        self.settings = settings
        check_settings(self.wrapped, settings)  # refused at once, without starting a child
        self.args = (settings,)
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.restarts = 0
        """How many times a child was started again after the first."""
        self._lock = threading.Lock()
        self._ahead: str | None = None
        """The text sent ahead by :meth:`prefetch`, its audio not yet collected."""
        handle, log = tempfile.mkstemp(prefix="listen-tts-", suffix=".log")
        os.close(handle)
        self._state: dict[str, Any] = {"log": Path(log)}
        self._finalizer = weakref.finalize(self, _shutdown, self._state)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def availability(self, settings: VoiceSettings) -> Availability:
        """The wrapped class's availability (it never loads the engine)."""
        return self.wrapped.availability(settings)

    @property
    def pid(self) -> int | None:
        """The process id of the current child (None once closed)."""
        child: _Child | None = self._state.get("child")
        return child.pid if child is not None else None

    def synthesize(self, text: str) -> Audio:
        with self._lock:
            child = self._asked(text)
            reply = child.receive(self.timeout)
            if reply is None:
                raise self._crashed(child, text)
        return self._audio(reply, text)

    def prefetch(self, text: str) -> None:
        """Hand ``text`` to the child now, so that it speaks while this process works on the
        segment before; the next :meth:`synthesize` of the same text collects the audio (of
        another text, it drops it). Anything that goes wrong is left for that call to raise."""
        with self._lock:
            if self._ahead is not None or not self._finalizer.alive:
                return
            try:
                child = self._ready_child()
            except ListenError:
                return
            self._send(child, text)
            self._ahead = text

    def _asked(self, text: str) -> _Child:
        """The child with ``text`` sent to it: already, by :meth:`prefetch`, or now."""
        ahead, self._ahead = self._ahead, None
        child: _Child | None = self._state.get("child")
        if ahead is not None and child is not None:
            if ahead == text:
                return child
            if child.receive(self.timeout) is None:  # it died on the text nobody wants
                child.stop(kill=True)
                self._state.pop("child", None)
        child = self._ready_child()
        self._send(child, text)
        return child

    @staticmethod
    def _send(child: _Child, text: str) -> None:
        with contextlib.suppress(OSError):  # if it died, receive() says so
            child.conn.send_bytes(text.encode("utf-8"))

    def close(self) -> None:
        """Stop the child; the backend cannot speak afterwards."""
        self._finalizer()

    def _start(self) -> _Child:
        log: Path = self._state["log"]
        log.write_bytes(b"")
        child = _Child(self.target, self.args, log, self.environment)
        self._state["child"] = child
        reply = child.receive(self.start_timeout)
        if reply is None:
            reason = crash_reason(child.stop(kill=True))
            self._state.pop("child", None)
            raise SynthesisError(f"The {self.name} engine did not start ({reason}){self._tail()}")
        message = pickle.loads(reply)
        if message[0] == "error":
            child.stop()
            self._state.pop("child", None)
            _raise_remote(message[1], message[2], f"The {self.target} engine could not start")
        _LOGGER.debug("Started %s in process %s", self.target, child.pid)
        return child

    def _ready_child(self) -> _Child:
        if not self._finalizer.alive:
            raise SynthesisError(f"The {self.name} backend is closed")
        child: _Child | None = self._state.get("child")
        if child is not None and child.alive():
            return child
        if child is not None:
            reason = crash_reason(child.stop())
            _LOGGER.warning("The %s engine process had ended (%s); starting it again", self.name,
                            reason)  # fmt: skip
        self.restarts += 1
        return self._start()

    def _crashed(self, child: _Child, text: str) -> SynthesisError:
        reason = crash_reason(child.stop(kill=not child.timed_out))
        self._state.pop("child", None)
        what = f"crashed ({reason})"
        if child.timed_out:
            what = f"gave no answer within {self.timeout:g} s"
        return SynthesisError(
            f"The {self.name} engine {what} while speaking {_first_words(text)!r}; "
            f"that segment was not rendered{self._tail()}"
        )

    def _tail(self) -> str:
        """The last line the child printed, if any, as "; <line>"."""
        try:
            lines = self._state["log"].read_bytes().decode("utf-8", "replace").splitlines()
        except (OSError, KeyError):
            return ""
        lines = [line.strip() for line in lines if line.strip()]
        return f" ({lines[-1][:200]})" if lines else ""

    def _audio(self, reply: bytes, text: str) -> Audio:
        (rate,) = _HEADER.unpack_from(reply)
        if rate == 0:
            message = pickle.loads(reply[_HEADER.size :])
            context = f"The {self.name} engine failed to speak {_first_words(text)!r}"
            _raise_remote(message[1], message[2], context)
        samples = np.frombuffer(reply, dtype=np.float32, offset=_HEADER.size).copy()
        return Audio(samples=samples, sample_rate=rate)
