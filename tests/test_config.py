from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from showkit import write_cover

from listen.categories import APPLE_CATEGORIES, is_category
from listen.config import (
    ShowConfig,
    check_cover,
    load_config,
    starter_config,
    write_starter_config,
)
from listen.errors import ConfigError, ListenError
from listen.models import CheckOptions

CASES = Path(__file__).parent / "data" / "config_cases.tsv"


def _cases() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, find, replace, expected = line.split("\t")
            find, replace = (v.replace("\\n", "\n") for v in (find, replace))
            rows.append((case_id, find, replace, expected))
    return rows


def test_the_starter_file_loads_once_its_cover_exists(show: ShowConfig, show_dir: Path) -> None:
    assert show.source == (show_dir / "listen.toml").resolve()
    assert show.title == "The Example Daily, read aloud"
    assert (show.category, show.subcategory, show.explicit) == ("News", "Daily News", False)
    assert (show.owner_name, show.owner_email) == ("Example Daily newsroom", "podcasts@example.org")
    assert show.cover == (show_dir / "cover.jpg").resolve()
    assert show.base_url == "https://example.org/listen/"
    assert show.link == show.base_url
    assert show.feed_url == "https://example.org/listen/feed.xml"
    assert show.cover_url == "https://example.org/listen/cover.jpg"
    assert (show.voice, show.feed_items, show.cache_max_bytes) == ("joe", 100, 2048 * 1024 * 1024)
    assert (show.show_type, show.locked, show.language) == ("episodic", True, "en")
    assert (show.executor, show.scheduler, show.jobs, show.shared_cache) == (
        "local",
        None,
        None,
        None,
    )


def test_the_executor_table(show_dir: Path) -> None:
    path = show_dir / "listen.toml"
    text = path.read_text().replace('kind = "local"', 'kind = "dask"')
    text = text.replace("# jobs = 4", "jobs = 3").replace("# cache = ", "cache = ")
    text = text.replace("# scheduler = ", "scheduler = ")
    path.write_text(text)
    show = load_config(path)
    assert (show.executor, show.scheduler, show.jobs, show.shared_cache) == (
        "dask",
        "tcp://render-1.example.org:8786",
        3,
        "/shared/listen-cache",
    )


def test_the_starter_file_is_commented_toml_listing_the_categories() -> None:
    text = starter_config()
    data = tomllib.loads(text)
    assert set(data) == {"show", "owner", "publish", "executor", "check"}
    assert sum(line.startswith("#") for line in text.splitlines()) >= 15
    assert "True Crime" in text and "Religion & Spirituality" in text


def test_optional_keys_and_a_base_url_without_trailing_slash(show_dir: Path) -> None:
    path = show_dir / "listen.toml"
    text = path.read_text().replace(
        '# link = "https://example.org/"', 'link = "https://example.org/"'
    )
    text = text.replace('"https://example.org/listen/"', '"https://example.org/listen"')
    text = text.replace('# type = "episodic"', 'type = "serial"')
    text = text.replace("# locked = true", "locked = false")
    text = text.replace('subcategory = "Daily News"\n', "")
    text = text.replace('cover = "cover.jpg"', 'cover = "art/cover.png"')
    text = text.replace(
        "allowed_hosts = []", 'allowed_hosts = ["CDN.example.org", "localhost:8080"]'
    )
    path.write_text(text.replace("# copyright", "copyright"))
    (show_dir / "art").mkdir()
    write_cover(show_dir / "art" / "cover.png", (3000, 3000), "PNG")
    show = load_config(path)
    assert show.base_url == "https://example.org/listen/"
    assert show.link == "https://example.org/"
    assert (show.show_type, show.locked, show.subcategory) == ("serial", False, None)
    assert show.copyright == "(c) The Example Daily"
    assert show.cover_url == "https://example.org/listen/cover.png"
    assert show.allowed_hosts == ("cdn.example.org", "localhost:8080")


@pytest.mark.parametrize(("case_id", "find", "replace", "expected"), _cases(), ids=lambda v: v)
def test_each_bad_config_is_one_config_error_naming_file_and_key(
    show_dir: Path, case_id: str, find: str, replace: str, expected: str
) -> None:
    path = show_dir / "listen.toml"
    text = path.read_text()
    assert find in text, f"case {case_id}: the starter file no longer has {find!r}"
    path.write_text(text.replace(find, replace))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ListenError)


