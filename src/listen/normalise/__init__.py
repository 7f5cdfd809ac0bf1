"""Text normalisation: written news English to what a newsreader says.

Placeholder until the full normaliser lands: collapses whitespace and straightens quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Rewrite", "explain", "to_spoken"]


@dataclass(frozen=True)
class Rewrite:
    written: str
    spoken: str
    rule: str


def explain(text: str, *, lexicon: object = None, spelling: str = "us") -> tuple[str, tuple[Rewrite, ...]]:
    spoken = " ".join(text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').split())
    return spoken, ()


def to_spoken(text: str, *, lexicon: object = None, spelling: str = "us") -> str:
    return explain(text, lexicon=lexicon, spelling=spelling)[0]
