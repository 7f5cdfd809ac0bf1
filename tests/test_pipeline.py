"""The wiring in render.py, with the fast tone engine: what is loaded once, and in what order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from listen.assemble import LEAD_IN_MS, assemble, episode_rate
from listen.models import SAMPLE_RATE, SPEECH_RATE, Audio, Segment, SpokenSegment, VoiceSettings
from listen.normalise import lexicon as lexicon_module
from listen.render import render_files
from listen.speak import speak
from listen.tts import create_backend

DATA = Path(__file__).parent / "data"
ARTICLE = DATA / "three-headings.md"


@pytest.fixture
def tone_voice(tmp_path: Path) -> str:
    profile = tmp_path / "quiet.toml"
    profile.write_text('backend = "tone"\n', encoding="utf-8")
    return str(profile)


def test_the_lexicon_is_loaded_once_per_profile(
    tmp_path: Path, tone_voice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = lexicon_module.load_lexicon

    def counted(paths):  # type: ignore[no-untyped-def]
        calls.append(len(paths))
        return real(paths)

    monkeypatch.setattr(lexicon_module, "load_lexicon", counted)
    copy = tmp_path / "copy.md"
    copy.write_bytes(ARTICLE.read_bytes())
    episodes = render_files([ARTICLE, copy, ARTICLE], tmp_path / "out", voice=tone_voice)
    assert len(episodes) == 3 and len(calls) == 1


def test_progress_counts_every_segment(tmp_path: Path, tone_voice: str) -> None:
    seen: list[tuple[str, int, int]] = []
    [episode] = render_files(
        [ARTICLE], tmp_path / "out", voice=tone_voice, progress=lambda *a: seen.append(a)
    )
    total = len(episode.timings)
    assert seen == [(episode.slug, n, total) for n in range(1, total + 1)]


def test_speak_trims_and_resamples_and_assemble_lays_out_pauses() -> None:
    backend = create_backend(VoiceSettings(profile="t", backend="tone"))
    segments = [Segment("One.", "One.", "title", 800), Segment("Two.", "Two.", "sentence", 300, 0)]
    spoken = list(speak(segments, backend, SAMPLE_RATE))
    assert all(s.audio.sample_rate == SAMPLE_RATE for s in spoken)  # the tone is at 22.05 kHz
    with assemble(spoken, ["Chapter"], rate=SAMPLE_RATE) as episode:
        first, second = episode.timings
    assert first.start == pytest.approx(LEAD_IN_MS / 1000)
    assert second.start == pytest.approx(first.end + 0.8, abs=1 / SAMPLE_RATE)
    assert episode.duration == pytest.approx(second.end + 0.3, abs=1 / SAMPLE_RATE)
    assert [(c.title, c.start) for c in episode.chapters] == [("Chapter", 0.0)]


def test_assemble_refuses_audio_at_another_rate() -> None:
    wrong = SpokenSegment(Segment("A.", "A.", "title", 0), Audio(np.zeros(100, np.float32), 16000))
    with pytest.raises(ValueError, match="16000 Hz"):
        assemble([wrong], ["A"])


def test_speech_alone_is_laid_out_at_the_engines_rate_and_music_raises_it() -> None:
    backend = create_backend(VoiceSettings(profile="t", backend="tone"))
    spoken = list(speak([Segment("One.", "One.", "title", 100)], backend, SPEECH_RATE))
    with assemble(spoken, ["A"]) as episode:
        assert episode.pcm.sample_rate == SPEECH_RATE
        assert len(episode.pcm) == round(episode.duration * SPEECH_RATE)
    music = Audio(np.full(SAMPLE_RATE // 10, 0.1, np.float32), SAMPLE_RATE)
    assert episode_rate(outro=music) == SAMPLE_RATE
    with pytest.raises(ValueError, match="22050 Hz"):
        assemble(spoken, ["A"], outro=music)


def test_music_goes_around_the_speech() -> None:
    tone = Audio(np.full(SAMPLE_RATE, 0.1, np.float32), SAMPLE_RATE)
    speech = SpokenSegment(Segment("A.", "A.", "title", 100), tone)
    with assemble([speech], ["A"], intro=tone, outro=tone) as episode:
        assert episode.timings[0].start == pytest.approx(1.0 + LEAD_IN_MS / 1000)
        assert episode.duration == pytest.approx(episode.timings[0].end + 0.1 + 1.0)
        assert len(episode.pcm) == round(episode.duration * SAMPLE_RATE)
        assert episode.pcm.sample_rate == SAMPLE_RATE
