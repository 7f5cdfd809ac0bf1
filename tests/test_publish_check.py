"""listen publish --check: every new episode is heard back, a flagged sentence is synthesised
again, and an episode still flagged is held back while the earlier version stays published.

The joe tests run the tasks on a thread in this process, so that a patched Piper garbles the
sentence it is told to, with joe's noise at zero (``speechkit.steady_joe``) so that the garbled
sentence is the only one the check can flag; the command-line tests run a real ``listen
publish`` process.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import feedparser
import pytest
from speechkit import steady_joe

from listen.catalogue import Catalogue
from listen.models import CheckOptions
from listen.publish import PublishSummary, publish, publish_request

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "data" / "check" / "ferry-timetable.txt"
GARBLED = "The weather will stay dry and cold for the rest of the week."
NAME = "Lindgren"
"""The word of the sentence the patched engine garbles."""


def in_process() -> Executor:
    return ThreadPoolExecutor(1)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.fixture
def piper_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Patch Piper to say GARBLED for the NAME sentence in the mode set by the yielded setter:
    "once" (its first call only), "always", or "never"; the texts asked for are recorded."""
    from listen import task
    from listen.tts.piper import PiperBackend

    real = PiperBackend.synthesize
    state: dict[str, Any] = {"mode": "never", "calls": []}

    def garbling(self: PiperBackend, text: str) -> Any:
        state["calls"].append(text)
        asked = sum(NAME in t for t in state["calls"])
        garble = state["mode"] == "always" or (state["mode"] == "once" and asked == 1)
        return real(self, GARBLED if NAME in text and garble else text)

    monkeypatch.setattr(PiperBackend, "synthesize", garbling)
    monkeypatch.setattr(PiperBackend, "isolate", False)  # in this process, where the patch is
    monkeypatch.setattr(task, "_VOICES", {})  # no voice opened before the patch

    def set_mode(mode: str) -> None:
        state["mode"] = mode
        state["calls"].clear()

    set_mode.calls = state["calls"]  # type: ignore[attr-defined]
    yield set_mode


def run(
    articles: Path, out: Path, show_dir: Path, check: bool | None, flagged: bool | None = None
) -> PublishSummary:
    request = publish_request(
        [articles], out, show_dir / "listen.toml", base_url="https://cdn.example.org/show/",
        voice=steady_joe(show_dir), check=check, publish_flagged=flagged,
    )  # fmt: skip
    return publish(request, in_process)


def feed_enclosures(out: Path) -> list[str]:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    return [link.href for entry in parsed.entries for link in entry.enclosures]


def test_a_sentence_garbled_once_is_repaired_and_the_cache_keeps_the_repair(
    articles: Path, tmp_path: Path, show_dir: Path, piper_calls: Any
) -> None:
    out = tmp_path / "site"
    piper_calls("once")
    summary = run(articles, out, show_dir, check=True)
    key = "ferry.txt"
    assert summary.rendered == (key,) and summary.held == ()
    check = summary.checks[key]
    assert check["published"] and check["flagged"] == []
    assert check["redone"] == ["s3"]  # the garbled sentence, once; steady joe's other takes pass
    assert sum(NAME in t for t in piper_calls.calls) == 2
    assert len(feed_enclosures(out)) == 1
    timing = json.loads(next(out.rglob("ferry.json")).read_text(encoding="utf-8"))
    sentences = [s for p in timing["paragraphs"] for s in p["sentences"]]
    heard = [w["word"] for s in sentences for w in s.get("words", [])]
    assert NAME in heard

    # An edit elsewhere renders the article again: the repaired sentence comes from the cache
    # (the garbled take it replaced would be flagged and synthesised once more).
    edited = ARTICLE.read_text(encoding="utf-8").replace("Friday", "Saturday")
    (articles / "ferry.txt").write_text(edited, encoding="utf-8")
    piper_calls("always")
    again = run(articles, out, show_dir, check=True)
    assert again.rendered == (key,) and again.held == ()
    assert "s3" not in again.checks[key]["redone"] and again.checks[key]["flagged"] == []
    assert not any(NAME in t for t in piper_calls.calls)


