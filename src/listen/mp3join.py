"""One gapless MP3 from parts encoded side by side.

LAME's one thread is the slowest stage of a render with a fast engine. An episode's later
part can be encoded by a second encoder at the same time, as its own MP3, if the parts
meet in a pause: each part is a whole CBR stream, and MP3 frames are independent at the
start of a stream, so the parts' audio frames can follow one another in one file.

What has to be made whole is the first part's Info frame (the Xing header and its LAME
tag, which ffmpeg's mp3 muxer writes): the frame count and byte count, the seek table, the
encoder's end padding, the music length and the two CRC-16s. :func:`join_mp3` writes them
for the joined file as ffmpeg would have written them for one encode of it
(``tests/test_mp3join.py`` checks this on a file that is not joined), except that the
padding is exactly what the frames hold past the audio: ffmpeg writes at most 1,681, so
at some lengths its own files decode to a few samples more than they were given. The
sample counts
line up when the first part's frames end exactly where the second part starts:
:func:`lead_for` says how many samples the first part must stop short of that point.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from listen.errors import AudioError

__all__ = ["FRAME_SAMPLES", "LEAD", "InfoFrame", "join_mp3", "lead_for", "read_info"]

FRAME_SAMPLES = 1152
"""Samples in an MPEG-1 Layer III frame."""
LEAD = 576
"""LAME's encoder delay: the samples of silence it puts before the audio."""
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)
_TOC = 100
_BAGS = 400
_TAG_CRC_SPAN = 190
"""The LAME tag's own CRC covers the Info frame's first 190 bytes."""


@dataclass(frozen=True)
class InfoFrame:
    """Where the figures sit in an Info frame, and what it says."""

    size: int
    """Bytes of the Info frame, which carries no audio."""
    tag: int
    """Offset of "Info" (or "Xing") within the frame."""
    frames: int
    """Audio frames after it."""
    delay: int
    padding: int
    music_crc: int

    @property
    def lame(self) -> int:
        """Offset of the LAME tag within the frame."""
        return self.tag + 120


def read_info(head: bytes) -> InfoFrame:
    """The Info frame at the start of ``head`` (at least the frame's bytes), as ffmpeg's mp3
    muxer writes it: frames, bytes and seek table flagged, then a LAME tag."""
    size = _frame_size(head, 0)
    tag = 4 + (17 if (head[3] >> 6) == 3 else 32)
    if head[tag : tag + 4] not in (b"Info", b"Xing") or head[tag + 7] & 7 != 7:
        raise AudioError("Could not join MP3 parts: a part has no Info frame (write_xing=1)")
    lame = tag + 120
    packed = int.from_bytes(head[lame + 21 : lame + 24], "big")
    return InfoFrame(
        size=size,
        tag=tag,
        frames=int.from_bytes(head[tag + 8 : tag + 12], "big"),
        delay=packed >> 12,
        padding=packed & 0xFFF,
        music_crc=int.from_bytes(head[lame + 32 : lame + 34], "big"),
    )


def lead_for(samples: int) -> int:
    """Samples the first part must stop short of ``samples`` (a multiple of
    :data:`FRAME_SAMPLES`) for its frames to end there: the encoder's delay before its
    audio, and the least padding LAME puts after it (as much again)."""
    if samples % FRAME_SAMPLES:
        raise ValueError(f"{samples} is not a whole number of MP3 frames")
    return 2 * LEAD


def join_mp3(first: Path, rest: list[Path], samples: int) -> None:
    """Append the audio frames of each MP3 in ``rest`` to ``first`` and rewrite ``first``'s
    Info frame for the whole, which holds ``samples`` samples of audio at the frames' rate.
    Every part is a CBR stream from ffmpeg's mp3 muxer with its Info frame."""
    with first.open("r+b") as out:
        head = out.read(2048)
        info = read_info(head)
        crc, frames = info.music_crc, info.frames
        for part in rest:
            with part.open("rb") as source:
                part_info = read_info(source.read(2048))
                source.seek(part_info.size)
                length = _copy_tail(source, out)
            crc = _crc_joined(crc, part_info.music_crc, length)
            frames += part_info.frames
        total = out.seek(0, 2)
        padding = frames * FRAME_SAMPLES - info.delay - samples
        if not 0 <= padding < 1 << 12:
            raise AudioError(
                f"Could not join MP3 parts: {frames} frames cannot hold {samples} samples"
            )
        frame = _rewritten(out, head[: info.size], info, frames, total, padding, crc)
        out.seek(0)
        out.write(frame)