def test_a_missing_config_says_to_run_init(tmp_path: Path) -> None:
    path = tmp_path / "listen.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"Could not open config '{path}': no such file; run 'listen init' to write a starter"
    )


@pytest.mark.parametrize(
    ("size", "kind", "expected"),
    [
        ((1400, 1500), "JPEG", "it is 1400x1500 px, not square"),
        ((1000, 1000), "PNG", "sides must be 1400 to 3000 px, not 1000x1000"),
        ((3001, 3001), "JPEG", "sides must be 1400 to 3000 px, not 3001x3001"),
        ((1400, 1400), "GIF", "it is GIF, not JPEG or PNG"),
        ((1400, 1400), "CMYK", "it is CMYK: save it as RGB"),
    ],
    ids=["not-square", "too-small", "too-big", "gif", "cmyk"],
)
def test_cover_rules_are_checked_with_pillow(
    tmp_path: Path, size: tuple[int, int], kind: str, expected: str
) -> None:
    cover = write_cover(tmp_path / "cover.img", size, kind)
    with pytest.raises(ConfigError) as caught:
        check_cover(cover)
    assert str(caught.value).startswith(f"Cover '{cover}' breaks Apple's artwork rules: ")
    assert expected in str(caught.value)


@pytest.mark.parametrize(("side", "kind"), [(1400, "JPEG"), (3000, "PNG"), (2048, "JPEG")])
def test_covers_within_the_rules_pass(tmp_path: Path, side: int, kind: str) -> None:
    assert check_cover(write_cover(tmp_path / "c", (side, side), kind)) == (side, side)


def test_a_cover_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "cover.jpg"
    fake.write_text("not a picture")
    with pytest.raises(ConfigError, match="is not a readable JPEG or PNG image"):
        check_cover(fake)


def test_the_config_checks_the_cover(show_dir: Path) -> None:
    write_cover(show_dir / "cover.jpg", (1400, 1401))
    with pytest.raises(ConfigError, match=r"\[show\] cover '.*' breaks Apple's artwork rules"):
        load_config(show_dir / "listen.toml")


def test_init_writes_the_starter_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "listen.toml"
    assert write_starter_config(path) == path
    assert path.read_text() == starter_config()
    path.write_text("# mine\n")
    with pytest.raises(ConfigError) as caught:
        write_starter_config(path)
    assert str(caught.value) == (
        f"Config '{path}' already exists: edit it, or move it away to start again"
    )
    assert path.read_text() == "# mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["listen.toml"]


def test_a_voice_given_as_a_file_is_found_beside_the_config(show_dir: Path) -> None:
    (show_dir / "house.toml").write_text('backend = "espeak"\n')
    path = show_dir / "listen.toml"
    path.write_text(path.read_text().replace('voice = "joe"', 'voice = "house.toml"'))
    assert load_config(path).voice == str(show_dir.resolve() / "house.toml")


def test_apple_categories() -> None:
    assert len(APPLE_CATEGORIES) == 19
    assert sum(len(subs) for subs in APPLE_CATEGORIES.values()) == 91  # 110 names in all
    assert is_category("News", "Daily News") and is_category("True Crime")
    assert not is_category("News", "Cooking") and not is_category("Newz")


def test_a_decompression_bomb_is_refused_without_decoding(tmp_path: Path) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 10^10 pixels, claimed
    bomb = tmp_path / "cover.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    with pytest.raises(ConfigError, match="is far larger than 3000 px a side"):
        check_cover(bomb)


def test_the_check_table(show_dir: Path) -> None:
    path = show_dir / "listen.toml"
    assert load_config(path).check is None
    text = path.read_text().replace("enabled = false", "enabled = true")
    path.write_text(
        text.replace("max_wer = 0.3", "max_wer = 0").replace("attempts = 2", "attempts = 5")
    )
    show = load_config(path)
    assert show.check == CheckOptions(max_wer=0.0, attempts=5)
    assert not show.publish_flagged
