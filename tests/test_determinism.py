"""A render depends only on its inputs: the same article twice in one process, the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_publish import write_article

from listen.profile import resolve_profile
from listen.render import render_files
from listen.tts import create_backend


def test_espeak_speaks_a_sentence_the_same_way_every_time() -> None:
    backend = create_backend(resolve_profile("espeak").speech)
    texts = ["The council met on Tuesday.", "A decision is expected next month."] * 3
    spoken = [backend.synthesize(text).samples.tobytes() for text in texts]
    assert len(set(spoken[0::2])) == 1 and len(set(spoken[1::2])) == 1
    assert spoken[0] != spoken[1]


@pytest.mark.slow
def test_the_same_article_rendered_twice_in_one_process_is_byte_identical(tmp_path: Path) -> None:
    article = write_article(tmp_path, "story-3", 3)
    first = render_files([article], tmp_path / "one", "espeak")[0]
    second = render_files([article], tmp_path / "two", "espeak")[0]
    files = _episode_files(tmp_path / "one")
    assert files == _episode_files(tmp_path / "two")
    assert any(name.endswith(".mp3") for name in files)
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert first.duration == second.duration


def _episode_files(out: Path) -> list[str]:
    """Every file an episode folder holds, relative to ``out`` (the folder's lock aside)."""
    return sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
