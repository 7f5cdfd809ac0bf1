"""The content-addressed segment cache: a spoken sentence's PCM, keyed by what made it.

The key is the sha256 of the segment's spoken text, the resolved voice settings and the engine
with its version, so a changed lexicon, voice or engine never serves stale audio. Each value
is one file (a 16-byte header, then float32 samples), written to a temporary name and renamed.
An SQLite index (WAL, so worker processes share it) holds each entry's size and last access;
when the cache grows past ``max_bytes`` the least recently used entries go first.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import struct
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from listen.catalogue import canonical_json, sha256_hex
from listen.errors import CatalogueError
from listen.models import Audio

__all__ = ["INDEX_NAME", "SegmentCache", "segment_key"]

INDEX_NAME = "index.sqlite"
_HEADER = struct.Struct("<4sIQ")  # magic, sample rate, sample count
_MAGIC = b"LSC1"
_STALE_TEMP_SECONDS = 3600
_SET_UP_SECONDS = 30.0
"""How long opening the index may wait for the other processes opening it at the same time."""
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    "key TEXT PRIMARY KEY, bytes INTEGER NOT NULL, atime INTEGER NOT NULL)"
)


def _set_up(conn: sqlite3.Connection) -> None:
    """Put the index in WAL mode and give it its table, trying again while another process
    does the same: switching to WAL fails at once with "database is locked", without waiting
    as the connection's timeout says, when workers open a new cache together (a publish's
    first run failed an article so, one time in three with four workers)."""
    deadline = time.monotonic() + _SET_UP_SECONDS
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(0.2, pause * 2)


def segment_key(text: str, voice: Mapping[str, Any], engine: str, engine_version: str) -> str:
    """The cache key of a segment: 64 hex digits."""
    return sha256_hex(
        canonical_json({"text": text, "voice": voice, "engine": engine, "version": engine_version})
    )


class SegmentCache:
    """PCM of spoken segments under ``directory``, at most ``max_bytes`` of it (0: off).

    Safe to share between processes: each opens its own index connection (also after a
    fork or when the object is pickled into a worker).
    """

    def __init__(self, directory: Path | str, max_bytes: int) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        with self._sql("open"):
            (self.directory / "tmp").mkdir(parents=True, exist_ok=True)
            self._db()
        self._sweep_temp()

    key = staticmethod(segment_key)

    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "max_bytes": self.max_bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["directory"], state["max_bytes"])  # type: ignore[misc]

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __enter__(self) -> SegmentCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> Audio | None:
        """The cached audio for ``key``, or None; a hit counts as a use for pruning."""
        audio = _read(self._path(key))
        if audio is None:
            return None
        with self._sql("update"), self._write() as db:
            now = time.time_ns()
            touched = db.execute("UPDATE entries SET atime = ? WHERE key = ?", (now, key))
            if touched.rowcount == 0 and self._path(key).is_file():  # left by a killed run
                size = _HEADER.size + audio.samples.nbytes
                db.execute("INSERT INTO entries VALUES (?, ?, ?)", (key, size, now))
        return audio

    def put(self, key: str, audio: Audio) -> bool:
        """Store ``audio`` under ``key``; False if the cache is off or it alone is too big."""
        samples = np.ascontiguousarray(audio.samples, dtype="<f4")
        if samples.ndim != 1:
            raise ValueError("the segment cache holds mono audio (one-dimensional samples)")
        size = _HEADER.size + samples.nbytes
        if size > self.max_bytes:
            return False
        # File and row change under one lock, so a pruning process never sees one without
        # the other; a killed run can leave a file without its row, which get() adopts.
        with self._sql("write to"), self._write() as db:
            self._store(key, samples, audio.sample_rate)
            db.execute(
                "INSERT OR REPLACE INTO entries (key, bytes, atime) VALUES (?, ?, ?)",
                (key, size, time.time_ns()),
            )
        self.prune(keep=key)
        return True

    def prune(self, keep: str | None = None) -> int:
        """Remove least recently used entries until the total fits; return the bytes freed."""
        freed = 0
        with self._sql("prune"), self._write() as db:
            total = db.execute("SELECT COALESCE(SUM(bytes), 0) FROM entries").fetchone()[0]
            if total <= self.max_bytes:
                return 0
            oldest = db.execute(
                "SELECT key, bytes FROM entries WHERE key != ? ORDER BY atime, rowid",
                (keep or "",),
            )
            for key, size in oldest.fetchall():
                if total - freed <= self.max_bytes:
                    break
                self._path(key).unlink(missing_ok=True)
                db.execute("DELETE FROM entries WHERE key = ?", (key,))
                freed += size
        return freed

    def total_bytes(self) -> int:
        with self._sql("read"):
            row = self._db().execute("SELECT COALESCE(SUM(bytes), 0) FROM entries").fetchone()
        return int(row[0])

    def __len__(self) -> int:
        with self._sql("read"):
            return int(self._db().execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._path(key).is_file()

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"not a segment cache key: {key!r}")
        return self.directory / key[:2] / f"{key}.pcm"

    def _store(self, key: str, samples: np.ndarray, sample_rate: int) -> None:
        target = self._path(key)
        target.parent.mkdir(exist_ok=True)
        temp = self.directory / "tmp" / f"{key}.{secrets.token_hex(4)}"
        try:
            with open(temp, "xb") as out:
                out.write(_HEADER.pack(_MAGIC, sample_rate, len(samples)))
                out.write(samples.tobytes())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def _db(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(self.directory / INDEX_NAME, timeout=30.0, isolation_level=None)
            try:
                _set_up(conn)
            except BaseException:
                conn.close()
                raise
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextlib.contextmanager
    def _sql(self, action: str) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise CatalogueError(
                f"Could not {action} the segment cache '{self.directory}': {exc}"
            ) from exc

    def _sweep_temp(self) -> None:
        """Remove temporary files that a killed run left behind."""
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for temp in (self.directory / "tmp").iterdir():
            with contextlib.suppress(OSError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()


def _read(path: Path) -> Audio | None:
    """The audio in a cache file, or None if it is missing or damaged (a damaged one is removed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) >= _HEADER.size:
        magic, rate, count = _HEADER.unpack_from(data)
        if magic == _MAGIC and rate > 0 and len(data) == _HEADER.size + 4 * count:
            samples = np.frombuffer(data, dtype="<f4", offset=_HEADER.size).astype(np.float32)
            return Audio(samples=samples, sample_rate=rate)
    path.unlink(missing_ok=True)
    return None
