"""Segments -> one episode: synthesise, trim, pause, master, encode once to MP3.

Every segment becomes PCM at 44.1 kHz mono; pauses are whole samples; the episode is encoded
once (never by joining MP3 bytes) with an Info/LAME header so players show the exact duration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from listen.ffmpeg import run_ffmpeg
from listen.master import load_audio_file, master, measure_file, resample, trim_silence
from listen.models import (
    Assembly,
    Audio,
    ChapterTiming,
    Loudness,
    Profile,
    Script,
    Segment,
    SegmentTiming,
)
from listen.tts.base import Backend

__all__ = [
    "LEAD_IN_MS",
    "SAMPLE_RATE",
    "assemble",
    "chapter_timings",
    "encode_episode",
    "encode_mp3",
    "synthesize",
]

_LOGGER = logging.getLogger(__name__)

SAMPLE_RATE = 44_100
LEAD_IN_MS = 150
"""Silence before the first word (the issue allows at most 300 ms)."""
_FADE_MS = 1_500
_LOUDNESS_TOLERANCE_LU = 0.3
"""How far the encoded file may sit from the target before it is mastered and encoded again."""
_ENCODER_LOSS_LU = 0.4
"""What a low-bit-rate MP3 encode takes off the measured loudness (its low-pass removes highs
that K-weighting counts); mastering aims this much above the target so one pass usually lands."""
_PEAK_MARGIN_DB = 1.0
"""How far below the true-peak ceiling the PCM is limited: a 64 kbps encode of Piper's voice
was measured overshooting by up to half a dB, so this leaves the same again in hand."""

Progress = Callable[[int, int], None]


def synthesize(script: Script, backend: Backend) -> Iterator[tuple[Segment, Audio]]:
    """Speak each segment, trimmed of the engine's own leading and trailing silence."""
    for segment in script.segments:
        audio = backend.synthesize(segment.spoken)
        yield segment, resample(trim_silence(audio), SAMPLE_RATE)


def assemble(
    script: Script, backend: Backend, profile: Profile, progress: Progress | None = None
) -> Assembly:
    """Lay the segments end to end with the profile's pauses (unmastered: see encode_episode)."""
    parts: list[np.ndarray] = []
    timings: list[SegmentTiming] = []
    position = 0

    def add(samples: np.ndarray) -> None:
        nonlocal position
        parts.append(samples.astype(np.float32, copy=False))
        position += len(samples)

    if profile.intro_audio:
        add(_music(profile.intro_audio, profile, fade_in=0))
    add(_silence(LEAD_IN_MS))
    total = len(script.segments)
    for n, (segment, audio) in enumerate(synthesize(script, backend), start=1):
        start = position
        add(audio.samples)
        timings.append(SegmentTiming(segment, start / SAMPLE_RATE, position / SAMPLE_RATE))
        add(_silence(segment.pause_ms))
        if progress:
            progress(n, total)
    if profile.outro_audio:
        add(_music(profile.outro_audio, profile, fade_in=_FADE_MS))
    episode = Audio(np.concatenate(parts), SAMPLE_RATE)
    chapters = chapter_timings(script, timings, episode.duration)
    return Assembly(episode, tuple(timings), chapters)


def _music(path: Path, profile: Profile, fade_in: int) -> np.ndarray:
    """An intro or outro clip at the episode's loudness, so music never drowns the voice."""
    clip = load_audio_file(path, SAMPLE_RATE, fade_in, _FADE_MS)
    return master(clip, profile.loudness_target, profile.true_peak).samples


def encode_episode(audio: Audio, path: Path, profile: Profile, bitrate: str) -> Loudness:
    """Master to the profile's loudness, encode, and measure the MP3 itself (ebur128).

    MP3 encoding shifts loudness by a few tenths of a LU; when the file misses the target by
    more than the tolerance, the PCM is mastered again with the difference and re-encoded.
    """
    target = profile.loudness_target + _ENCODER_LOSS_LU
    for _ in range(3):
        mastered = master(audio, target, profile.true_peak, margin_db=_PEAK_MARGIN_DB)
        encode_mp3(mastered, path, bitrate)
        loudness = measure_file(path)
        error = profile.loudness_target - loudness.integrated_lufs
        if abs(error) <= _LOUDNESS_TOLERANCE_LU or not np.isfinite(error):
            break
        target += error
    return loudness


def chapter_timings(
    script: Script, timings: list[SegmentTiming], duration: float
) -> tuple[ChapterTiming, ...]:
    """One chapter per heading (or one for the whole article), back to back from 0 to the end."""
    starts: dict[int, float] = {}
    for timing in timings:
        starts.setdefault(timing.segment.chapter, timing.start)
    starts[0] = 0.0
    order = sorted(i for i in starts if i < len(script.chapters))
    ends = [starts[i] for i in order[1:]] + [duration]
    return tuple(
        ChapterTiming(script.chapters[i], round(starts[i], 3), round(end, 3))
        for i, end in zip(order, ends, strict=True)
    )


def _silence(ms: int) -> np.ndarray:
    return np.zeros(round(ms * SAMPLE_RATE / 1000), dtype=np.float32)


def encode_mp3(audio: Audio, path: Path, bitrate: str = "64k") -> None:
    """Encode mono float PCM once to CBR MP3 with a Xing/Info (LAME) header; no tags."""
    import ffmpeg

    if audio.sample_rate != SAMPLE_RATE:
        audio = resample(audio, SAMPLE_RATE)
    pcm = np.clip(audio.samples, -1.0, 1.0).astype("<f4").tobytes()
    stream = ffmpeg.input("pipe:", format="f32le", ar=SAMPLE_RATE, ac=1).output(
        str(path),
        format="mp3",
        acodec="libmp3lame",
        audio_bitrate=bitrate,
        ar=SAMPLE_RATE,
        ac=1,
        write_xing=1,
        id3v2_version=0,
        write_id3v1=0,
        map_metadata=-1,
    )
    args = stream.overwrite_output().get_args()
    run_ffmpeg(["-loglevel", "error", *args], f"encode '{path.name}' to MP3", stdin=pcm)
