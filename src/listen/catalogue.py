"""The publish catalogue: one SQLite row per episode, in the publish folder.

WAL mode, so a reader (a web page, ``listen feed-check``, a second run) never waits for the
nightly writer and never sees half a transaction. The schema version lives in
``PRAGMA user_version``; :data:`MIGRATIONS` brings an older catalogue up to date on open.
Pure about its inputs: it stores what it is given, renders nothing, fetches nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast, get_args

from listen import __version__
from listen.errors import CatalogueError

__all__ = [
    "CATALOGUE_NAME",
    "MIGRATIONS",
    "Catalogue",
    "EpisodeRecord",
    "EpisodeState",
    "FetchValidators",
    "canonical_json",
    "settings_hash",
    "sha256_hex",
]

CATALOGUE_NAME = "catalogue.sqlite"
EpisodeState = Literal["published", "unpublished", "failed", "orphaned"]
_STATES: tuple[str, ...] = get_args(EpisodeState)

# Each entry brings the schema from version N to N+1 (user_version = index + 1).
# Never edit a shipped entry: append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE episodes (
            id TEXT PRIMARY KEY,
            slug TEXT NOT NULL,
            source TEXT NOT NULL,
            source_hash TEXT NOT NULL,
            script_hash TEXT NOT NULL,
            voice_hash TEXT NOT NULL,
            files TEXT NOT NULL DEFAULT '{}',
            duration REAL,
            bytes INTEGER,
            loudness REAL,
            first_published TEXT,
            updated TEXT NOT NULL,
            state TEXT NOT NULL
        )""",
        "CREATE INDEX episodes_slug ON episodes (slug)",
    ),
    (
        "ALTER TABLE episodes ADD COLUMN title TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE episodes ADD COLUMN description TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE episodes ADD COLUMN url TEXT",
        "ALTER TABLE episodes ADD COLUMN error TEXT",
        "CREATE INDEX episodes_state ON episodes (state)",
        """CREATE TABLE fetch_validators (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            checked TEXT NOT NULL
        )""",
    ),
)


