"""Hostile or unlucky article files, through the real ``listen`` command.

Each case either works (exit 0, the right result) or is refused with exit 1 and exactly one
``Error:`` line, no traceback, and the output folder (an earlier episode) left byte-identical.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from clitools import ESPEAK, assert_refused, run, snapshot, write_article
from mutagen.id3 import ID3

DATA = Path(__file__).parent / "data"


def _render(path: Path, out: Path) -> dict:
    """Render with espeak; the episode's timing file."""
    result = run("render", path, *ESPEAK, "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    [episode] = json.loads(result.stdout)
    return json.loads(Path(episode["files"]["json"]).read_text(encoding="utf-8"))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# ---------------------------------------------------------------- front matter


def test_billion_laughs_is_refused_without_expanding(out_dir: Path) -> None:
    path = DATA / "billion-laughs.md"
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: The front matter of '{path}' uses more than 20 YAML aliases (*name); "
        "write the values out instead"
    )
    assert_refused(result, error, out_dir, before)


def test_deeply_nested_front_matter_is_refused(tmp_path: Path, out_dir: Path) -> None:
    path = write_article(tmp_path, "Nested", "x: " + "[" * 5000 + "]" * 5000)
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: The front matter of '{path}' is nested more than 20 levels deep; "
        "use plain 'key: value' lines"
    )
    assert_refused(result, error, out_dir, before)


def test_front_matter_over_its_limit_names_the_option(tmp_path: Path, out_dir: Path) -> None:
    path = write_article(tmp_path, "Long Notes", f"notes: {'x' * 70_000}")
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: The front matter of '{path}' is 70 KB, over the 64 KB limit; "
        "shorten it or raise the limit with --max-front-matter"
    )
    assert_refused(result, error, out_dir, before)
    raised = run("script", path, *ESPEAK, "--max-front-matter", "100KB")
    assert raised.exit_code == 0 and "Long Notes" in raised.stdout


