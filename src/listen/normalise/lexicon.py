"""Pronunciation lexicons: respellings for names and words a TTS engine gets wrong.

Two formats are read:

* TOML (``voices/lexicon/en.toml`` and per-publication files)::

      initialisms = ["BTS", "FBI"]     # always spelled letter by letter
      acronyms = ["NATO", "UNESCO"]    # always said as a word
      [words]                          # whole words or phrases, any case
      "Takaichi" = "Tah-kah-ee-chee"
      [cased]                          # whole words, exact case only
      "US" = "U S"
      [patterns]                       # regular expressions (Python syntax), exact case
      '\\b24/7\\b' = "twenty-four seven"

* W3C PLS 1.0 (``.pls``): every ``<lexeme>`` with an ``<alias>`` maps each of its
  ``<grapheme>`` elements (exact case) to the alias. Lexemes with only ``<phoneme>`` are skipped:
  listen's engines take text, not IPA.

Later files override earlier ones entry by entry.
"""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from listen.errors import ProfileError
from listen.normalise.abbreviations import caps_rule
from listen.normalise.rule import Rule

__all__ = ["BASE_LEXICON", "Lexicon", "default_lexicon", "load_lexicon"]

_PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
_TABLES = ("words", "cased", "patterns")
_LISTS = ("initialisms", "acronyms")


def _base_path() -> Path:
    here = Path(__file__).resolve().parent
    for voices in (here.parents[2] / "voices", here.parent / "voices"):
        candidate = voices / "lexicon" / "en.toml"
        if candidate.is_file():
            return candidate
    return here.parents[2] / "voices" / "lexicon" / "en.toml"


BASE_LEXICON = _base_path()
"""The base English lexicon shipped with listen."""


@dataclass(frozen=True)
class Lexicon:
    """Respellings and initialism lists, with the rules compiled from them."""

    words: Mapping[str, str] = field(default_factory=dict)
    """Case-insensitive whole words or phrases; keys are stored lower-case."""
    cased: Mapping[str, str] = field(default_factory=dict)
    """Exact-case whole words or phrases."""
    patterns: tuple[tuple[str, str], ...] = ()
    """Regular expressions and their replacement templates, applied first, in order."""
    initialisms: frozenset[str] = frozenset()
    acronyms: frozenset[str] = frozenset()
    sources: tuple[Path, ...] = ()
    rules: tuple[Rule, ...] = field(default=(), init=False, compare=False, repr=False)
    """The respelling rules compiled from the tables above, patterns first."""
    caps: Rule = field(init=False, compare=False, repr=False)
    """The all-capital-word rule that honours ``initialisms`` and ``acronyms``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", self._compile())
        object.__setattr__(self, "caps", caps_rule(self.initialisms, self.acronyms))

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s entries added on top (``other`` wins on conflicts)."""
        patterns = dict(self.patterns) | dict(other.patterns)
        return Lexicon(
            words={**self.words, **other.words},
            cased={**self.cased, **other.cased},
            patterns=tuple(patterns.items()),
            initialisms=(self.initialisms - other.acronyms) | other.initialisms,
            acronyms=(self.acronyms - other.initialisms) | other.acronyms,
            sources=(*self.sources, *other.sources),
        )

    def _compile(self) -> tuple[Rule, ...]:
        rules = [_pattern_rule(source, spoken) for source, spoken in self.patterns]
        if self.cased:
            rules.append(_table_rule(self.cased, 0, lambda w: w))
        if self.words:
            rules.append(_table_rule(self.words, re.IGNORECASE, str.lower))
        return tuple(rules)


def _pattern_rule(source: str, spoken: str) -> Rule:
    pattern = re.compile(source)
    return Rule("lexicon", pattern, lambda m, uk: m.expand(spoken))


def _table_rule(table: Mapping[str, str], flags: int, key: Callable[[str], str]) -> Rule:
    alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", flags)
    lookup = table

    def speak(m: re.Match[str], uk: bool) -> str:
        return lookup[key(m.group(0))]

    return Rule("lexicon", pattern, speak)


def load_lexicon(paths: Sequence[Path]) -> Lexicon:
    """Read TOML (``.toml``) and PLS (``.pls``) lexicons; later files override earlier ones."""
    lexicon = Lexicon()
    for path in paths:
        lexicon = lexicon.merged(_load_one(Path(path)))
    return lexicon


@cache
def default_lexicon() -> Lexicon:
    """The base English lexicon, ``voices/lexicon/en.toml``."""
    return load_lexicon([BASE_LEXICON])


def _load_one(path: Path) -> Lexicon:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"Could not read lexicon '{path}': {exc.strerror or exc}") from exc
    if path.suffix.lower() in (".pls", ".xml"):
        return _from_pls(path, data)
    if path.suffix.lower() == ".toml":
        return _from_toml(path, data)
    raise ProfileError(f"Lexicon '{path}' has an unknown format: name it .toml or .pls")


def _from_toml(path: Path, data: bytes) -> Lexicon:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Lexicon '{path}' is not valid TOML: {exc}") from exc
    unknown = sorted(set(doc) - {*_TABLES, *_LISTS, "version", "description"})
    if unknown:
        allowed = ", ".join((*_LISTS, *_TABLES))
        raise ProfileError(f"Lexicon '{path}': unknown key {unknown[0]!r}; use one of {allowed}")
    tables = {name: _string_table(path, name, doc.get(name, {})) for name in _TABLES}
    for source in tables["patterns"]:
        _check_pattern(path, source)
    return Lexicon(
        words={k.lower(): v for k, v in tables["words"].items()},
        cased=tables["cased"],
        patterns=tuple(tables["patterns"].items()),
        initialisms=frozenset(_string_list(path, "initialisms", doc.get("initialisms", []))),
        acronyms=frozenset(_string_list(path, "acronyms", doc.get("acronyms", []))),
        sources=(path,),
    )


def _string_table(path: Path, name: str, table: object) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ProfileError(f'Lexicon \'{path}\': [{name}] must be a table of "word" = "respelling"')
    for key, value in table.items():
        if not isinstance(value, str) or not key.strip():
            raise ProfileError(
                f"Lexicon '{path}': [{name}] entry {key!r} must map a word to a quoted respelling"
            )
    return dict(table)


def _string_list(path: Path, name: str, items: object) -> Iterable[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ProfileError(f"Lexicon '{path}': {name} must be a list of words, e.g. [\"FBI\"]")
    return items


def _check_pattern(path: Path, source: str) -> None:
    try:
        re.compile(source)
    except re.error as exc:
        raise ProfileError(
            f"Lexicon '{path}': [patterns] entry {source!r} is not a valid regular expression "
            f"({exc}); quote it with single quotes and escape special characters"
        ) from exc


def _from_pls(path: Path, data: bytes) -> Lexicon:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ProfileError(f"Lexicon '{path}' is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{_PLS_NS}}}lexicon":
        raise ProfileError(
            f"Lexicon '{path}': the root element must be <lexicon xmlns=\"{_PLS_NS}\">"
        )
    cased: dict[str, str] = {}
    for lexeme in root.iter(f"{{{_PLS_NS}}}lexeme"):
        graphemes = [g.text.strip() for g in lexeme.iter(f"{{{_PLS_NS}}}grapheme") if g.text]
        aliases = [a.text.strip() for a in lexeme.iter(f"{{{_PLS_NS}}}alias") if a.text]
        if not graphemes:
            raise ProfileError(f"Lexicon '{path}': a <lexeme> has no <grapheme>; add one")
        if aliases:
            cased.update(dict.fromkeys(graphemes, aliases[0]))
    return Lexicon(cased=cased, sources=(path,))
