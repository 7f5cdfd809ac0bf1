from __future__ import annotations

import pytest

from listen.normalise.sentences import split_long, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Dr. Smith arrived. He sat.", ["Dr. Smith arrived.", "He sat."]),
        ("U.S. officials met. Talks ended.", ["U.S. officials met.", "Talks ended."]),
        ("It starts at 3 p.m. Monday. Be there.", ["It starts at 3 p.m. Monday.", "Be there."]),
        ("They met in the U.S. The talks ended.", ["They met in the U.S.", "The talks ended."]),
        ("He said, \u201cGo.\u201d Then he left.", ["He said, \u201cGo.\u201d", "Then he left."]),
        ("Is it? Yes! Fine.", ["Is it?", "Yes!", "Fine."]),
        ("John F. Kennedy spoke.", ["John F. Kennedy spoke."]),
        ("It cost $2.5 million. No. 10 agreed.", ["It cost $2.5 million.", "No. 10 agreed."]),
        ("The answer was no. Nobody asked.", ["The answer was no.", "Nobody asked."]),
        ("Acme Inc. said so. Acme Inc. The end.", ["Acme Inc. said so.", "Acme Inc.", "The end."]),
        ("Nancy lived on Elm St. It was odd.", ["Nancy lived on Elm St.", "It was odd."]),
        ("One line\nAnother line", ["One line", "Another line"]),
        ("Vote on Tue. Nov. 18 at noon. Go.", ["Vote on Tue. Nov. 18 at noon.", "Go."]),
        ("Open Sat. 9 a.m. to noon.", ["Open Sat. 9 a.m. to noon."]),
        ("He came Fri. Mayor Lee spoke.", ["He came Fri.", "Mayor Lee spoke."]),
        ("Sec. Blinken said it. He left.", ["Sec. Blinken said it.", "He left."]),
        ("Under Art. 5 allies act. See para. 3.", ["Under Art. 5 allies act.", "See para. 3."]),
        ("I met Art. He was kind.", ["I met Art.", "He was kind."]),
        ("1. Ditch the diet", ["1. Ditch the diet"]),
        ("10. Drink water. It helps.", ["10. Drink water.", "It helps."]),
        ("He came 1. Then he left.", ["He came 1.", "Then he left."]),
        ("", []),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_split_long_prefers_clause_boundaries_and_never_cuts_words() -> None:
    sentence = (
        "While the drumming session provided a light-hearted moment in diplomacy, it represents "
        "a broader effort to build connections between the neighbouring countries; their "
        "cultural industries have achieved global popularity and now serve as soft power tools."
    )
    pieces = split_long(sentence, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == sentence.split()
    assert pieces[0].endswith("diplomacy,")


def test_split_long_keeps_short_sentences_and_long_words_whole() -> None:
    assert split_long("Short.", 100) == ["Short."]
    word = "x" * 50
    assert split_long(f"{word} {word}", 20) == [word, word]
