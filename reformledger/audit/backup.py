"""Backing up the whole system into one file and restoring it (数据备份与恢复).

A backup is a tar archive (gzip-compressed when its name ends in .gz or .tgz, before
an optional .enc), encrypted as a whole with AES-256-GCM in chunks under a key derived
from the operator's backup key (`backup_encryption`); the tar inside holds:

    manifest.json       what the backup holds, to check a restore against
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.dump       PostgreSQL: `pg_dump --format=custom`
    media/...           the uploaded files (MEDIA_ROOT)

The database copy, the row counts, the per-table content hashes and the audit chain
head are all read in one snapshot (one read transaction; on PostgreSQL pg_dump joins
it through `--snapshot`), so the backup is consistent while the system keeps writing
and the manifest describes exactly the rows in the copy.

The manifest also holds the SHA-256 of the database copy and of every uploaded file,
and is signed (HMAC-SHA256, `manifest.sig`) with a key derived from the backup key
the operator keeps outside the archive (RL_BACKUP_KEY_FILE or RL_BACKUP_KEY): whoever
changes a row of the copy cannot write a manifest that matches without the key. The
signature is checked inside the decrypted archive too, and alone in a plain archive
(written with --unencrypted, or of format 2, signed with the backup key itself).

A restore goes only into an empty instance. Before it touches the target it decrypts
the archive into a staging folder (every chunk authenticated), checks the signature,
and every byte of the archive against the manifest, in that folder. It then loads
the copy, checks every table's row count and content hash against the manifest and
walks the audit chain up to the head the manifest names.
If anything fails after the target was touched, the target is put back as it was
found (the database from a copy taken first, the uploaded files removed).
"""

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
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

from reformledger.audit.backup_encryption import (
    DecryptingReader,
    EncryptingWriter,
    EnvelopeError,
    archive_header,
    decrypt_file,
    key_id,
    signing_key,
)

FORMAT = "reformledger-backup/3"
#: Format 1 (before signatures and the database copy's hash) restores with --unsigned;
#: format 2 (a plain archive whose manifest is signed with the backup key itself) with
#: --unencrypted. Format 3 signs with a key derived from it (`signing_key`).
FORMATS = ("reformledger-backup/1", "reformledger-backup/2", FORMAT)
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
#: The shortest key accepted (bytes): 256 bits, as `openssl rand -hex 32` gives.
KEY_MIN_BYTES = 32
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
MEDIA_PREFIX = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


class RestoreMismatch(BackupError):
    """The restored data did not match the manifest; the target was put back empty."""

    def __init__(self, mismatches: list[str]):
        self.mismatches = mismatches
        listed = "\n  ".join(mismatches)
        super().__init__(
            f"The restored data does not match the backup:\n  {listed}\n"
            "Nothing of it was kept: the target is as it was before the restore."
        )


#: What reading a damaged or cut-short archive can raise, at any point.
ARCHIVE_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, KeyError, UnicodeError)


def _damaged(path: Path, exc: BaseException) -> BackupError:
    why = str(exc) or type(exc).__name__
    return BackupError(
        f"{path} cannot be read whole ({why}): the archive is damaged or cut short. "
        "Nothing was restored; use another copy of the backup."
    )


# --- the signing key ------------------------------------------------------------


def backup_key(key_file: Path | None = None) -> bytes | None:
    """The key that signs and checks manifests: from `key_file`, else the file
    RL_BACKUP_KEY_FILE names, else RL_BACKUP_KEY; None when none is set. A key file
    others may read, or a key shorter than 32 bytes, is refused."""
    if key_file is None and settings.RL_BACKUP_KEY_FILE:
        key_file = Path(settings.RL_BACKUP_KEY_FILE)
    if key_file is not None:
        key_file = Path(key_file)
        try:
            mode = key_file.stat().st_mode
            raw = key_file.read_bytes().strip()
        except OSError as exc:
            raise BackupError(
                f"The backup key file {key_file} cannot be read ({exc.strerror})."
            ) from exc
        if mode & 0o077:
            raise BackupError(
                f"The backup key file {key_file} may be read by others (mode "
                f"{mode & 0o777:o}): make it readable by the service account only "
                f"(chmod 600 {key_file})."
            )
        source = str(key_file)
    elif settings.RL_BACKUP_KEY:
        raw, source = settings.RL_BACKUP_KEY.strip().encode(), "RL_BACKUP_KEY"
    else:
        return None
    if len(raw) < KEY_MIN_BYTES:
        raise BackupError(
            f"The backup key in {source} is too short: it needs at least {KEY_MIN_BYTES} "
            "characters (make one with `openssl rand -hex 32`)."
        )
    return raw


