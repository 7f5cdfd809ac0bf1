"""The output folder: one episode is one unit on disk, one run writes a folder at a time."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import listen.output
from listen.errors import OutputError, OutputLocked
from listen.output import (
    EPISODE_SUFFIXES,
    LOCK_NAME,
    check_inputs_outside,
    commit_episode,
    new_episode_dir,
    output_lock,
    sweep_stale,
    write_episode,
)

SLUG = "drum-diplomacy"

# A writer in its own process: renders version VERSION of SLUG into OUT and, when STAGE is
# reached, kills itself with SIGKILL (no cleanup of any kind runs). STAGE "writing" stops after
# two of the four files; "synced", "aside" and "swapped" are commit_episode's steps. FALLBACK=1
# takes away renameat2, as on a system without it.
WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import listen.output as output
    out, slug, version, stop, fallback = sys.argv[1:6]
    if fallback == "1":
        output._exchange = lambda a, b: False
    def die(stage):
        if stage == stop:
            os.kill(os.getpid(), signal.SIGKILL)
    with output.output_lock(out):
        with output.write_episode(out, slug, on_stage=die) as staging:
            for n, suffix in enumerate(output.EPISODE_SUFFIXES):
                if n == 2:
                    die("writing")
                (staging / f"{slug}{suffix}").write_text(f"version {version}\\n" * 1000)
    print("done")
""")


def _write(out: Path, version: int, stop: str = "", fallback: bool = False) -> int:
    command = [sys.executable, "-c", WRITER, str(out), SLUG, str(version), stop, str(int(fallback))]
    return subprocess.run(command, capture_output=True, check=False).returncode


def _versions(out: Path) -> set[str] | None:
    """The versions the visible episode folder's files hold; None when it is absent."""
    folder = out / SLUG
    if not folder.exists():
        return None
    assert sorted(p.name for p in folder.iterdir()) == sorted(SLUG + s for s in EPISODE_SUFFIXES)
    return {p.read_text().splitlines()[0] for p in folder.iterdir()}


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if ".part" in p.name)


def test_an_episode_is_published_whole_and_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _write(out, 1) == 0
    assert _versions(out) == {"version 1"}
    assert _write(out, 2) == 0
    assert _versions(out) == {"version 2"}
    assert _leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, SLUG]


@pytest.mark.parametrize(
    ("stop", "fallback", "visible"),
    [
        ("writing", False, "version 1"),
        ("synced", False, "version 1"),
        ("swapped", False, "version 2"),
        ("writing", True, "version 1"),
        ("synced", True, "version 1"),
        ("aside", True, None),  # nothing visible until the next run puts version 1 back
        ("swapped", True, "version 2"),
    ],
    ids=lambda v: {True: "rename-aside", False: "renameat2"}.get(v, str(v)),
)
def test_sigkill_at_any_step_leaves_one_whole_version_and_the_next_run_cleans_up(
    tmp_path: Path, stop: str, fallback: bool, visible: str | None
) -> None:
    out = tmp_path / "out"
    assert _write(out, 1) == 0
    assert _write(out, 2, stop, fallback) == -signal.SIGKILL
    assert _versions(out) == ({visible} if visible else None)
    assert _leftovers(out) != []  # the killed run left its .part folder
    with output_lock(out):  # the next run: recovery and sweep
        pass
    assert _versions(out) == {visible or "version 1"}
    assert _leftovers(out) == []
    assert _write(out, 3) == 0
    assert _versions(out) == {"version 3"}


def test_sweep_removes_part_files_and_folders_but_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".old.1234abcd.part.mp3").write_bytes(b"half an mp3")
    (out / ".old.1234abcd.part").mkdir()
    (out / ".old.1234abcd.part" / "old.mp3").write_bytes(b"x")
    (out / "keep.txt").write_text("mine")
    (out / "elsewhere").mkdir()
    (out / ".link.0000aaaa.part").symlink_to(out / "elsewhere")
    with pytest.raises(RuntimeError, match="needs output_lock"):
        sweep_stale(out)
    with output_lock(out, sweep=False):
        removed = sweep_stale(out)
    assert len(removed) == 3
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME, "elsewhere", "keep.txt"]


def test_a_second_run_on_the_same_folder_gets_the_lock_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = textwrap.dedent("""
        import sys, time
        from listen.output import output_lock
        with output_lock(sys.argv[1]):
            print("locked", flush=True)
            time.sleep(60)
    """)
    with subprocess.Popen(
        [sys.executable, "-c", holder, str(out)], stdout=subprocess.PIPE, text=True
    ) as other:
        assert other.stdout is not None and other.stdout.readline() == "locked\n"
        with pytest.raises(OutputLocked) as caught, output_lock(out):
            pass
        assert str(caught.value) == (
            f"Another listen run is writing to '{out}'; wait for it or use another --output"
        )
        staging = next(out.glob(".*.part"), None)
        assert staging is None  # the refused run swept nothing of the other's
        other.kill()
    with output_lock(out) as locked:  # the kernel released the dead run's lock
        assert locked == out


