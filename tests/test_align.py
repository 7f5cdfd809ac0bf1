from __future__ import annotations

from pathlib import Path

import pytest

from listen.align import Token, align, sounds_alike, tokens

DATA = Path(__file__).parent / "data" / "check" / "sounds_alike.tsv"


def _cases() -> list[object]:
    rows = [line.split("\t") for line in DATA.read_text().splitlines() if not line.startswith("#")]
    return [pytest.param(e, h, a == "yes", id=f"{e}~{h}") for e, h, a, _ in rows]


@pytest.mark.parametrize(("expected", "heard", "alike"), _cases())
def test_sounds_alike(expected: str, heard: str, alike: bool) -> None:
    assert sounds_alike(expected, heard) is alike


def test_tokens_keep_respelt_names_whole_and_split_other_hyphens() -> None:
    found = tokens("Sah-nah-eh Tah-kah-ee-chee's forty-five forward-looking U-S allies.")
    assert [t.key for t in found] == [
        "sahnaheh",
        "tahkaheechees",
        "forty",
        "five",
        "forward",
        "looking",
        "us",
        "allies",
    ]
    assert [t.name for t in found] == [True, True, False, False, False, False, True, False]


def test_number_words_are_never_names() -> None:
    assert not any(t.name for t in tokens("Nineteen Ten. Forty"))


def _ops(expected: str, heard: str) -> list[tuple[str, str | None, list[str]]]:
    e, h = tokens(expected), tokens(heard)
    return [
        (p.op, e[p.expected].key if p.expected is not None else None, [h[j].key for j in p.heard])
        for p in align(e, h)
    ]


def test_align_matches_a_name_heard_as_two_words() -> None:
    ops = _ops("Prime Minister Tah-kah-ee-chee said so", "Prime Minister Takai Chi said so")
    assert ("alike", "tahkaheechee", ["takai", "chi"]) in ops
    assert {op for op, _, _ in ops} == {"ok", "alike"}


def test_align_counts_a_wrong_common_word_and_a_missed_one() -> None:
    ops = _ops("the shuttle diplomacy of the two leaders", "the shallow diplomacy of two leaders")
    assert ("sub", "shuttle", ["shallow"]) in ops
    assert ("del", "the", []) in ops


def test_align_does_not_excuse_a_wrong_year() -> None:
    ops = _ops("in nineteen ninety-six", "in nineteen sixty-nine")
    assert [op for op, _, _ in ops] == ["ok", "ok", "sub", "sub"]


def test_align_joins_a_compound_heard_as_two_words() -> None:
    ops = _ops("my longtime dream", "my long time dream")
    assert ("alike", "longtime", ["long", "time"]) in ops


def test_align_places_extra_words_as_insertions_in_order() -> None:
    ops = _ops("a b", "x a y b z")
    assert [op for op, _, _ in ops] == ["ins", "ok", "ins", "ok", "ins"]


def test_align_of_nothing_heard_misses_every_word() -> None:
    e = tokens("nothing was heard here")
    assert [p.op for p in align(e, [])] == ["del"] * 4
    assert [p.op for p in align([], [Token("x", "x")])] == ["ins"]


def test_a_number_heard_as_the_word_that_sounds_the_same_counts_as_heard() -> None:
    ops = _ops("four hundred and two", "for hundred and to")
    assert ("alike", "four", ["for"]) in ops
    assert ("alike", "two", ["to"]) in ops
    assert {op for op, _, _ in ops} == {"ok", "alike"}


def test_a_number_heard_as_another_number_or_word_is_still_wrong() -> None:
    ops = _ops("four hundred eighteen thousand", "five hundred eighty thousand")
    assert ("sub", "four", ["five"]) in ops
    assert ("sub", "eighteen", ["eighty"]) in ops
    assert ("sub", "four", ["fourth"]) in _ops("four", "fourth")