def _mac_key(key: bytes, fmt: str) -> bytes:
    """The HMAC key of a manifest of format `fmt`: derived from the backup key since
    format 3, the backup key itself before."""
    return signing_key(key) if fmt == FORMAT else key


def sign(manifest: bytes, key: bytes, *, fmt: str = FORMAT) -> bytes:
    """The signature of the manifest's exact bytes (manifest.sig), by the backup key
    `key` (its id, and the HMAC under the key derived from it)."""
    body = {
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": key_id(key),
        "hmac": hmac.new(_mac_key(key, fmt), manifest, hashlib.sha256).hexdigest(),
    }
    return json.dumps(body, sort_keys=True).encode()


def verify_signature(manifest: bytes, signature: bytes, key: bytes, *, fmt: str = FORMAT) -> None:
    """Raise BackupError unless `signature` is the key's HMAC of `manifest` (a manifest
    of format `fmt`)."""
    try:
        body = json.loads(signature)
        algorithm, signed_by, mac = body["algorithm"], body["key_id"], body["hmac"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError("The archive's signature (manifest.sig) is unreadable.") from exc
    if algorithm != SIGNATURE_ALGORITHM:
        raise BackupError(f"The archive is signed with {algorithm!r}, not {SIGNATURE_ALGORITHM}.")
    expected = hmac.new(_mac_key(key, fmt), manifest, hashlib.sha256).hexdigest()
    if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
        if signed_by != key_id(key):
            raise BackupError(
                f"The archive was signed with key {signed_by}, not with this key "
                f"({key_id(key)}): restore with the key that signed it (--key-file)."
            )
        raise BackupError(
            "The archive's signature does not match its manifest: the archive was "
            "changed after it was written. Refusing to restore it."
        )


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
    database_sha256: str | None = None  # of the database copy's file (format 2)

    def to_json(self) -> bytes:
        body = {
            "format": self.format,
            "created": self.created,
            "app_version": self.app_version,
            "vendor": self.vendor,
            "server_version": self.server_version,
            "database": self.database,
            "database_sha256": self.database_sha256,
            "audit_head": self.audit_head,
            "tables": {k: {"rows": v.rows, "sha256": v.sha256} for k, v in self.tables.items()},
            "media": self.media,
        }
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        try:
            body = json.loads(raw)
            if not isinstance(body, dict) or body.get("format") not in FORMATS:
                raise BackupError(f"Not a Reform Ledger backup of format {FORMAT}.")
            body["tables"] = {k: TableState(**v) for k, v in body["tables"].items()}
            return cls(**body)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BackupError(f"The backup's manifest is unreadable ({exc}).") from exc


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


def backup(
    path: Path, *, key: bytes | None, unsigned: bool = False, unencrypted: bool = False
) -> Manifest:
    """Write a backup of the database and the uploaded files to `path` (mode 0600:
    it holds personal data), encrypted and its manifest signed with keys derived from
    `key`, and return the manifest. Without a key it refuses, unless told `unsigned` (a
    plain, unsigned development copy, which a restore refuses unless told so too);
    `unencrypted` writes a plain archive whose manifest is still signed."""
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    if key is None and not unsigned:
        raise BackupError(
            "No backup key: set RL_BACKUP_KEY_FILE (a file only the service account can "
            "read) or RL_BACKUP_KEY, so the archive is signed; or give --unsigned for a "
            "development copy that nobody restores in production."
        )
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
            database_sha256=_sha256_file(dump),
        )
        partial = Path(work) / "backup.part"
        name = path.name.removesuffix(".enc")
        mode = "w|gz" if name.endswith((".gz", ".tgz")) else "w|"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            # Streamed (tar's "w|" modes): the archive never sits in memory whole.
            sink = out if key is None or unencrypted else EncryptingWriter(out, key)
            with tarfile.open(fileobj=sink, mode=mode) as tar:
                tar.add(dump, arcname=dump.name)
                media_root = Path(settings.MEDIA_ROOT)
                for file in _media_files(media_root):
                    rel = file.relative_to(media_root).as_posix()
                    manifest.media[rel] = _sha256_file(file)
                    tar.add(file, arcname=f"{MEDIA_PREFIX}/{rel}")
                body = manifest.to_json()
                _add_bytes(tar, MANIFEST, body)
                if key is not None:
                    _add_bytes(tar, SIGNATURE, sign(body, key))
            if sink is not out:
                sink.close()  # the final chunk
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    return manifest


