from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import html

from listen.article import load
from listen.models import Block
from listen.render import render_files
from listen.site import (
    PLAYER_FILES,
    SiteEpisode,
    SiteError,
    SiteShow,
    build_site,
    embed_snippet,
    load_manifest,
    player_assets,
    site_episode,
    site_episode_from_timing,
    write_site,
)

XSS = "<img src=x onerror=alert(1)>"
SHOW = SiteShow(title=f"News {XSS}", base_url="https://news.example/listen", description="d")


def _episode(slug: str = "bridge", title: str = "Bridge reopens", **kw: object) -> SiteEpisode:
    defaults: dict[str, object] = {
        "audio_url": f"audio/{slug}.mp3",
        "duration": 225.4,
        "timing_url": f"audio/{slug}.json",
        "chapters_url": f"audio/{slug}.chapters.json",
        "author": "Ada & Co",
        "date": "2026-11-20",
        "blocks": (Block("heading", "The repairs", 2), Block("paragraph", f"Text {XSS}")),
    }
    defaults.update(kw)
    return SiteEpisode(slug=slug, title=title, **defaults)  # type: ignore[arg-type]


def test_player_js_and_css_together_fit_in_8_kb_gzipped() -> None:
    assets = player_assets()
    assert set(assets) == set(PLAYER_FILES)
    size = len(gzip.compress(assets["listen-player.js"] + assets["listen-player.css"], 9))
    assert size <= 8192, f"{size} bytes gzipped"


def test_every_file_of_the_site() -> None:
    files = build_site(SHOW, [_episode(), _episode("other", "Other story")])
    assert set(files) == {
        "index.html",
        "bridge/index.html",
        "other/index.html",
        "embed/bridge.html",
        "embed/other.html",
        "oembed/bridge.json",
        "oembed/other.json",
        "player/listen-player.js",
        "player/listen-player.css",
        "site.json",
    }
    assert files["player/listen-player.js"] == player_assets()["listen-player.js"]


def test_article_page_has_headline_byline_player_text_and_oembed_link() -> None:
    doc = html.fromstring(build_site(SHOW, [_episode()])["bridge/index.html"])
    assert doc.findtext(".//h1") == "Bridge reopens"
    assert "By Ada & Co" in doc.find_class("meta")[0].text_content()
    player = doc.find(".//listen-player")
    assert player.get("data-timing") == "../audio/bridge.json"
    assert player.get("data-chapters") == "../audio/bridge.chapters.json"
    audio = player.find("audio")
    assert (audio.get("src"), audio.get("preload")) == ("../audio/bridge.mp3", "metadata")
    assert audio.get("controls") is not None and audio.get("autoplay") is None
    assert player.find("a").get("download") is not None
    assert doc.findtext(".//article/h2") == "The repairs"
    assert doc.xpath("//article/p[last()]")[0].text == f"Text {XSS}"
    [oembed] = doc.xpath("//link[@type='application/json+oembed']")
    assert oembed.get("href") == "https://news.example/listen/oembed/bridge.json"
    assert doc.xpath("//script/@src") == ["../player/listen-player.js"]


def test_show_page_lists_every_episode_with_player_feed_and_play_all() -> None:
    episodes = [_episode(), _episode("other", "Other story")]
    doc = html.fromstring(build_site(SHOW, episodes)["index.html"])
    assert [a.text for a in doc.xpath("//h2/a")] == ["Bridge reopens", "Other story"]
    assert [a.get("href") for a in doc.xpath("//h2/a")] == ["bridge/", "other/"]
    assert len(doc.xpath("//listen-player")) == 2
    assert doc.xpath("//a[text()='Podcast feed (RSS)']/@href") == ["feed.xml"]
    assert doc.xpath("//button[@data-listen-queue]/@hidden") == [""]  # shown by the script


def test_no_page_loads_anything_from_another_host() -> None:
    files = build_site(SHOW, [_episode()])
    for name in ("index.html", "bridge/index.html", "embed/bridge.html"):
        doc = html.fromstring(files[name])
        loaded = doc.xpath("//script/@src | //link[@rel='stylesheet']/@href | //audio/@src")
        assert loaded and all("://" not in url for url in loaded)


def test_markup_in_titles_is_escaped_everywhere() -> None:
    files = build_site(SHOW, [_episode(title=XSS, author="<script>alert(2)</script>")])
    for name, data in files.items():
        if name.endswith(".html"):
            text = data.decode()
            assert "<img" not in text and "<script>alert" not in text, name
            assert "&lt;img src=x onerror=alert(1)&gt;" in text, name
    oembed = json.loads(files["oembed/bridge.json"])
    assert oembed["title"] == XSS
    assert "<img" not in oembed["html"]