def sha256_hex(data: bytes | str) -> str:
    """SHA-256 of bytes, or of a string's UTF-8 bytes, as 64 hex digits."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces; paths and sets become plain."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable
    )


def settings_hash(settings: Mapping[str, Any], version: str = __version__) -> str:
    """The hash of resolved settings (a voice profile's dict) together with listen's version."""
    return sha256_hex(canonical_json({"settings": settings, "version": version}))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    raise TypeError(f"{type(value).__name__} cannot be hashed as settings")


@dataclass(frozen=True)
class EpisodeRecord:
    """What the catalogue knows of one episode."""

    id: str
    """Stable id: the article's URL or front-matter id, else its path in the source folder."""
    slug: str
    source: str
    """The article's path."""
    source_hash: str
    """sha256 of the source file's bytes."""
    script_hash: str
    """sha256 of the spoken script."""
    voice_hash: str
    """:func:`settings_hash` of the resolved voice profile (includes listen's version)."""
    updated: datetime
    state: EpisodeState = "published"
    files: Mapping[str, str] = field(default_factory=dict)
    """Published file names by role: audio, transcript, chapters, timing."""
    duration: float | None = None
    bytes: int | None = None
    """Size of the audio file."""
    loudness: float | None = None
    """Integrated loudness in LUFS."""
    first_published: datetime | None = None
    title: str = ""
    description: str = ""
    url: str | None = None
    """The article's web address, when it has one."""
    error: str | None = None
    """Why the last render failed (state 'failed')."""

    def __post_init__(self) -> None:
        if self.state not in _STATES:
            raise CatalogueError(f"Episode '{self.id}': state must be one of {', '.join(_STATES)}")
        for name in ("updated", "first_published"):
            when = getattr(self, name)
            if when is not None and when.utcoffset() is None:
                raise CatalogueError(f"Episode '{self.id}': {name} has no time zone")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = dict(self.files)
        for name in ("updated", "first_published"):
            data[name] = data[name].isoformat() if data[name] is not None else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EpisodeRecord:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("updated", "first_published"):
            if values.get(name) is not None:
                values[name] = datetime.fromisoformat(values[name])
        values["files"] = dict(values.get("files") or {})
        return cls(**values)


@dataclass(frozen=True)
class FetchValidators:
    """HTTP validators of a fetched article, for conditional requests next time."""

    url: str
    etag: str | None
    last_modified: str | None
    checked: datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "checked": self.checked.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FetchValidators:
        return cls(**{**data, "checked": datetime.fromisoformat(data["checked"])})


_COLUMNS = tuple(f.name for f in fields(EpisodeRecord))


class Catalogue:
    """The SQLite catalogue in ``directory`` (created if missing); use as a context manager."""

    def __init__(self, directory: Path | str, name: str = CATALOGUE_NAME) -> None:
        self.path = Path(directory) / name
        self._depth = 0
        with self._sql("open"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            with self._sql("open"):
                _configure(self._conn)
                _migrate(self._conn, self.path)
        except BaseException:
            self._conn.close()
            raise

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all; nested blocks join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        with self._sql("lock"):
            self._conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        else:
            with self._sql("commit to"):
                self._conn.execute("COMMIT")
        finally:
            self._depth = 0

    def get(self, episode_id: str) -> EpisodeRecord | None:
        with self._sql("read"):
            row = self._conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM episodes WHERE id = ?", (episode_id,)
            ).fetchone()
        return _record(row) if row is not None else None

    def all(self, states: Iterable[EpisodeState] | None = None) -> list[EpisodeRecord]:
        """Every episode (or those in ``states``), newest first by first publication."""
        query = f"SELECT {', '.join(_COLUMNS)} FROM episodes"
        wanted = tuple(states) if states is not None else None
        if wanted is not None:
            query += f" WHERE state IN ({', '.join('?' * len(wanted))})"
        query += " ORDER BY first_published IS NULL, first_published DESC, id"
        with self._sql("read"):
            rows = self._conn.execute(query, wanted or ()).fetchall()
        return [_record(row) for row in rows]

    def put(self, record: EpisodeRecord) -> None:
        """Insert or replace the row of ``record.id``."""
        values = record.to_dict()
        values["files"] = canonical_json(values["files"])
        marks = ", ".join("?" * len(_COLUMNS))
        with self.transaction(), self._sql("write"):
            self._conn.execute(
                f"INSERT OR REPLACE INTO episodes ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [values[c] for c in _COLUMNS],
            )

    def retract(self, episode_id: str, when: datetime | None = None) -> EpisodeRecord:
        """Mark an episode unpublished (it leaves the feed; its row and history stay)."""
        with self.transaction():
            record = self.get(episode_id)
            if record is None:
                raise CatalogueError(
                    f"Catalogue '{self.path}' has no episode '{episode_id}' to retract"
                )
            data = record.to_dict()
            data.update(state="unpublished", updated=(when or datetime.now(UTC)).isoformat())
            retracted = EpisodeRecord.from_dict(data)
            self.put(retracted)
        return retracted

    def validators(self, url: str) -> FetchValidators | None:
        with self._sql("read"):
            row = self._conn.execute(
                "SELECT url, etag, last_modified, checked FROM fetch_validators WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return None
        names = ("url", "etag", "last_modified", "checked")
        return FetchValidators.from_dict(dict(zip(names, row, strict=True)))

    def put_validators(self, validators: FetchValidators) -> None:
        data = validators.to_dict()
        with self.transaction(), self._sql("write"):
            self._conn.execute(
                "INSERT OR REPLACE INTO fetch_validators (url, etag, last_modified, checked) "
                "VALUES (:url, :etag, :last_modified, :checked)",
                data,
            )

    @contextlib.contextmanager
    def _sql(self, action: str) -> Iterator[None]:
        """Translate sqlite3's errors (and a missing folder) into one CatalogueError."""
        try:
            yield
        except sqlite3.Error as exc:
            raise CatalogueError(f"Could not {action} catalogue '{self.path}': {exc}") from exc
        except OSError as exc:
            raise CatalogueError(
                f"Could not {action} catalogue '{self.path}': {exc.strerror or exc}"
            ) from exc


def _configure(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"the file system does not allow WAL mode ({mode})")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")


def _migrate(conn: sqlite3.Connection, path: Path, target: int | None = None) -> None:
    """Apply the pending migrations in one transaction with the version bump.

    An up-to-date catalogue takes no lock: a reader opens it while a writer holds its own.
    """
    target = len(MIGRATIONS) if target is None else target
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) == target:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise CatalogueError(
                f"Catalogue '{path}' has schema version {version}, newer than this listen "
                f"knows ({len(MIGRATIONS)}): upgrade listen"
            )
        for number in range(version, target):
            for statement in MIGRATIONS[number]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _record(row: tuple[Any, ...]) -> EpisodeRecord:
    data = dict(zip(_COLUMNS, row, strict=True))
    data["files"] = json.loads(data["files"])
    data["state"] = cast(EpisodeState, data["state"])
    return EpisodeRecord.from_dict(data)