def _add_bytes(tar: tarfile.TarFile, name: str, body: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(body), int(dt.datetime.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(body))


def read_signed_manifest(path: Path, *, key: bytes | None = None) -> tuple[bytes, bytes | None]:
    """The manifest's exact bytes and its signature (None if unsigned) of the backup
    at `path` (an encrypted one is decrypted with `key` as it is read, a chunk at a
    time, to its end); a damaged or cut-short archive is a BackupError saying so."""
    path = Path(path)
    if (header := _header(path)) is not None:
        if key is None:
            raise BackupError(_no_key(path, header.key_id))
        return _read_encrypted_manifest(path, key)
    try:
        with tarfile.open(path, "r:*") as tar:
            names = {m.name: m for m in tar.getmembers()}  # reads the archive to its end
            if MANIFEST not in names:
                raise BackupError(_no_manifest(path))
            manifest = tar.extractfile(names[MANIFEST]).read()
            signed = names.get(SIGNATURE)
            signature = tar.extractfile(signed).read() if signed is not None else None
    except BackupError:
        raise
    except ARCHIVE_ERRORS as exc:
        raise _damaged(path, exc) from exc
    return manifest, signature


def _no_manifest(path: Path) -> str:
    return (
        f"{path} holds no manifest.json: it is not a Reform Ledger backup, or it was cut "
        "short before its end. Nothing was restored."
    )


def _read_encrypted_manifest(path: Path, key: bytes) -> tuple[bytes, bytes | None]:
    found: dict[str, bytes] = {}
    try:
        with path.open("rb") as source:
            plain = DecryptingReader(source, key, str(path))
            with tarfile.open(fileobj=plain, mode="r|*") as tar:
                for member in tar:
                    if member.name in (MANIFEST, SIGNATURE) and member.isfile():
                        found[member.name] = tar.extractfile(member).read()
            while plain.read(_CHUNK):  # to the final chunk: the whole archive proven
                pass
    except EnvelopeError as exc:
        raise BackupError(str(exc)) from exc
    except ARCHIVE_ERRORS as exc:
        raise _damaged(path, exc) from exc
    if MANIFEST not in found:
        raise BackupError(_no_manifest(path))
    return found[MANIFEST], found.get(SIGNATURE)


def read_manifest(path: Path, *, key: bytes | None = None) -> Manifest:
    """The manifest of the backup at `path` (its signature unchecked; an encrypted
    archive is read with `key`)."""
    return Manifest.from_json(read_signed_manifest(path, key=key)[0])


def _header(path: Path):
    """The encryption header of the archive at `path`, None for a plain archive."""
    try:
        return archive_header(path)
    except EnvelopeError as exc:
        raise BackupError(str(exc)) from exc
    except OSError as exc:
        raise BackupError(f"{path} cannot be read ({exc.strerror}).") from exc


def _no_key(path: Path, made_with: str) -> str:
    return (
        f"No backup key to decrypt {path}, which was encrypted with backup key "
        f"{made_with}: set RL_BACKUP_KEY_FILE or RL_BACKUP_KEY (or give --key-file) to "
        "that key."
    )


def is_encrypted(path: Path) -> bool:
    """True when the archive at `path` is encrypted (starts with the envelope's header)."""
    return _header(Path(path)) is not None


# --- restore --------------------------------------------------------------------


@dataclass
class RestoreReport:
    """What a restore put back and what it checked."""

    manifest: Manifest
    tables: int
    rows: int
    media_files: int
    audit_records: int
    needs_migrate: bool


def _refuse_other_vendor(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.vendor} database; this instance runs on "
            f"{connection.vendor}. Restore it into an instance on {manifest.vendor}."
        )


def _refuse_unless_empty() -> None:
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


def _media_name(member: tarfile.TarInfo, manifest: Manifest) -> str | None:
    """The media path of an archive entry (checked to stay inside the media folder
    and to be listed), or None for the entries that are not media."""
    name = PurePosixPath(member.name)
    if name.parts[:1] != (MEDIA_PREFIX,):
        if member.name in (MANIFEST, SIGNATURE, manifest.database):
            return None
        raise BackupError(f"The backup holds an entry its manifest does not list: {member.name}.")
    rel = PurePosixPath(*name.parts[1:])
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"The backup holds an unsafe entry {member.name!r}.")
    if str(rel) not in manifest.media:
        raise BackupError(f"The backup holds a file its manifest does not list: {rel}.")
    return str(rel)