def test_oembed_is_rich_and_points_at_the_embed_page() -> None:
    data = json.loads(build_site(SHOW, [_episode()])["oembed/bridge.json"])
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["provider_url"] == "https://news.example/listen/"
    assert 'src="https://news.example/listen/embed/bridge.html"' in data["html"]
    assert data["width"] > 0 and data["height"] > 0


def test_absolute_urls_are_kept() -> None:
    episode = _episode(audio_url="https://cdn.example/a.mp3")
    doc = html.fromstring(build_site(SHOW, [episode])["bridge/index.html"])
    assert doc.xpath("//audio/@src") == ["https://cdn.example/a.mp3"]


@pytest.mark.parametrize(
    "episode",
    [
        _episode(slug="../up"),
        _episode(slug="Upper"),
        _episode(audio_url="javascript:alert(1)"),
        _episode(timing_url="data:text/plain,x"),
    ],
)
def test_unsafe_slugs_and_urls_are_refused(episode: SiteEpisode) -> None:
    with pytest.raises(SiteError):
        build_site(SHOW, [episode])


def test_duplicate_slug_and_bad_base_url_are_refused() -> None:
    with pytest.raises(SiteError, match="unique"):
        build_site(SHOW, [_episode(), _episode()])
    with pytest.raises(SiteError, match="base URL"):
        build_site(SiteShow(title="x", base_url="news.example"), [])


def test_dataclasses_round_trip_through_the_manifest(tmp_path: Path) -> None:
    episodes = [_episode(), _episode("other", "Other", author=None, blocks=())]
    write_site(tmp_path, build_site(SHOW, episodes))
    assert load_manifest(tmp_path) == (SHOW, episodes)
    assert SiteEpisode.from_dict(json.loads(json.dumps(episodes[0].to_dict()))) == episodes[0]


def test_write_site_is_atomic_and_stays_inside(tmp_path: Path) -> None:
    write_site(tmp_path, {"a/b.html": b"one"})
    write_site(tmp_path, {"a/b.html": b"two"})
    assert (tmp_path / "a" / "b.html").read_bytes() == b"two"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.html"]
    with pytest.raises(SiteError):
        write_site(tmp_path / "x", {"../escape.html": b""})
    assert not (tmp_path / "escape.html").exists()


def test_embed_snippet_uses_absolute_urls() -> None:
    snippet = embed_snippet(SHOW, _episode())
    assert '<script src="https://news.example/listen/player/listen-player.js" defer>' in snippet
    assert 'src="https://news.example/listen/audio/bridge.mp3"' in snippet
    assert '<iframe src="https://news.example/listen/embed/bridge.html"' in snippet


def _listen(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "listen", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_listen_embed_prints_the_snippet(tmp_path: Path) -> None:
    write_site(tmp_path, build_site(SHOW, [_episode()]))
    result = _listen("embed", "bridge", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == embed_snippet(SHOW, _episode())
    assert "<listen-player" in result.stdout and "<iframe" in result.stdout


def test_listen_embed_errors(tmp_path: Path) -> None:
    write_site(tmp_path / "site", build_site(SHOW, [_episode()]))
    unknown = _listen("embed", "nope", "--out", str(tmp_path / "site"))
    assert unknown.returncode == 1
    assert (
        unknown.stderr == f"Error: No episode 'nope' in '{tmp_path / 'site'}' (episodes: bridge)\n"
    )
    empty = _listen("embed", "bridge", "--out", str(tmp_path))
    assert empty.returncode == 1 and "has no site.json" in empty.stderr
    assert _listen("embed", "bridge").returncode == 2


@pytest.mark.slow
def test_the_wheel_ships_the_player_and_the_templates(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    subprocess.run([*command, str(root)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("listen-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"listen/player/{name}" for name in PLAYER_FILES} <= names
    templates = {p.name for p in (root / "src" / "listen" / "site").glob("*.html")}
    assert {f"listen/site/{name}" for name in templates} <= names


@pytest.mark.slow
def test_episode_from_the_timing_file_matches_the_one_from_the_article(tmp_path: Path) -> None:
    article_path = Path(__file__).parent / "data" / "three-headings.md"
    [rendered] = render_files([article_path], tmp_path, voice="espeak")
    timing_file = tmp_path / rendered.slug / f"{rendered.slug}.json"
    timing = json.loads(timing_file.read_text(encoding="utf-8"))
    from_timing = site_episode_from_timing(timing, "audio")
    from_article = site_episode(load(article_path), rendered, "audio/")
    assert from_timing == replace(from_article, duration=from_timing.duration)
    assert from_timing.duration == pytest.approx(rendered.duration, abs=0.001)
    assert [b.kind for b in from_timing.blocks].count("heading") == 3
