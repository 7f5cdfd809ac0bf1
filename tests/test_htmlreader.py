"""The HTML reader's named rules, one fixture page each in tests/data/html/ (our own text)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from listen.article import load
from listen.errors import ArticleError
from listen.htmlrules import byline
from listen.models import Article
from listen.normalise.sentences import split_sentences
from listen.profile import load_profile, profile_lexicon
from listen.segment import build_script

HTML = Path(__file__).parent / "data" / "html"
HEADLINE = "Ferry Terminal to Close After Sixty Years"
FIRST = "The harbour authority said on Monday that the old ferry terminal will close"
LAST = "The old building will be kept as a maritime museum"


def read(name: str) -> Article:
    return load(HTML / name)


def body(article: Article) -> str:
    return "\n".join(b.text for b in article.blocks)


def headings(article: Article) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "heading"]


def test_figures_captions_and_photo_credits_are_not_read() -> None:
    article = read("figure-caption-read-as-body.html")
    text = body(article)
    for caption in ("Commuters wait", "clock tower above the main hall", "harbour archive"):
        assert caption not in text
    assert len(article.paragraphs) == 3


@pytest.mark.parametrize("name", ["byline-glued-to-headline.html", "site-tail-without-h1.html"])
def test_headline_without_an_author_or_site_tail(name: str) -> None:
    article = read(name)
    assert article.title == HEADLINE
    assert article.paragraphs[0].startswith(FIRST)


def test_a_breaking_news_label_is_not_part_of_the_title() -> None:
    article = read("breaking-label.html")
    assert article.title == "Harbour Bridge Closes After Crack Found"


def test_reference_page_drops_markers_edit_links_and_back_matter() -> None:
    article = read("reference-page-notes.html")
    text = body(article)
    for junk in ("[1]", "[2]", "[3]", "[edit]", "edit]", "citation needed", "Retrieved"):
        assert junk not in text
    for back in ("References", "External links", "Official website", "annual report"):
        assert back not in text
    assert headings(article) == ["History", "Fleet"]
    assert "under construction." in article.paragraphs[0]
    assert article.paragraphs[-1].endswith("being repaired.")


def test_a_standfirst_is_a_paragraph_not_a_chapter_heading() -> None:
    article = read("standfirst-taken-for-heading.html")
    assert headings(article) == ["What happens to the clock tower"]
    profile = load_profile("espeak")
    chapters = build_script(article, profile.pauses, lexicon=profile_lexicon(profile)).chapters
    assert chapters == (HEADLINE, "What happens to the clock tower")
    assert article.paragraphs[0].startswith("The harbour authority says passengers will move")


def test_headline_and_a_repeated_paragraph_are_read_once() -> None:
    article = read("headline-read-twice.html")
    text = body(article)
    assert HEADLINE not in text
    assert text.count("Passengers will be moved") == 1
    assert len(article.paragraphs) == 3


def test_a_pull_quote_repeating_a_sentence_is_dropped() -> None:
    article = read("pull-quote-repeats-sentence.html")
    assert body(article).count("We owe the people") == 1
    assert len(article.paragraphs) == 4


def test_a_bold_lead_in_is_a_sentence_of_its_own() -> None:
    article = read("bold-lead-in-without-pause.html")
    profile = load_profile("espeak")
    script = build_script(article, profile.pauses, lexicon=profile_lexicon(profile))
    segments = {s.text: s for s in script.segments}
    assert segments["Why it matters."].pause_ms == profile.pauses.sentence_ms
    paragraphs = article.paragraphs
    assert split_sentences(paragraphs[1])[:2] == [
        "Why it matters.",
        "The terminal is the busiest on the eastern shore, and thousands of commuters pass "
        "through it every weekday morning.",
    ]
    assert split_sentences(paragraphs[2])[0] == "What comes next:"
    # a bold name that starts the sentence is not a lead-in
    assert paragraphs[-1].startswith("Harbour officials said the move")
    assert len(split_sentences(paragraphs[-1])) == 1


def test_read_more_and_promotional_tails_are_dropped() -> None:
    article = read("read-more-tails.html")
    text = body(article)
    for promo in (
        "Read more",
        "Harbour bridge reopens",
        "New bus routes",
        "newsletter",
        "originally",
    ):
        assert promo not in text
    assert article.paragraphs[1].endswith("step-free access to every pier.")
    assert len(article.paragraphs) == 3


def test_a_bare_more_heading_and_share_prompts_are_dropped() -> None:
    # Each as on a page of the article-extraction benchmark: a "More:" heading over a list of
    # links, "Like this story? Share it with a friend!" closing the body, tip lines, follow-us
    # and newsletter prompts, image credits, report credits, wire and source lines, update
    # notes and copyright lines. A sentence that only starts like a credit is read. A rule of
    # underscores is not a heading.
    article = read("share-prompts.html")
    text = body(article)
    for promo in (
        "More",
        "Like this story",
        "Share it",
        "Enjoyed this",
        "find this story useful",
        "tip",
        "Facebook",
        "inbox",
        "image credit",
        "contributed to this report",
        "Rights Reserved",
        "Editing by",
        "Originally published",
        "SOURCE",
        "wires",
        "updated at",
        "full coverage",
        "Most read",
        "continues below",
        "Related",
        "See it now",
        "MISS",
    ):
        assert promo not in text
    assert headings(article) == []
    assert len(article.paragraphs) == 3
    assert article.paragraphs[1].startswith("Reporting by the Coast Gazette found")
    assert article.paragraphs[2].endswith("from the harbour on Saturdays.")


def test_numbered_headings_stay_headings() -> None:
    # "1. Bleed the radiators" has a full stop and a capital after it, as a sentence does.
    article = read("numbered-headings.html")
    assert headings(article) == [
        "1. Bleed the radiators",
        "2. Turn the thermostat down by one degree",
        "3) Close the curtains at dusk",
    ]


def test_a_login_widget_is_not_a_byline() -> None:
    assert read("byline-from-login-widget.html").author is None


def test_a_date_glued_to_the_byline_is_dropped() -> None:
    assert read("byline-with-date-glued.html").author == "Mara Quill"


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("By Mara Quill", "Mara Quill"),
        ("Mara Quill, Updated 5:30 PM", "Mara Quill"),
        ("Ana de la Cruz and Tom Reed", "Ana de la Cruz; Tom Reed"),
        ("Login", None),
        ("admin", None),
        ("https://example.org/staff", None),
        ("mara.quill@example.org", None),
    ],
)
def test_byline_accepts_only_names(written: str, name: str | None) -> None:
    assert byline(written) == name


def test_an_article_laid_out_in_a_table_is_read() -> None:
    article = read("article-in-layout-table.html")
    assert article.title == HEADLINE
    assert article.paragraphs[0].startswith(FIRST)
    assert article.paragraphs[-1].startswith(LAST)
    assert "Archive" not in body(article)


def test_a_data_table_is_not_read() -> None:
    article = read("data-table-stays-unread.html")
    text = body(article)
    assert "Eastern Shore" not in text and "Points" not in text
    assert len(article.paragraphs) == 2


def test_angle_brackets_list_numbers_and_editorial_brackets_are_kept() -> None:
    paragraphs = read("angle-brackets-and-list-numbers.html").paragraphs
    assert "between the <title> and </title> markers" in paragraphs[0]
    assert paragraphs[1].startswith("14) Keep the title")
    assert "apart.\n15) Put the most important words first" in paragraphs[1]
    assert '"[t]he title is the first thing' in paragraphs[2]


def test_deeply_nested_page_gives_one_error_line_and_nothing_else(tmp_path: Path) -> None:
    page = tmp_path / "nested.html"
    text = "<p>The council voted to plant trees along the river on Tuesday evening.</p>"
    page.write_text(f"<html><body>{'<div>' * 10_000}{text}{'</div>' * 10_000}</body></html>")
    result = subprocess.run(
        [sys.executable, "-m", "listen", "render", str(page), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: Could not read '{page}': its HTML nests elements too deeply to parse; "
        "save the article's text as a .txt or .md file and render that\n"
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_nesting_within_the_parser_limit_reads_the_text(tmp_path: Path) -> None:
    page = tmp_path / "nested.html"
    paragraph = "The council voted to plant trees along the river on Tuesday evening."
    page.write_text(
        f"<html><body>{'<div>' * 1500}<p>{paragraph}</p>{'</div>' * 1500}</body></html>"
    )
    assert load(page).paragraphs == (paragraph,)


def test_missing_html_extractor_names_its_install_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Some text for the reader.</p></body></html>", "utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(ArticleError, match=r"install it with: pip install 'trafilatura"):
        load(page)
