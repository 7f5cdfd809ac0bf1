"""``listen check``: hear a rendered episode back and flag the sentences that came out wrong.

For an episode ``<slug>.mp3`` the timing file ``<slug>.json`` beside it (written by ``listen
render``) says what each sentence should say (``spoken``) and where it sits (``start``,
``end``). The audio is transcribed with word timestamps (:mod:`listen.recogniser`), what was
heard is normalised with listen's own normaliser (so "1910" heard as digits compares with
"nineteen ten" as spoken), and the heard words are aligned to the spoken ones
(:mod:`listen.align`). Each sentence gets its missed, substituted and inserted words and its
error rate; a sentence is flagged when its error rate is above ``max_wer`` with at least three
words wrong (or all of them, in a shorter sentence), or when two or more
words that carry a number (a year, a figure, a date) were missed or heard as other words: a
wrong year ("nineteen sixty-nine" for "nineteen ninety-six") changes two, while a recogniser
that mishears one ("fiftieth" for "fifteenth") is common enough not to flag a sentence alone.
A flagged sentence is heard once more on its own (with half the pause on either side) and
keeps that hearing unless it has more errors: the recogniser's slips depend on what came
before (a silence, a cut sentence), an engine's damage does not.

The word times of the alignment are written back into the timing file (``words`` in each
sentence, atomically, every other key kept), so a player can highlight word by word.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from listen.align import NUMBER_WORDS, Pair, Token, align, opcodes, tokens
from listen.errors import CheckError, ListenError
from listen.fsutil import write_text_atomic
from listen.models import DEFAULT_MAX_WER, CheckOptions
from listen.normalise import Lexicon, default_lexicon, load_lexicon, to_spoken
from listen.recogniser import SAMPLE_RATE, HeardWord, Recogniser, decode_audio, require_extra

__all__ = [
    "DEFAULT_MAX_WER",
    "CheckOptions",
    "EpisodeCheck",
    "SentenceCheck",
    "TimedSentence",
    "WordTime",
    "check_and_repair",
    "check_episode",
    "check_files",
    "compare",
    "own_clip",
    "read_sentences",
    "timing_path",
]

_MIN_ERRORS = 3
"""Fewer wrong words than this (unless that is all of them) do not flag a short sentence: two
recogniser slips in an eight-word title are over 0.25 of it, and no sign of damage."""
_NUMBERS_WRONG = 2
"""A sentence with this many number words wrong is flagged whatever its error rate."""
_SLACK_S = 0.25
"""How far outside a sentence's span a heard word may sit and still belong to it."""


@dataclass(frozen=True)
class TimedSentence:
    """One sentence of the timing file: what it says and where it sits."""

    id: str
    text: str
    spoken: str
    start: float
    end: float
    index: int = 0
    """Position in the timing file, which is the segment's position in the render's script."""


@dataclass(frozen=True)
class WordTime:
    """Where one spoken word of a sentence was heard, in seconds."""

    word: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class SentenceCheck:
    """What was heard for one sentence, against what it should say."""

    sentence: TimedSentence
    heard: str
    words: int
    missed: tuple[str, ...] = ()
    substituted: tuple[tuple[str, str], ...] = ()
    """(expected, heard) pairs."""
    inserted: tuple[str, ...] = ()
    numbers_wrong: int = 0
    """How many words that carry a number were missed or heard as other words."""
    word_times: tuple[WordTime, ...] = ()

    @property
    def errors(self) -> int:
        return len(self.missed) + len(self.substituted) + len(self.inserted)

    @property
    def wer(self) -> float:
        return self.errors / self.words if self.words else float(bool(self.inserted))

    def flagged(self, max_wer: float) -> bool:
        if self.numbers_wrong >= _NUMBERS_WRONG:
            return True
        return self.wer > max_wer and self.errors >= min(_MIN_ERRORS, self.words)

    def to_dict(self, max_wer: float) -> dict[str, Any]:
        s = self.sentence
        return {
            "id": s.id,
            "start": s.start,
            "end": s.end,
            "expected": s.spoken,
            "heard": self.heard,
            "words": self.words,
            "missed": list(self.missed),
            "substituted": [list(pair) for pair in self.substituted],
            "inserted": list(self.inserted),
            "wer": round(self.wer, 4),
            "flagged": self.flagged(max_wer),
        }


