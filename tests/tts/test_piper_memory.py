"""Piper's engine process stays the same size however many sentences it speaks: its memory
follows the longest sentence, not the length of the article."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from listen.models import VoiceSettings
from listen.tts.piper import PiperBackend
from listen.tts.worker import WorkerBackend

JOE = VoiceSettings(profile="joe", backend="piper", voice="en_US-joe-medium")

PASSAGE = """
Officials in Lisbon said on Tuesday that the port authority would spend two hundred and forty
million dollars on a new rail line to the container terminal. The line is expected to carry
nine thousand people a day by twenty thirty, up twelve percent on last year. We have waited
eleven years for this, said Maria Okafor, who chairs the local committee and has campaigned for
the scheme since it was first proposed. Critics argue that the project will cost a third more
than the first estimate and that the money would be better spent on buses. According to the
health ministry, air quality near the terminal is the worst in the city, and the council voted
seven to two after a debate that lasted four hours. Construction began in March and employs
about one thousand two hundred workers, many of them from the neighbourhoods along the route.
The first trains are due to run in the spring, and tickets will cost the same as on the
existing lines. A second phase, to the airport, will be put to a vote next year.
"""

LENGTHS = [4, 33, 25, 17, 9, 38, 30, 22]
"""Words per sentence: each length its own input shape for onnxruntime."""


def _sentences() -> list[str]:
    words = PASSAGE.split()
    assert len(words) >= sum(LENGTHS)
    starts = [sum(LENGTHS[:i]) for i in range(len(LENGTHS))]
    return [" ".join(words[s : s + n]) + "." for s, n in zip(starts, LENGTHS, strict=True)]


def resident_mb(pid: int) -> float:
    """The process's resident memory (VmRSS) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def test_the_session_keeps_no_memory_patterns() -> None:
    backend = PiperBackend(JOE)
    try:
        options = backend._voice.session.get_session_options()  # type: ignore[union-attr]
    finally:
        backend.close()
    assert options.enable_mem_pattern is False


@pytest.mark.slow
def test_the_engine_process_does_not_grow_as_it_speaks_the_same_sentences_again() -> None:
    """Once it has spoken each sentence, speaking them again in other orders adds nothing:
    with onnxruntime's memory patterns on, the second round alone grew the process by 14%."""
    sentences = _sentences()
    assert len(set(map(len, sentences))) == len(LENGTHS)
    backend = WorkerBackend("listen.tts.piper:PiperBackend", JOE)
    order = random.Random(7)
    try:
        sizes = []
        for _ in range(3):
            order.shuffle(sentences)
            spoken = [backend.synthesize(text) for text in sentences]
            assert all(audio.duration > 0.2 for audio in spoken)
            sizes.append(resident_mb(backend.pid))  # type: ignore[arg-type]
        assert backend.restarts == 0
    finally:
        backend.close()
    assert max(sizes[1:]) < 1.1 * sizes[0], sizes
