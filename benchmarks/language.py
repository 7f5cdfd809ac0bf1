"""How listen's English check (``listen.language.guess``) sorts real articles.

    python benchmarks/language.py ../shared/peer/article_extraction

Reads the hand-checked article bodies of the article-extraction benchmark (``ground-truth.json``:
181 pages, most in English, some in German, Portuguese, Russian, Korean, Japanese ...), takes
each body's language from its writing and from the benchmark's pages where they declare one, and
prints what the check answers: how many English bodies it would turn away (the figure that must
stay at zero) and how many of the others it catches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from listen.language import guess  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the benchmark's folder (ground-truth.json)")
    args = parser.parse_args()
    bodies = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    answers = {key: guess(page["articleBody"]) for key, page in bodies.items()}
    seconds = time.perf_counter() - started
    english = {key for key in bodies if _english_by_hand(bodies[key]["articleBody"])}
    turned_away = sorted(k for k in english if answers[k] not in (None, "en"))
    others = [k for k in bodies if k not in english]
    caught = [k for k in others if answers[k] not in (None, "en")]
    print(f"command: python benchmarks/language.py {args.data}")
    print(f"{len(bodies)} article bodies: answers {dict(Counter(map(str, answers.values())))}")
    print(f"English bodies turned away: {len(turned_away)} of {len(english)} {turned_away}")
    print(f"other languages caught:     {len(caught)} of {len(others)}")
    for key in others:
        if key not in caught:
            print(f"  let through ({answers[key]}): {bodies[key]['articleBody'][:60]!r}")
    print(f"{seconds * 1000 / len(bodies):.2f} ms an article")


def _english_by_hand(body: str) -> bool:
    """The reference, independent of the check: a body is English when most of its letters
    are Latin and at least one word in eight is one of the commonest English words, or it is
    a list (a result table, a recipe) whose words are English. Checked by reading every body
    this counts as not English."""
    letters = [c for c in body if c.isalpha()]
    if sum(not c.isascii() for c in letters) * 2 > len(letters):  # another writing system
        return False
    words = [w.strip(".,:;!?()\"'").lower() for w in body.split()]
    common = {"the", "a", "of", "and", "to", "in", "is", "for", "on", "with", "at", "by", "you"}
    share = sum(w in common for w in words) / max(1, len(words))
    return share >= 0.125 or body.startswith(_ENGLISH_LISTS)


_ENGLISH_LISTS = ("GIRLS BASKETBALL", "If you’ve done 80 Day Obsession")
"""Two English bodies that are mostly lists, which the share above misses."""


if __name__ == "__main__":
    main()
