"""Cover art: the only way a local file reaches an episode's APIC frame.

An article's ``image`` is embedded only when it is a real JPEG or PNG (decoded by Pillow), at most
``Limits.max_image_bytes`` and ``Limits.max_image_side`` pixels a side, inside the article's folder
or one of the caller's ``image_dirs``, reached without a symlink out of them. Nothing else is ever
opened: not a device, a FIFO, a socket, nor anything under /proc, /sys or /dev. Anything else is a
logged warning and no cover, or a ``CoverError`` when ``strict``.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import struct
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from listen.errors import CoverError
from listen.limits import Limits, format_size
from listen.models import Cover

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = ["load_cover"]

_LOGGER = logging.getLogger(__name__)
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
_PLAIN_MODES = {"JPEG": {"L", "RGB"}, "PNG": {"1", "L", "LA", "P", "RGB", "RGBA"}}
_ENDS = {"JPEG": b"\xff\xd9", "PNG": b"IEND\xaeB`\x82"}
_SYSTEM = ("/proc", "/sys", "/dev")


class _Refused(Exception):
    """Why an image is not used as cover art (a warning, or a CoverError when strict)."""


def load_cover(
    image: str | None,
    article_dir: Path,
    *,
    image_dirs: Sequence[Path] = (),
    limits: Limits | None = None,
    strict: bool = False,
) -> Cover | None:
    """The checked cover named by an article's ``image``, or None (remote or refused images).

    ``image`` is relative to ``article_dir`` or absolute; either way it must lie inside
    ``article_dir`` or one of ``image_dirs`` once every symlink is resolved.
    """
    if not image or not image.strip() or "://" in image or image.startswith("data:"):
        return None
    limits = limits or Limits()
    try:
        return _load(Path(image.strip()), article_dir, image_dirs, limits)
    except _Refused as exc:
        shown = image if len(image) <= 200 else f"{image[:200]}…"
        message = f"Cover image '{shown}' {exc}"
        if strict:
            raise CoverError(f"{message}; fix it, or render without --strict-cover") from None
        _LOGGER.warning("%s; writing no cover art", message)
        return None


def _load(image: Path, article_dir: Path, image_dirs: Sequence[Path], limits: Limits) -> Cover:
    path = _inside(article_dir / image, [article_dir, *image_dirs])
    data = _read(path, limits.max_image_bytes)
    return _checked(data, path, limits)


def _inside(candidate: Path, roots: Sequence[Path]) -> Path:
    """``candidate`` with every symlink resolved, if that lies inside one of ``roots``."""
    try:
        real = Path(os.path.realpath(candidate))
    except (OSError, ValueError):  # a NUL byte, a name too long
        raise _Refused("is not a usable file name") from None
    if any(real.is_relative_to(system) for system in _SYSTEM):
        raise _Refused("is a system file (/proc, /sys or /dev), not an image")
    for root in roots:
        if real.is_relative_to(os.path.realpath(root)):
            return real
    raise _Refused(
        "is outside the article's folder (or it is a symlink out of it); "
        "put the image beside the article"
    )


def _read(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file, never following a symlink or blocking."""
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise _Refused("was not found") from None
    except OSError as exc:
        raise _Refused(f"could not be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(before.st_mode):
        raise _Refused("is not a regular file")
    _check_size(before.st_size, max_bytes)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _Refused(f"could not be opened: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as file:
        after = os.fstat(file.fileno())
        if not stat.S_ISREG(after.st_mode) or (after.st_dev, after.st_ino) != (
            before.st_dev,
            before.st_ino,
        ):
            raise _Refused("changed while it was being read")
        data = file.read(max_bytes + 1)
    _check_size(len(data), max_bytes)
    return data


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise _Refused(
            f"is over the {format_size(max_bytes)} image limit; use a smaller image "
            "or raise the limit with --max-image-size"
        )


def _checked(data: bytes, path: Path, limits: Limits) -> Cover:
    """Decode ``data`` fully with Pillow, refusing a decompression bomb before it is decoded."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decoded(data, path, limits)
    except UnidentifiedImageError:
        raise _Refused("is not a JPEG or PNG image") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _Refused(_too_large("has too many pixels", limits)) from None
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        _LOGGER.info("Pillow could not decode '%s': %s", path, exc)
        raise _Refused("is a damaged image; export it again as JPEG or PNG") from None


def _decoded(data: bytes, path: Path, limits: Limits) -> Cover:
    """The cover, re-encoded if the file carries more than the image or is in an odd mode."""
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as img:
        fmt, (width, height) = str(img.format), img.size
        _check_side(width, height, limits)
        img.load()
        if img.mode not in _PLAIN_MODES[fmt] or not data.rstrip(b"\0").endswith(_ENDS[fmt]):
            data = _reencode(img, fmt)
    return Cover(data=data, mime=_FORMATS[fmt], width=width, height=height, source=path)


def _check_side(width: int, height: int, limits: Limits) -> None:
    if max(width, height) > limits.max_image_side:
        raise _Refused(_too_large(f"is {width}x{height} pixels", limits))


def _too_large(what: str, limits: Limits) -> str:
    return (
        f"{what}, over the {limits.max_image_side} px limit; use a smaller image "
        "or raise the limit with --max-image-side"
    )


def _reencode(img: PILImage, fmt: str) -> bytes:
    """The pixels alone, in a mode every podcast player shows (no trailing data, no CMYK)."""
    mode = "RGB" if fmt == "JPEG" else ("RGBA" if "A" in img.getbands() else "RGB")
    out = io.BytesIO()
    img.convert(mode).save(out, format=fmt, quality=90)
    return out.getvalue()
