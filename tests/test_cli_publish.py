"""`listen init` and `listen feed-check` through the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from showkit import make_episode

from listen.cli import main
from listen.config import ShowConfig, starter_config
from listen.feed import build_feed


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_listen_toml_here_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("init")
    assert (code, err) == (0, "")
    assert out == "Wrote listen.toml: edit the show's details and add its cover image beside it.\n"
    assert (tmp_path / "listen.toml").read_text() == starter_config()
    (tmp_path / "listen.toml").write_text("# edited\n")
    code, out, err = run("init")
    assert (code, out) == (1, "")
    assert err == (
        "Error: Config 'listen.toml' already exists: edit it, or move it away to start again\n"
    )
    assert (tmp_path / "listen.toml").read_text() == "# edited\n"


@pytest.fixture
def feed_file(show: ShowConfig, tmp_path: Path) -> Path:
    path = tmp_path / "feed.xml"
    path.write_bytes(build_feed(show, [make_episode(1), make_episode(2)]))
    return path


def test_feed_check_passes_a_good_feed(feed_file: Path) -> None:
    assert run("feed-check", str(feed_file)) == (0, f"{feed_file}: OK\n", "")


def test_feed_check_prints_each_problem_with_its_item(feed_file: Path) -> None:
    text = feed_file.read_text()
    text = text.replace('length="100002"', 'length="0"').replace(
        "<itunes:duration>61</itunes:duration>", ""
    )
    feed_file.write_text(
        text.replace('<itunes:image href="https://example.org/listen/cover.jpg"/>', "")
    )
    code, out, err = run("feed-check", str(feed_file))
    assert code == 1
    assert out.splitlines() == [
        f"{feed_file}: channel: <itunes:image href=...> is missing: Apple rejects a show "
        "without artwork",
        f"{feed_file}: item 'Story number 2' (https://news.example.org/story-2): <enclosure> "
        "length '0' is not the file's size in bytes (a positive number)",
        f"{feed_file}: item 'Story number 1' (https://news.example.org/story-1): "
        "<itunes:duration> is missing: the length in seconds",
    ]
    assert err == f"Error: Feed '{feed_file}' has 3 problem(s): fix them and check again\n"


def test_feed_check_files_and_http(show: ShowConfig, feed_file: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "story-1.mp3").write_bytes(b"\0" * 100_001)
    (site / "story-2.mp3").write_bytes(b"\0" * 7)
    code, out, _ = run("feed-check", str(feed_file), "--files", str(site))
    assert code == 1 and "enclosure length 100002 is not the size of" in out
    http_feed = tmp_path / "http.xml"
    http_feed.write_text(feed_file.read_text().replace("https://example.org/", "http://127.0.0.1/"))
    assert run("feed-check", str(http_feed))[0] == 1
    assert run("feed-check", str(http_feed), "--allow-http")[0] == 0


def test_feed_check_on_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "feed.xml"
    assert run("feed-check", str(missing)) == (
        1,
        "",
        f"Error: Could not open feed '{missing}': no such file\n",
    )


def test_feed_check_previous(show: ShowConfig, feed_file: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.xml"
    old.write_bytes(build_feed(show, [make_episode(1, audio_bytes=5)]))
    code, out, _ = run("feed-check", str(feed_file), "--previous", str(old))
    assert code == 1
    assert out == (
        f"{feed_file}: item 'Story number 1' (https://news.example.org/story-1): enclosure URL "
        "'https://example.org/listen/story-1.mp3' was published with 5 bytes and now has "
        "100001: new audio needs a new URL\n"
    )
    assert run("feed-check", str(feed_file), "--previous", str(tmp_path / "none.xml"))[0] == 0
