"""Finding articles to publish: keys, digests, order, and the errors a user can cause."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from listen.errors import ArticleError
from listen.sources import find_sources


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_articles_are_keyed_by_relative_path(tmp_path: Path) -> None:
    _write(tmp_path / "b.md", "# B\n\nBody.")
    _write(tmp_path / "world" / "a.txt", "A\n\nBody.")
    _write(tmp_path / "notes.json", "{}")
    _write(tmp_path / ".drafts" / "c.md", "# C\n\nBody.")
    keys = [s.key for s in find_sources([tmp_path])]
    assert keys == ["b.md", "world/a.txt"]


def test_digest_is_of_the_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", "# A\n\nBody.")
    [source] = find_sources([path])
    assert source.key == "a.md"
    assert source.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text("# A\n\nEdited body.", encoding="utf-8")
    assert find_sources([path])[0].digest != source.digest


def test_a_file_given_twice_is_found_once(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.md", "# A\n\nBody.")
    assert len(find_sources([path, tmp_path])) == 1


def test_two_files_with_one_key_are_refused(tmp_path: Path) -> None:
    first = _write(tmp_path / "one" / "a.md", "# A\n\nBody.")
    second = _write(tmp_path / "two" / "a.md", "# A\n\nOther.")
    with pytest.raises(ArticleError, match=r"same key 'a\.md'"):
        find_sources([first, second])


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file or folder"):
        find_sources([tmp_path / "missing"])
