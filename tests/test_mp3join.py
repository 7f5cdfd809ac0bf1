"""Joining MP3 parts (listen.mp3join), on real espeak speech encoded by real ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3
from speechkit import espeak_spoken

from listen.encoder import encode_blocks, quiet_point
from listen.errors import AudioError
from listen.ffmpeg import ffmpeg_exe
from listen.models import SAMPLE_RATE, SPEECH_RATE
from listen.mp3join import FRAME_SAMPLES, _crc16, _crc_joined, join_mp3, lead_for, read_info
from listen.spool import PcmSpool

SENTENCES = [
    "The council voted on Tuesday to keep the library open on Sundays.",
    "Readers had written in their hundreds since the plan was announced in March.",
    "The cost, about forty thousand pounds a year, will come from the parking fund.",
]
PAUSE = np.zeros(SPEECH_RATE // 2, dtype=np.float32)


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    """About half a minute of espeak speech, sentences apart by half a second of silence."""
    spoken = espeak_spoken(SENTENCES, 0)
    return np.concatenate([piece for s in spoken for piece in (s.audio.samples, PAUSE)] * 3)


def _decoded(path: Path) -> np.ndarray:
    args = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-"]
    return np.frombuffer(subprocess.run(args, capture_output=True, check=True).stdout, "<f4")


def _split_in_a_pause(speech: np.ndarray) -> int:
    """A sample of ``speech`` (at the speech rate) in a pause near its middle, on the MP3
    frame grid, with room before it for the first part to stop short."""
    grid = FRAME_SAMPLES * SPEECH_RATE // SAMPLE_RATE
    with PcmSpool(SPEECH_RATE) as pcm:
        pcm.append(speech)
        point = quiet_point(pcm, speech.size // 2, 0, speech.size, grid, grid)
    assert point is not None and point % grid == 0
    around = speech[point - 2 * grid : point + 2 * grid]
    assert np.abs(around).max() <= 1e-4  # inside the pause
    return point


@pytest.mark.parametrize("seconds", [1.0, 3.0, 39.8])
def test_an_info_frame_rewritten_for_its_own_file_is_what_ffmpeg_wrote(
    speech: np.ndarray, tmp_path: Path, seconds: float
) -> None:
    mp3 = tmp_path / "one.mp3"
    clip = speech[: int(seconds * SPEECH_RATE)]
    samples = clip.size * SAMPLE_RATE // SPEECH_RATE
    encode_blocks([clip], mp3, "64k", SPEECH_RATE)
    written = mp3.read_bytes()
    info = read_info(written)
    join_mp3(mp3, [], samples)
    rewritten = mp3.read_bytes()
    padding = range(info.lame + 21, info.lame + 24)
    tag_crc = range(info.lame + 34, info.lame + 36)
    differ = [i for i in range(len(written)) if written[i] != rewritten[i]]
    assert len(rewritten) == len(written)
    assert set(differ) <= {*padding, *tag_crc}  # frames, bytes, seek table, music CRC the same
    assert _decoded(mp3).size == samples  # ffmpeg's own padding is short at some lengths
    assert info.delay == 576


def test_parts_joined_in_a_pause_decode_as_one_encode_does(
    speech: np.ndarray, tmp_path: Path
) -> None:
    split = _split_in_a_pause(speech)
    lead = lead_for(FRAME_SAMPLES) * SPEECH_RATE // SAMPLE_RATE
    whole, first, second = tmp_path / "whole.mp3", tmp_path / "joined.mp3", tmp_path / "b.mp3"
    encode_blocks([speech], whole, "64k", SPEECH_RATE)
    encode_blocks([speech[: split - lead]], first, "64k", SPEECH_RATE)
    encode_blocks([speech[split:]], second, "64k", SPEECH_RATE)
    samples = speech.size * SAMPLE_RATE // SPEECH_RATE
    join_mp3(first, [second], samples)

    one, joined = _decoded(whole), _decoded(first)
    assert joined.size == samples
    assert samples <= one.size <= samples + 64  # ffmpeg's own padding is short at some lengths
    one = one[:samples]
    at = split * SAMPLE_RATE // SPEECH_RATE
    assert np.array_equal(joined[: at - 4 * FRAME_SAMPLES], one[: at - 4 * FRAME_SAMPLES])
    after = slice(at + 4 * FRAME_SAMPLES, samples)
    misfit = {shift: _rms(joined[after][shift:] - one[after][: one[after].size - shift])
              for shift in (0, 1, 2)}  # fmt: skip
    assert misfit[0] < 0.02 * _rms(one[after])  # the same speech at the same samples
    assert misfit[0] < misfit[1] / 5 and misfit[0] < misfit[2] / 5
    assert MP3(first).info.length == MP3(whole).info.length  # a tag reader's figure too


def test_a_joined_file_carries_the_crcs_of_what_it_holds(
    speech: np.ndarray, tmp_path: Path
) -> None:
    split = _split_in_a_pause(speech)
    lead = lead_for(FRAME_SAMPLES) * SPEECH_RATE // SAMPLE_RATE
    first, second = tmp_path / "a.mp3", tmp_path / "b.mp3"
    encode_blocks([speech[: split - lead]], first, "64k", SPEECH_RATE)
    encode_blocks([speech[split:]], second, "64k", SPEECH_RATE)
    frames = read_info(first.read_bytes()).frames + read_info(second.read_bytes()).frames
    join_mp3(first, [second], speech.size * SAMPLE_RATE // SPEECH_RATE)
    data = first.read_bytes()
    info = read_info(data)
    assert info.frames == frames
    assert info.music_crc == _crc16(data[info.size :])
    tag = bytearray(data[:190])
    stored = bytes(tag[info.lame + 34 : info.lame + 36])
    tag[info.lame + 34 : info.lame + 36] = b"\0\0"
    assert int.from_bytes(stored, "big") == _crc16(bytes(tag))
    assert int.from_bytes(data[info.tag + 12 : info.tag + 16], "big") == len(data)


def test_the_crc_of_two_pieces_follows_from_theirs() -> None:
    rng = np.random.default_rng(7)
    for size in (0, 1, 5, 1000, 4097):
        a, b = rng.bytes(int(rng.integers(1, 300))), rng.bytes(size)
        assert _crc_joined(_crc16(a), _crc16(b), len(b)) == _crc16(a + b)


def test_a_part_must_end_on_the_frame_grid() -> None:
    assert lead_for(5 * FRAME_SAMPLES) == FRAME_SAMPLES
    with pytest.raises(ValueError, match="whole number of MP3 frames"):
        lead_for(FRAME_SAMPLES + 1)


def test_a_part_without_an_info_frame_is_refused(speech: np.ndarray, tmp_path: Path) -> None:
    mp3, bare = tmp_path / "a.mp3", tmp_path / "bare.mp3"
    encode_blocks([speech[:SPEECH_RATE]], mp3, "64k", SPEECH_RATE)
    data = mp3.read_bytes()
    bare.write_bytes(data[read_info(data).size :])  # the audio frames alone
    copy = tmp_path / "copy.mp3"
    shutil.copy(mp3, copy)
    with pytest.raises(AudioError, match="no Info frame"):
        join_mp3(copy, [bare], SPEECH_RATE * 4)
    with pytest.raises(AudioError, match="no MPEG-1 Layer III frame"):
        read_info(b"ID3" + data)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
