"""Plain-text and JSON reports for the CLI: what was rendered, said, or installed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from listen.models import Profile, Rendered, Script
from listen.normalise import explain as explain_text
from listen.profile import list_profiles
from listen.segment import profile_lexicon
from listen.tts import availability

__all__ = ["duration_text", "rendered_dict", "rendered_line", "script_lines", "voice_lines"]


def duration_text(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def rendered_line(rendered: Rendered) -> str:
    line = f"{rendered.mp3}  {duration_text(rendered.duration)}"
    if rendered.loudness:
        line += (
            f"  {rendered.loudness.integrated_lufs:.1f} LUFS"
            f"  {rendered.loudness.true_peak_dbtp:.1f} dBTP"
        )
    return line


def rendered_dict(rendered: Rendered) -> dict[str, Any]:
    loud = rendered.loudness
    return {
        "mp3": str(rendered.mp3),
        "title": rendered.title,
        "slug": rendered.slug,
        "voice": rendered.voice,
        "duration": round(rendered.duration, 3),
        "loudness_lufs": loud.integrated_lufs if loud else None,
        "true_peak_dbtp": loud.true_peak_dbtp if loud else None,
        "loudness_range_lu": loud.loudness_range_lu if loud else None,
        "segments": len(rendered.timings),
        "chapters": [{"title": c.title, "start": c.start, "end": c.end} for c in rendered.chapters],
        "files": {kind: str(path) for kind, path in rendered.extras.items()},
    }


def script_lines(script: Script, profile: Profile, *, explain: bool = False) -> Iterator[str]:
    lexicon = profile_lexicon(profile) if explain else None
    for segment in script.segments:
        yield f"[{segment.kind} +{segment.pause_ms}ms] {segment.spoken}"
        if explain and lexicon is not None:
            _, rewrites = explain_text(segment.text, lexicon=lexicon, spelling=profile.spelling)
            for rewrite in rewrites:
                yield f"    {rewrite.written} -> {rewrite.spoken} [{rewrite.rule}]"


def voice_lines() -> Iterator[str]:
    for profile in list_profiles():
        found = availability(profile)
        state = "ok" if found.ok else "not installed"
        yield f"{profile.name:<10} {profile.backend:<8} {state:<14} {profile.description}"
        if not found.ok:
            yield f"{'':<10} {found.detail}; install with: {found.install}"
