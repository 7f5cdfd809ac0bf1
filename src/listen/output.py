"""The output folder: one episode is one folder, published whole or not at all.

Layout::

    OUT/
      .listen.lock                  held (flock) by the one run writing to OUT
      <slug>/<slug>.mp3             one episode: the MP3 and its side files,
      <slug>/<slug>.vtt                all from the same render
      <slug>/<slug>.json
      <slug>/<slug>.chapters.json
      .<slug>.<random>.part/        an episode being written (gone when the run ends)

Guarantees:

- One run at a time per folder: ``output_lock(OUT)`` takes an exclusive, non-blocking lock on
  ``OUT/.listen.lock``; a second run gets ``OutputLocked`` at once instead of mixing versions.
- An episode is written into a staging folder (``new_episode_dir``), every file and the folder
  are fsynced, then ``commit_episode`` makes it visible in one step: a plain rename when
  ``OUT/<slug>`` is new, else an atomic swap of the two folders (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``), after which the old version is deleted. A reader, or a run killed at
  any instant, sees the old episode whole or the new one whole, never a mix.
- Where ``renameat2`` is missing (another OS, a file system without it) the old folder is
  renamed aside, then the new one into place; a run killed between the two leaves
  ``OUT/<slug>`` missing for a moment, and the next run's ``sweep_stale`` puts the aside copy
  back.
- Whatever a killed run left (``.*.part*`` files and folders) is removed by the next run's
  ``sweep_stale``, which ``output_lock`` calls once the lock is held.
- listen never deletes a folder holding files it did not write (``OUT/<slug>`` with any other
  name in it, or ``<slug>`` as a file, is refused), and never writes over its own inputs
  (``check_inputs_outside``, called before anything is rendered).
- Operating-system errors on the output folder (read-only, full disk, a path under a file)
  become one ``OutputError`` saying what to do, never a traceback.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from listen.errors import OutputError, OutputLocked
from listen.fsutil import fsync_file

__all__ = [
    "EPISODE_SUFFIXES",
    "LOCK_NAME",
    "check_inputs_outside",
    "commit_episode",
    "episode_files",
    "new_episode_dir",
    "output_errors",
    "output_lock",
    "sweep_stale",
    "write_episode",
]

_LOGGER = logging.getLogger(__name__)

LOCK_NAME = ".listen.lock"
EPISODE_SUFFIXES = (".mp3", ".vtt", ".json", ".chapters.json")
"""The files of one episode, each named ``<slug><suffix>``."""
_ASIDE = re.compile(r"\.(?P<slug>[^/]+)\.[0-9a-f]{8}\.aside\.part")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_HELD: dict[Path, int] = {}
"""Output folders this process holds the lock of, with the lock file's descriptor."""

Stage = Callable[[str], None]
"""Called with "synced", "aside" or "swapped" as a commit passes each step (fault injection)."""

_ADVICE = {
    errno.ENOSPC: "the disk is full; free some space or use another --output",
    errno.EDQUOT: "the disk quota is used up; free some space or use another --output",
    errno.EROFS: "it is on a read-only file system; use another --output",
    errno.EACCES: "permission denied; fix its permissions or use another --output",
    errno.EPERM: "permission denied; fix its permissions or use another --output",
    errno.ENAMETOOLONG: "the path is too long; use a shorter --output",
}
_ALWAYS_OURS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
"""Errors that can only come from writing, whichever file they name (or none)."""


def episode_files(slug: str) -> frozenset[str]:
    """The names listen writes into ``OUT/<slug>/``."""
    return frozenset(slug + suffix for suffix in EPISODE_SUFFIXES)


# -- errors --------------------------------------------------------------------------------------


