"""listen publish and unpublish as a cron job runs them: real processes, locks and kills."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from test_publish import write_article

from listen.catalogue import Catalogue

pytestmark = pytest.mark.slow

BASE = "https://cdn.example.org/show/"


def listen(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "listen", *map(str, args)]


def publish_command(articles: Path, out: Path, show_dir: Path, *extra: str) -> list[str]:
    config = show_dir / "listen.toml"
    return listen("publish", articles, "--out", out, "--config", config, "--voice", "espeak",
                  "--base-url", BASE, "--jobs", "1", *extra)  # fmt: skip


def make_articles(folder: Path, days: range) -> Path:
    folder.mkdir(exist_ok=True)
    for day in days:
        write_article(folder, f"story-{day}", day)
    return folder


def feed_items(out: Path) -> dict[str, tuple[str, int]]:
    root = etree.fromstring((out / "feed.xml").read_bytes())
    found = {}
    for item in root.iter("item"):
        enclosure = item.find("enclosure")
        found[item.findtext("guid")] = (enclosure.get("url"), int(enclosure.get("length")))
    return found


def assert_consistent(
    out: Path, killed_after: dict[str, tuple[str, int]] | None = None
) -> dict[str, tuple[str, int]]:
    """The feed, the catalogue and the files agree: every enclosure is there at its length.
    After a run killed once it had committed the catalogue but before its new feed replaced
    ``killed_after`` (the feed before it), that feed may still stand, whole, for the next run
    to replace; every file either names is there."""
    items = feed_items(out)
    with Catalogue(out) as catalogue:
        published = {r.id: r for r in catalogue.all(["published"])}
    if killed_after is None or items != killed_after:
        assert set(items) == set(published)
    for guid, (url, length) in items.items():
        path = out / url.removeprefix(BASE)
        assert path.stat().st_size == length
        if killed_after is None or items != killed_after:
            assert published[guid].files["audio"] == url.removeprefix(BASE)
    for record in published.values():
        for name in record.files.values():
            assert (out / name).is_file()
    return items


def _publish_with_a_failure(articles: Path, out: Path, show_dir: Path) -> dict[str, Any]:
    """Publish story-1.md and story-2.md with one article beside them that must fail: exit
    code 1, both stories rendered; the --json summary."""
    done = subprocess.run(
        publish_command(articles, out, show_dir, "--json"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    assert sorted(summary["rendered"]) == ["story-1.md", "story-2.md"]
    return summary


def test_json_summary_and_exit_code_for_a_failed_article(tmp_path: Path, show_dir: Path) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 3))
    (articles / "empty.md").write_text("---\ntitle: Nothing here\n---\n", encoding="utf-8")
    summary = _publish_with_a_failure(articles, tmp_path / "site", show_dir)
    assert [f["id"] for f in summary["failed"]] == ["empty.md"]
    assert summary["segments_synthesised"] > 0 and summary["audio_minutes"] > 0
    assert len(assert_consistent(tmp_path / "site")) == 2


def test_two_publishes_at_once_one_waits_for_nothing_and_fails(
    tmp_path: Path, show_dir: Path
) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 4))
    command = publish_command(articles, tmp_path / "site", show_dir)
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=600) for p in runs]
    results = sorted((p.returncode, err) for p, (_, err) in zip(runs, outputs, strict=True))
    assert [code for code, _ in results] == [0, 1]
    [error] = [line for line in results[1][1].splitlines() if line.strip()]
    assert error.startswith("Error: Another listen run is writing to")
    assert len(assert_consistent(tmp_path / "site")) == 3


@pytest.mark.parametrize("delay", [1.5, 4.0, 7.0])
def test_a_killed_publish_leaves_the_last_feed_whole_and_the_next_run_finishes(
    tmp_path: Path, show_dir: Path, delay: float
) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 3))
    out = tmp_path / "site"
    subprocess.run(publish_command(articles, out, show_dir), check=True, capture_output=True)
    before = assert_consistent(out)
    make_articles(articles, range(3, 7))
    write_article(articles, "story-1", 1, first="The first story, now with a correction.")
    run = subprocess.Popen(publish_command(articles, out, show_dir), stderr=subprocess.DEVNULL)
    time.sleep(delay)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    after = assert_consistent(out, killed_after=before)
    assert set(before) <= set(after)
    subprocess.run(publish_command(articles, out, show_dir), check=True, capture_output=True)
    final = assert_consistent(out)
    assert len(final) == 6
    assert final["https://news.example.org/story-1"] != before["https://news.example.org/story-1"]
    assert not [p for p in out.rglob("*") if ".part" in p.name]


def test_unpublish_through_the_command_line(tmp_path: Path, show_dir: Path) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 3))
    out = tmp_path / "site"
    subprocess.run(publish_command(articles, out, show_dir), check=True, capture_output=True)
    done = subprocess.run(
        listen("unpublish", "https://news.example.org/story-1", "--out", out,
               "--config", show_dir / "listen.toml", "--base-url", BASE),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Unpublished https://news.example.org/story-1")
    assert list(assert_consistent(out)) == ["https://news.example.org/story-2"]
    missing = subprocess.run(
        listen("unpublish", "nope", "--out", out, "--config", show_dir / "listen.toml"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: ") and len(missing.stderr.splitlines()) == 1
    shutil.rmtree(out)


def test_an_article_in_another_language_fails_alone_naming_it(
    tmp_path: Path, show_dir: Path
) -> None:
    articles = make_articles(tmp_path / "articles", range(1, 3))
    german = (
        "Die Regierung hat am Dienstag einen neuen Plan für die Brücke vorgestellt. Der Stadtrat "
        "will die Arbeiten im nächsten Jahr beginnen, und die Kosten sollen nicht steigen. Auch "
        "die Opposition ist mit dem Plan zufrieden, denn er wird von der Stadt bezahlt."
    )
    (articles / "brucke.md").write_text(f"---\ntitle: Brücke\n---\n\n{german}\n", encoding="utf-8")
    summary = _publish_with_a_failure(articles, tmp_path / "site", show_dir)
    [failed] = summary["failed"]
    assert failed["id"] == "brucke.md"
    assert "German" in json.dumps(failed) and "English only" in json.dumps(failed)
    assert len(assert_consistent(tmp_path / "site")) == 2
