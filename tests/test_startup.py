"""`listen --help` loads no engine, parser or numerical library: only click and a few small
modules of listen, so that the command answers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from listen import cli, profile

HEAVY = (
    "numpy",
    "lxml",
    "jinja2",
    "httpx",
    "PIL",
    "tqdm",
    "mutagen",
    "onnxruntime",
    "piper",
    "importlib.metadata",
    "tomllib",
    "listen.models",
    "listen.profile",
    "listen.tts",
    "listen.normalise",
    "listen.publish",
    "listen.render",
)
"""Modules (and packages, with their submodules) that --help must not import."""

_RUN = """
import json, sys
from listen.cli import main
main({args!r}, prog_name="listen", standalone_mode=False)
print(json.dumps(sorted(sys.modules)))
"""


def _imported(*args: str) -> tuple[str, list[str]]:
    code = _RUN.format(args=list(args))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *shown, modules = done.stdout.rstrip("\n").split("\n")
    return "\n".join(shown), json.loads(modules)


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize("args", [["--help"], ["publish", "--help"], ["render", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    shown, modules = _imported(*args)
    assert "Usage: listen" in shown
    assert _heavy(modules) == []


def test_a_command_imports_what_it_needs_when_it_runs() -> None:
    shown, modules = _imported("voices")
    assert "joe" in shown and "listen.profile" in _heavy(modules)


def test_version_is_read_when_asked() -> None:
    shown, modules = _imported("--version")
    assert shown.startswith("listen, version ") and "importlib.metadata" in modules


def test_the_cli_default_voice_is_the_profiles() -> None:
    assert cli.DEFAULT_VOICE == profile.DEFAULT_VOICE


def test_a_render_imports_no_scipy_and_runs_blas_on_one_thread(tmp_path: Path) -> None:
    # importing scipy.signal costs most of a second before the engine can start; the
    # K-weighting and the true-peak filter are numpy's, and resampling is seldom needed
    article = tmp_path / "short.txt"
    article.write_text("Short news.\n\nThe council met on Tuesday.\n", encoding="utf-8")
    code = _RENDER.format(args=["render", "--voice", "espeak", str(article), "-o", str(tmp_path)])
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    modules, threads = json.loads(done.stdout.rstrip("\n").split("\n")[-1])
    assert "listen.kweighting" in modules and "numpy" in modules
    assert not [m for m in modules if m == "scipy" or m.startswith(("scipy.", "pyloudnorm"))]
    assert threads == "1"
    assert list(tmp_path.glob("*/*.mp3"))


_RENDER = """
import json, os, sys
from listen.cli import main
main({args!r}, prog_name="listen", standalone_mode=False)
print(json.dumps([sorted(sys.modules), os.environ.get("OPENBLAS_NUM_THREADS")]))
"""
