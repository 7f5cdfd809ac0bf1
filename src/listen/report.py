"""Plain-text and JSON reports for the CLI: what was rendered, said, or installed."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from listen.profile import list_profiles
from listen.tts import availability

if TYPE_CHECKING:  # the normaliser is loaded by the command that explains a script
    from listen.check import EpisodeCheck, SentenceCheck
    from listen.models import Rendered, Script
    from listen.normalise.lexicon import Lexicon
    from listen.publish import PublishSummary

__all__ = [
    "check_lines",
    "check_summary_lines",
    "duration_text",
    "progress_bar",
    "rendered_dict",
    "rendered_line",
    "repair_lines",
    "script_lines",
    "summary_lines",
    "voice_lines",
]


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
    """What ``listen render --json`` prints for one episode: ``Rendered.to_dict()`` with the
    timings summed up as a count, the loudness figures flat, and the side files as "files"."""
    data = rendered.to_dict()
    loudness = data.pop("loudness") or {}
    data["duration"] = round(rendered.duration, 3)
    data["segments"] = len(data.pop("timings"))
    data["files"] = data.pop("extras")
    data["loudness_lufs"] = loudness.get("integrated_lufs")
    data["true_peak_dbtp"] = loudness.get("true_peak_dbtp")
    data["loudness_range_lu"] = loudness.get("loudness_range_lu")
    return data


def script_lines(
    script: Script, lexicon: Lexicon | None = None, spelling: str = "us"
) -> Iterator[str]:
    """A segment a line with its pause; with ``lexicon``, each rewrite and its rule under it."""
    from listen.normalise import explain

    for segment in script.segments:
        yield f"[{segment.kind} +{segment.pause_ms}ms] {segment.spoken}"
        if lexicon is not None:
            _, rewrites = explain(segment.text, lexicon=lexicon, spelling=spelling)
            for rewrite in rewrites:
                yield f"    {rewrite.written} -> {rewrite.spoken} [{rewrite.rule}]"


def voice_lines() -> Iterator[str]:
    for profile in list_profiles():
        found = availability(profile.speech)
        state = "ok" if found.ok else "not installed"
        backend = profile.speech.backend
        yield f"{profile.name:<10} {backend:<8} {state:<14} {profile.description}"
        if not found.ok:
            yield f"{'':<10} {found.detail}; install with: {found.install}"


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr for a publish run, when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="article", file=sys.stderr, dynamic_ncols=True, leave=False) as bar:

        def step(key: str, done: int, total: int) -> None:
            bar.total = total
            bar.set_postfix_str(key[-40:], refresh=False)
            bar.update(done - bar.n)

        yield step


def check_summary_lines(checks: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    """``publish --check``: the checks in one line, then each episode still flagged."""
    if not checks:
        return
    wers = [c["wer"] for c in checks.values()]
    redone = sum(len(c["redone"]) for c in checks.values())
    still = sum(1 for c in checks.values() if c["flagged"])
    yield (
        f"Checked {len(checks)}: WER {min(wers):.3f} to {max(wers):.3f}; "
        f"sentences synthesised again {redone}; still flagged in {still}"
    )
    for key, check in checks.items():
        if not check["flagged"]:
            continue
        if check["published"]:
            yield f"Published {key} with sentences still flagged:"
        else:
            yield f"Held {key}: not published (any earlier version stays), still flagged:"
        for sentence in check["flagged"]:
            span = f"{duration_text(sentence['start'])}-{duration_text(sentence['end'])}"
            yield f"  {sentence['id']} at {span}"
            yield f"    expected: {sentence['expected']}"
            yield f"    heard:    {sentence['heard'] or '(nothing)'}"


def summary_lines(summary: PublishSummary) -> Iterator[str]:
    """The closing report of a publish run: counts first, then each failure and orphan."""
    yield (
        f"Rendered {len(summary.rendered)}, skipped {summary.skipped}, "
        f"failed {len(summary.failed)}, orphaned {len(summary.orphaned)}; "
        f"segments synthesised {summary.synthesised}, reused {summary.reused}; "
        f"{summary.audio_seconds / 60:.1f} min of audio in {summary.wall_seconds:.1f} s"
    )
    if len(summary.workers) > 1:
        yield "Workers: " + ", ".join(
            f"{w} rendered {n}" for w, n in sorted(summary.workers.items())
        )
    for key, message in summary.failed:
        yield f"Failed {key}: {message}"
    for key in summary.orphaned:
        yield f"Orphaned {key}: its article is gone; the episode stays in the feed"
    yield from check_summary_lines(summary.checks)
    if summary.feed is not None:
        yield f"Feed: {summary.feed}"


def check_lines(result: EpisodeCheck) -> list[str]:
    """The report printed by ``listen check``: a summary line, then each flagged sentence."""
    flagged = result.flagged
    lines = [
        f"{result.mp3}  WER {result.wer:.3f}  {len(flagged)} of {len(result.sentences)} "
        f"sentences flagged  {result.duration:.1f} s of audio in {result.seconds:.1f} s "
        f"({result.speed:.1f}x real time)"
    ]
    for check in flagged:
        lines += _flagged_lines(check)
    return lines


def repair_lines(check: Mapping[str, Any] | None) -> list[str]:
    """What ``render --check`` prints under an episode: the check, what was synthesised again,
    and each sentence still flagged (``Rendered.check``; nothing without ``--check``)."""
    if check is None:
        return []
    redone = [i for round_ in check.get("redone", []) for i in round_]
    line = f"  check: WER {check['wer']:.3f}, {len(check['flagged'])} flagged"
    if redone:
        line += f"; synthesised again: {' '.join(redone)}"
    lines = [line]
    by_id = {s["id"]: s for s in check["sentences"]}
    for sentence in check["flagged"]:
        lines.append(f"  still flagged: {sentence} {by_id[sentence]['expected']}")
    return lines


def _flagged_lines(check: SentenceCheck) -> list[str]:
    s = check.sentence
    lines = [
        f"  {s.id} at {duration_text(s.start)}-{duration_text(s.end)}  WER {check.wer:.2f}",
        f"    expected: {s.spoken}",
        f"    heard:    {check.heard or '(nothing)'}",
    ]
    if check.missed:
        lines.append(f"    missed: {' '.join(check.missed)}")
    if check.substituted:
        lines.append(f"    wrong: {', '.join(f'{a} -> {b}' for a, b in check.substituted)}")
    if check.inserted:
        lines.append(f"    extra: {' '.join(check.inserted)}")
    return lines
