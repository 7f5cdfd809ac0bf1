"""TTS backends: one small protocol, one registry.

Built-in backends and third-party ones (entry-point group ``listen.backends``) register the
same way, as ``"module:Class"`` strings imported only when chosen, so ``listen --help`` never
loads onnxruntime.
"""

from __future__ import annotations

from listen.tts.base import Availability, Backend, Option, check_options, check_settings
from listen.tts.registry import availability, backend_names, create_backend, load_backend_class

__all__ = [
    "Availability",
    "Backend",
    "Option",
    "availability",
    "backend_names",
    "check_options",
    "check_settings",
    "create_backend",
    "load_backend_class",
]