def _file_above(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` (or itself) that is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def _translate(exc: OSError, out_dir: Path) -> OutputError:
    blocker = _file_above(out_dir)
    if blocker is not None or exc.errno in (errno.ENOTDIR, errno.EEXIST):
        what = f"'{blocker}' is a file" if blocker is not None else "a file is in the way"
        return OutputError(
            f"Cannot write to the output folder '{out_dir}': {what}, not a folder; "
            "use another --output"
        )
    advice = _ADVICE.get(exc.errno or 0, f"{exc.strerror or exc}; use another --output")
    return OutputError(f"Cannot write to the output folder '{out_dir}': {advice}")


def _concerns(exc: OSError, out_dir: Path) -> bool:
    if exc.errno in _ALWAYS_OURS or exc.filename is None:
        return True
    named = Path(os.fsdecode(exc.filename)).absolute()
    return named == out_dir.absolute() or out_dir.absolute() in named.parents


@contextlib.contextmanager
def output_errors(out_dir: Path | str) -> Iterator[None]:
    """Turn an OSError about ``out_dir`` (or a full or read-only disk) into an OutputError."""
    out = Path(out_dir)
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        if not _concerns(exc, out):
            raise
        raise _translate(exc, out) from exc


# -- the lock and the sweep ----------------------------------------------------------------------


@contextlib.contextmanager
def output_lock(out_dir: Path | str, *, sweep: bool = True) -> Iterator[Path]:
    """Create ``out_dir`` if needed and hold its lock; OutputLocked when another run has it.

    Once the lock is held, ``sweep_stale`` clears what killed runs left (unless ``sweep`` is
    False). The lock is released when the block ends, or by the kernel when the process dies.
    """
    import fcntl

    out = Path(out_dir)
    with output_errors(out):
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    key = out.resolve()
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputLocked(
                f"Another listen run is writing to '{out}'; wait for it or use another --output"
            ) from None
        _HELD[key] = fd
        if sweep:
            sweep_stale(out)
        yield out
    finally:
        _HELD.pop(key, None)
        os.close(fd)  # closing the descriptor releases the lock


def sweep_stale(out_dir: Path | str) -> list[Path]:
    """Put back an episode a killed run left aside, then remove every ``.*.part*`` entry, in
    OUT and in its episode folders (a page or version folder being written).

    Only while this process holds ``output_lock(out_dir)``: another run's staging folders
    are not stale. Returns the paths restored or removed.
    """
    out = Path(out_dir)
    if out.resolve() not in _HELD:
        raise RuntimeError(f"sweep_stale('{out}') needs output_lock('{out}') held")
    done: list[Path] = []
    with output_errors(out):
        for entry in sorted(out.glob(".*.aside.part")):
            match = _ASIDE.fullmatch(entry.name)
            target = out / match["slug"] if match else None
            if target is not None and not os.path.lexists(target) and entry.is_dir():
                os.rename(entry, target)
                _LOGGER.warning("Restored %s, left aside by a run that was stopped", target)
                done.append(target)
        for entry in [*sorted(out.glob(".*.part*")), *sorted(out.glob("[!.]*/.*.part*"))]:
            _remove(entry)
            done.append(entry)
    return done


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


# -- writing one episode -------------------------------------------------------------------------


def new_episode_dir(out_dir: Path | str, slug: str) -> Path:
    """Create and return an empty staging folder ``out_dir/.<slug>.<random>.part/``."""
    if not slug or slug.startswith(".") or "/" in slug or os.sep in slug:
        raise ValueError(f"Not a usable episode slug: {slug!r}")
    while True:
        staging = Path(out_dir) / f".{slug}.{secrets.token_hex(4)}.part"
        try:
            staging.mkdir(0o777)
        except FileExistsError:
            continue
        return staging


def _check_target(target: Path, expected: Collection[str]) -> None:
    """OutputError unless ``target`` is absent or a folder holding only files listen writes."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutputError(
            f"'{target}' is in the way: it is a file, not an episode folder listen wrote; "
            "move it away or use another --output"
        )
    if not target.exists():
        return
    foreign = sorted(name for name in os.listdir(target) if name not in expected)
    if foreign:
        raise OutputError(
            f"'{target}' holds files listen did not write ({', '.join(foreign[:3])}); "
            "listen will not replace it: move them away or use another --output"
        )


def _fsync_tree(folder: Path) -> None:
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            fsync_file(Path(entry.path))
    fsync_file(folder)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fsdecode(b))


def commit_episode(
    staging: Path,
    target: Path,
    *,
    expected: Collection[str] | None = None,
    on_stage: Stage | None = None,
) -> Path:
    """Make the staged episode visible as ``target`` in one step; the old version is deleted.

    ``expected``: the names listen may replace in an existing ``target`` (by default the
    episode files of ``target.name`` and whatever is staged); anything else there is refused.
    """
    stage = on_stage or (lambda name: None)
    names = set(expected or episode_files(target.name)) | set(os.listdir(staging))
    _check_target(target, names)
    _fsync_tree(staging)
    stage("synced")
    parent = target.parent
    if not os.path.lexists(target):
        os.rename(staging, target)
    elif _exchange(staging, target):
        stage("swapped")
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the old version
    else:
        _replace_aside(staging, target, stage)
    fsync_file(parent)
    return target


def _replace_aside(staging: Path, target: Path, stage: Stage) -> None:
    """Without an atomic swap: old aside, new in, old deleted; sweep_stale mends a kill."""
    aside = staging.with_name(f"{staging.name.removesuffix('.part')}.aside.part")
    os.rename(target, aside)
    fsync_file(target.parent)
    stage("aside")
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    stage("swapped")
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def write_episode(
    out_dir: Path | str, slug: str, *, on_stage: Stage | None = None
) -> Iterator[Path]:
    """Yield a staging folder to write ``<slug>.mp3`` and its side files into; publish it as
    ``out_dir/<slug>/`` when the block ends, or remove it if the block raises.

    Call it while holding ``output_lock(out_dir)``. OSErrors about the folder are OutputErrors.
    """
    out = Path(out_dir)
    with output_errors(out):
        staging = new_episode_dir(out, slug)
    try:
        with output_errors(out):
            yield staging
            commit_episode(staging, out / slug, on_stage=on_stage)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def check_inputs_outside(
    inputs: Iterable[Path | str], out_dir: Path | str, slugs: Iterable[str]
) -> None:
    """OutputError if rendering would replace an input: one inside ``out_dir/<slug>/`` for
    one of ``slugs``, or ``out_dir`` itself. Call it before rendering anything."""
    out = Path(out_dir).resolve()
    targets = [out / slug for slug in slugs]
    for given in inputs:
        path = Path(given).resolve()
        if path == out:
            raise OutputError(f"The output folder '{out_dir}' is the input '{given}'")
        for target in targets:
            if path == target.resolve() or target.resolve() in path.parents:
                raise OutputError(
                    f"Input '{given}' is inside '{target}', which this render would replace; "
                    "move it or use another --output"
                )
