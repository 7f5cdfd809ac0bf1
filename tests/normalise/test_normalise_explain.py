from __future__ import annotations

import dataclasses

import pytest

from listen.normalise import Rewrite, explain, to_spoken


def test_explain_names_each_rewrite_and_its_rule() -> None:
    spoken, rewrites = explain("$2.5bn for Dr. Smith in 1910-1945.")
    assert spoken == to_spoken("$2.5bn for Dr. Smith in 1910-1945.")
    assert Rewrite("$2.5bn", "two point five billion dollars", "money") in rewrites
    assert Rewrite("Dr.", "Doctor", "title") in rewrites
    assert Rewrite("1910-1945", "nineteen ten to nineteen forty-five", "range") in rewrites


def test_explain_of_plain_words_is_empty() -> None:
    assert explain("Nothing to change here.") == ("Nothing to change here.", ())


def test_rewrite_is_frozen() -> None:
    rewrite = Rewrite("a", "b", "rule")
    with pytest.raises(dataclasses.FrozenInstanceError):
        rewrite.rule = "other"  # type: ignore[misc]
