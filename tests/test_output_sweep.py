"""What a killed run left in the output folder is removed by the next run, and nothing else."""

from __future__ import annotations

from pathlib import Path

from listen.output import output_lock, sweep_stale


def test_sweep_removes_part_files_in_out_and_in_episode_folders_only(tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "story-1" / ".0123456789ab.part").mkdir(parents=True)
    (out / "story-1" / "index.html").write_text("kept")
    (out / "story-1" / ".index.fb567da0.part.html").write_text("half")
    (out / ".feed.1a2b3c4d.part.xml").write_text("half")
    (out / ".cache" / "segments").mkdir(parents=True)
    (out / ".cache" / "segments" / ".ab.12345678.part.wav").write_text("another writer's")
    with output_lock(out):  # it sweeps once the lock is held
        assert sweep_stale(out) == []
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if ".part" in p.name)
    assert left == [".cache/segments/.ab.12345678.part.wav"]
    assert (out / "story-1" / "index.html").read_text() == "kept"
    assert (out / ".cache" / "segments" / ".ab.12345678.part.wav").is_file()
