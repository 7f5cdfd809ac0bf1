from __future__ import annotations

from pathlib import Path

import pytest

from listen.article import load
from listen.errors import ArticleError

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).parents[1] / "seeds" / "nara-drum-diplomacy.txt"

SEED_LINES = SEED.read_text(encoding="utf-8").split("\n")
FURNITURE = ["Listen to the article", "Fact Checker", "Verify the accuracy of this article"]
COMMENTS_AT = SEED_LINES.index("10 Comments")


def test_seed_headline_is_the_title() -> None:
    assert load(SEED).title == SEED_LINES[1]


def test_seed_keeps_every_body_paragraph_in_order() -> None:
    body = [
        line
        for line in SEED_LINES[2:COMMENTS_AT]
        if line.strip() and not any(line.startswith(f) for f in FURNITURE)
    ]
    assert load(SEED).paragraphs == tuple(body)
    assert len(body) == 12


def test_seed_drops_furniture_and_every_reader_comment() -> None:
    article = load(SEED)
    text = " ".join(article.paragraphs)
    for furniture in FURNITURE:
        assert furniture not in text
    for comment in SEED_LINES[COMMENTS_AT:]:
        if comment.strip():
            assert comment not in text
            assert comment.strip() in article.removed


def test_markdown_front_matter_and_headings() -> None:
    article = load(DATA / "three-headings.md")
    assert article.title == "Harbour Bridge Reopens After Two-Year Repair"
    assert (article.author, article.date) == ("Ada Lovelace", "2026-11-20")
    assert article.url == "https://news.example.org/harbour-bridge"
    assert article.description == "The city's oldest bridge is open to traffic again."
    assert [b.text for b in article.blocks if b.kind == "heading"] == [
        "The repairs",
        "The traffic",
        "What comes next",
    ]
    assert "*" not in " ".join(article.paragraphs)
    assert "Read the report for details." in article.paragraphs[2]
    assert "https://example.org/report" not in article.paragraphs[2]


def test_html_main_text_without_scripts_navigation_or_comments() -> None:
    article = load(DATA / "page-with-nav.html")
    text = " ".join(b.text for b in article.blocks)
    assert article.title == "Council Votes to Plant 10,000 Trees"
    assert article.author == "Grace Hopper"
    assert article.date == "2026-11-18"
    assert len(article.paragraphs) == 3
    assert article.paragraphs[1].startswith("The vote was close.")
    assert "Where the trees will go" in [b.text for b in article.blocks if b.kind == "heading"]
    for junk in ("track(", "analytics", "Subscribe now", "Reader one", "Copyright", "Sport"):
        assert junk not in text


@pytest.mark.parametrize("name", ["cp1252-smart-quotes.txt", "utf8-bom.txt"])
def test_legacy_and_bom_encodings_decode_to_the_same_text(name: str) -> None:
    article = load(DATA / name)
    assert article.title == "Café Owners “Cheer” New Rules"
    assert article.paragraphs[1] == "One owner called them a €5 fix for a big problem."
    assert "\ufeff" not in article.title


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_text("Headline Here\nThe body paragraph is here.\n", encoding="utf-16")
    assert load(path).paragraphs == ("The body paragraph is here.",)


def test_hard_wrapped_plain_text_is_joined(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text(
        "A Headline\n\nThe first line of a paragraph\nwraps onto a second line.\n\n"
        "A new paragraph.\n",
        encoding="utf-8",
    )
    assert load(path).paragraphs == (
        "The first line of a paragraph wraps onto a second line.",
        "A new paragraph.",
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.txt", "Could not open file '{p}': no such file"),
        (
            lambda d: d,
            "Could not read '{p}': it is a directory; give an article file (.txt, .md or .html)",
        ),
        (
            lambda d: _write(d / "empty.txt", b"  \n\n"),
            "Article '{p}' is empty: nothing to read aloud",
        ),
        (
            lambda d: _write(d / "image.bin", bytes(range(256)) * 4),
            "Could not read '{p}': it looks like a binary file, not text; "
            "give a .txt, .md or .html article",
        ),
    ],
    ids=["missing", "directory", "empty", "binary"],
)
def test_unreadable_articles(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(ArticleError) as caught:
        load(path)
    assert str(caught.value) == message.format(p=path)


def test_bad_front_matter_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.md", b"---\ntitle: [unclosed\n---\n\nBody text.\n")
    with pytest.raises(ArticleError, match=r"front matter of .*bad.md.* not valid YAML"):
        load(path)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
