"""One episode is one unit: ``listen render`` (a real process) killed at any stage, or stopped
by its output folder, leaves ``OUT/<slug>/`` as one whole version, and the next run cleans up."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from listen.ffmpeg import ffmpeg_exe
from listen.output import LOCK_NAME

HERE = Path(__file__).parent
FAULTS = HERE / "cli_faults.py"
SLUG = "harbour-vote"


def listen(*args: str | Path, kill_at: str = "") -> subprocess.CompletedProcess[str]:
    """``listen ARGS`` in its own process (tests/cli_faults.py hands over to listen.cli)."""
    env = {k: v for k, v in os.environ.items() if k != "LISTEN_TEST_KILL_AT"}
    if kill_at:
        env["LISTEN_TEST_KILL_AT"] = kill_at
    command = [sys.executable, str(FAULTS), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


def article(folder: Path, sentences: int, title: str = "Harbour Vote") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{title.lower().replace(' ', '-')}-{sentences}.txt"
    body = " ".join(f"Sentence number {n} of the story is here." for n in range(1, sentences + 1))
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != LOCK_NAME
    }


def decoded_seconds(mp3: Path) -> float:
    command = [ffmpeg_exe(), "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", "1",
               "-ar", "8000", "-"]  # fmt: skip
    return len(subprocess.run(command, capture_output=True, check=True).stdout) / 2 / 8000


def whole_version(folder: Path) -> int:
    """Check that the four files of ``folder`` come from one render; its sentence count."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{SLUG}{ext}" for ext in (".chapters.json", ".json", ".mp3", ".vtt")
    )
    timing = json.loads((folder / f"{SLUG}.json").read_text(encoding="utf-8"))
    assert abs(decoded_seconds(folder / f"{SLUG}.mp3") - timing["duration"]) < 0.1
    vtt = (folder / f"{SLUG}.vtt").read_text(encoding="utf-8")
    sentences = [s for p in timing["paragraphs"] for s in p["sentences"]]
    cues = re.findall(r"^(s\d+)\n\S+ --> \S+\n(.+)$", vtt, re.MULTILINE)
    assert [cue for cue, _ in cues] == [s["id"] for s in sentences]
    assert all(
        text in (s["text"], s["spoken"]) for (_, text), s in zip(cues, sentences, strict=True)
    )
    ends = re.findall(r"--> (\d\d):(\d\d):(\d\d)\.(\d\d\d)", vtt)
    last = max(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 for h, m, s, ms in ends)
    assert abs(last - sentences[-1]["end"]) < 0.002 and last <= timing["duration"]
    chapters = json.loads((folder / f"{SLUG}.chapters.json").read_text(encoding="utf-8"))
    assert chapters["chapters"][0]["title"] == timing["title"] == "Harbour Vote"
    return len(sentences) - 1  # the title is a sentence too


def parts(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.part*"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "published"),
    [("synthesis", 4), ("encoding", 4), ("synced", 4), ("aside", 4), ("swapped", 12)],
)
def test_a_render_killed_at_any_stage_leaves_one_whole_version(
    tmp_path: Path, stage: str, published: int
) -> None:
    out = tmp_path / "out"
    old, new = article(tmp_path / "a", 4), article(tmp_path / "b", 12)
    first = listen("render", old, "-o", out, "--voice", "espeak")
    assert first.returncode == 0, first.stderr
    assert whole_version(out / SLUG) == 4
    before = snapshot(out)

    killed = listen("render", new, "-o", out, "--voice", "espeak", kill_at=stage)
    assert killed.returncode == -9, killed.stderr  # SIGKILL: no clean-up ran
    if stage != "synthesis":
        assert parts(out)  # the killed run left its staging folder behind
    if stage == "aside":  # no atomic exchange: killed with the old version set aside, whole
        [aside] = out.glob(f".{SLUG}.*.aside.part")
        assert not (out / SLUG).exists() and whole_version(aside) == 4
        other = listen("render", article(tmp_path / "c", 2, "Other Vote"), "-o", out,
                       "--voice", "espeak")  # fmt: skip
        assert other.returncode == 0, other.stderr  # its sweep puts the old version back
    assert whole_version(out / SLUG) == published  # the old whole, or the new whole
    if published == 4:
        assert {k: v for k, v in snapshot(out).items() if k.startswith(f"{SLUG}/")} == before

    again = listen("render", new, "-o", out, "--voice", "espeak")
    assert again.returncode == 0, again.stderr
    assert parts(out) == []  # ...and the next run swept it
    assert whole_version(out / SLUG) == 12
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [LOCK_NAME, SLUG, *(["other-vote"] if stage == "aside" else [])]
    )


