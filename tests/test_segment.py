from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from listen.article import load
from listen.models import Article, Profile, Script, ShowInfo
from listen.profile import load_profile, profile_lexicon
from listen.segment import build_script, intro_text

ROOT = Path(__file__).parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"
DATA = Path(__file__).parent / "data"
SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("espeak")


def build(article: Article, profile: Profile, max_chars: int = 400) -> Script:
    """The script as a render makes it: the profile's pauses, show, lexicon and spelling."""
    return build_script(
        article,
        profile.pauses,
        profile.show,
        lexicon=profile_lexicon(profile),
        spelling=profile.speech.spelling,
        max_chars=max_chars,
    )


def test_spoken_script_has_every_paragraph_and_no_furniture(profile) -> None:
    article = load(SEED)
    script = build(article, profile)
    body = SEED_LINES[2 : SEED_LINES.index("Fact Checker")]
    body = [line for line in body if line.strip()]
    for index, paragraph in enumerate(body):
        said = " ".join(s.text for s in script.segments if s.block == index)
        assert " ".join(said.split()) == " ".join(paragraph.split())
    everything = " ".join(s.text + " " + s.spoken for s in script.segments)
    furniture = SEED_LINES[:1] + SEED_LINES[SEED_LINES.index("Fact Checker") :]
    for line in furniture:
        if line.strip():
            assert line.strip() not in everything
    assert "Comments" not in everything


def test_pauses_follow_the_profile(profile) -> None:
    script = build(load(DATA / "three-headings.md"), profile)
    kinds = [s.kind for s in script.segments]
    assert kinds[0] == "title" and kinds.count("heading") == 3
    for seg, nxt in zip(script.segments, script.segments[1:], strict=False):
        if seg.kind in ("title", "heading"):
            assert seg.pause_ms == profile.pauses.heading_ms
        elif nxt.kind == "heading" or nxt.block != seg.block:
            assert seg.pause_ms == profile.pauses.paragraph_ms
        else:
            assert seg.pause_ms == profile.pauses.sentence_ms
    assert script.segments[-1].pause_ms <= 100


def test_one_chapter_per_heading(profile) -> None:
    script = build(load(DATA / "three-headings.md"), profile)
    assert script.chapters == ("The repairs", "The traffic", "What comes next")
    chapter_of = {s.text: s.chapter for s in script.segments if s.kind == "heading"}
    assert chapter_of == {"The repairs": 0, "The traffic": 1, "What comes next": 2}


def test_article_without_headings_is_one_chapter(profile) -> None:
    script = build(load(SEED), profile)
    assert script.chapters == (load(SEED).title,)
    assert {s.chapter for s in script.segments} == {0}


def test_lead_paragraph_before_the_first_heading_gets_its_own_chapter(profile) -> None:
    article = load(DATA / "page-with-nav.html")
    script = build(article, profile)
    assert script.chapters == (article.title, "Where the trees will go")


def test_no_segment_is_longer_than_the_limit(profile) -> None:
    long_paragraph = ", and ".join(["the council met again to discuss the budget"] * 30) + "."
    article = replace(load(SEED), blocks=(replace(load(SEED).blocks[0], text=long_paragraph),))
    script = build(article, profile, max_chars=200)
    assert all(len(s.text) <= 200 for s in script.segments)
    assert " ".join(s.text for s in script.segments if s.block == 0) == long_paragraph


def test_intro_and_outro_templates(profile) -> None:
    article = load(DATA / "three-headings.md")
    show = ShowInfo(
        name="City Desk",
        intro="{title}. By {author}, for {show}.",
        outro="You have been listening to {show}.",
    )
    script = build(article, replace(profile, show=show))
    assert script.segments[0].kind == "intro"
    assert script.segments[0].text == (
        "Harbour Bridge Reopens After Two-Year Repair. By Ada Lovelace, for City Desk."
    )
    assert script.segments[-1].kind == "outro"
    assert script.segments[-1].text == "You have been listening to City Desk."


def test_intro_drops_a_clause_whose_field_is_missing(profile) -> None:
    article = replace(load(SEED), author=None)
    text = intro_text("{title}. By {author}, for {show}.", article, profile.show)
    assert text == f"{article.title}."


@pytest.mark.parametrize("lead", [True, False], ids=["with-lead", "heading-first"])
def test_one_heading(profile, tmp_path: Path, lead: bool) -> None:
    body = "A lead paragraph comes first.\n\n" if lead else ""
    path = tmp_path / "one.md"
    path.write_text(f"# Title\n\n{body}## Only heading\n\nThe body text.\n", encoding="utf-8")
    script = build(load(path), profile)
    assert script.chapters == (("Title", "Only heading") if lead else ("Only heading",))
    assert {s.chapter for s in script.segments} == set(range(len(script.chapters)))
    heading = next(s for s in script.segments if s.kind == "heading")
    assert heading.chapter == len(script.chapters) - 1


def test_a_line_without_a_word_is_neither_spoken_nor_a_chapter(profile, tmp_path: Path) -> None:
    # As scraped: a stray "[." before a source's name, a rule of underscores, a lone ellipsis.
    path = tmp_path / "rules.txt"
    path.write_text(
        "Ferry Terminal Closes\n\nThe terminal closes on Friday.\n\n[.\nGazette]\n\n"
        "Buses will run instead.\n\n___\n\n…\n\nThe museum opens in May.\n",
        encoding="utf-8",
    )
    script = build(load(path), profile)
    assert all(any(c.isalnum() for c in s.spoken) for s in script.segments)
    assert script.chapters == ("Ferry Terminal Closes",)
    buses = next(s for s in script.segments if s.spoken.startswith("Buses"))
    assert buses.pause_ms == profile.pauses.paragraph_ms
    assert [s.spoken for s in script.segments][-1] == "The museum opens in May."