def _stage(path: Path, manifest: Manifest, work: Path) -> tuple[Path, Path]:
    """Unpack the archive into `work` and check every byte of it against the manifest:
    the database copy's hash (format 2) and each uploaded file's. Returns the copy and
    the folder of staged media. The target is not touched."""
    staged_media = work / MEDIA_PREFIX
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                rel = _media_name(member, manifest)
                if member.name == manifest.database or rel is not None:
                    tar.extract(member, work, filter="data")
    except BackupError:
        raise
    except ARCHIVE_ERRORS as exc:
        raise _damaged(path, exc) from exc
    dump = work / manifest.database
    if not dump.is_file():
        raise BackupError(f"The backup holds no database copy ({manifest.database}).")
    if manifest.database_sha256 is not None and _sha256_file(dump) != manifest.database_sha256:
        raise BackupError(
            f"The database copy {manifest.database} differs from the manifest's hash: the "
            "archive was changed after it was written. Nothing was restored."
        )
    for rel, sha in manifest.media.items():
        file = staged_media / rel
        if not file.is_file() or _sha256_file(file) != sha:
            raise BackupError(
                f"The uploaded file {rel} is missing from the archive or differs from the "
                "manifest. Nothing was restored."
            )
    return dump, staged_media


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


def _load_postgresql(dump: Path, *, clean: bool = True) -> None:
    """pg_restore the dump into the database in one transaction (all or nothing)."""
    pg_restore = pg_tool("pg_restore")
    connection.close()
    _run(
        [
            pg_restore,
            *(["--clean", "--if-exists"] if clean else []),
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ]
    )


_PG_OBJECTS = (
    # (what to drop, the query that names each in the current schema)
    "SELECT format('DROP VIEW IF EXISTS %I.%I CASCADE', schemaname, viewname) "
    "FROM pg_views WHERE schemaname = current_schema()",
    "SELECT format('DROP TABLE IF EXISTS %I.%I CASCADE', schemaname, tablename) "
    "FROM pg_tables WHERE schemaname = current_schema()",
    "SELECT format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', sequence_schema, sequence_name) "
    "FROM information_schema.sequences WHERE sequence_schema = current_schema()",
    "SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema() AND p.prokind = 'f'",
)


class _TargetGuard:
    """Puts the target back as the restore found it if anything fails once it was
    touched: the database from a copy taken before loading (SQLite's backup API, or
    pg_dump), the uploaded files by removing what was moved in."""

    def __init__(self, work: Path, media_root: Path):
        self.work, self.media_root = work, media_root
        self.media_existed = media_root.exists()
        self.dirs_before = (
            {p for p in media_root.rglob("*") if p.is_dir()} if media_root.exists() else set()
        )
        self.moved: list[Path] = []
        self.before: Path | None = None

    def keep_database(self) -> None:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self.before = self.work / "target-before.sqlite3"
            copy = sqlite3.connect(self.before)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
        else:
            self.before = self.work / "target-before.dump"
            connection.close()
            _run([pg_tool("pg_dump"), "--format=custom", f"--file={self.before}"])

    def move_media(self, staged: Path) -> None:
        self.media_root.mkdir(parents=True, exist_ok=True)
        for file in sorted(p for p in staged.rglob("*") if p.is_file()):
            target = self.media_root / file.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.moved.append(target)
            shutil.move(file, target)

    def put_back(self) -> None:
        for file in reversed(self.moved):
            file.unlink(missing_ok=True)
        if self.media_root.exists():
            made = [
                p for p in self.media_root.rglob("*") if p.is_dir() and p not in self.dirs_before
            ]
            for folder in sorted(made, key=lambda p: len(p.parts), reverse=True):
                if not any(folder.iterdir()):
                    folder.rmdir()
            if not self.media_existed and not any(self.media_root.iterdir()):
                self.media_root.rmdir()
        if self.before is None:
            return
        if connection.vendor == "sqlite":
            _load_sqlite(self.before)
            return
        connection.close()
        with transaction.atomic(), connection.cursor() as cursor:
            for query in _PG_OBJECTS:
                cursor.execute(query)
                for (statement,) in cursor.fetchall():
                    cursor.execute(statement)
        connection.close()
        _load_postgresql(self.before, clean=False)


