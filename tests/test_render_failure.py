"""A failed render leaves nothing behind and never damages what an earlier run wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from listen.errors import SynthesisError
from listen.output import LOCK_NAME
from listen.render import render_files
from listen.tts.tone import ToneBackend

DATA = Path(__file__).parent / "data"
ARTICLE = DATA / "three-headings.md"


@pytest.fixture
def tone_voice(tmp_path: Path) -> str:
    profile = tmp_path / "quiet.toml"
    profile.write_text('backend = "tone"\n', encoding="utf-8")
    return str(profile)


def _snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` by its relative path (the folder's lock file aside)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME
    }


def _episode(slug: str) -> set[str]:
    return {f"{slug}/{slug}{ext}" for ext in (".mp3", ".vtt", ".json", ".chapters.json")}


def test_a_failure_mid_episode_keeps_the_earlier_episode_intact(
    tmp_path: Path, tone_voice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    [first] = render_files([ARTICLE], out, voice=tone_voice)
    before = _snapshot(out)
    assert set(before) == _episode(first.slug)

    calls = {"n": 0}
    speak = ToneBackend.synthesize

    def failing(self: ToneBackend, text: str):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise SynthesisError("the engine stopped")
        return speak(self, text)

    monkeypatch.setattr(ToneBackend, "synthesize", failing)
    with pytest.raises(SynthesisError):
        render_files([ARTICLE], out, voice=tone_voice)
    assert _snapshot(out) == before


def test_a_failure_while_encoding_leaves_no_temporary_file(
    tmp_path: Path, tone_voice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listen import early, master
    from listen.errors import AudioError

    def broken(*args: object, **kwargs: object) -> None:
        raise AudioError("Could not encode: disk full")

    monkeypatch.setattr(early, "encode_measured", broken)
    monkeypatch.setattr(master, "encode_measured", broken)
    out = tmp_path / "fresh"
    with pytest.raises(AudioError):
        render_files([ARTICLE], out, voice=tone_voice)
    assert [p.name for p in out.iterdir()] == [LOCK_NAME]  # no episode, no .part left


def test_rendering_again_replaces_the_episode_whole(tmp_path: Path, tone_voice: str) -> None:
    out = tmp_path / "out"
    [first] = render_files([ARTICLE], out, voice=tone_voice)
    [second] = render_files([ARTICLE], out, voice=tone_voice)
    assert first.mp3 == second.mp3
    assert first.mp3 == out / first.slug / f"{first.slug}.mp3"
    assert set(_snapshot(out)) == _episode(first.slug)
    assert sorted(p.name for p in out.iterdir()) == sorted([LOCK_NAME, first.slug])


def test_two_articles_with_one_title_get_unique_slugs(tmp_path: Path, tone_voice: str) -> None:
    copy = tmp_path / "copy.md"
    copy.write_bytes(ARTICLE.read_bytes())
    first, second = render_files([ARTICLE, copy], tmp_path / "out", voice=tone_voice)
    assert second.slug == f"{first.slug}-2"
    assert first.mp3.is_file() and second.mp3.is_file()
