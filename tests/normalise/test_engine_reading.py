"""What espeak-ng (Piper's phonemiser) makes of the normaliser's output: the letter A, names,
spelled plurals, heteronyms."""

import pytest
from piper.phonemize_espeak import EspeakPhonemizer

from listen.normalise import to_spoken

_ARTICLE = "ɐ"
_LETTER = "eɪ"


def _phonemes(text: str) -> str:
    sentences = EspeakPhonemizer().phonemize("en-us", text)
    return " ".join("".join(s) for s in sentences).replace("ɐn ", "")  # "an" is not at issue


@pytest.mark.parametrize("written", ["Class A shares", "vitamin A and B", "Series A funding"])
def test_the_letter_a_before_a_word_is_said_as_the_letter(written: str) -> None:
    assert _ARTICLE in _phonemes(written)
    said = _phonemes(to_spoken(written))
    assert _ARTICLE not in said
    assert _LETTER in said


@pytest.mark.parametrize("written", ["an A380", "A1 road closed", "A4 paper"])
def test_the_letter_a_before_a_number_stays_the_letter(written: str) -> None:
    said = _phonemes(to_spoken(written))
    assert _ARTICLE not in said
    assert _LETTER in said


def test_the_article_is_still_the_article() -> None:
    assert _phonemes(to_spoken("A man said")).startswith(_ARTICLE)


@pytest.mark.parametrize(
    ("name", "heard", "not_heard"),
    [
        ("Putin", "puːt", "pjuː"),
        ("Sunak", "suːn", "sʌn"),
        ("Scholz", "ʃoʊlts", "skɑː"),
        ("the Houthis", "huːθ", "haʊ"),
        ("Huawei", "wɑːw", "hjuː"),
        ("Adam Schiff", "ʃɪf", "skɪf"),
        ("Bloomberg", "uːmb", "uːmɜ"),
        ("President Sisi", "siːsiː", "sɪsi"),
        ("Li Qiang", "liː", "laɪ"),
        ("Governor Hochul", "hoʊk", "hɑːtʃ"),
        ("Secretary Buttigieg", "buːtɛdʒɛdʒ", "bʌɾɪdʒ"),
        ("Denys Shmyhal", "ʃʌm", "ɛseɪtʃ"),
        ("Toyota", "toʊjoʊ", "tɔɪ"),
        ("Tbilisi", "tʌbɪl", "baɪl"),
        ("Pedro Sánchez", "æntʃɛz", "ænʃeɪ"),
        ("Gustavo García", "ɑːɹsiː", "ɡɑːɹʃ"),
        ("Jiménez", "hɪm", "dʒɪm"),
        ("Ramírez", "ɹɐmɪɹ", "maɪ"),
        ("Domínguez", "miːŋɡ", "mɪŋz"),
        ("Nayib Bukele", "buːk", "bjuː"),
        ("Kristi Noem", "noʊm", "oʊᵻ"),
        ("Viktor Orban", "bɑːn", "bən"),
        ("a Commerzbank analyst", "kɑːmɚts", "kəmɜːz"),
    ],
)
def test_names_from_the_base_lexicon_reach_the_engine_as_said(
    name: str, heard: str, not_heard: str
) -> None:
    _assert_read_as(name, heard, not_heard)


def test_an_initialism_said_as_a_word_is_not_spelled() -> None:
    # espeak-ng alone says "H-vack"; the normaliser would spell all four letters, so the base
    # lexicon gives it as said.
    said = _unstressed(to_spoken("the HVAC system"))
    assert "eɪtʃvæk" in said
    assert "siː" not in said


def test_a_b_testing_is_two_letters() -> None:
    # "A/B" was "A slash B", and before a word "A- slash B".
    said = _unstressed(to_spoken("They ran A/B tests."))
    assert "eɪbiː" in said
    assert "slæʃ" not in said


def _assert_read_as(written: str, heard: str, not_heard: str) -> None:
    """espeak-ng alone reads ``written`` with ``not_heard``; the normalised text with ``heard``
    and without ``not_heard``."""
    assert not_heard in _unstressed(written)
    said = _unstressed(to_spoken(written))
    assert heard in said
    assert not_heard not in said


def _unstressed(text: str) -> str:
    return _phonemes(text).replace("ˈ", "").replace("ˌ", "")


@pytest.mark.parametrize(
    ("written", "last_letter"),
    [
        ("ICUs", "juː"),  # espeak-ng alone: "eye-koo"
        ("DSPs", "piː"),  # alone: "D S P", the plural lost
        ("TVs", "viː"),
        ("NGOs", "oʊ"),  # alone: "ungo"
        ("FAQs", "kjuː"),  # alone: "fack"
        ("the USA's", "eɪ"),
    ],
)
def test_a_spelled_plural_or_possessive_keeps_its_letters_and_its_s(
    written: str, last_letter: str
) -> None:
    said = _unstressed(to_spoken(written))
    assert said.endswith(last_letter + "z")
    assert "dɑːt" not in said  # never "dot"
    assert _ARTICLE not in said


@pytest.mark.parametrize(
    ("written", "heard", "not_heard"),
    [
        ("lead poisoning", "lɛd", "liːd"),
        ("a row over pay", "ɹaʊ", "ɹoʊ"),
        ("polls close at 8pm", "kloʊz", "kloʊs"),
        ("ministers bow to pressure", "baʊ", "boʊ"),
        ("minute traces of the drug", "maɪnuːt", "mɪnɪt"),
        ("an attack in Nice", "niːs", "naɪs"),
        ("he used to work there", "juːst", "juːzd"),
    ],
)
def test_a_heteronym_is_read_as_its_neighbours_mean_it(
    written: str, heard: str, not_heard: str
) -> None:
    _assert_read_as(written, heard, not_heard)


def test_object_before_to_is_the_verb_stressed_on_its_second_syllable() -> None:
    assert "ˈɑːbdʒɛkt" in _phonemes("Officials object to the plan.")  # the noun's stress
    said = _phonemes(to_spoken("Officials object to the plan."))
    assert "dʒˈɛkt" in said
    assert "ˈɑːbdʒɛkt" not in said


def test_phnom_penh_is_not_spelled_from_its_first_letter() -> None:
    said = _unstressed(to_spoken("Phnom Penh"))  # the lexicon once made it "P-nom"
    assert "nɑːm pɛn" in said
    assert "piː" not in said