def _copy_tail(source: BinaryIO, out: BinaryIO) -> int:
    """Copy the rest of ``source`` to the end of ``out``; the bytes copied."""
    start = out.seek(0, 2)
    shutil.copyfileobj(source, out, 1 << 20)
    return out.tell() - start


def _rewritten(
    out: BinaryIO, frame: bytes, info: InfoFrame, frames: int, total: int, padding: int, crc: int
) -> bytes:
    """The Info frame with the whole file's figures (ffmpeg's ``mp3_update_xing``)."""
    new = bytearray(frame)
    t, lame = info.tag, info.lame
    new[t + 8 : t + 12] = frames.to_bytes(4, "big")
    new[t + 12 : t + 16] = total.to_bytes(4, "big")
    new[t + 16 : t + 16 + _TOC] = _seek_table(_frame_ends(out, info.size), total)
    new[lame + 21 : lame + 24] = ((info.delay << 12) | padding).to_bytes(3, "big")
    new[lame + 28 : lame + 32] = total.to_bytes(4, "big")
    new[lame + 32 : lame + 34] = crc.to_bytes(2, "big")
    new[lame + 34 : lame + 36] = b"\0\0"
    new[lame + 34 : lame + 36] = _crc16(bytes(new[:_TAG_CRC_SPAN])).to_bytes(2, "big")
    return bytes(new)


def _frame_ends(out: BinaryIO, start: int) -> Iterator[int]:
    """The offset just past each audio frame of ``out``, from ``start`` to its end."""
    out.seek(start)
    offset, buffer = start, b""
    while piece := out.read(1 << 20):
        buffer += piece
        at = 0
        while at + 4 <= len(buffer):
            size = _frame_size(buffer, at)
            if at + size > len(buffer):
                break
            at += size
            offset += size
            yield offset
        buffer = buffer[at:]
    if buffer:
        raise AudioError("Could not join MP3 parts: a part ends inside a frame")


def _seek_table(ends: Iterator[int], total: int) -> bytes:
    """ffmpeg's seek table: it keeps the file size after every ``want``-th frame in up to
    :data:`_BAGS` bags, halving them (and doubling ``want``) whenever they fill, then reads
    the bag at each hundredth of them as a 256th of the file."""
    bags: list[int] = []
    want, seen = 1, 0
    for end in ends:
        seen += 1
        if seen == want:
            bags.append(end)
            seen = 0
            if len(bags) == _BAGS:
                bags = bags[1::2]
                want *= 2
    if not bags:
        return bytes(_TOC)
    table = [0] + [min(255, 256 * bags[i * len(bags) // _TOC] // total) for i in range(1, _TOC)]
    return bytes(table)


def _frame_size(data: bytes, at: int) -> int:
    """Bytes of the MPEG-1 Layer III frame whose header is at ``at``."""
    header = int.from_bytes(data[at : at + 4], "big")
    rate = (header >> 10) & 3
    bitrate = (header >> 12) & 15
    if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0xD or rate == 3 or bitrate in (0, 15):
        raise AudioError(f"Could not join MP3 parts: no MPEG-1 Layer III frame at byte {at}")
    return 144_000 * _BITRATES[bitrate] // _RATES[rate] + ((header >> 9) & 1)


def _crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), which the LAME tag uses."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _crc_joined(first: int, second: int, length: int) -> int:
    """CRC-16/ARC of two byte strings one after the other, from their own CRCs and the second's
    ``length``: the CRC is linear, so the first's shifts through ``length`` zero bytes."""
    return _shifted(first, length) ^ second


def _shifted(crc: int, length: int) -> int:
    """``crc`` run on through ``length`` zero bytes, by squaring the one-byte step."""
    step = [_crc16(b"\0", 1 << bit) for bit in range(16)]  # the step's columns
    while length:
        if length & 1:
            crc = _apply(step, crc)
        step = [_apply(step, column) for column in step]
        length >>= 1
    return crc


def _apply(columns: list[int], value: int) -> int:
    """The linear map with these ``columns`` (one per bit of its input) applied to ``value``."""
    out = 0
    for bit, column in enumerate(columns):
        if value >> bit & 1:
            out ^= column
    return out