@dataclass(frozen=True)
class EpisodeCheck:
    """The check of one episode: every sentence, and the figures for the whole."""

    mp3: Path
    timing: Path
    duration: float
    """Seconds of audio heard."""
    seconds: float
    """Wall-clock seconds the check took (decode, recognition, alignment)."""
    max_wer: float
    sentences: tuple[SentenceCheck, ...] = field(default=())

    @property
    def words(self) -> int:
        return sum(s.words for s in self.sentences)

    @property
    def wer(self) -> float:
        return sum(s.errors for s in self.sentences) / max(1, self.words)

    @property
    def flagged(self) -> tuple[SentenceCheck, ...]:
        return tuple(s for s in self.sentences if s.flagged(self.max_wer))

    @property
    def speed(self) -> float:
        """Seconds of audio checked per wall-clock second."""
        return self.duration / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "mp3": str(self.mp3),
            "timing": str(self.timing),
            "duration": round(self.duration, 3),
            "seconds": round(self.seconds, 3),
            "speed": round(self.speed, 2),
            "max_wer": self.max_wer,
            "words": self.words,
            "wer": round(self.wer, 4),
            "flagged": [s.sentence.id for s in self.flagged],
            "sentences": [s.to_dict(self.max_wer) for s in self.sentences],
        }


def timing_path(mp3: Path) -> Path:
    """The timing file of an episode: the ``.json`` with the MP3's stem, beside it."""
    return Path(mp3).with_suffix(".json")


