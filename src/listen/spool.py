"""An episode's PCM on disk: written block by block, read back block by block.

A 20,000-word article is over two hours of audio, 0.7 GB as float32 at 22.05 kHz; the
assembler writes it here as it goes and mastering reads it back in blocks, so the whole
episode is never in memory. The file is an anonymous temporary file (unlinked as soon as it
is made), so it is gone when it is closed or the process dies, whatever happens.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

import numpy as np

__all__ = ["BLOCK", "PcmSpool"]

BLOCK = 1 << 20
"""Samples per block read back by default (4 MB of float32)."""
_DTYPE = np.dtype("<f4")


class PcmSpool:
    """Mono float32 PCM at ``sample_rate`` in a temporary file: :meth:`append` while writing,
    then :meth:`read` and :meth:`blocks` any number of times. Close it (or use it as a
    context manager) to free the disk space."""

    def __init__(self, sample_rate: int, directory: Path | str | None = None) -> None:
        self.sample_rate = sample_rate
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close)
            prefix="listen-pcm-", dir=directory
        )
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def duration(self) -> float:
        return self._count / self.sample_rate

    def append(self, samples: np.ndarray) -> None:
        """Add ``samples`` (any float array) at the end."""
        self._file.write(np.asarray(samples, dtype=_DTYPE).tobytes())
        self._count += len(samples)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples ``start`` to ``stop`` (clipped to the spool) as a float32 array."""
        start, stop = max(0, start), min(self._count, stop)
        if stop <= start:
            return np.zeros(0, dtype=np.float32)
        self._file.flush()
        size = (stop - start) * _DTYPE.itemsize
        data = os.pread(self._file.fileno(), size, start * _DTYPE.itemsize)
        return np.frombuffer(data, dtype=_DTYPE).astype(np.float32, copy=False)

    def blocks(self, size: int = BLOCK) -> Iterator[np.ndarray]:
        """The samples in order, ``size`` at a time (the last block may be shorter)."""
        for start in range(0, self._count, size):
            yield self.read(start, start + size)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PcmSpool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
