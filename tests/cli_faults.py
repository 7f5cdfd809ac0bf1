"""``listen`` as a user runs it, with test-only faults: ``python tests/cli_faults.py render ...``.

Used by tests/test_render_safety.py in a real subprocess. Before handing over to the real CLI
(``listen.cli.main``) it registers the crash backend of tests/tts/crash_backend.py as
``crashy``, and, when the environment variable ``LISTEN_TEST_KILL_AT`` is set (read here and
nowhere in listen itself), kills its own process with SIGKILL at that point of a render:

- ``synthesis``: after the second segment is spoken;
- ``encoding``: as soon as the encoder has started writing the MP3 into the staging folder;
- ``synced``, ``swapped``: at that step of ``listen.output.commit_episode`` (its ``on_stage``);
- ``aside``: the same, with the atomic exchange made unavailable (the fallback path).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "tts"))

from listen import output, render
from listen.cli import main
from listen.tts import registry

registry.BUILTIN_BACKENDS["crashy"] = "crash_backend:CrashBackend"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _kill_while_speaking() -> None:
    speak = render.speak

    def speaking(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for n, item in enumerate(speak(*args, **kwargs), start=1):
            yield item
            if n == 2:
                _die()

    render.speak = speaking  # type: ignore[assignment]


def _kill_while_encoding() -> None:
    encode = render.encode_as_laid_out

    def watch(path: Path) -> None:
        while not (path.exists() and path.stat().st_size > 0):
            time.sleep(0.001)
        _die()

    def encoding(layout: Any, path: Path, *rest: Any) -> Any:
        threading.Thread(target=watch, args=(path,), daemon=True).start()
        result = encode(layout, path, *rest)
        time.sleep(5)  # the watcher kills us before this ends
        return result

    render.encode_as_laid_out = encoding  # type: ignore[assignment]


def _kill_at_stage(stage: str) -> None:
    commit = output.commit_episode

    def committing(staging: Path, target: Path, **kwargs: Any) -> Path:
        kwargs["on_stage"] = lambda name: _die() if name == stage else None
        return commit(staging, target, **kwargs)

    output.commit_episode = committing  # type: ignore[assignment]
    if stage == "aside":
        output._exchange = lambda a, b: False  # type: ignore[assignment]


def _install(where: str) -> None:
    if where == "synthesis":
        _kill_while_speaking()
    elif where == "encoding":
        _kill_while_encoding()
    elif where:
        _kill_at_stage(where)


if __name__ == "__main__":
    _install(os.environ.get("LISTEN_TEST_KILL_AT", ""))
    main(sys.argv[1:], prog_name="listen")