def read_sentences(path: Path) -> tuple[dict[str, Any], tuple[TimedSentence, ...]]:
    """The timing file's data and its sentences in order; a CheckError if it is unusable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        listed = [s for paragraph in data["paragraphs"] for s in paragraph["sentences"]]
        sentences = tuple(
            TimedSentence(
                str(s["id"]),
                str(s["text"]),
                str(s["spoken"]),
                float(s["start"]),
                float(s["end"]),
                i,
            )
            for i, s in enumerate(listed)
        )
    except FileNotFoundError as exc:
        raise CheckError(
            f"Could not check '{path.with_suffix('.mp3')}': no timing file '{path}' beside it; "
            "render the article again with listen render"
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise CheckError(f"Could not read timing file '{path}': {exc}") from exc
    return data, sentences


def check_files(
    paths: Sequence[Path], max_wer: float = DEFAULT_MAX_WER, *, write_words: bool = True
) -> list[EpisodeCheck]:
    """Check each episode; every timing file is read before the recogniser is loaded."""
    require_extra()
    for path in paths:
        if not Path(path).is_file():
            raise CheckError(f"Could not check '{path}': no such file")
        read_sentences(timing_path(path))
    recogniser = Recogniser()
    return [check_episode(Path(p), recogniser, max_wer, write_words=write_words) for p in paths]


def check_episode(
    mp3: Path, recogniser: Recogniser, max_wer: float = DEFAULT_MAX_WER, *, write_words: bool = True
) -> EpisodeCheck:
    """Hear ``mp3`` back and compare it sentence by sentence with its timing file."""
    began = time.perf_counter()
    path = timing_path(mp3)
    data, sentences = read_sentences(path)
    samples = decode_audio(mp3)
    lexicon = _lexicon(data.get("voice"))
    spans = [(s.start, s.end) for s in sentences]
    checks = compare(sentences, recogniser.transcribe(samples, spans), lexicon)
    checks = _hear_flagged_again(checks, spans, samples, recogniser, lexicon, max_wer)
    result = EpisodeCheck(
        mp3, path, len(samples) / SAMPLE_RATE, time.perf_counter() - began, max_wer, checks
    )
    if write_words:
        _write_words(path, result)
    return result


def _hear_flagged_again(
    checks: tuple[SentenceCheck, ...],
    spans: Sequence[tuple[float, float]],
    samples: np.ndarray,
    recogniser: Recogniser,
    lexicon: Lexicon,
    max_wer: float,
) -> tuple[SentenceCheck, ...]:
    """Hear each flagged sentence again on its own, and keep that hearing unless it has more
    errors: Whisper's slips depend on what it heard before (a long silence, a cut sentence),
    while a sentence the engine got wrong is wrong whatever comes before it."""
    flagged = [i for i, c in enumerate(checks) if c.flagged(max_wer)]
    if not flagged:
        return checks
    clips = [own_clip(spans, i, len(samples) / SAMPLE_RATE) for i in flagged]
    result = list(checks)
    for i, words in zip(flagged, recogniser.hear(samples, clips), strict=True):
        [again] = compare([checks[i].sentence], words, lexicon)
        if again.errors <= checks[i].errors:
            result[i] = again
    return tuple(result)


def own_clip(
    spans: Sequence[tuple[float, float]], index: int, duration: float
) -> tuple[float, float]:
    """Sentence ``index`` with half of the pause on either side, as a window would cut it."""
    start, end = spans[index]
    before = (spans[index - 1][1] + start) / 2 if index > 0 else 0.0
    after = (end + spans[index + 1][0]) / 2 if index + 1 < len(spans) else duration
    return max(0.0, min(before, start)), min(duration, max(after, end))


def check_and_repair(
    mp3: Path,
    redo: Callable[[tuple[int, ...]], None],
    recogniser: Recogniser,
    max_wer: float = DEFAULT_MAX_WER,
    attempts: int = 2,
) -> EpisodeCheck:
    """Check ``mp3``; while sentences are flagged (at most ``attempts`` times), call ``redo``
    with their indices, which must synthesise those segments again and rewrite ``mp3`` and its
    timing file, then check again. The last check is returned: what it flags is what is left.
    """
    result = check_episode(mp3, recogniser, max_wer)
    for _ in range(attempts):
        if not result.flagged:
            break
        redo(tuple(c.sentence.index for c in result.flagged))
        result = check_episode(mp3, recogniser, max_wer)
    return result


def compare(
    sentences: Sequence[TimedSentence], heard: Sequence[HeardWord], lexicon: Lexicon | None = None
) -> tuple[SentenceCheck, ...]:
    """Align what was heard with what each sentence says; one SentenceCheck per sentence."""
    expected = [t for i, s in enumerate(sentences) for t in tokens(s.spoken, i)]
    heard_tokens = _heard_tokens(heard, lexicon)
    owners = _owners(align(expected, heard_tokens), expected, heard_tokens, heard, sentences)
    return tuple(
        _sentence_check(s, owners.get(i, []), expected, heard_tokens, heard)
        for i, s in enumerate(sentences)
    )


def _heard_tokens(heard: Sequence[HeardWord], lexicon: Lexicon | None) -> list[Token]:
    """The heard words normalised as a whole ("$2.5" "billion" -> "two point five billion
    dollars"), each token's ``group`` the index of the recogniser word it came from."""
    lexicon = lexicon or default_lexicon()
    whole = tokens(to_spoken("".join(w.text for w in heard), lexicon=lexicon))
    single = [t for i, w in enumerate(heard) for t in tokens(to_spoken(w.text, lexicon=lexicon), i)]
    if not single:
        return whole
    groups = [0] * len(whole)
    for tag, i1, i2, j1, _ in opcodes([t.key for t in whole], [t.key for t in single]):
        for k in range(i1, i2):
            j = j1 + (k - i1) if tag == "equal" else min(j1, len(single) - 1)
            groups[k] = single[min(j, len(single) - 1)].group
    return [Token(t.key, t.shown, t.name, g) for t, g in zip(whole, groups, strict=True)]


def _owners(
    pairs: Sequence[Pair],
    expected: Sequence[Token],
    heard_tokens: Sequence[Token],
    heard: Sequence[HeardWord],
    sentences: Sequence[TimedSentence],
) -> dict[int, list[Pair]]:
    """The alignment's pairs by sentence: an expected word's sentence is its own; an inserted
    word goes to the sentence it was heard in, else to the one before it."""
    owners: dict[int, list[Pair]] = {}
    current = 0
    for pair in pairs:
        if pair.expected is not None:
            current = expected[pair.expected].group
            owners.setdefault(current, []).append(pair)
            continue
        word = heard[heard_tokens[pair.heard[0]].group]
        middle = (word.start + word.end) / 2
        inside = [
            i for i, s in enumerate(sentences) if s.start - _SLACK_S <= middle <= s.end + _SLACK_S
        ]
        owners.setdefault(inside[0] if inside else current, []).append(pair)
    return owners


def _sentence_check(
    sentence: TimedSentence,
    pairs: Sequence[Pair],
    expected: Sequence[Token],
    heard_tokens: Sequence[Token],
    heard: Sequence[HeardWord],
) -> SentenceCheck:
    def said(pair: Pair) -> str:
        return " ".join(heard_tokens[j].shown for j in pair.heard)

    def of(op: str) -> list[Pair]:
        return [p for p in pairs if p.op == op]

    missed = tuple(expected[p.expected].shown for p in of("del") if p.expected is not None)
    subs = tuple((expected[p.expected].shown, said(p)) for p in of("sub") if p.expected is not None)
    wrong = [p.expected for p in (*of("del"), *of("sub")) if p.expected is not None]
    groups = sorted({heard_tokens[j].group for p in pairs for j in p.heard})
    return SentenceCheck(
        sentence=sentence,
        heard="".join(heard[g].text for g in groups).strip(),
        words=sum(1 for p in pairs if p.expected is not None),
        missed=missed,
        substituted=subs,
        inserted=tuple(said(p) for p in of("ins")),
        numbers_wrong=sum(expected[i].key in NUMBER_WORDS for i in wrong),
        word_times=_word_times(sentence, pairs, expected, heard_tokens, heard),
    )


def _word_times(
    sentence: TimedSentence,
    pairs: Sequence[Pair],
    expected: Sequence[Token],
    heard_tokens: Sequence[Token],
    heard: Sequence[HeardWord],
) -> tuple[WordTime, ...]:
    """Where each heard word of the sentence sits, kept within the sentence's own span: the
    assembler's times are exact to the sample, the recogniser's only to a tenth of a second."""
    times = []
    for pair in pairs:
        if pair.expected is None or not pair.heard or pair.op == "ins":
            continue
        words = [heard[heard_tokens[j].group] for j in pair.heard]
        start = min(max(min(w.start for w in words), sentence.start), sentence.end)
        end = min(max(max(w.end for w in words), start), sentence.end)
        times.append(WordTime(expected[pair.expected].shown, start, end))
    return tuple(times)


def _lexicon(voice: object) -> Lexicon:
    """The lexicons of the voice that rendered the episode, else listen's base lexicon."""
    from listen.profile import load_profile

    if isinstance(voice, str):
        try:
            return load_lexicon(load_profile(voice).lexicons)
        except ListenError:
            pass
    return default_lexicon()


def _write_words(path: Path, result: EpisodeCheck) -> None:
    """Add each sentence's word times to the timing file (written atomically)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    by_id = {c.sentence.id: c for c in result.sentences}
    for paragraph in data["paragraphs"]:
        for sentence in paragraph["sentences"]:
            check = by_id.get(str(sentence["id"]))
            if check is not None:
                sentence["words"] = [w.to_dict() for w in check.word_times]
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
