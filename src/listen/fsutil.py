"""Atomic writes: a file listen produces is either complete or absent, never half-written.

Every output (MP3, transcript, chapters, feed) is written to a hidden temporary file in the
target's own directory, flushed to disk, then renamed over the target with ``os.replace``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "fsync_file", "write_bytes_atomic", "write_text_atomic"]


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a fresh, empty temporary path beside ``target``; rename it to ``target`` on success.

    The temporary name keeps the target's suffix, so tools that pick a format from the
    extension (ffmpeg, mutagen) treat it as the real file. If the block raises, the
    temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    temp = _create_temp(target)
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8 with ``\\n`` line endings."""
    write_bytes_atomic(path, text.encode("utf-8"))


def _create_temp(target: Path) -> Path:
    """Create an empty file named ``.<name>.<random>.part<suffix>`` in the target's directory.

    ``os.open`` with mode 0o666 lets the umask decide the permissions, as for any new file
    (``tempfile.mkstemp`` would make it 0o600, unreadable by a web server once renamed).
    """
    for _ in range(100):
        temp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.part{target.suffix}")
        try:
            os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(f"Could not create a temporary file beside '{target}'")


def fsync_file(path: Path) -> None:
    """Flush ``path`` (a file, or a folder where the platform can open one) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; not every platform can open a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