def test_a_folder_with_files_listen_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _write(out, 1) == 0
    (out / SLUG / "notes.txt").write_text("the editor's notes")
    with output_lock(out):
        with pytest.raises(OutputError) as caught, write_episode(out, SLUG) as staging:
            (staging / f"{SLUG}.mp3").write_text("version 2")
        assert _leftovers(out) == []
    assert str(caught.value) == (
        f"'{out / SLUG}' holds files listen did not write (notes.txt); listen will not replace "
        "it: move them away or use another --output"
    )
    assert (out / SLUG / "notes.txt").read_text() == "the editor's notes"
    assert (out / SLUG / f"{SLUG}.mp3").read_text().startswith("version 1")


def test_a_slug_that_exists_as_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / SLUG).write_text("someone's file")
    staging = new_episode_dir(out, SLUG)
    (staging / f"{SLUG}.mp3").write_text("v")
    with pytest.raises(OutputError, match=r"is in the way: it is a file, not an episode folder"):
        commit_episode(staging, out / SLUG)
    assert (out / SLUG).read_text() == "someone's file"


def test_an_output_folder_under_a_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "article.txt"
    blocker.write_text("text")
    with pytest.raises(OutputError) as caught, output_lock(blocker / "out"):
        pass
    assert str(caught.value) == (
        f"Cannot write to the output folder '{blocker / 'out'}': '{blocker}' is a file, "
        "not a folder; use another --output"
    )


def test_inputs_inside_an_episode_folder_are_refused_up_front(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / SLUG).mkdir(parents=True)
    article = out / SLUG / "article.txt"
    article.write_text("text")
    beside = out / "article.txt"
    beside.write_text("text")
    check_inputs_outside([beside], out, [SLUG])  # beside the episode folders is fine
    with pytest.raises(OutputError, match=r"^Input '.*article.txt' is inside '.*drum-diplomacy'"):
        check_inputs_outside([beside, article], out, [SLUG])
    with pytest.raises(OutputError, match="is the input"):
        check_inputs_outside([out], out, [SLUG])


# -- real full and read-only file systems, in a private mount namespace -------------------------

TINY_DISK = textwrap.dedent("""
    set -e
    mount -t tmpfs -o size=256k tmpfs "$1"
    python="$2"; shift 2
    "$python" -c "$@"
""")
FILL = textwrap.dedent("""
    import os, sys, subprocess
    from listen.errors import ListenError
    from listen.output import output_lock, write_episode
    out, mode = sys.argv[1], sys.argv[2]
    with output_lock(out), write_episode(out, "small") as staging:
        (staging / "small.mp3").write_bytes(b"1" * 1000)
    if mode == "readonly":
        subprocess.run(["mount", "-o", "remount,ro", sys.argv[3]], check=True)
    try:
        with output_lock(out):
            with write_episode(out, "small") as staging:
                (staging / "small.mp3").write_bytes(b"2" * 1_000_000)
    except ListenError as exc:
        print(f"Error: {exc}")
    print(open(f"{out}/small/small.mp3", "rb").read(1).decode(), sorted(os.listdir(out)))
""")


def _unshare() -> list[str]:
    if shutil.which("unshare") is None:
        pytest.fail("util-linux's unshare is needed for the disk-full tests")
    if os.geteuid() == 0:
        return ["unshare", "--mount", "--propagation", "private"]
    return ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("full", "the disk is full; free some space or use another --output"),
        ("readonly", "it is on a read-only file system; use another --output"),
    ],
)
def test_a_full_or_read_only_disk_is_one_error_line(
    tmp_path: Path, mode: str, message: str
) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    out = disk / "out"
    command = [*_unshare(), "sh", "-c", TINY_DISK, "sh", str(disk), sys.executable, FILL,
               str(out), mode, str(disk)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"Error: Cannot write to the output folder '{out}': {message}"
    # the earlier episode is whole, and the failed one left no .part behind
    assert lines[1] == f"1 {[LOCK_NAME, 'small']}"


def test_fallback_refuses_nothing_new_when_exchange_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listen.output, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    with output_lock(out):
        for version in (1, 2):
            with write_episode(out, SLUG) as staging:
                for suffix in EPISODE_SUFFIXES:
                    (staging / f"{SLUG}{suffix}").write_text(f"version {version}\n")
    assert _versions(out) == {"version 2"}
    assert _leftovers(out) == []


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_on_linux_two_folders_are_swapped_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from-a").touch()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "from-b").touch()
    assert listen.output._exchange(tmp_path / "a", tmp_path / "b") is True
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["from-b"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
