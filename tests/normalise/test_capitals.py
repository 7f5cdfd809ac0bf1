"""All-capital words in a headline set in capitals: which can be said as words."""

import pytest

from listen.normalise.abbreviations import sayable, speak_caps


@pytest.mark.parametrize("word", ["WILL", "FALLS", "JAM", "STRIKES", "SPRING", "WINS", "SAW"])
def test_words_english_allows_are_sayable(word: str) -> None:
    assert sayable(word)


@pytest.mark.parametrize("word", ["ESPN", "IBM", "AMD", "OK", "TV", "AI", "NBC", "EUI", "BBQS"])
def test_letter_runs_english_does_not_allow_are_spelled(word: str) -> None:
    assert not sayable(word)


def test_a_listed_initialism_is_spelled_even_when_shouted() -> None:
    assert speak_caps("WHO", {"FBI"}, set(), shouted=True) == "Who"
    assert speak_caps("FBI", {"FBI"}, set(), shouted=True) == "F-B-I"
    assert speak_caps("WILL", set(), set(), shouted=True) == "Will"
    assert speak_caps("WILL", set(), set(), shouted=False) == "W-I-L-L"


def test_a_list_of_agencies_is_not_a_shouted_headline() -> None:
    from listen.normalise import to_spoken

    assert to_spoken("FBI, DEA, ATF") == "F-B-I, D-E.A, A-T-F"
    assert to_spoken("FBI, UEA, ATF") == "F-B-I, U-E.A, A-T-F"  # not listed: still letters


def test_a_hyphenated_respelling_does_not_unmake_a_shouted_headline() -> None:
    from listen.normalise import to_spoken

    # the base lexicon respells "KAZAKHSTAN" "Kazak-stan" before the headline is looked at
    assert to_spoken("KAZAKHSTAN WINS AGAIN") == "Kazak-stan Wins Again"
    assert to_spoken("TAKAICHI MEETS LEE") == "Tah-kah-ee-chee Meets Lee"
    assert to_spoken("a well-known FBI agent") == "a well-known F-B-I agent"


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("DON'T MISS: WE’RE ON IT", "Don't Miss: We're On It"),
        ("I CAN'T BELIEVE IT ISN'T BUTTER", "I Can't Believe It Isn't Butter"),
        ("YOU'VE GOT MAIL, WE'LL SEE", "You've Got Mail, We'll See"),
        ("Paris - ISN'T it?", "Paris, Isn't it?"),
        ("The FBI'S agents", "The F-B-I's agents"),
    ],
)
def test_a_contraction_in_capitals_is_a_word(written: str, spoken: str) -> None:
    # "ISN'T" was "I-S-N'T", "WE'RE" "We'R-E" and "YOU'VE" "You'V-E": the ending was not
    # part of the word, and what followed the apostrophe was read as letters.
    from listen.normalise import to_spoken

    assert to_spoken(written) == spoken
