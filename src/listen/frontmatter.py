"""YAML front matter of a Markdown article, read without trusting it.

The block is composed into YAML nodes by a SafeLoader that refuses more than
``Limits.max_yaml_aliases`` aliases and deep nesting, so "billion laughs" costs nothing. Only the
keys listen uses are read, as text, from their scalar nodes: unknown keys are never turned into
objects (an impossible date under a key listen does not read is no error), a list or boolean
where text belongs is a warning and ignored, and an impossible date is a warning and no date.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from listen.errors import ArticleError, LimitExceeded
from listen.limits import Limits, format_size

__all__ = ["FRONT_MATTER", "FrontMatter", "read_front_matter"]

_LOGGER = logging.getLogger(__name__)

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
"""A YAML block between ``---`` lines at the very start of a file."""

_MAX_DEPTH = 20
_YAML = "tag:yaml.org,2002:"
_TEXT_TAGS = {f"{_YAML}{t}" for t in ("str", "int", "float", "timestamp")}
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


@dataclass(frozen=True)
class FrontMatter:
    """The front-matter fields listen reads, each as checked text or None."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    """ISO 8601 (YYYY-MM-DD), only for a real calendar date."""
    url: str | None = None
    image: str | None = None
    language: str | None = None
    description: str | None = None


class _BoundedLoader(yaml.SafeLoader):
    """Composes nodes only; refuses too many aliases or too deep a nesting."""

    def __init__(self, stream: str, max_aliases: int) -> None:
        super().__init__(stream)
        self.aliases_left = max_aliases
        self.depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases_left -= 1
            if self.aliases_left < 0:
                raise _Refused("aliases")
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise _Refused("nesting")
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


class _Refused(Exception):
    """The front matter is over a structural bound (aliases or nesting)."""


def read_front_matter(
    text: str, path: Path, limits: Limits | None = None
) -> tuple[FrontMatter, str]:
    """The front matter at the start of ``text`` (if any) and the body after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return FrontMatter(), text
    limits = limits or Limits()
    block = match.group(1)
    size = len(block.encode("utf-8", "surrogatepass"))
    if size > limits.max_front_matter_bytes:
        raise LimitExceeded(
            f"The front matter of '{path}' is {format_size(size)}, over the "
            f"{format_size(limits.max_front_matter_bytes)} limit; shorten it or raise the limit "
            "with --max-front-matter"
        )
    return _fields(_compose(block, path, limits), path), text[match.end() :]


def _compose(block: str, path: Path, limits: Limits) -> MappingNode | None:
    loader = _BoundedLoader(block, limits.max_yaml_aliases)
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        raise LimitExceeded(_structure_message(str(exc), path, limits)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ArticleError(
            f"Could not read the front matter of '{path}'{where}: it is not valid YAML; "
            "fix the block between the '---' lines"
        ) from exc
    finally:
        loader.dispose()
    if node is None or (isinstance(node, ScalarNode) and not node.value.strip()):
        return None
    if not isinstance(node, MappingNode):
        raise ArticleError(
            f"Could not read the front matter of '{path}': expected 'key: value' lines"
        )
    return node


def _structure_message(kind: str, path: Path, limits: Limits) -> str:
    if kind == "aliases":
        return (
            f"The front matter of '{path}' uses more than {limits.max_yaml_aliases} YAML "
            "aliases (*name); write the values out instead"
        )
    return (
        f"The front matter of '{path}' is nested more than {_MAX_DEPTH} levels deep; "
        "use plain 'key: value' lines"
    )


def _fields(node: MappingNode | None, path: Path) -> FrontMatter:
    if node is None:
        return FrontMatter()
    wanted = {f.name for f in fields(FrontMatter)}
    values: dict[str, str | None] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if key in wanted:
            values[key] = _text(key, value_node, path)
    if values.get("date"):
        values["date"] = _iso_date(values["date"] or "", path)
    return FrontMatter(**values)


def _text(key: str, node: Node, path: Path) -> str | None:
    """The value of a text field, or None with a warning when it is not text."""
    if isinstance(node, ScalarNode):
        if node.tag == f"{_YAML}null":
            return None
        if node.tag in _TEXT_TAGS or node.tag == "!":
            return str(node.value).strip() or None
        kind = "true or false" if node.tag == f"{_YAML}bool" else f"tagged {node.tag}"
    elif key == "author" and isinstance(node, SequenceNode):
        names = [_text(key, item, path) for item in node.value]
        return ", ".join(n for n in names if n) or None
    else:
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
    _LOGGER.warning(
        "Ignoring '%s' in the front matter of '%s': it is %s, not text (put it in quotes)",
        key,
        path,
        kind,
    )
    return None


def _iso_date(text: str, path: Path) -> str | None:
    """``text`` as YYYY-MM-DD if it is a real calendar date, else None with a warning."""
    match = _ISO_DATE.match(text)
    if match:
        parsed = _calendar_date(*(int(g) for g in match.groups()))
    else:
        parsed = next(filter(None, (_strptime(text, fmt) for fmt in _DATE_FORMATS)), None)
    if parsed is None:
        _LOGGER.warning(
            "Ignoring the date '%s' in the front matter of '%s': it is not a calendar date "
            "(write it as YYYY-MM-DD)",
            text,
            path,
        )
        return None
    return parsed.isoformat()


def _calendar_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _strptime(text: str, fmt: str) -> date | None:
    try:
        return datetime.strptime(text, fmt).date()
    except ValueError:
        return None
