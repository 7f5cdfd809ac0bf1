from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from listen import __version__
from listen.catalogue import (
    CATALOGUE_NAME,
    MIGRATIONS,
    Catalogue,
    EpisodeRecord,
    FetchValidators,
    _migrate,
    canonical_json,
    settings_hash,
    sha256_hex,
)
from listen.errors import CatalogueError

NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)


def record(number: int, **changes: object) -> EpisodeRecord:
    fields: dict[str, object] = {
        "id": f"https://news.example.org/story-{number}",
        "slug": f"story-{number}",
        "source": f"articles/story-{number}.md",
        "source_hash": sha256_hex(f"source {number}"),
        "script_hash": sha256_hex(f"script {number}"),
        "voice_hash": settings_hash({"name": "joe", "rate": 1.0}),
        "updated": NOW + timedelta(minutes=number),
        "files": {"audio": f"story-{number}-ab12.mp3", "transcript": f"story-{number}.vtt"},
        "duration": 200.5 + number,
        "bytes": 1_600_000 + number,
        "loudness": -19.02,
        "first_published": NOW + timedelta(hours=number),
        "title": f"Story {number}: ‘quotes’ & <tags>",
        "description": "Two\n\nparagraphs",
        "url": f"https://news.example.org/story-{number}",
    }
    fields.update(changes)
    return EpisodeRecord(**fields)  # type: ignore[arg-type]


WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, UTC
    from listen.catalogue import Catalogue, EpisodeRecord
    catalogue = Catalogue(sys.argv[1])
    with catalogue.transaction():
        for n in range(3):
            catalogue.put(EpisodeRecord(id=f"new-{n}", slug=f"new-{n}", source="x", source_hash="a",
                script_hash="b", voice_hash="c", updated=datetime.now(UTC)))
        print("written", flush=True)
        if sys.stdin.readline().strip() == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
    print("committed", flush=True)
    """
)


def test_round_trip_through_sqlite(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
        catalogue.put(record(2, state="failed", error="Piper crashed", first_published=None))
    with Catalogue(tmp_path) as catalogue:
        assert catalogue.get(record(1).id) == record(1)
        assert catalogue.get(record(2).id) == record(
            2, state="failed", error="Piper crashed", first_published=None
        )
        assert catalogue.get("nope") is None


def test_dict_round_trip() -> None:
    original = record(3)
    data = original.to_dict()
    assert (
        data["updated"] == "2026-11-30T22:03:00+00:00"
        and data["files"]["audio"] == "story-3-ab12.mp3"
    )
    assert EpisodeRecord.from_dict(data) == original
    assert EpisodeRecord.from_dict(json.loads(canonical_json(data))) == original


def test_all_newest_first_and_by_state(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        for n in (2, 5, 3):
            catalogue.put(record(n))
        catalogue.put(record(9, state="orphaned"))
        catalogue.put(record(4, first_published=None, state="failed"))
        assert [r.slug for r in catalogue.all()] == [
            "story-9",
            "story-5",
            "story-3",
            "story-2",
            "story-4",
        ]
        assert [r.slug for r in catalogue.all(["published"])] == ["story-5", "story-3", "story-2"]
        assert [r.slug for r in catalogue.all(["failed", "orphaned"])] == ["story-9", "story-4"]


def test_put_replaces_and_retract_keeps_the_row(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
        catalogue.put(replace(record(1), bytes=5))
        assert catalogue.get(record(1).id).bytes == 5  # type: ignore[union-attr]
        later = NOW + timedelta(days=1)
        retracted = catalogue.retract(record(1).id, when=later)
        assert (retracted.state, retracted.updated) == ("unpublished", later)
        assert catalogue.get(record(1).id) == retracted
        assert retracted.first_published == record(1).first_published
        with pytest.raises(CatalogueError, match="has no episode 'missing' to retract"):
            catalogue.retract("missing")


def test_records_are_checked() -> None:
    with pytest.raises(CatalogueError, match="state must be one of published, unpublished"):
        record(1, state="gone")
    with pytest.raises(CatalogueError, match="updated has no time zone"):
        record(1, updated=datetime(2026, 1, 1))


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
        assert catalogue.schema_version == len(MIGRATIONS) == 2
        assert (tmp_path / (CATALOGUE_NAME + "-wal")).exists()
    conn = sqlite3.connect(tmp_path / CATALOGUE_NAME)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_an_older_catalogue_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / CATALOGUE_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    _migrate(conn, path, target=1)  # the catalogue as the first release wrote it
    conn.execute(
        "INSERT INTO episodes (id, slug, source, source_hash, script_hash, voice_hash, files, "
        "duration, bytes, loudness, first_published, updated, state) VALUES "
        "('a', 'a', 'a.md', 'h1', 'h2', 'h3', '{\"audio\": \"a.mp3\"}', 3.5, 99, -19.0, "
        "'2026-01-01T00:00:00+00:00', '2026-01-02T00:00:00+00:00', 'published')"
    )
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Catalogue(tmp_path) as catalogue:
        assert catalogue.schema_version == 2
        old = catalogue.get("a")
        assert old is not None and old.files == {"audio": "a.mp3"} and old.bytes == 99
        assert (old.title, old.description, old.url, old.error) == ("", "", None, None)
        checked = datetime(2026, 3, 1, tzinfo=UTC)
        catalogue.put_validators(FetchValidators("https://n.example/a", '"e1"', None, checked))
        assert catalogue.validators("https://n.example/a") == FetchValidators(
            "https://n.example/a", '"e1"', None, checked
        )
        assert catalogue.validators("https://n.example/b") is None


def test_a_newer_catalogue_or_another_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / CATALOGUE_NAME
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(CatalogueError, match="schema version 99, newer than this listen knows"):
        Catalogue(tmp_path)
    path.unlink()
    path.write_bytes(b"this is not a database, it is text " * 100)
    with pytest.raises(CatalogueError, match=f"Could not open catalogue '{path}'"):
        Catalogue(tmp_path)


def test_a_failed_transaction_writes_nothing(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
        with pytest.raises(RuntimeError), catalogue.transaction():
            catalogue.put(record(2))
            with catalogue.transaction():  # nested blocks join the outer one
                catalogue.put(record(3))
            catalogue.retract(record(1).id)
            raise RuntimeError("render failed half-way")
        assert [r.slug for r in catalogue.all()] == ["story-1"]
        assert catalogue.get(record(1).id) == record(1)


def _writer(directory: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(directory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline() == "written\n"
    return writer


def test_a_reader_never_waits_for_a_writer_in_another_process(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
    writer = _writer(tmp_path)  # holds an open write transaction of three rows
    try:
        with Catalogue(tmp_path) as reader:  # opening and reading need no lock
            assert [r.id for r in reader.all()] == [record(1).id]
            out, _ = writer.communicate("commit\n", timeout=60)
            assert out == "committed\n" and writer.returncode == 0
            assert len(reader.all()) == 4
    finally:
        writer.kill()
        writer.communicate()


def test_a_writer_killed_mid_transaction_leaves_the_catalogue_as_it_was(tmp_path: Path) -> None:
    with Catalogue(tmp_path) as catalogue:
        catalogue.put(record(1))
    writer = _writer(tmp_path)
    writer.communicate("kill\n", timeout=60)
    assert writer.returncode == -signal.SIGKILL
    with Catalogue(tmp_path) as catalogue:
        assert catalogue.all() == [record(1)]
        catalogue.put(record(2))  # and it is writable again
        assert len(catalogue.all()) == 2
    assert os.path.getsize(tmp_path / CATALOGUE_NAME) > 0


def test_hashes() -> None:
    assert sha256_hex("é") == sha256_hex("é".encode())
    assert settings_hash({"a": 1, "b": Path("x")}) == settings_hash({"b": "x", "a": 1})
    assert settings_hash({"a": 1}) != settings_hash({"a": 1}, version=__version__ + "+1")
    assert settings_hash({"a": 1}) != settings_hash({"a": 2})
    with pytest.raises(TypeError):
        canonical_json({"a": object()})
