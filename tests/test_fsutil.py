"""Atomic writes: a target is complete or untouched, and no temporary file is left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from listen import fsutil
from listen.fsutil import atomic_path, write_bytes_atomic, write_text_atomic


def test_write_text_atomic_writes_utf8_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "episode.vtt"
    write_text_atomic(target, "WEBVTT\n\ncafé\n")
    assert target.read_bytes() == "WEBVTT\n\ncafé\n".encode()
    assert sorted(tmp_path.iterdir()) == [target]


def test_write_atomic_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "episode.json"
    target.write_text("old")
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(tmp_path.iterdir()) == [target]


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "episode.mp3"
    write_bytes_atomic(target, b"ID3")
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_path_is_a_hidden_sibling_with_the_same_suffix(tmp_path: Path) -> None:
    target = tmp_path / "episode.mp3"
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path
        assert temp.name.startswith(".episode.")
        assert temp.suffix == ".mp3"
        assert temp.exists() and not target.exists()
        temp.write_bytes(b"audio")
    assert target.read_bytes() == b"audio"
    assert not temp.exists()


def test_failing_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "episode.mp3"
    with pytest.raises(RuntimeError, match="encoder crashed"), atomic_path(target) as temp:
        temp.write_bytes(b"half an MP3")
        raise RuntimeError("encoder crashed")
    assert list(tmp_path.iterdir()) == []


def test_failing_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "episode.json"
    target.write_text("previous")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temp:
        temp.write_text("partial")
        raise KeyboardInterrupt
    assert target.read_text() == "previous"
    assert sorted(tmp_path.iterdir()) == [target]


def test_failing_rename_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fsutil.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(tmp_path / "episode.vtt", "WEBVTT\n")
    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_text_atomic(tmp_path / "missing" / "episode.vtt", "WEBVTT\n")
    assert list(tmp_path.iterdir()) == []