def _needs_migrate() -> bool:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def check_signature(path: Path, *, key: bytes | None, unsigned: bool = False) -> Manifest:
    """The manifest of the (plain or decrypted) backup at `path` once its signature
    holds; with `unsigned` the signature is not checked (a development copy)."""
    raw, signature = read_signed_manifest(path)
    manifest = Manifest.from_json(raw)
    if unsigned:
        return manifest
    if signature is None:
        raise BackupError(
            "The archive is not signed, so nothing proves it is the backup that was "
            "written: refusing to restore it. Restore a signed backup, or give --unsigned "
            "for a development copy you trust."
        )
    if key is None:
        raise BackupError(
            "No backup key to check the archive's signature: set RL_BACKUP_KEY_FILE or "
            "RL_BACKUP_KEY (or give --key-file) to the key that signed it."
        )
    verify_signature(raw, signature, key, fmt=manifest.format)
    return manifest


def _plain_tar(path: Path) -> bool:
    """True when `path` starts as a gzip stream or a tar archive does."""
    with path.open("rb") as source:
        start = source.read(512)
    return start[:2] == b"\x1f\x8b" or start[257:262] == b"ustar"


def _open_envelope(path: Path, *, key: bytes | None, unencrypted: bool):
    """The encryption header of the archive at `path` once it is known to be made with
    `key`; None for a plain archive, which is refused unless told `unencrypted`."""
    header = _header(path)
    if header is None:
        if not _plain_tar(path):
            raise BackupError(
                f"{path} is neither an encrypted backup nor a plain tar archive: it was "
                "altered or damaged at its start, or it is not a Reform Ledger backup. "
                "Nothing was restored; use another copy of the backup."
            )
        if not unencrypted:
            raise BackupError(
                f"{path} is not encrypted: refusing to restore a plain archive. Restore an "
                "encrypted backup, or give --unencrypted for a development copy (or an "
                "archive written before backups were encrypted) you trust."
            )
        return None
    if key is None:
        raise BackupError(_no_key(path, header.key_id))
    try:
        header.verify(key, str(path))
    except EnvelopeError as exc:
        raise BackupError(str(exc)) from exc
    return header


def restore(
    path: Path, *, key: bytes | None, unsigned: bool = False, unencrypted: bool = False
) -> RestoreReport:
    """Restore the backup at `path` into this empty instance and check it against its
    manifest: the archive decrypted (every chunk authenticated), its signature and
    every byte of it first (in a staging folder, before the target is touched), then
    every table's row count and content hash, the media files, and the audit chain,
    walked to the head the manifest names. Any failure once the target was touched
    puts it back as it was found. A plain archive is refused unless `unencrypted` (or
    `unsigned`, which implies it: an unsigned archive was written without a key)."""
    path = Path(path)
    header = _open_envelope(path, key=key, unencrypted=unencrypted or unsigned)
    _refuse_unless_empty()  # before a long decryption
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as tmp:
        work = Path(tmp)
        archive = path
        if header is not None:
            archive = work / "archive.tar"
            try:
                decrypt_file(path, archive, key)
            except EnvelopeError as exc:
                raise BackupError(str(exc)) from exc
        manifest = check_signature(archive, key=key, unsigned=unsigned)
        if manifest.database != DUMP_NAMES.get(manifest.vendor):
            raise BackupError(
                f"The backup names an unexpected database file {manifest.database!r}."
            )
        _refuse_other_vendor(manifest)
        dump, staged_media = _stage(archive, manifest, work)
        if archive != path:
            archive.unlink()  # unpacked: its room is needed for the load
        guard = _TargetGuard(work, media_root)
        guard.keep_database()
        try:
            report = _load_and_check(manifest, dump, staged_media, guard)
        except BaseException as exc:
            try:
                guard.put_back()
            except Exception as undo:
                raise BackupError(
                    f"The restore failed ({exc}) and the target could not be put back as it "
                    f"was ({undo}): drop its database and empty {media_root} by hand before "
                    "trying again."
                ) from undo
            raise
    return report


def _load_and_check(
    manifest: Manifest, dump: Path, staged_media: Path, guard: _TargetGuard
) -> RestoreReport:
    from reformledger.audit.selectors import walk_chain

    if manifest.vendor == "sqlite":
        _load_sqlite(dump)
    else:
        _load_postgresql(dump)
    guard.move_media(staged_media)

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
        file = guard.media_root / rel
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
    if mismatches:
        raise RestoreMismatch(mismatches)
    return RestoreReport(
        manifest=manifest,
        tables=len(restored),
        rows=sum(s.rows for s in restored.values()),
        media_files=len(manifest.media),
        audit_records=chain.count,
        needs_migrate=_needs_migrate(),
    )
