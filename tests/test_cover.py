"""Cover art: no file outside the article's folder, and no non-image, ever reaches an APIC frame.

Every case is an article whose front matter names an ``image``; all of them are rendered in one
real ``listen render`` (espeak) and each MP3's ID3 tag is read back with mutagen.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from clitools import ESPEAK, assert_refused, run, snapshot, write_article
from mutagen.id3 import ID3
from PIL import Image

from listen.cover import load_cover
from listen.errors import CoverError
from listen.limits import Limits
from listen.slug import slugify

DATA = Path(__file__).parent / "data"
SECRET = b"SECRET-7f3a-not-for-any-mp3"
OUTSIDE = (
    "is outside the article's folder (or it is a symlink out of it); "
    "put the image beside the article"
)
SYSTEM = "is a system file (/proc, /sys or /dev), not an image"
NOT_IMAGE = "is not a JPEG or PNG image"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def image_bytes(fmt: str, size: tuple[int, int] = (8, 6), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 0).save(out, format=fmt)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    image: str
    """The front matter's ``image`` value; {secret} is the folder outside the article's."""
    make: Callable[[Path, Path], None] = lambda folder, secret: None
    reason: str = ""
    """Why it is refused (the warning; the error with --strict-cover); empty for a good cover."""


def _write(name: str, data: bytes) -> Callable[[Path, Path], None]:
    def make(folder: Path, secret: Path) -> None:
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)

    return make


def _link(name: str, target: str) -> Callable[[Path, Path], None]:
    return lambda folder, secret: (folder / name).symlink_to(target.format(secret=secret))


def _sparse(name: str, head: bytes, size: int) -> Callable[[Path, Path], None]:
    def make(folder: Path, secret: Path) -> None:
        with open(folder / name, "wb") as file:
            file.write(head)
            file.truncate(size)

    return make


BAD = {
    "proc-self-environ": Case("/proc/self/environ", reason=SYSTEM),
    "etc-passwd": Case("/etc/passwd", reason=OUTSIDE),
    "dotdot-to-a-real-png": Case("../../secret/secret.png", reason=OUTSIDE),
    "absolute-real-png-outside": Case("{secret}/secret.png", reason=OUTSIDE),
    "symlink-out": Case("cover.png", _link("cover.png", "{secret}/secret.png"), OUTSIDE),
    "symlinked-folder-out": Case("img/secret.png", _link("img", "{secret}"), OUTSIDE),
    "symlink-to-proc": Case("cover.png", _link("cover.png", "/proc/self/environ"), SYSTEM),
    "dev-zero": Case("/dev/zero", reason=SYSTEM),
    "fifo": Case("cover.png", lambda f, s: os.mkfifo(f / "cover.png"), "is not a regular file"),
    "text-renamed-png": Case("cover.png", _write("cover.png", SECRET + b"\n" * 200), NOT_IMAGE),
    "gif-is-not-jpeg-or-png": Case("cover.png", _write("cover.png", image_bytes("GIF")), NOT_IMAGE),
    "100-mb-file": Case(
        "cover.png",
        _sparse("cover.png", png_header(64, 64), 100_000_000),
        "is over the 5 MB image limit; use a smaller image or raise the limit "
        "with --max-image-size",
    ),
    "huge-dimension-png": Case(
        "cover.png",
        _write("cover.png", png_header(100_000, 100_000)),
        "has too many pixels, over the 3000 px limit; use a smaller image or raise the limit "
        "with --max-image-side",
    ),
    "3001-px-png": Case(
        "cover.png",
        _write("cover.png", image_bytes("PNG", (3001, 2), "L")),
        "is 3001x2 pixels, over the 3000 px limit; use a smaller image or raise the limit "
        "with --max-image-side",
    ),
    "truncated-png": Case(
        "cover.png",
        _write("cover.png", image_bytes("PNG", (64, 64))[:60]),
        "is a damaged image; export it again as JPEG or PNG",
    ),
    "missing": Case("nowhere.png", reason="was not found"),
}
GOOD = {
    "png-beside-the-article": Case("cover.png", _write("cover.png", image_bytes("PNG"))),
    "jpeg-in-a-subfolder": Case("images/c.jpg", _write("images/c.jpg", image_bytes("JPEG"))),
    "png-with-a-file-appended": Case(
        "cover.png", _write("cover.png", image_bytes("PNG") + SECRET * 10)
    ),
    "cmyk-jpeg": Case("cover.jpg", _write("cover.jpg", image_bytes("JPEG", mode="CMYK"))),
}


def _make(root: Path, name: str, case: Case) -> Path:
    secret = root / "secret"
    folder = root / "articles" / name
    folder.mkdir(parents=True)
    case.make(folder, secret)
    return write_article(folder, f"Cover {name}", f"image: '{case.image.format(secret=secret)}'")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """Every case rendered in one run: (root, output folder, what was logged)."""
    root = tmp_path_factory.mktemp("covers")
    (root / "secret").mkdir()
    (root / "secret" / "secret.png").write_bytes(image_bytes("PNG") + SECRET)
    paths = [_make(root, name, case) for name, case in {**BAD, **GOOD}.items()]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("listen.cover").addHandler(handler)
    try:
        result = run("render", *paths, *ESPEAK, "-o", root / "out")
    finally:
        logging.getLogger("listen.cover").removeHandler(handler)
    assert result.exit_code == 0, result.stderr
    return root, root / "out", stream.getvalue()


def _mp3(out: Path, name: str) -> Path:
    slug = slugify(f"Cover {name}")
    return out / slug / f"{slug}.mp3"


@pytest.mark.slow
@pytest.mark.parametrize("name", BAD)
def test_no_outside_file_and_no_non_image_reaches_an_apic_frame(
    rendered: tuple[Path, Path, str], name: str
) -> None:
    root, out, logged = rendered
    mp3 = _mp3(out, name)
    id3 = ID3(mp3)
    assert id3.getall("APIC") == []
    assert str(id3["TIT2"]) == f"Cover {name}"  # the episode itself was made
    data = mp3.read_bytes()
    assert SECRET not in data and b"root:x:0:0" not in data and b"PATH=" not in data
    image = BAD[name].image.format(secret=root / "secret")
    assert f"Cover image '{image}' {BAD[name].reason}; writing no cover art" in logged


@pytest.mark.slow
@pytest.mark.parametrize("name", GOOD)
def test_a_real_image_beside_the_article_is_the_cover(
    rendered: tuple[Path, Path, str], name: str
) -> None:
    root, out, _ = rendered
    [apic] = ID3(_mp3(out, name)).getall("APIC")
    source = (root / "articles" / name / GOOD[name].image).read_bytes()
    with Image.open(io.BytesIO(apic.data)) as shown, Image.open(io.BytesIO(source)) as original:
        assert apic.mime == f"image/{shown.format.lower()}" == f"image/{original.format.lower()}"
        assert shown.size == original.size and shown.mode in {"RGB", "L", "RGBA"}
    assert SECRET not in apic.data
    if name in {"png-beside-the-article", "jpeg-in-a-subfolder"}:
        assert apic.data == source  # a clean file is embedded as it is
    else:
        assert apic.data != source  # re-encoded: the appended bytes or CMYK are gone


@pytest.mark.parametrize("name", BAD)
def test_strict_cover_refuses_before_anything_is_written(
    tmp_path: Path, out_dir: Path, name: str
) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "secret.png").write_bytes(image_bytes("PNG"))
    article = _make(tmp_path, name, BAD[name])
    before = snapshot(out_dir)
    result = run("render", article, *ESPEAK, "--strict-cover", "-o", out_dir)
    image = BAD[name].image.format(secret=tmp_path / "secret")
    error = (
        f"Error: Cover image '{image}' {BAD[name].reason}; fix it, or render without --strict-cover"
    )
    assert_refused(result, error, out_dir, before)


def test_a_remote_image_is_never_fetched_nor_an_error(tmp_path: Path) -> None:
    assert load_cover("https://example.org/c.png", tmp_path, strict=True) is None


def test_a_name_that_is_no_file_name_is_refused_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(CoverError, match="is not a usable file name"):
        load_cover("cover\0.png", tmp_path, strict=True)
    assert load_cover("x" * 5000 + ".png", tmp_path) is None


def test_image_dirs_name_another_folder_but_no_symlink_out_of_it(tmp_path: Path) -> None:
    art = tmp_path / "art"
    art.mkdir()
    (art / "c.png").write_bytes(image_bytes("PNG"))
    (tmp_path / "secret.png").write_bytes(image_bytes("PNG"))
    (art / "link.png").symlink_to(tmp_path / "secret.png")
    article_dir = tmp_path / "news"
    article_dir.mkdir()
    cover = load_cover(str(art / "c.png"), article_dir, image_dirs=[art], strict=True)
    assert cover is not None and cover.mime == "image/png" and (cover.width, cover.height) == (8, 6)
    with pytest.raises(CoverError, match="outside the article's folder"):
        load_cover(str(art / "c.png"), article_dir, strict=True)
    with pytest.raises(CoverError, match="outside the article's folder"):
        load_cover(str(art / "link.png"), article_dir, image_dirs=[art], strict=True)


def test_the_image_limits_are_the_callers(tmp_path: Path) -> None:
    (tmp_path / "c.png").write_bytes(image_bytes("PNG", (40, 30)))
    small = Limits(max_image_side=32)
    assert load_cover("c.png", tmp_path, limits=small) is None
    assert load_cover("c.png", tmp_path, limits=Limits(max_image_side=40)) is not None
    with pytest.raises(CoverError, match="over the 20 bytes image limit"):
        load_cover("c.png", tmp_path, limits=Limits(max_image_bytes=20), strict=True)


def test_max_image_size_on_the_command_line(tmp_path: Path, out_dir: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    shutil.copy(DATA / "cover.png", folder / "cover.png")
    article = write_article(folder, "Small Cover Limit", "image: cover.png")
    before = snapshot(out_dir)
    result = run(
        "render", article, *ESPEAK, "--strict-cover", "--max-image-size", "50", "-o", out_dir
    )
    error = (
        "Error: Cover image 'cover.png' is over the 50 bytes image limit; use a smaller image "
        "or raise the limit with --max-image-size; fix it, or render without --strict-cover"
    )
    assert_refused(result, error, out_dir, before)
