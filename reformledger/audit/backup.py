"""Backing up the whole system into one file and restoring it (数据备份与恢复).

A backup is a tar archive (gzip-compressed when its name ends in .gz or .tgz):

    manifest.json       what the backup holds, to check a restore against
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.dump       PostgreSQL: `pg_dump --format=custom`
    media/...           the uploaded files (MEDIA_ROOT)

The database copy, the row counts, the per-table content hashes and the audit chain
head are all read in one snapshot (one read transaction; on PostgreSQL pg_dump joins
it through `--snapshot`), so the backup is consistent while the system keeps writing
and the manifest describes exactly the rows in the copy.

A restore goes only into an empty instance. It checks every table's row count and
content hash against the manifest, then walks the audit chain up to the head the
manifest names.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.utils import load_backend

FORMAT = "reformledger-backup/1"
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
MEDIA_PREFIX = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class TableState:
    """One table as the snapshot holds it: its row count and the hash of its rows."""

    rows: int
    sha256: str


@dataclass
class Manifest:
    """What a backup holds (manifest.json)."""

    created: str
    app_version: str
    vendor: str
    server_version: str
    database: str
    audit_head: dict[str, Any] | None
    tables: dict[str, TableState]
    media: dict[str, str] = field(default_factory=dict)  # path -> sha256
    format: str = FORMAT

    def to_json(self) -> bytes:
        body = {
            "format": self.format,
            "created": self.created,
            "app_version": self.app_version,
            "vendor": self.vendor,
            "server_version": self.server_version,
            "database": self.database,
            "audit_head": self.audit_head,
            "tables": {k: {"rows": v.rows, "sha256": v.sha256} for k, v in self.tables.items()},
            "media": self.media,
        }
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            raise BackupError(f"Not a Reform Ledger backup of format {FORMAT}.")
        body["tables"] = {k: TableState(**v) for k, v in body["tables"].items()}
        return cls(**body)


# --- what a database holds ------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
        )
    return sorted(row[0] for row in cursor.fetchall())


def _primary_key(cursor, vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(f"PRAGMA table_info({_quote(table)})")
        cols = [(row[5], row[1]) for row in cursor.fetchall() if row[5]]
        return [name for _, name in sorted(cols)]
    cursor.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        [_quote(table)],
    )
    return [row[0] for row in cursor.fetchall()]


def _plain(value: Any) -> Any:
    """A column value as the same JSON whatever the driver or the session's time zone."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time | dt.timedelta | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def table_states(cursor, vendor: str) -> dict[str, TableState]:
    """Every table's row count and the SHA-256 of its rows in primary-key order.

    `cursor` is any DB-API cursor (Django's, sqlite3's or psycopg's) on a database of
    `vendor`; two databases with the same rows give the same states.
    """
    states = {}
    for table in _tables(cursor, vendor):
        order = _primary_key(cursor, vendor, table)
        order_by = ", ".join(_quote(c) for c in order) if order else "1"
        cursor.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order_by}")  # noqa: S608
        sha, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                sha.update(json.dumps([_plain(v) for v in row], ensure_ascii=False).encode())
                sha.update(b"\n")
                rows += 1
        states[table] = TableState(rows=rows, sha256=sha.hexdigest())
    return states


