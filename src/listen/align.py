"""Word alignment between what a script says and what a recogniser heard.

Both sides are spoken English as :func:`listen.normalise.to_spoken` writes it, cut into
:class:`Token` objects by :func:`tokens`. :func:`align` is a Levenshtein alignment over words
(rapidfuzz's ``Levenshtein.opcodes`` on the whole episode, in C), whose mismatched stretches
are then aligned again by a small dynamic programme that knows names are hard for any
recogniser: an expected word that is a name (capitalised, or a lexicon respelling such as
"Tah-kah-ee-chee") counts as heard when it *sounds alike* (:func:`sounds_alike`), also when the
recogniser split it in two ("Takai Chi"). Any word split in two or three, or words joined into
one ("longtime" heard as "long time", "four-lane" as "forlaine"), count as heard when the joined
forms sound alike. A number word counts as heard only when heard exactly, or as the word that
sounds the same ("four" as "for").

rapidfuzz and jellyfish come with the ``check`` extra; they are imported where they are used, so
that without the extra ``listen check`` can say how to install it
(:func:`listen.recogniser.require_extra`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NUMBER_WORDS",
    "Op",
    "Pair",
    "Token",
    "align",
    "opcodes",
    "sounds_alike",
    "tokens",
]

Op = Literal["ok", "alike", "sub", "del", "ins"]

_NUMBERS = (
    "zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million billion trillion point half quarter first second third "
    "fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth "
    "fiftieth sixtieth seventieth eightieth ninetieth hundredth thousandth millionth "
    "tens twenties thirties forties fifties sixties seventies eighties nineties hundreds "
    "thousands millions billions percent"
)
NUMBER_WORDS = frozenset(_NUMBERS.split())
"""Words that carry a number: getting one wrong changes a figure, a date or a year."""
_HOMOPHONES = {"four": ("for", "fore"), "two": ("to", "too"), "one": ("won",), "eight": ("ate",)}
"""Number words and the words that sound the same: a recogniser that writes "for hundred" heard
what a listener hears."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+(?:['’][^\W_]+)*)*")
_MERGE = 3
"""The most recogniser words one expected name may be heard as (and the other way round)."""
_MAX_CELLS = 250_000
"""A mismatched stretch larger than this keeps rapidfuzz's plain alignment (no name rules)."""
_CHAR_SIMILARITY = 0.7
_KEY_SIMILARITY = 0.85


@dataclass(frozen=True)
class Token:
    """One spoken word: ``key`` is what is compared, ``shown`` how it was written."""

    key: str
    shown: str
    name: bool = False
    """Capitalised or a respelling: counts as heard when it sounds alike."""
    group: int = 0
    """Which sentence (expected side) or which recogniser word (heard side) it came from."""


@dataclass(frozen=True)
class Pair:
    """One step of an alignment: an expected token, the heard tokens it was matched with."""

    op: Op
    expected: int | None
    """Index into the expected tokens; None for an inserted (extra) heard word."""
    heard: tuple[int, ...] = ()
    """Indices into the heard tokens: none for a missed word, several for a split name."""


def tokens(text: str, group: int = 0) -> list[Token]:
    """The words of spoken ``text``, in order.

    A capitalised hyphenated word is one respelt name ("Tah-kah-ee-chee", "Kay-pop", "U-S") and
    stays one token; any other hyphenated word is several ("forty-five", "forward-looking").
    Keys are lower case without apostrophes, so "Japan's" and "Japans" compare equal.
    """
    found: list[Token] = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        name = word[0].isupper() and word.lower() not in NUMBER_WORDS
        parts = [word] if name else word.split("-")
        for part in parts:
            key = re.sub(r"['’-]", "", part).lower()
            if key:
                found.append(Token(key, part, name, group))
    return found


def sounds_alike(expected: str, heard: str) -> bool:
    """Whether two lower-case keys are close in spelling (normalised Levenshtein similarity) or
    sound alike: the same Metaphone key, or keys close by Jaro-Winkler similarity."""
    import jellyfish
    from rapidfuzz.distance import Levenshtein

    if not expected or not heard:
        return False
    if Levenshtein.normalized_similarity(expected, heard) >= _CHAR_SIMILARITY:
        return True
    a, b = jellyfish.metaphone(expected), jellyfish.metaphone(heard)
    return a == b or (bool(a and b) and jellyfish.jaro_winkler_similarity(a, b) >= _KEY_SIMILARITY)


