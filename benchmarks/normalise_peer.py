"""Score listen's normaliser on NVIDIA NeMo's English text-normalisation test cases.

    python benchmarks/normalise_peer.py ../shared/peer/nemo_tn_en

Prints, per NeMo category, exact and lenient accuracy; lenient ignores case, punctuation,
hyphens and the word "and" and nothing else. A second lenient column accepts the divergences
recorded, with their reasons, in tests/normalise/data/nemo_divergences.tsv (cases where NeMo's
expected answer is not what a newsreader says). A third column, "letters", is lenient with spelled
letters compared as one word on both sides ("U-S.A", "u s a" and "USA" alike): the two references
disagree on how to write a spelled initialism (NeMo joins it, GoogleTN spaces it), so no single
spelling can match both, and the engine says the same letters either way. Then the lenient
accuracy on the changed sentences of the GoogleTN sample, and milliseconds per sentence over
NeMo's cases on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from listen.normalise import to_spoken  # noqa: E402

NEWS = [
    "cardinal",
    "decimal",
    "money",
    "measure",
    "date",
    "time",
    "ordinal",
    "range",
    "roman",
    "fraction",
    "whitelist",
    "word",
    "punctuation",
]
OTHER = ["address", "electronic", "math", "serial", "special_text", "telephone"]
SHOW_FAILURES = False
DIVERGENCES = ROOT / "tests" / "normalise" / "data" / "nemo_divergences.tsv"

_HYPHENS = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014]")
_SPACES = re.compile(r"\s+")
_LETTER_RUN = re.compile(r"\b[a-z](?: [a-z]\b)+")


def lenient(text: str) -> str:
    """Lower case; punctuation (Unicode P*, and the backtick quote) and hyphens become spaces;
    the word "and" is dropped; spaces collapse."""
    text = _HYPHENS.sub(" ", text.lower())
    text = "".join(" " if unicodedata.category(c)[0] == "P" or c == "`" else c for c in text)
    return " ".join(w for w in _SPACES.split(text) if w and w != "and")


def letters(text: str) -> str:
    """Lenient, with every run of single letters joined into one word ("e s t" -> "est")."""
    return _LETTER_RUN.sub(lambda m: m.group(0).replace(" ", ""), lenient(text))


def read_cases(path: Path) -> list[tuple[str, str]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        written, sep, spoken = line.partition("~")
        if sep:
            cases.append((written, spoken))
    return cases


def read_divergences(path: Path) -> set[tuple[str, str]]:
    """(category, written) pairs whose NeMo answer we deliberately do not give."""
    accepted = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                category, written, *_ = line.split("\t")
                accepted.add((category, written))
    return accepted


def score(
    category: str, cases: list[tuple[str, str]], accepted: set[tuple[str, str]]
) -> tuple[int, int, int, int, int]:
    exact = loose = joined = excused = 0
    for written, expected in cases:
        got = to_spoken(written)
        exact += got == expected
        ok = lenient(got) == lenient(expected)
        loose += ok
        joined += letters(got) == letters(expected)
        excused += ok or (category, written) in accepted
        if SHOW_FAILURES and not ok:
            print(f"  {category}\t{written!r}\n    got      {got!r}\n    expected {expected!r}")
    return len(cases), exact, loose, joined, excused


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "   - "


def table(peer: Path, names: list[str], accepted: set[tuple[str, str]]) -> tuple[int, ...]:
    totals = [0, 0, 0, 0, 0]
    for name in names:
        path = peer / f"test_cases_{name}.txt"
        if not path.is_file():
            continue
        counts = score(name, read_cases(path), accepted)
        totals = [t + v for t, v in zip(totals, counts, strict=True)]
        print(_row(name, *counts))
    return tuple(totals)


def _row(name: str, n: int, *counts: int) -> str:
    return f"{name:<14}{n:>6}  " + "  ".join(f"{pct(c, n):>8}" for c in counts)


def google(peer: Path) -> tuple[int, int, int]:
    path = peer / "hybrid_eval" / "GoogleTN.json"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    changed = [r for r in rows if r["text"] != r["gt_normalized"]]
    said = [(to_spoken(r["text"]), r["gt_normalized"]) for r in changed]
    right = sum(lenient(got) == lenient(gold) for got, gold in said)
    joined = sum(letters(got) == letters(gold) for got, gold in said)
    return len(changed), right, joined


def ms_per_sentence(peer: Path, normalise: Callable[[str], str], rounds: int = 5) -> float:
    sentences = [w for name in NEWS + OTHER for w, _ in _cases_if_present(peer, name)]
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for sentence in sentences:
            normalise(sentence)
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(sentences)


def _cases_if_present(peer: Path, name: str) -> list[tuple[str, str]]:
    path = peer / f"test_cases_{name}.txt"
    return read_cases(path) if path.is_file() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", type=Path, help="folder holding NeMo's test_cases_*.txt")
    parser.add_argument("--failures", action="store_true", help="list every lenient miss")
    args = parser.parse_args()
    global SHOW_FAILURES
    SHOW_FAILURES = args.failures
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    accepted = read_divergences(DIVERGENCES)
    columns = ("exact", "lenient", "letters", "+diverg.")
    print(f"{'category':<14}{'cases':>6}  " + "  ".join(f"{c:>8}" for c in columns))
    print(_row("NEWS TOTAL", *table(args.peer, NEWS, accepted)))
    print("\nother NeMo categories (not news; reported, not targeted)")
    print(_row("OTHER TOTAL", *table(args.peer, OTHER, accepted)))
    changed, right, joined = google(args.peer)
    print(
        f"\nGoogleTN changed sentences: lenient {right}/{changed} = {pct(right, changed)}, "
        f"letters {joined}/{changed} = {pct(joined, changed)}"
    )
    print(
        f"Speed: {ms_per_sentence(args.peer, to_spoken):.3f} ms per sentence (one core, best of 5)"
    )
    print("\nlenient = case, punctuation, hyphens and 'and' ignored;")
    print("letters = lenient, with spelled letters compared as one word (U-S.A = u s a = USA);")
    print(f"+diverg. = lenient, also accepting the cases listed in {DIVERGENCES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