def database_states(settings_dict: dict[str, Any]) -> dict[str, TableState]:
    """`table_states` of the database `settings_dict` names (a DATABASES entry), read
    through a connection of its own with the project's driver settings."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, alias="backup-check"
    )
    try:
        with wrapper.cursor() as cursor:
            return table_states(cursor, wrapper.vendor)
    finally:
        wrapper.close()


def _audit_head() -> dict[str, Any] | None:
    from reformledger.audit.selectors import chain_head

    head = chain_head()
    if head is None:
        return None
    return {
        "id": head.id,
        "hash": head.hash,
        "at": head.at.astimezone(dt.UTC).isoformat(),
        "algorithm": getattr(head, "algorithm", "sha256"),
    }


def app_tables_with_rows() -> dict[str, int]:
    """The project's own tables that hold rows in the current database (none in an
    empty instance), with a row count each."""
    existing = set(connection.introspection.table_names())
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if not model._meta.app_config.name.startswith("reformledger."):
                continue
            table = model._meta.db_table
            if not model._meta.managed or table not in existing or table in found:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
            count = cursor.fetchone()[0]
            if count:
                found[table] = count
    return found


# --- media ----------------------------------------------------------------------


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _sha256_file(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


# --- the database copy, per vendor ------------------------------------------------


def _pg_env() -> dict[str, str]:
    """libpq's environment for the default database (the password never goes on the
    command line, where other users could read it)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def pg_tool(name: str) -> str:
    """The path of `pg_dump` or `pg_restore` that matches the server's major version
    (an older pg_dump cannot dump a newer server)."""
    connection.ensure_connection()
    major = connection.pg_version // 10000
    for candidate in (Path(f"/usr/lib/postgresql/{major}/bin/{name}"), shutil.which(name)):
        if not candidate or not Path(candidate).is_file():
            continue
        out = subprocess.run(  # noqa: S603
            [str(candidate), "--version"], capture_output=True, text=True, check=True
        ).stdout
        version = out.rsplit(" ", 1)[-1].split()[0] if out.strip() else "0"
        if int(version.split(".")[0]) >= major:
            return str(candidate)
    raise BackupError(
        f"No {name} for PostgreSQL {major} was found: install the postgresql-client-{major} "
        f"package (it puts {name} in /usr/lib/postgresql/{major}/bin)."
    )


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()}")


def _snapshot_sqlite(target: Path) -> tuple[dict[str, TableState], dict | None]:
    """Copy the SQLite database to `target` and read the manifest, in one read
    transaction: the online backup API reuses the source's open read transaction, so
    the copy and the counts show the same moment while other connections write."""
    connection.ensure_connection()
    raw = connection.connection
    own_transaction = not connection.in_atomic_block
    if own_transaction:
        raw.execute("BEGIN DEFERRED")
    try:
        cursor = raw.cursor()
        states = table_states(cursor, "sqlite")  # the first read fixes the snapshot
        head = _audit_head()
        copy = sqlite3.connect(target)
        try:
            raw.backup(copy)
        finally:
            copy.close()
    finally:
        if own_transaction:
            raw.execute("COMMIT")
    return states, head