def align(expected: Sequence[Token], heard: Sequence[Token]) -> list[Pair]:
    """Every expected token in order, each matched, substituted or missed, with the heard
    tokens that are left over placed as insertions where they occur."""
    pairs: list[Pair] = []
    start: tuple[int, int] | None = None
    for tag, i1, i2, j1, j2 in opcodes([t.key for t in expected], [t.key for t in heard]):
        if tag != "equal":
            start = start or (i1, j1)
            continue
        if start:
            pairs += _region(expected, heard, start[0], i1, start[1], j1)
            start = None
        pairs += [Pair("ok", i, (j,)) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
    if start:
        pairs += _region(expected, heard, start[0], len(expected), start[1], len(heard))
    return pairs


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """Levenshtein edit operations turning the words ``a`` into ``b``, as difflib spells them:
    (tag, a_start, a_end, b_start, b_end) with tag "equal", "replace", "delete" or "insert"."""
    from rapidfuzz.distance import Levenshtein

    return [
        (op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
        for op in Levenshtein.opcodes(a, b)
    ]


def _region(
    expected: Sequence[Token], heard: Sequence[Token], i1: int, i2: int, j1: int, j2: int
) -> list[Pair]:
    """Align one mismatched stretch with substitution, insertion, deletion and name matches."""
    n, m = i2 - i1, j2 - j1
    if n == 0 or m == 0 or n * m > _MAX_CELLS:
        return _plain(i1, i2, j1, j2)
    cost = [[float("inf")] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, Op] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == float("inf"):
                continue
            for di, dj, op, step in _moves(expected, heard, i1 + i, i2, j1 + j, j2):
                if cost[i][j] + step < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = cost[i][j] + step
                    back[i + di][j + dj] = (di, dj, op)
    return _trace(back, n, m, i1, j1)


def _moves(
    expected: Sequence[Token], heard: Sequence[Token], i: int, i2: int, j: int, j2: int
) -> list[tuple[int, int, Op, float]]:
    """The steps out of cell (i, j): each (expected used, heard used, op, cost)."""
    moves: list[tuple[int, int, Op, float]] = []
    if i < i2:
        moves.append((1, 0, "del", 1.0))
    if j < j2:
        moves.append((0, 1, "ins", 1.0))
    if i >= i2 or j >= j2:
        return moves
    if expected[i].key == heard[j].key:
        moves.append((1, 1, "ok", 0.0))
    elif _close(expected[i : i + 1], heard[j : j + 1]):
        moves.append((1, 1, "alike", 0.0))
    else:
        moves.append((1, 1, "sub", 1.0))
    for k in range(2, min(_MERGE, j2 - j) + 1):
        if _close(expected[i : i + 1], heard[j : j + k]):
            moves.append((1, k, "alike", 0.0))
    for k in range(2, min(_MERGE, i2 - i) + 1):
        if _close(expected[i : i + k], heard[j : j + 1]):
            moves.append((k, 1, "alike", 0.0))
    return moves


def _close(expected: Sequence[Token], heard: Sequence[Token]) -> bool:
    """Whether the expected words count as heard as the heard words (one or several each).

    A number word must be heard exactly or as its homophone ("four" as "for"); a name (the
    first word) may sound alike; other words count only when split or joined and spelt alike
    ("four-lane" heard as "forlaine").
    """
    a, b = "".join(t.key for t in expected), "".join(t.key for t in heard)
    if a == b:
        return True
    if any(t.key in NUMBER_WORDS for t in expected):
        return len(expected) == len(heard) == 1 and b in _HOMOPHONES.get(a, ())
    if expected[0].name:
        return sounds_alike(a, b)
    if len(expected) == len(heard) == 1:
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.normalized_similarity(a, b) >= _CHAR_SIMILARITY


def _trace(
    back: list[list[tuple[int, int, Op] | None]], n: int, m: int, i1: int, j1: int
) -> list[Pair]:
    pairs: list[Pair] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj, op = step
        i, j = i - di, j - dj
        heard = tuple(range(j1 + j, j1 + j + dj))
        if di == 0:
            pairs += [Pair("ins", None, (h,)) for h in reversed(heard)]
        elif di == 1:
            pairs.append(Pair(op, i1 + i, heard))
        else:  # several expected words heard as one: the first holds the heard word
            pairs += [Pair(op, i1 + i + k, heard if k == 0 else ()) for k in reversed(range(di))]
    pairs.reverse()
    return pairs


def _plain(i1: int, i2: int, j1: int, j2: int) -> list[Pair]:
    """Substitute pairwise, then miss or insert what is left."""
    common = min(i2 - i1, j2 - j1)
    pairs = [Pair("sub", i1 + k, (j1 + k,)) for k in range(common)]
    pairs += [Pair("del", i) for i in range(i1 + common, i2)]
    pairs += [Pair("ins", None, (j,)) for j in range(j1 + common, j2)]
    return pairs
