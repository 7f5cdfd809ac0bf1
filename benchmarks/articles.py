"""Deterministic news-like articles of a given length, for the speed and memory benchmarks.

    from articles import article_text   # the benchmarks run as scripts from this folder

Varied sentences with money, counts, percentages, dates, years, quotes and names, so the
normaliser has the work a real article gives it; the same seed always gives the same text.
"""

from __future__ import annotations

import random
from pathlib import Path

__all__ = ["article_text", "write_article"]

_PLACES = ["Nairobi", "Lisbon", "Osaka", "Winnipeg", "Valparaiso", "Tbilisi", "Accra", "Perth"]
_BODIES = ["the central bank", "the city council", "the port authority", "the health ministry"]
_PEOPLE = ["Maria Okafor", "Daniel Reyes", "Aiko Tanaka", "Pieter de Vries", "Leila Haddad"]
_THINGS = ["rail line", "water plant", "housing scheme", "wind farm", "school programme"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]
_TEMPLATES = [
    "Officials in {place} said on {month} {day} that {body} would spend ${money} million "
    "on a new {thing}.",
    "The {thing} is expected to serve {count:,} people by {year}, up {pct}% on last year.",
    '"We have waited {small} years for this," said {person}, who chairs the local committee.',
    "According to {body}, inflation rose to {pct}.{digit}% in {month}, its highest since {year}.",
    "{person} told reporters that {count:,} households had signed up in the first {small} weeks.",
    "Critics in {place} argue the {thing} will cost {pct}% more than the {year} estimate.",
    "The vote passed {small} to {digit} after a debate that lasted {small} hours.",
    "Construction of the {thing} near {place} began in {month} {year} and employs {count:,} "
    "workers.",
]


def _sentence(rng: random.Random) -> str:
    return rng.choice(_TEMPLATES).format(
        place=rng.choice(_PLACES),
        body=rng.choice(_BODIES),
        person=rng.choice(_PEOPLE),
        thing=rng.choice(_THINGS),
        month=rng.choice(_MONTHS),
        day=rng.randint(1, 28),
        year=rng.randint(1990, 2030),
        money=rng.randint(2, 950),
        count=rng.randint(120, 480_000),
        pct=rng.randint(2, 60),
        small=rng.randint(2, 19),
        digit=rng.randint(0, 9),
    )


def article_text(words: int, seed: int = 2026) -> str:
    """A headline and paragraphs of five news-like sentences, about ``words`` words long."""
    rng = random.Random(seed)
    lines = [f"Benchmark report: {words:,} words on public works"]
    paragraph: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        paragraph.append(sentence)
        count += len(sentence.split())
        if len(paragraph) == 5:
            lines.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        lines.append(" ".join(paragraph))
    return "\n".join(lines) + "\n"


def write_article(folder: Path, words: int) -> Path:
    """``article_text(words)`` written to ``folder/article-<words>.txt``; its path."""
    path = Path(folder) / f"article-{words}.txt"
    path.write_text(article_text(words), encoding="utf-8")
    return path