@pytest.mark.slow
def test_an_impossible_date_is_a_warning_and_no_date(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = DATA / "impossible-date.md"
    timing = _render(path, tmp_path / "out")
    assert timing["date"] is None and timing["title"] == "Bridge Reopens"
    id3 = ID3(tmp_path / "out" / "bridge-reopens" / "bridge-reopens.mp3")
    assert "TDRC" not in id3 and "TYER" not in id3
    assert _warnings(caplog) == [
        f"Ignoring the date '2024-13-45' in the front matter of '{path}': it is not a "
        "calendar date (write it as YYYY-MM-DD)"
    ]


@pytest.mark.slow
def test_an_impossible_date_under_a_key_listen_does_not_read_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    timing = _render(DATA / "impossible-date-unknown-key.md", tmp_path / "out")
    assert timing["date"] == "2024-03-05"
    assert _warnings(caplog) == []


@pytest.mark.slow
def test_a_boolean_title_is_never_spoken_as_true(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = DATA / "boolean-title.md"
    timing = _render(path, tmp_path / "out")
    assert timing["title"] == "boolean-title" and timing["author"] is None  # the file's name
    spoken = json.dumps(timing["paragraphs"])
    assert "True" not in spoken and "False" not in spoken and "true" not in spoken
    assert (
        str(ID3(tmp_path / "out" / "boolean-title" / "boolean-title.mp3")["TIT2"])
        == "boolean-title"
    )
    assert _warnings(caplog) == [
        f"Ignoring '{key}' in the front matter of '{path}': it is true or false, not text "
        "(put it in quotes)"
        for key in ("title", "author")
    ]


@pytest.mark.slow
def test_a_list_title_is_ignored_and_the_heading_is_the_title(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = DATA / "list-title.md"
    timing = _render(path, tmp_path / "out")
    assert timing["title"] == "Bridge Reopens After Repairs"
    assert timing["author"] == "Ada Lovelace, Grace Hopper"  # a list of names is fine
    assert timing["description"] is None
    assert "['Bridge'" not in json.dumps(timing)
    assert _warnings(caplog) == [
        f"Ignoring 'title' in the front matter of '{path}': it is a list, not text "
        "(put it in quotes)",
        f"Ignoring 'description' in the front matter of '{path}': it is a mapping, not text "
        "(put it in quotes)",
    ]


def test_unknown_keys_are_never_turned_into_objects(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "was-here"
    path = write_article(
        tmp_path / "a",
        "Tags Are Not Objects",
        f'run: !!python/object/apply:os.system ["touch {marker}"]',
        "blob: !!binary aGVsbG8=",
        "nested: {a: {b: [1, 2, {c: 2024-13-45}]}}",
    )
    result = run("script", path, *ESPEAK)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("[title +800ms] Tags Are Not Objects.")
    assert not marker.exists() and _warnings(caplog) == []


# ---------------------------------------------------------------- decoding


@pytest.mark.slow
def test_a_nul_byte_after_8_kb_never_reaches_the_timing_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    padding = "notes: " + "x" * 9000 + "\n"
    body = "Cafe\u0301 owners met on Tuesday.\x00 They approved the repairs.\x1b[31m\n"
    text = f"---\ntitle: Cafe\u0301 Owners\n{padding}---\n{body}"
    path = tmp_path / "nul-after-8kb.md"
    path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes().index(b"\x00") > 8192
    out = tmp_path / "out"
    timing = _render(path, out)
    for written in out.rglob("*"):
        if written.is_dir():
            continue
        data = written.read_bytes()
        assert b"\x00" not in data or written.suffix == ".mp3"
        assert b"\\u0000" not in data and b"\\u001b" not in data
    sentences = [s["text"] for p in timing["paragraphs"] for s in p["sentences"]]
    assert sentences == [
        "Café Owners",
        "Café owners met on Tuesday.",
        "They approved the repairs.[31m",
    ]
    assert "\u00e9" in timing["title"] and "\u0301" not in json.dumps(timing, ensure_ascii=False)
    assert _warnings(caplog) == [f"Removed 2 control character(s) from '{path}'"]


def test_one_invalid_byte_keeps_the_rest_utf8(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "one-bad-byte.txt"
    text = "Zürich Café Reopens\n\nThe café in Zürich reopened on Tuesday, its owner said.\n"
    path.write_bytes(text.encode("utf-8").replace(b"reopened", b"reop\xffened"))
    result = run("script", path, *ESPEAK)
    assert result.exit_code == 0, result.stderr
    assert "Zürich Café Reopens" in result.stdout and "The café in Zürich" in result.stdout
    assert "Ã" not in result.stdout
    assert _warnings(caplog) == [
        f"Article '{path}' is UTF-8 with 1 invalid byte sequence(s); replaced them with U+FFFD "
        "(re-save the file as UTF-8 to fix it)"
    ]


def test_a_file_that_is_not_utf8_at_all_is_cp1252(caplog: pytest.LogCaptureFixture) -> None:
    result = run("script", DATA / "cp1252-smart-quotes.txt", *ESPEAK)
    assert result.exit_code == 0, result.stderr
    assert "Café Owners" in result.stdout and "\ufffd" not in result.stdout
    assert _warnings(caplog) == []


def test_a_png_renamed_txt_is_still_binary(out_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes((DATA / "cover.png").read_bytes() * 50)
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: Could not read '{path}': it looks like a binary file, not text; "
        "give a .txt, .md or .html article"
    )
    assert_refused(result, error, out_dir, before)


# ---------------------------------------------------------------- limits


def test_a_30_mb_file_is_refused_before_it_is_read(tmp_path: Path, out_dir: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Headline\n\n" + "The council met on Tuesday. " * 1_100_000, encoding="utf-8")
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: Article '{path}' is over the 5 MB file size limit; "
        "split it or raise the limit with --max-file-size"
    )
    assert_refused(result, error, out_dir, before)


@pytest.mark.parametrize(
    "body",
    ["The council met on Tuesday and agreed. " * 26_000, "x" * 1_000_000],
    ids=["1-mb-one-line", "1-mb-without-a-space"],
)
def test_a_1_mb_one_line_article_is_refused_before_synthesis(
    tmp_path: Path, out_dir: Path, body: str
) -> None:
    path = tmp_path / "one-line.txt"
    path.write_text(f"Headline\n\n{body}\n", encoding="utf-8")
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: Article '{path}' has more than 50,000 words, the limit; "
        "split it or raise the limit with --max-words"
    )
    assert_refused(result, error, out_dir, before)


def test_max_words_raises_or_lowers_the_limit(tmp_path: Path, out_dir: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("Headline\n\n" + "The council met on Tuesday. " * 24, encoding="utf-8")
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "--max-words", "100", "-o", out_dir)
    error = (
        f"Error: Article '{path}' has more than 100 words, the limit; "
        "split it or raise the limit with --max-words"
    )
    assert_refused(result, error, out_dir, before)
    assert run("script", path, *ESPEAK, "--max-words", "200").exit_code == 0


@pytest.mark.parametrize("name", ["fifo", "dev-zero"])
def test_a_device_or_fifo_is_never_read_as_an_article(
    tmp_path: Path, out_dir: Path, name: str
) -> None:
    if name == "fifo":
        path = tmp_path / "article.txt"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    before = snapshot(out_dir)
    result = run("render", path, *ESPEAK, "-o", out_dir)
    error = (
        f"Error: Could not read '{path}': it is not a regular file (a device, FIFO or socket); "
        "give an article file (.txt, .md or .html)"
    )
    assert_refused(result, error, out_dir, before)


@pytest.mark.parametrize("value", ["lots", "-5MB", "5 parsecs"])
def test_a_size_that_is_not_a_size_is_a_usage_error(value: str) -> None:
    result = run("render", DATA / "three-headings.md", "--max-file-size", value)
    assert result.exit_code == 2
    assert "Invalid value for '--max-file-size'" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- slugs


@pytest.mark.slow
def test_titles_in_any_script_get_distinct_meaningful_file_names(tmp_path: Path) -> None:
    titles = {
        "chinese": ("东京举行峰会", "dong-jing-ju-xing-feng-hui"),
        "japanese": ("東京で首脳会談", "dong-jing-de-shou-nao-hui-tan"),
        "arabic": ("القاهرة تستضيف القمة", "lqhrh-tstdyf-lqmh"),
        "greek": ("Αθήνα: νέα γέφυρα", "athina-nea-gefyra"),
        "cyrillic": ("Москва сегодня", "moskva-segodnya"),
        "emoji": ("🎉🔥", "tada-fire"),
    }
    paths = [write_article(tmp_path / key, title) for key, (title, _) in titles.items()]
    out = tmp_path / "out"
    result = run("render", *paths, *ESPEAK, "-o", out, "--json")
    assert result.exit_code == 0, result.stderr
    assert [e["slug"] for e in json.loads(result.stdout)] == [s for _, s in titles.values()]
    before = snapshot(out)
    later = write_article(tmp_path / "later", "北京")
    assert run("render", later, *ESPEAK, "-o", out).exit_code == 0
    after = snapshot(out)
    assert {k: after[k] for k in before} == before  # the next article replaced nothing
    assert "bei-jing/bei-jing.mp3" in after