def _snapshot_postgresql(target: Path) -> tuple[dict[str, TableState], dict | None]:
    """pg_dump the database to `target` and read the manifest in one snapshot: a
    read-only repeatable-read transaction exports its snapshot and pg_dump uses it."""
    if connection.in_atomic_block:
        raise BackupError("A PostgreSQL backup must run outside a transaction.")
    pg_dump = pg_tool("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        states = table_states(cursor, "postgresql")
        head = _audit_head()
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
    return states, head


# --- backup ---------------------------------------------------------------------


def _app_version() -> str:
    try:
        return metadata.version("reformledger")
    except metadata.PackageNotFoundError:
        return "unknown"


def _server_version() -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    return str(connection.pg_version)


def backup(path: Path) -> Manifest:
    """Write a backup of the database and the uploaded files to `path` (mode 0600:
    it holds personal data) and return its manifest."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        snapshot = _snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql
        states, head = snapshot(dump)
        manifest = Manifest(
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            app_version=_app_version(),
            vendor=vendor,
            server_version=_server_version(),
            database=dump.name,
            audit_head=head,
            tables=states,
        )
        partial = Path(work) / "backup.part"
        mode = "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode=mode) as tar:
            tar.add(dump, arcname=dump.name)
            media_root = Path(settings.MEDIA_ROOT)
            for file in _media_files(media_root):
                rel = file.relative_to(media_root).as_posix()
                manifest.media[rel] = _sha256_file(file)
                tar.add(file, arcname=f"{MEDIA_PREFIX}/{rel}")
            body = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(dt.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(body))
        os.replace(partial, path)
    return manifest


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at `path`."""
    try:
        with tarfile.open(path, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read())
    except (tarfile.TarError, KeyError, TypeError, ValueError, OSError) as exc:
        raise BackupError(f"{path} is not a readable Reform Ledger backup ({exc}).") from exc


# --- restore --------------------------------------------------------------------


@dataclass
class RestoreReport:
    """What a restore put back and what it checked."""

    manifest: Manifest
    tables: int
    rows: int
    media_files: int
    audit_records: int
    mismatches: list[str]
    needs_migrate: bool

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _refuse_unless_empty(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.vendor} database; this instance runs on "
            f"{connection.vendor}. Restore it into an instance on {manifest.vendor}."
        )
    filled = app_tables_with_rows()
    if filled:
        listed = ", ".join(f"{t} ({n} rows)" for t, n in sorted(filled.items())[:5])
        more = f" and {len(filled) - 5} more tables" if len(filled) > 5 else ""
        raise BackupError(
            f"Refusing to restore: the target database is not empty: {listed}{more}. "
            "A restore goes only into an empty instance: create a new database (or point "
            "RL_SQLITE_NAME/DATABASE_URL at a new one) and run the restore there."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if next(_media_files(media_root), None) is not None:
        raise BackupError(
            f"Refusing to restore: the media folder {media_root} already holds files. "
            "Restore into an instance whose media folder is empty."
        )


def _safe_members(tar: tarfile.TarFile, manifest: Manifest) -> list[tarfile.TarInfo]:
    """The archive's media files, each checked to stay inside the media folder."""
    members = []
    for member in tar.getmembers():
        name = PurePosixPath(member.name)
        if name.parts[:1] != (MEDIA_PREFIX,):
            continue
        rel = PurePosixPath(*name.parts[1:])
        if not member.isfile() or name.is_absolute() or ".." in name.parts:
            raise BackupError(f"The backup holds an unsafe entry {member.name!r}.")
        if str(rel) not in manifest.media:
            raise BackupError(f"The backup holds a file its manifest does not list: {rel}.")
        members.append(member)
    return members


def _load_sqlite(dump: Path) -> None:
    """Replace the (empty) SQLite database with the backup's copy, through the online
    backup API, which writes the whole file under the database's own locks."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _load_postgresql(dump: Path) -> None:
    """pg_restore the dump into the (empty) database in one transaction."""
    pg_restore = pg_tool("pg_restore")
    connection.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ]
    )


def _needs_migrate() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def restore(path: Path) -> RestoreReport:
    """Restore the backup at `path` into this empty instance and check it against its
    manifest: every table's row count and content hash, the media files, and the audit
    chain, walked to the head the manifest names."""
    from reformledger.audit.selectors import walk_chain

    path = Path(path)
    manifest = read_manifest(path)
    if manifest.database != DUMP_NAMES.get(manifest.vendor):
        raise BackupError(f"The backup names an unexpected database file {manifest.database!r}.")
    _refuse_unless_empty(manifest)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix=".restore-") as work, tarfile.open(path) as tar:
        members = _safe_members(tar, manifest)
        tar.extract(manifest.database, work, filter="data")
        dump = Path(work) / manifest.database
        if manifest.vendor == "sqlite":
            _load_sqlite(dump)
        else:
            _load_postgresql(dump)
        media_root.mkdir(parents=True, exist_ok=True)
        for member in members:
            member = member.replace(name=member.name[len(MEDIA_PREFIX) + 1 :], deep=False)
            tar.extract(member, media_root, filter="data")

    mismatches = []
    with connection.cursor() as cursor:
        restored = table_states(cursor, connection.vendor)
    for table, state in manifest.tables.items():
        got = restored.get(table)
        if got is None:
            mismatches.append(f"table {table} is missing")
        elif got.rows != state.rows:
            mismatches.append(f"table {table}: {got.rows} rows, the backup had {state.rows}")
        elif got.sha256 != state.sha256:
            mismatches.append(f"table {table}: its content differs from the backup")
    for rel, sha in manifest.media.items():
        file = media_root / rel
        if not file.is_file() or _sha256_file(file) != sha:
            mismatches.append(f"media file {rel} is missing or differs")
    head = manifest.audit_head
    chain = walk_chain(expected_head=(head["id"], head["hash"]) if head else None)
    if chain.broken is not None:
        mismatches.append(f"audit chain broken at record {chain.broken.id}: {chain.broken.problem}")
    elif head and (chain.head is None or chain.head.id != head["id"]):
        mismatches.append("the audit chain's last record is not the head the backup names")
    if not getattr(chain, "triggers_present", True):
        mismatches.append("the audit table's append-only triggers are missing")
    return RestoreReport(
        manifest=manifest,
        tables=len(restored),
        rows=sum(s.rows for s in restored.values()),
        media_files=len(manifest.media),
        audit_records=chain.count,
        mismatches=mismatches,
        needs_migrate=_needs_migrate(),
    )
