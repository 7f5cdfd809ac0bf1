"""End to end: the seed article through each real engine, the real encoder and real decoders."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

from listen.assemble import LEAD_IN_MS
from listen.ffmpeg import ffmpeg_exe
from listen.master import measure_file
from listen.models import SAMPLE_RATE, Rendered
from listen.render import render_files

ROOT = Path(__file__).parents[1]
SEED = ROOT / "seeds" / "nara-drum-diplomacy.txt"
DATA = Path(__file__).parent / "data"
VOICES = ["joe", "espeak", "system"]


@pytest.fixture(scope="module", params=VOICES)
def seed_episode(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Rendered:
    out = tmp_path_factory.mktemp(f"render-{request.param}")
    [rendered] = render_files([SEED], out, voice=request.param)
    return rendered


def decode(mp3: Path) -> np.ndarray:
    """The MP3 as ffmpeg decodes it: mono float32 samples at 44.1 kHz."""
    command = [ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-f", "f32le", "-ac", "1"]
    pcm = subprocess.run([*command, "-ar", str(SAMPLE_RATE), "-"], capture_output=True, check=True)
    return np.frombuffer(pcm.stdout, dtype="<f4")


def decoded_seconds(mp3: Path) -> float:
    return len(decode(mp3)) / SAMPLE_RATE


def test_ffmpeg_decodes_without_a_message(seed_episode: Rendered) -> None:
    proc = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-xerror", "-i", str(seed_episode.mp3), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_duration_is_the_sum_of_segments_and_pauses(seed_episode: Rendered) -> None:
    expected = LEAD_IN_MS / 1000 + sum(
        (t.end - t.start) + t.segment.pause_ms / 1000 for t in seed_episode.timings
    )
    assert decoded_seconds(seed_episode.mp3) == pytest.approx(expected, abs=0.05)
    assert seed_episode.duration == pytest.approx(expected, abs=0.05)


def test_id3v23_title_is_the_headline(seed_episode: Rendered) -> None:
    id3 = ID3(seed_episode.mp3, translate=False)
    assert id3.version == (2, 3, 0)
    assert str(id3["TIT2"]) == SEED.read_text(encoding="utf-8").split("\n")[1]
    assert str(id3["TALB"]) == "listen"


def test_slug_is_lowercase_ascii_from_the_title(seed_episode: Rendered) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", seed_episode.slug)
    assert seed_episode.slug.startswith("japanese-prime-minister-takaichi")
    assert seed_episode.mp3.name == f"{seed_episode.slug}.mp3"
    leftovers = [p.name for p in seed_episode.mp3.parent.iterdir() if ".part" in p.name]
    assert leftovers == []


def test_loudness_is_mastered_to_the_target(seed_episode: Rendered) -> None:
    measured = measure_file(seed_episode.mp3)  # ffmpeg's ebur128 filter on the final MP3
    assert measured.integrated_lufs == pytest.approx(-19.0, abs=1.0)
    assert measured.true_peak_dbtp <= -1.0


def test_mp3val_reports_no_warning(seed_episode: Rendered) -> None:
    assert shutil.which("mp3val"), "mp3val is missing: 'make test' installs it with apt"
    out = subprocess.run(
        ["mp3val", str(seed_episode.mp3)], capture_output=True, text=True, check=False
    ).stdout
    assert "WARNING" not in out and "ERROR" not in out, out


def test_chap_frames_match_the_chapters_file(seed_episode: Rendered) -> None:
    chapters = json.loads(seed_episode.extras["chapters"].read_text(encoding="utf-8"))
    frames = sorted(ID3(seed_episode.mp3).getall("CHAP"), key=lambda c: c.start_time)
    assert len(frames) == len(chapters["chapters"]) == 1
    for frame, chapter in zip(frames, chapters["chapters"], strict=True):
        assert frame.start_time / 1000 == pytest.approx(chapter["startTime"], abs=0.001)
        assert str(frame.sub_frames["TIT2"]) == chapter["title"]
    assert ID3(seed_episode.mp3).getall("CTOC")[0].child_element_ids == ["chp0"]


def _cues(vtt: str) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        h, m, s = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    assert vtt.startswith("WEBVTT")
    cues = []
    for block in vtt.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        start, end = lines[timing].split(" --> ")
        text = " ".join(lines[timing + 1 :])
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append((seconds(start), seconds(end.split()[0]), text))
    return cues


def test_vtt_cues_are_ordered_and_cover_the_script(seed_episode: Rendered) -> None:
    cues = _cues(seed_episode.extras["vtt"].read_text(encoding="utf-8"))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(cues)), "cues overlap"
    assert all(start < end for start, end, _ in cues)
    said = [t.segment for t in seed_episode.timings if t.segment.spoken.strip()]
    assert " ".join(text for _, _, text in cues) == " ".join(" ".join(s.text.split()) for s in said)
    assert abs(cues[-1][1] - decoded_seconds(seed_episode.mp3)) <= 0.1


def test_markdown_with_three_headings_has_three_chapters(tmp_path: Path) -> None:
    [rendered] = render_files([DATA / "three-headings.md"], tmp_path, voice="espeak")
    headings = [t for t in rendered.timings if t.segment.kind == "heading"]
    assert [c.title for c in rendered.chapters] == ["The repairs", "The traffic", "What comes next"]
    assert rendered.chapters[0].start == 0.0
    for chapter, heading in zip(rendered.chapters[1:], headings[1:], strict=True):
        assert chapter.start == pytest.approx(heading.start, abs=0.001)
    assert rendered.chapters[-1].end == pytest.approx(rendered.duration, abs=0.001)
    stored = sorted(ID3(rendered.mp3).getall("CHAP"), key=lambda c: c.start_time)
    assert [c.start_time for c in stored] == [round(c.start * 1000) for c in rendered.chapters]
    chapters_file = json.loads(rendered.extras["chapters"].read_text(encoding="utf-8"))
    assert [(c["title"], c["startTime"]) for c in chapters_file["chapters"]] == [
        (str(c.sub_frames["TIT2"]), c.start_time / 1000) for c in stored
    ]
    id3 = ID3(rendered.mp3)
    assert str(id3["TPE1"]) == "Ada Lovelace"
    assert id3.getall("APIC")[0].data == (DATA / "cover.png").read_bytes()


def _frame_levels(mp3: Path, frame_s: float = 0.01) -> np.ndarray:
    x = decode(mp3)
    n = int(SAMPLE_RATE * frame_s)
    frames = x[: len(x) // n * n].reshape(-1, n)
    return 20 * np.log10(np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1)) + 1e-12)


def test_at_most_300_ms_of_silence_before_the_first_word(seed_episode: Rendered) -> None:
    levels = _frame_levels(seed_episode.mp3)
    first_sound = int(np.argmax(levels > -45.0))
    assert 0 < first_sound * 0.01 <= 0.3


def test_a_paragraph_break_is_the_profile_pause_on_every_engine(seed_episode: Rendered) -> None:
    """Trimming removes the engine's own silence: the gap heard is the profile's pause."""
    levels = _frame_levels(seed_episode.mp3)
    silent = levels < -50.0
    timings = seed_episode.timings
    checked = 0
    for before, after in itertools.pairwise(timings):
        if before.segment.block == after.segment.block or before.segment.kind != "sentence":
            continue
        centre = int((before.end + after.start) / 2 / 0.01)
        left, right = centre, centre
        while left > 0 and silent[left - 1]:
            left -= 1
        while right < len(silent) and silent[right]:
            right += 1
        gap = (right - left) * 0.01
        assert gap == pytest.approx(before.segment.pause_ms / 1000, abs=0.1)
        checked += 1
    assert checked >= 10


def _tone_wav(path: Path, seconds: float, freq: float, level: float = 0.5) -> Path:
    import wave

    t = np.arange(int(seconds * 22050)) / 22050
    samples = (level * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(samples.tobytes())
    return path


def test_spoken_intro_outro_and_music(tmp_path: Path) -> None:
    _tone_wav(tmp_path / "sting.wav", 2.0, 330.0)
    profile = tmp_path / "show.toml"
    espeak = (ROOT / "voices" / "espeak.toml").read_text(encoding="utf-8")
    profile.write_text(
        espeak.replace(
            'lexicons = ["lexicon/en.toml"]', f'lexicons = ["{ROOT}/voices/lexicon/en.toml"]'
        )
        .replace(
            '[show]\nname = "listen"',
            '[show]\nname = "City Desk"\n'
            'intro = "{title}. By {author}, for {show}."\n'
            'outro = "You have been listening to {show}."',
        )
        .replace("true_peak = -1.0", 'true_peak = -1.0\nintro = "sting.wav"\noutro = "sting.wav"'),
        encoding="utf-8",
    )
    [rendered] = render_files([DATA / "three-headings.md"], tmp_path / "out", voice=str(profile))
    first, last = rendered.timings[0], rendered.timings[-1]
    assert first.segment.kind == "intro" and "By Ada Lovelace, for City Desk" in first.segment.text
    assert last.segment.kind == "outro" and last.segment.text.endswith("City Desk.")
    assert first.start == pytest.approx(2.0 + LEAD_IN_MS / 1000, abs=0.01)
    levels = _frame_levels(rendered.mp3)
    assert levels[:30].min() > -30, "the music starts at once: no silence before it"
    assert levels[185:195].mean() < levels[20:30].mean() - 6, "the intro music fades out"
    assert rendered.duration == pytest.approx(
        last.end + last.segment.pause_ms / 1000 + 2.0, abs=0.01
    )
    measured = measure_file(rendered.mp3)
    assert measured.integrated_lufs == pytest.approx(-19.0, abs=1.0)
    assert measured.true_peak_dbtp <= -1.0
