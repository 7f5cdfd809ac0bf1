"""Where listen finds ffmpeg, and the one way it runs it.

imageio-ffmpeg ships a static build (with libmp3lame and the ebur128 filter) as a pip
dependency, so listen needs no system ffmpeg; a system ffmpeg on PATH is the fallback.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence

from listen.errors import AudioError

__all__ = ["ffmpeg_exe", "run_ffmpeg"]

_INSTALL = "pip install imageio-ffmpeg (or install ffmpeg so that it is on PATH)"


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable: imageio-ffmpeg's bundled build, else ffmpeg on PATH."""
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        pass
    found = shutil.which("ffmpeg")
    if found is None:
        raise AudioError(f"Could not find ffmpeg in imageio-ffmpeg or on PATH; {_INSTALL}")
    return found


def run_ffmpeg(
    args: Sequence[str], what: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with ``args``; return the finished process (stdout, and stderr where filters
    such as ebur128 report). ``what`` names the job for the error, e.g. "decode 'intro.mp3'".
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except OSError as exc:
        raise AudioError(f"Could not {what}: ffmpeg did not start ({exc}); {_INSTALL}") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise AudioError(f"Could not {what}: ffmpeg failed: {' | '.join(tail) or 'no output'}")
    return done
