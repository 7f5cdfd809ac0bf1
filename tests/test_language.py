"""An article not written in English is refused with one line saying so, before any speech."""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import ESPEAK, run, snapshot

from listen.article import load
from listen.errors import ArticleError
from listen.language import guess, is_english

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"

FOREIGN = {
    "de": "Die Regierung hat am Dienstag einen neuen Plan für die Brücke vorgestellt. Der Stadtrat "
    "will die Arbeiten im nächsten Jahr beginnen, und die Kosten sollen nicht steigen. Auch die "
    "Opposition ist mit dem Plan zufrieden, denn er wird von der Stadt bezahlt und ist sicher.",
    "fr": "Le gouvernement a présenté mardi un nouveau plan pour le pont. Le conseil veut que les "
    "travaux commencent l'année prochaine, et les coûts ne sont pas en hausse. Pour la ville, "
    "ce plan est une bonne nouvelle, et les habitants sont contents du projet dans le quartier.",
    "es": "El gobierno presentó el martes un nuevo plan para el puente. El consejo quiere que las "
    "obras empiecen el año que viene, y los costes no van a subir. Para la ciudad es una buena "
    "noticia, y los vecinos del barrio están contentos con el proyecto que se aprobó por la tarde.",
    "pt": "O governo apresentou na terça-feira um novo plano para a ponte. O conselho quer que as "
    "obras comecem no próximo ano, e os custos não vão subir. Para a cidade é uma boa notícia, e "
    "os moradores do bairro estão contentes com o projeto que foi aprovado por todos na reunião.",
    "ru": "Правительство во вторник представило новый план строительства моста через реку.",
    "ko": "정부는 화요일 다리 건설을 위한 새로운 계획을 발표했다. 시의회는 내년에 공사를 시작한다.",
    "ja": "政府は火曜日、橋の建設に関する新しい計画を発表した。市議会は来年工事を始める予定だ。",
    "el": "Η κυβέρνηση παρουσίασε την Τρίτη ένα νέο σχέδιο για τη γέφυρα της πόλης μας σήμερα.",
}


@pytest.mark.parametrize(("code", "text"), FOREIGN.items())
def test_a_text_plainly_in_another_language_is_named(code: str, text: str) -> None:
    assert guess(text) == code


def test_an_english_article_is_english() -> None:
    assert guess(SEED.read_text(encoding="utf-8")) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Palm Bay d. Rockledge 70-44\nRockledge 14 11 6 15\nPalm Bay 20 18 16 16",  # agate
        "1 cup spinach, 1 cup strawberries, 8 oz. almond milk",  # a recipe's list
        "Bonjour.",  # too short to say
        "东京举行峰会\nThe council met on Tuesday. It approved the repairs by six votes to one.",
    ],
)
def test_a_text_too_short_or_too_mixed_to_tell_gets_no_answer_but_english(text: str) -> None:
    assert guess(text) in (None, "en")


def test_an_english_article_quoting_german_is_still_english() -> None:
    text = SEED.read_text(encoding="utf-8") + "\n" + FOREIGN["de"]
    assert guess(text) == "en"


@pytest.mark.parametrize(
    ("tag", "english"),
    [
        *(("en", True), ("en-GB", True), ("EN_us", True), ("eng", True), ("English", True)),
        *(("de", False), ("ger", False), ("", False)),
    ],
)
def test_is_english_reads_the_first_part_of_a_tag(tag: str, english: bool) -> None:
    assert is_english(tag) is english


def _markdown(path: Path, body: str, language: str | None = None) -> Path:
    front = ["---", "title: Bridge plan", *([f"language: {language}"] if language else []), "---"]
    path.write_text("\n".join([*front, "", body, ""]), encoding="utf-8")
    return path


def test_an_undeclared_german_article_is_refused_naming_the_language(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"reads as German.*English only.*language: en"):
        load(_markdown(tmp_path / "plan.md", FOREIGN["de"]))


def test_a_page_declaring_french_is_refused_even_when_short(tmp_path: Path) -> None:
    path = tmp_path / "plan.html"
    path.write_text(
        '<html lang="fr"><head><title>Pont</title></head><body><article><h1>Pont</h1>'
        "<p>Le conseil a voté. Les travaux commencent bientôt.</p></article></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(ArticleError, match=r"declares it is in French \('fr'\)"):
        load(path)


def test_declaring_english_is_the_way_past_a_wrong_guess(tmp_path: Path) -> None:
    article = load(_markdown(tmp_path / "plan.md", FOREIGN["de"], language="en-GB"))
    assert article.language == "en-GB"


def test_an_english_text_declared_in_another_language_is_read_as_english(tmp_path: Path) -> None:
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    article = load(_markdown(tmp_path / "plan.md", body, language="de"))
    assert article.language == "en"


def test_an_undeclared_english_article_is_english(tmp_path: Path) -> None:
    assert load(SEED).language == "en"


def test_render_refuses_it_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_text("Мост\n\n" + FOREIGN["ru"] * 3 + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", path, *ESPEAK, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: Article '{path}' reads as Russian")
    assert snapshot(out) == {}