def test_an_episode_still_flagged_is_held_and_the_earlier_version_stays(
    articles: Path, tmp_path: Path, show_dir: Path, piper_calls: Any
) -> None:
    out = tmp_path / "site"
    first = run(articles, out, show_dir, check=None)
    assert first.checks == {} and len(first.rendered) == 1
    earlier = feed_enclosures(out)
    with Catalogue(out) as catalogue:
        [record] = catalogue.all(["published"])

    edited = ARTICLE.read_text(encoding="utf-8").replace("$2.4 million", "$2.6 million")
    (articles / "ferry.txt").write_text(edited, encoding="utf-8")  # a new take of NAME's sentence
    piper_calls("always")
    held = run(articles, out, show_dir, check=True)
    key = "ferry.txt"
    assert held.held == (key,) and held.rendered == ()
    [sentence] = held.checks[key]["flagged"]
    assert sentence["id"] == "s3" and NAME in sentence["expected"]
    assert NAME not in sentence["heard"] and "weather" in sentence["heard"].lower()
    assert held.checks[key]["redone"] == ["s3", "s3"]  # the default two attempts
    assert feed_enclosures(out) == earlier
    with Catalogue(out) as catalogue:
        assert catalogue.all(["published"]) == [record]
    assert (out / record.files["audio"]).is_file()

    config = show_dir / "listen.toml"  # and the same from listen.toml, with no repairs
    settings = {"enabled = false": "enabled = true", "attempts = 2": "attempts = 0"}
    settings["publish_flagged = false"] = "publish_flagged = true"
    text = config.read_text(encoding="utf-8")
    config.write_text(functools.reduce(lambda t, kv: t.replace(*kv), settings.items(), text))
    told = run(articles, out, show_dir, check=None)
    assert told.rendered == (key,) and told.held == ()
    assert told.checks[key]["published"] and told.checks[key]["flagged"][0]["id"] == "s3"
    assert told.checks[key]["redone"] == []
    [enclosure] = feed_enclosures(out)
    assert enclosure not in earlier


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "listen", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture
def short(tmp_path: Path) -> Path:
    folder = tmp_path / "short"
    folder.mkdir()
    (folder / "ferry.txt").write_text(
        "Island Ferry Adds Winter Sailings\nThe ferry will run twelve extra sailings a week.\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def tone_voice(tmp_path: Path) -> Path:
    """A voice that says nothing a recogniser can hear: every sentence is flagged."""
    profile = tmp_path / "tone.toml"
    profile.write_text('backend = "tone"\n', encoding="utf-8")
    return profile


def test_cli_publish_check_holds_an_unintelligible_episode_and_exits_1(
    short: Path, tmp_path: Path, show_dir: Path, tone_voice: Path
) -> None:
    out = tmp_path / "site"
    config = show_dir / "listen.toml"
    config.write_text(config.read_text().replace("attempts = 2", "attempts = 1"))
    args = ["publish", str(short), "--out", str(out), "--config", str(config)]
    args += ["--voice", str(tone_voice), "--jobs", "1", "--base-url", "http://127.0.0.1:8000/"]
    result = _cli(*args, "--check")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Rendered 0, skipped 0, failed 0")
    assert any(line.startswith("Checked 1: WER ") for line in lines)
    held = [line for line in lines if line.startswith("Held ")]
    assert held == ["Held ferry.txt: not published (any earlier version stays), "
                    "still flagged:"]  # fmt: skip
    at = lines.index(held[0])
    assert lines[at + 1].startswith("  s0 at 0:")
    assert lines[at + 2] == "    expected: Island Ferry Adds Winter Sailings."
    assert lines[at + 3].startswith("    heard:    ")
    assert not (out / "feed.xml").exists()
    with Catalogue(out) as catalogue:
        assert catalogue.all() == []

    summary = json.loads(_cli(*args, "--check", "--publish-flagged", "--json").stdout)
    [key] = summary["checks"]
    assert summary["rendered"] == [key] and summary["held"] == []
    assert summary["checks"][key]["published"] and len(summary["checks"][key]["flagged"]) == 2
    assert len(feedparser.parse((out / "feed.xml").read_bytes()).entries) == 1


def test_listen_toml_turns_the_check_on_and_no_check_turns_it_off(
    short: Path, tmp_path: Path, show_dir: Path, tone_voice: Path
) -> None:
    config = show_dir / "listen.toml"
    text = config.read_text(encoding="utf-8").replace("enabled = false", "enabled = true")
    config.write_text(text.replace("attempts = 2", "attempts = 0"), encoding="utf-8")
    args = ["publish", str(short), "--config", str(config), "--voice", str(tone_voice)]
    args += ["--jobs", "1", "--base-url", "http://127.0.0.1:8000/", "--json"]
    checked = _cli(*args, "--out", str(tmp_path / "a"))
    assert checked.returncode == 1
    summary = json.loads(checked.stdout)
    assert summary["held"] and summary["checks"][summary["held"][0]]["redone"] == []
    unchecked = _cli(*args, "--out", str(tmp_path / "b"), "--no-check")
    assert unchecked.returncode == 0, unchecked.stderr
    assert json.loads(unchecked.stdout)["checks"] == {}


def test_check_options_from_the_command_line_and_the_config(show_dir: Path, tmp_path: Path) -> None:
    config = show_dir / "listen.toml"
    off = publish_request([tmp_path], tmp_path / "out", config, voice="espeak")
    assert off.check is None and not off.publish_flagged
    on = publish_request([tmp_path], tmp_path / "out", config, voice="espeak", check=True)
    assert on.check == CheckOptions()
    text = config.read_text(encoding="utf-8")
    text = text.replace("enabled = false", "enabled = true").replace(
        "max_wer = 0.3", "max_wer = 0.2"
    )
    config.write_text(text.replace("publish_flagged = false", "publish_flagged = true"))
    tuned = publish_request([tmp_path], tmp_path / "out", config, voice="espeak")
    assert tuned.check == CheckOptions(max_wer=0.2) and tuned.publish_flagged
    assert publish_request([tmp_path], tmp_path, config, voice="espeak", check=False).check is None
