from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from listen.cover import load_cover
from listen.errors import TagError
from listen.master import encode_mp3
from listen.models import SAMPLE_RATE, Audio, ChapterTiming
from listen.tags import EpisodeTags, read_tags, write_tags

DATA = Path(__file__).parent / "data"
CHAPTERS = (
    ChapterTiming("Opening", 0.0, 1.2),
    ChapterTiming("Middle", 1.2, 2.1),
    ChapterTiming("Ending", 2.1, 3.0),
)


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    t = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    path = tmp_path / "tone.mp3"
    encode_mp3(Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), SAMPLE_RATE), path)
    return path


def _tags(**changes: object) -> EpisodeTags:
    fields: dict = dict(
        title="Bridge Reopens – “At Last”",
        show="City Desk",
        duration=3.0,
        chapters=CHAPTERS,
        author="Ada Lovelace",
        date="2026-11-20",
        description="The bridge is open.",
        url="https://news.example.org/bridge",
        cover=load_cover("cover.png", DATA),
    )
    fields.update(changes)
    return EpisodeTags(**fields)


def test_round_trip_is_id3v23_with_every_field(mp3: Path) -> None:
    write_tags(mp3, _tags())
    id3 = ID3(mp3, translate=False)  # as stored: no v2.4 translation on load
    assert id3.version == (2, 3, 0)
    assert str(id3["TIT2"]) == "Bridge Reopens – “At Last”"
    assert str(id3["TPE1"]) == "Ada Lovelace"
    assert str(id3["TALB"]) == "City Desk"
    assert str(id3["TCON"]) == "Podcast"
    assert (str(id3["TYER"]), str(id3["TDAT"])) == ("2026", "2011")
    assert id3.getall("COMM")[0].text == ["The bridge is open."]
    assert id3["WOAS"].url == "https://news.example.org/bridge"
    assert str(id3["TLEN"]) == "3000"
    [apic] = id3.getall("APIC")
    assert (apic.mime, apic.data) == ("image/png", (DATA / "cover.png").read_bytes())
    assert "TDRC" not in id3, "an ID3v2.4-only frame leaked into a v2.3 tag"


def test_chapters_are_chap_frames_under_one_ctoc(mp3: Path) -> None:
    write_tags(mp3, _tags())
    tags = read_tags(mp3)
    assert tags["chapters"] == [(c.title, c.start, c.end) for c in CHAPTERS]
    [toc] = ID3(mp3).getall("CTOC")
    assert toc.child_element_ids == ["chp0", "chp1", "chp2"]


def test_tags_keep_the_audio_playable(mp3: Path) -> None:
    before = MP3(mp3).info.length
    write_tags(mp3, _tags())
    assert MP3(mp3).info.length == pytest.approx(before, abs=0.001)


def test_eyed3_reads_the_tag(mp3: Path) -> None:
    write_tags(mp3, _tags())
    out = subprocess.run(
        [str(Path(__import__("sys").executable).parent / "eyeD3"), "--no-color", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ID3 v2.3" in out
    assert "Bridge Reopens" in out


def test_optional_fields_can_be_absent(mp3: Path) -> None:
    write_tags(mp3, EpisodeTags(title="Plain", show="listen", duration=3.0))
    id3 = ID3(mp3)
    assert str(id3["TIT2"]) == "Plain"
    assert not id3.getall("CHAP") and not id3.getall("APIC") and "TPE1" not in id3


def test_unwritable_file_is_a_tag_error(tmp_path: Path) -> None:
    with pytest.raises(TagError, match="Could not write tags to"):
        write_tags(tmp_path / "missing" / "x.mp3", _tags())
