from __future__ import annotations

from pathlib import Path

import pytest

from listen.errors import ProfileError
from listen.normalise import BASE_LEXICON, default_lexicon, load_lexicon, to_spoken

DATA = Path(__file__).parent / "data"


def test_base_lexicon_covers_the_seed_names() -> None:
    lexicon = default_lexicon()
    assert lexicon.sources == (BASE_LEXICON,)
    assert to_spoken("Takaichi met Lee Jae Myung in Nara.") == (
        "Tah-kah-ee-chee met Lee Jay-mee-ung in Nah-rah."
    )
    assert "BTS" in lexicon.initialisms and "NATO" in lexicon.acronyms


def test_toml_words_cased_patterns_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "paper.toml"
    path.write_text(
        'initialisms = ["NASA"]\nacronyms = ["FBI"]\n'
        '[words]\n"Smyth" = "Smith"\n'
        '[cased]\n"WaPo" = "Washington Post"\n'
        "[patterns]\n'\\bNo\\.(?= ?\\d)' = \"number\"\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon([BASE_LEXICON, path])
    said = to_spoken("SMYTH of WaPo and wapo: NASA, FBI, No. 5.", lexicon=lexicon)
    assert said == "Smith of Washington Post and wapo: N.A-S.A, Fbi, number five."


def test_pls_alias_entries_are_read() -> None:
    lexicon = load_lexicon([DATA / "publication.pls"])
    assert to_spoken("Nguyen spoke to IEEE.", lexicon=lexicon) == "Win spoke to I triple E."
    assert to_spoken("nguyen", lexicon=lexicon) == "nguyen"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.toml", "[words\n", "is not valid TOML"),
        ("bad.toml", "[spellings]\n", "unknown key 'spellings'"),
        ("bad.toml", "[words]\n'x' = 3\n", "must map a word to a quoted respelling"),
        ("bad.toml", "initialisms = 'FBI'\n", "must be a list of words"),
        ("bad.toml", "[patterns]\n'(' = 'x'\n", "is not a valid regular expression"),
        ("bad.pls", "<lexicon>", "is not well-formed XML"),
        ("bad.pls", "<lexicon/>", "the root element must be"),
        ("bad.txt", "", "unknown format"),
    ],
)
def test_bad_lexicons_name_the_file_and_the_fix(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as info:
        load_lexicon([path])
    assert str(path) in str(info.value)


def test_missing_lexicon_is_a_profile_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="Could not read lexicon"):
        load_lexicon([tmp_path / "absent.toml"])
