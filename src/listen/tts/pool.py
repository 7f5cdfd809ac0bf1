"""Several engine processes speaking one episode's segments in turn.

An engine that computes on several threads (Piper's onnxruntime) does less work per core than
the same engine on one thread in each of several processes: on a two-core machine, two
one-thread Piper processes speak about 1.25 times the audio per second of one two-thread
process (``benchmarks/cores.py``). :class:`EnginePool` holds such workers
(:class:`~listen.tts.worker.WorkerBackend`, each started with its share of the threads) and
hands each text sent ahead to a free one; :func:`listen.speak.speak` keeps as many texts in
flight as the pool has workers, and collects each from the worker that has it, in order.

Each worker keeps its own crash handling: a crash fails that segment and restarts that worker.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from listen.models import Audio, VoiceSettings
from listen.tts.base import Availability, Option
from listen.tts.piper import ENGINE_THREADS
from listen.tts.worker import WorkerBackend

__all__ = ["MAX_PROCESSES", "EnginePool", "shares", "start_engine"]

MAX_PROCESSES = 2
"""At most this many engine processes: each holds its own copy of the voice (Piper's joe:
about 350 MB), and past two the threads of each are shared out instead."""


def shares(threads: int, most: int = MAX_PROCESSES) -> list[int]:
    """``threads`` shared out over up to ``most`` processes, as evenly as they go: 2 gives
    [1, 1], 3 gives [2, 1], 8 gives [4, 4]."""
    count = max(1, min(most, threads))
    base, extra = divmod(max(threads, count), count)
    return [base + (i < extra) for i in range(count)]


def start_engine(target: str, settings: VoiceSettings, threads: int) -> WorkerBackend | EnginePool:
    """The engine ``target`` in one worker process, or in a pool of them when ``threads``
    share out over more than one (each process told its share through
    ``$LISTEN_ENGINE_THREADS``). The workers start side by side; if one cannot, the others are
    stopped and its error raised."""

    def start(count: int) -> WorkerBackend:
        return WorkerBackend(target, settings, environment={ENGINE_THREADS: str(count)})

    counts = shares(threads)
    if len(counts) == 1:
        return start(counts[0])
    with ThreadPoolExecutor(max_workers=len(counts)) as starting:
        futures = [starting.submit(start, count) for count in counts]
    failed = [error for future in futures if (error := future.exception()) is not None]
    workers = [future.result() for future in futures if future.exception() is None]
    if failed:
        for worker in workers:
            worker.close()
        raise failed[0]
    return EnginePool(workers)


class EnginePool:
    """Speaks like one :class:`~listen.tts.worker.WorkerBackend` (its ``name``, ``options``
    and ``availability``), through several: ``capacity`` texts can be sent ahead at once."""

    def __init__(self, workers: Sequence[WorkerBackend]) -> None:
        if not workers:
            raise ValueError("an engine pool needs at least one worker")
        self.workers = list(workers)
        first = self.workers[0]
        self.name: str = first.name
        self.options: Mapping[str, Option] = first.options
        self.threaded: bool = first.threaded
        self.settings = first.settings
        self.capacity = len(self.workers)
        """How many texts may be in flight: one per worker."""
        self._lock = threading.Lock()
        self._sent: list[tuple[str, WorkerBackend]] = []
        """Texts sent ahead, oldest first, with the worker speaking each."""
        self._turn = 0

    def availability(self, settings: VoiceSettings) -> Availability:
        return self.workers[0].availability(settings)

    @property
    def pids(self) -> list[int | None]:
        """Each worker's current child process id."""
        return [worker.pid for worker in self.workers]

    def prefetch(self, text: str) -> None:
        """Hand ``text`` to a worker with nothing in flight, if there is one (else nothing:
        :meth:`synthesize` speaks it then)."""
        with self._lock:
            worker = self._free()
            if worker is None:
                return
            worker.prefetch(text)
            self._sent.append((text, worker))

    def synthesize(self, text: str) -> Audio:
        """The audio for ``text``: from the worker it was sent ahead to, else from a free one.
        Texts sent ahead before it and never asked for are dropped (their worker drops the
        audio the next time it is used)."""
        with self._lock:
            worker = self._take(text)
        return worker.synthesize(text)

    def close(self) -> None:
        """Stop every worker; the pool cannot speak afterwards."""
        for worker in self.workers:
            worker.close()

    def _take(self, text: str) -> WorkerBackend:
        for i, (sent, worker) in enumerate(self._sent):
            if sent == text:
                del self._sent[: i + 1]
                return worker
        worker = self._free() or self._sent[0][1]
        self._sent = [(t, w) for t, w in self._sent if w is not worker]
        return worker

    def _free(self) -> WorkerBackend | None:
        """The next worker in turn with no text in flight."""
        busy = {id(worker) for _, worker in self._sent}
        for step in range(len(self.workers)):
            worker = self.workers[(self._turn + step) % len(self.workers)]
            if id(worker) not in busy:
                self._turn = (self._turn + step + 1) % len(self.workers)
                return worker
        return None