@pytest.mark.slow
def test_one_article_crashing_the_engine_fails_alone(tmp_path: Path) -> None:
    voice = tmp_path / "crashy.toml"
    voice.write_text('backend = "crashy"\n', encoding="utf-8")
    doomed = tmp_path / "doomed.txt"
    doomed.write_text("Doomed Story\n\nAll fine. Then it goes kaboom here.\n", encoding="utf-8")
    fine = tmp_path / "fine.txt"
    fine.write_text("Fine Story\n\nNothing odd here at all.\n", encoding="utf-8")
    out = tmp_path / "out"
    done = listen("render", doomed, fine, "-o", out, "--voice", voice)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "Error: The crashy engine crashed (SIGABRT) while speaking 'Then it goes kaboom "
        "here.'; that segment was not rendered"
    ]
    [line] = done.stdout.splitlines()
    assert line.startswith(f"{out / 'fine-story' / 'fine-story.mp3'}  ")
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, "fine-story"]
    mp3 = out / "fine-story" / "fine-story.mp3"
    timing = json.loads((out / "fine-story" / "fine-story.json").read_text(encoding="utf-8"))
    assert abs(decoded_seconds(mp3) - timing["duration"]) < 0.1


def test_a_second_render_into_the_same_folder_gets_the_lock_error(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK_NAME).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a render in progress holds it
        done = listen("render", article(tmp_path, 2), "-o", out, "--voice", "espeak")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: Another listen run is writing to '{out}'; wait for it or use another --output\n"
    )
    assert [p.name for p in out.iterdir()] == [LOCK_NAME]


def test_an_input_inside_the_episode_folder_is_refused_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = listen("render", article(tmp_path, 2), "-o", out, "--voice", "espeak")
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    inside = out / SLUG / f"{SLUG}.json"
    renamed = inside.with_suffix(".txt")
    shutil.copy(article(tmp_path / "c", 3), renamed)  # an article that would be overwritten
    before = snapshot(out)
    done = listen("render", renamed, "-o", out, "--voice", "espeak")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: Input '{renamed}' is inside '{(out / SLUG).resolve()}', which this render "
        "would replace; move it or use another --output\n"
    )
    assert snapshot(out) == before


# -- the output folder refuses: one Error line, exit 1, nothing new, the earlier episode kept --


def _earlier(tmp_path: Path, out: Path) -> dict[str, bytes]:
    done = listen("render", article(tmp_path / "a", 2), "-o", out, "--voice", "espeak")
    assert done.returncode == 0, done.stderr
    return snapshot(out)


def test_a_slug_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _earlier(tmp_path, out)
    (out / "other-story").write_text("a note someone left here", encoding="utf-8")
    before = snapshot(out)
    done = listen("render", article(tmp_path / "b", 2, "Other Story"), "-o", out, "--voice",
                  "espeak")  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: '{out / 'other-story'}' is in the way: it is a file, not an episode folder "
        "listen wrote; move it away or use another --output\n"
    )
    assert snapshot(out) == before and parts(out) == []


def test_an_output_folder_under_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "some-file"
    blocker.write_text("not a folder", encoding="utf-8")
    done = listen("render", article(tmp_path, 2), "-o", blocker / "out", "--voice", "espeak")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"Error: Cannot write to the output folder '{blocker / 'out'}': '{blocker}' is a file, "
        "not a folder; use another --output\n"
    )
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["harbour-vote-2.txt", "some-file"]


TINY_DISK = """
set -e
mount -t tmpfs -o size=$SIZE tmpfs "$DISK"
"$PYTHON" "$FAULTS" render "$OLD" -o "$DISK/out" --voice espeak > /dev/null
if [ "$MODE" = readonly ]; then mount -o remount,ro "$DISK"; fi
if [ "$MODE" = full ]; then head -c "$FILL" /dev/zero > "$DISK/filler" || true; fi
set +e
"$PYTHON" "$FAULTS" render "$NEW" -o "$DISK/out" --voice espeak
echo "exit $?"
rm -f "$DISK/filler"
find "$DISK/out" -type f | sort | xargs sha256sum
"""


def _unshare() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.fail("util-linux's unshare is needed for the disk-full tests")
    if os.geteuid() == 0:
        return ["unshare", "--mount", "--propagation", "private"]
    return ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]


@pytest.mark.parametrize(
    ("mode", "advice"),
    [
        ("full", "the disk is full; free some space or use another --output"),
        ("readonly", "it is on a read-only file system; use another --output"),
    ],
)
def test_a_full_or_read_only_disk_is_one_error_line(tmp_path: Path, mode: str, advice: str) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    old, new = article(tmp_path / "a", 2), article(tmp_path / "b", 40)
    env = dict(os.environ, SIZE="4m", DISK=str(disk), PYTHON=sys.executable, FAULTS=str(FAULTS),
               OLD=str(old), NEW=str(new), MODE=mode, FILL=str(3_900_000))  # fmt: skip
    env.pop("LISTEN_TEST_KILL_AT", None)
    done = subprocess.run([*_unshare(), "sh", "-c", TINY_DISK], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    out = disk / "out"
    [line] = done.stderr.splitlines()
    # a full disk may first be met by the encoder (ffmpeg's own words) or by listen's writing
    assert line == f"Error: Cannot write to the output folder '{out}': {advice}" or (
        mode == "full" and line.startswith("Error: Could not encode") and "No space left" in line
    ), line
    lines = done.stdout.splitlines()
    assert lines[0] == "exit 1"
    # the files left are exactly the earlier episode's (and the lock), no .part
    names = sorted(line.split()[1] for line in lines[1:])
    assert names == sorted(
        [str(out / LOCK_NAME)]
        + [str(out / SLUG / f"{SLUG}{ext}") for ext in (".chapters.json", ".json", ".mp3", ".vtt")]
    )
