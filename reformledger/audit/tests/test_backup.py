"""Backup and restore (数据备份恢复), run as an operator runs them: `reformledger backup`
and `reformledger restore` in processes of their own, with the real settings read from
the environment, against the test database and an empty instance beside it. The
archive is encrypted and its manifest signed with keys derived from a key kept outside
the archive; an archive made with another key, altered, forged, wrongly signed,
unsigned, plain or cut short is refused before the target is touched, and a restore
that fails a check after loading leaves the target empty as it found it."""

import hashlib
import hmac
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from reformledger.audit.backup import (
    MANIFEST,
    SIGNATURE,
    BackupError,
    Manifest,
    database_states,
    key_id,
    pg_tool,
    read_manifest,
    read_signed_manifest,
    sign,
    table_states,
    verify_signature,
)
from reformledger.audit.backup_encryption import MAGIC, EncryptingWriter, decrypt_file
from reformledger.audit.selectors import chain_head
from reformledger.core.tests.instance import database_url, instance_env, reformledger
from reformledger.ledger import services as ledger

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4 implementation plan"
KEY = b"3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
OTHER_KEY = "0" * 64


@pytest.fixture
def key_file(tmp_path) -> Path:
    """The operator's backup key, in a file only the service account reads."""
    path = tmp_path / "backup.key"
    path.write_bytes(KEY + b"\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def source(world, key_file) -> dict[str, str]:
    """The running instance: the test database with the world in it and one uploaded
    evidence file; its backups are signed with the key."""
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "2016" / "方案.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(PDF)
    yield instance_env(
        connection.settings_dict, Path(settings.MEDIA_ROOT), RL_BACKUP_KEY_FILE=str(key_file)
    )
    evidence.unlink()


def _new_database(db: dict) -> None:
    admin = psycopg.connect(database_url({**db, "NAME": "postgres"}), autocommit=True)
    with admin:
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _drop_database(db: dict) -> None:
    admin = psycopg.connect(database_url({**db, "NAME": "postgres"}), autocommit=True)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')


@pytest.fixture
def empty_instance(tmp_path, key_file):
    """A new, empty instance: a database nobody has written to and an empty media
    folder, with the same backup key. On PostgreSQL a database created for the test
    and dropped after it."""
    media = tmp_path / "restored-media"
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
        yield db, instance_env(db, media, RL_BACKUP_KEY_FILE=str(key_file)), media
        return
    db["NAME"] = f"rl_ops_restore_{uuid.uuid4().hex[:8]}"
    _new_database(db)
    try:
        yield db, instance_env(db, media, RL_BACKUP_KEY_FILE=str(key_file)), media
    finally:
        _drop_database(db)


def _plain(archive: Path, work: Path) -> Path:
    """The tar inside the encrypted `archive`, decrypted with the key into `work`."""
    out = work / f"{archive.name}.{uuid.uuid4().hex[:8]}.plain"
    decrypt_file(archive, out, KEY)
    return out


def _seal(plain: Path, out: Path) -> None:
    """Encrypt the tar `plain` into `out` with the key, as `backup` does."""
    with plain.open("rb") as source, out.open("wb") as sink:
        writer = EncryptingWriter(sink, KEY)
        shutil.copyfileobj(source, writer)
        writer.close()


def _reseal(archive: Path, out: Path, replace: dict[str, bytes | None], work: Path) -> None:
    """`_rewrite` inside the encrypted `archive`, sealed again with the key: what only
    the key's holder can do, so the envelope and signature hold and what is checked is
    the content."""
    rewritten = work / f"{out.name}.plain"
    _rewrite(_plain(archive, work), rewritten, replace)
    _seal(rewritten, out)


def _rewrite(archive: Path, out: Path, replace: dict[str, bytes | None]) -> None:
    """Copy the tar `archive` to `out`, with the entries named in `replace` given new
    content (None: left out)."""
    with tarfile.open(archive) as tar, tarfile.open(out, "w") as copy:
        for member in tar.getmembers():
            if member.name in replace:
                body = replace[member.name]
                if body is None:
                    continue
                member.size = len(body)
                copy.addfile(member, io.BytesIO(body))
            else:
                copy.addfile(member, tar.extractfile(member))


def _assert_empty(db: dict, media: Path) -> None:
    """The target holds no row and no uploaded file: as the restore found it."""
    states = database_states(db)
    assert sum(s.rows for s in states.values()) == 0, {
        t: s.rows for t, s in states.items() if s.rows
    }
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_backup_restores_into_an_empty_instance_with_the_same_rows_files_and_chain(
    source, empty_instance, tmp_path
):
    db, target_env, media = empty_instance
    archive = tmp_path / "ledger.tar.gz.enc"
    before = database_states(connection.settings_dict)
    head = chain_head()

    made = reformledger("backup", str(archive), env=source)
    assert made.returncode == 0, made.stderr
    assert f"Audit chain head: {head.id} {head.hash}" in made.stdout
    assert (
        f"encrypted (AES-256-GCM, 1 MiB chunks) and manifest signed (HMAC-SHA256) "
        f"with backup key {key_id(KEY)}" in made.stdout
    )
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    data = archive.read_bytes()
    assert data.startswith(MAGIC)
    assert b"manifest.json" not in data and PDF not in data and b"ustar" not in data
    manifest = read_manifest(archive, key=KEY)
    assert manifest.tables == before
    assert manifest.audit_head["id"] == head.id
    assert manifest.vendor == connection.vendor
    with tarfile.open(_plain(archive, tmp_path)) as tar:
        names = tar.getnames()
    assert MANIFEST in names and SIGNATURE in names
    assert "media/evidence/2016/方案.pdf" in names

    restored = reformledger("restore", str(archive), env=target_env)
    assert restored.returncode == 0, restored.stderr
    assert "Decrypted: every chunk of the archive is authentic and whole." in restored.stdout
    assert "Restore complete." in restored.stdout

    after = database_states(db)
    assert {t: s.rows for t, s in after.items()} == {t: s.rows for t, s in before.items()}
    assert after == before  # the same rows, hash by hash, table by table
    assert (media / "evidence" / "2016" / "方案.pdf").read_bytes() == PDF
    verified = reformledger("verify_audit", "--head", f"{head.id}:{head.hash}", env=target_env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_restore_refuses_an_instance_that_already_holds_data(source, tmp_path):
    archive = tmp_path / "ledger.tar"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    tasks = connection.cursor()
    tasks.execute("SELECT COUNT(*) FROM ledger_task")
    count = tasks.fetchone()[0]

    refused = reformledger("restore", str(archive), env=source)

    assert refused.returncode != 0
    assert "Refusing to restore: the target database is not empty" in refused.stderr
    tasks.execute("SELECT COUNT(*) FROM ledger_task")
    assert tasks.fetchone()[0] == count  # nothing was touched


def test_backup_taken_while_a_task_is_being_edited_is_consistent(
    source, empty_instance, world, office_staff, tmp_path
):
    db, target_env, _media = empty_instance
    archive = tmp_path / "busy.tar.gz"
    task = world.task_boluo
    first_version = task.version
    stop = threading.Event()
    edits = []

    def edit_all_the_time():
        try:
            current = task
            while not stop.is_set():
                current = ledger.task_update(
                    task=current, by=office_staff, description=f"第{len(edits) + 1}次修改"
                )
                edits.append(current.version)
        finally:
            connections.close_all()

    writer = threading.Thread(target=edit_all_the_time)
    writer.start()
    try:
        made = reformledger("backup", str(archive), env=source)
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert edits, "the task was edited while the backup ran"

    restored = reformledger("restore", str(archive), env=target_env)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert database_states(db) == read_manifest(archive, key=KEY).tables
    # The copy holds whole edits only: each version it shows has its audit record.
    version, updates = _query(
        db,
        "SELECT (SELECT version FROM ledger_task WHERE id = %s), "
        "(SELECT COUNT(*) FROM audit_auditrecord WHERE verb = 'task.updated' "
        "AND obj_type = 'ledger.task' AND obj_id = %s)",
        [task.pk, str(task.pk)],
    )
    assert version - first_version == updates
    assert version < edits[-1]  # the edits went on after the snapshot was taken


def _query(db: dict, sql: str, params: list) -> tuple:
    """One row from the database `db` (not the test's own connection)."""
    from django.db.utils import load_backend

    wrapper = load_backend(db["ENGINE"]).DatabaseWrapper(db, alias="restored")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        wrapper.close()


def test_restore_names_the_table_that_does_not_match_its_manifest(source, empty_instance, tmp_path):
    db, target_env, media = empty_instance
    archive, altered = tmp_path / "ledger.tar", tmp_path / "altered.tar"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    manifest = read_manifest(archive, key=KEY)
    manifest.tables["ledger_task"].rows += 1  # as if a task had been lost on the way
    body = manifest.to_json()  # sealed with the key: the archive itself is intact
    _reseal(archive, altered, {MANIFEST: body, SIGNATURE: sign(body, KEY)}, tmp_path)

    restored = reformledger("restore", str(altered), env=target_env)

    assert restored.returncode != 0
    rows = manifest.tables["ledger_task"].rows
    assert f"table ledger_task: {rows - 1} rows, the backup had {rows}" in restored.stderr
    assert "the target is as it was before the restore" in restored.stderr
    _assert_empty(db, media)


def test_a_failed_restore_leaves_the_target_empty_as_it_found_it(source, empty_instance, tmp_path):
    db, target_env, media = empty_instance
    archive, altered = tmp_path / "ledger.tar.gz", tmp_path / "altered.tar"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    manifest = read_manifest(archive, key=KEY)
    manifest.tables["orgs_unit"].sha256 = "0" * 64  # a check that fails once loaded
    body = manifest.to_json()
    _reseal(archive, altered, {MANIFEST: body, SIGNATURE: sign(body, KEY)}, tmp_path)

    restored = reformledger("restore", str(altered), env=target_env)

    assert restored.returncode != 0
    assert "table orgs_unit: its content differs from the backup" in restored.stderr
    assert "Traceback" not in restored.stderr
    _assert_empty(db, media)  # no row in any table, no uploaded file
    # The same instance then takes the intact backup.
    again = reformledger("restore", str(archive), env=target_env)
    assert again.returncode == 0, again.stderr
    assert database_states(db) == manifest_tables(archive)


def manifest_tables(archive: Path):
    return read_manifest(archive, key=KEY).tables


# --- forged, wrongly signed, unsigned and cut-short archives ----------------------


def _forge_a_row(archive: Path, out: Path, work: Path) -> None:
    """What someone with the archive but not the key can do: change one row of the
    database copy and write a manifest that matches it (counts, hashes), keeping the
    old signature."""
    manifest = read_manifest(archive)
    with tarfile.open(archive) as tar:
        tar.extract(manifest.database, work, filter="data")
    dump = work / manifest.database
    sql = "UPDATE ledger_task SET title = '已完成（伪造）' WHERE code = '2016-003'"
    if manifest.vendor == "sqlite":
        copy = sqlite3.connect(dump)
        with copy:
            copy.execute(sql)
            manifest.tables = table_states(copy.cursor(), "sqlite")
        copy.close()
    else:
        scratch = {**connection.settings_dict, "NAME": f"rl_forge_{uuid.uuid4().hex[:8]}"}
        _new_database(scratch)
        try:
            env = {"PGPASSWORD": scratch.get("PASSWORD") or ""}
            url = database_url(scratch)
            subprocess.run(  # noqa: S603
                [pg_tool("pg_restore"), "--no-owner", f"--dbname={url}", str(dump)],
                check=True,
                env=env,
            )
            with psycopg.connect(url) as forged:
                forged.execute(sql)
                forged.commit()
                manifest.tables = table_states(forged.cursor(), "postgresql")
            subprocess.run(  # noqa: S603
                [pg_tool("pg_dump"), "--format=custom", f"--file={dump}", url],
                check=True,
                env=env,
            )
        finally:
            _drop_database(scratch)
    manifest.database_sha256 = hashlib.sha256(dump.read_bytes()).hexdigest()
    _rewrite(archive, out, {MANIFEST: manifest.to_json(), manifest.database: dump.read_bytes()})


def test_a_changed_row_with_a_recomputed_manifest_is_refused(source, empty_instance, tmp_path):
    """Inside a plain archive (--unencrypted), the manifest's signature is what holds."""
    db, target_env, media = empty_instance
    archive, forged = tmp_path / "ledger.tar", tmp_path / "forged.tar"
    made = reformledger("backup", "--unencrypted", str(archive), env=source)
    assert made.returncode == 0, made.stderr
    assert "UNENCRYPTED" in made.stderr
    _forge_a_row(archive, forged, tmp_path)
    assert (
        read_manifest(forged).tables["ledger_task"] != read_manifest(archive).tables["ledger_task"]
    )

    refused = reformledger("restore", "--unencrypted", str(forged), env=target_env)

    assert refused.returncode != 0
    assert "signature does not match its manifest" in refused.stderr
    _assert_empty(db, media)
    # Without its signature it is refused as unsigned.
    stripped = tmp_path / "stripped.tar"
    _rewrite(forged, stripped, {SIGNATURE: None})
    unsigned = reformledger("restore", "--unencrypted", str(stripped), env=target_env)
    assert unsigned.returncode != 0 and "The archive is not signed" in unsigned.stderr
    _assert_empty(db, media)


def test_an_archive_checked_with_the_wrong_key_is_refused(source, empty_instance, tmp_path):
    """Restored with another key, the archive is refused naming the key it was made with."""
    db, target_env, media = empty_instance
    archive = tmp_path / "ledger.tar.gz.enc"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    wrong = {k: v for k, v in target_env.items() if k != "RL_BACKUP_KEY_FILE"}
    wrong["RL_BACKUP_KEY"] = OTHER_KEY

    refused = reformledger("restore", str(archive), env=wrong)

    assert refused.returncode != 0
    assert f"encrypted with backup key {key_id(KEY)}, not with this key" in refused.stderr
    assert f"({key_id(OTHER_KEY.encode())})" in refused.stderr and "--key-file" in refused.stderr
    assert "Traceback" not in refused.stderr
    _assert_empty(db, media)


def test_a_signature_checked_with_the_wrong_key_names_the_key_that_signed_it():
    body = b'{"format": "reformledger-backup/3"}'
    with pytest.raises(BackupError, match=f"signed with key {key_id(KEY)}, not with this key"):
        verify_signature(body, sign(body, KEY), OTHER_KEY.encode())
    verify_signature(body, sign(body, KEY), KEY)


def test_a_format_2_signature_is_under_the_key_itself_and_format_3_under_a_derived_key():
    """A plain archive written before encryption (format 2) still checks out; its
    signature and a format-3 one are not interchangeable."""
    body, fmt2 = b'{"format": "reformledger-backup/2"}', "reformledger-backup/2"
    old = sign(body, KEY, fmt=fmt2)
    assert json.loads(old)["hmac"] == hmac.new(KEY, body, hashlib.sha256).hexdigest()
    verify_signature(body, old, KEY, fmt=fmt2)
    with pytest.raises(BackupError, match="does not match its manifest"):
        verify_signature(body, sign(body, KEY), KEY, fmt=fmt2)
    with pytest.raises(BackupError, match="does not match its manifest"):
        verify_signature(body, old, KEY)


def test_one_flipped_byte_in_the_middle_is_refused_naming_the_chunk(
    source, empty_instance, tmp_path
):
    db, target_env, media = empty_instance
    archive, flipped = tmp_path / "ledger.tar.enc", tmp_path / "flipped.tar.enc"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x01
    flipped.write_bytes(bytes(data))
    chunk = 1 + (middle - 61) // (1024 * 1024 + 21)  # header 61 bytes; frame 5 + tag 16

    refused = reformledger("restore", str(flipped), env=target_env)

    assert refused.returncode != 0
    assert f"was altered or damaged: chunk {chunk} (from byte" in refused.stderr
    assert "Traceback" not in refused.stderr
    _assert_empty(db, media)


def test_a_plain_archive_is_refused_unless_told_unencrypted(source, empty_instance, tmp_path):
    """A plain archive, here one of format 2 as written before backups were encrypted
    (its manifest signed with the backup key itself), restores only when told so."""
    db, target_env, media = empty_instance
    archive, old = tmp_path / "plain.tar", tmp_path / "format-2.tar"
    assert reformledger("backup", "--unencrypted", str(archive), env=source).returncode == 0
    assert not archive.read_bytes().startswith(MAGIC)
    manifest = read_manifest(archive)
    manifest.format = "reformledger-backup/2"
    body = manifest.to_json()
    _rewrite(archive, old, {MANIFEST: body, SIGNATURE: sign(body, KEY, fmt=manifest.format)})

    refused = reformledger("restore", str(old), env=target_env)
    assert refused.returncode != 0
    assert "is not encrypted: refusing to restore a plain archive" in refused.stderr
    assert "--unencrypted" in refused.stderr
    _assert_empty(db, media)

    taken = reformledger("restore", "--unencrypted", str(old), env=target_env)
    assert taken.returncode == 0, taken.stderr
    assert "WARNING: --unencrypted" in taken.stderr
    assert database_states(db) == manifest.tables


def test_backup_refuses_to_run_without_a_key_unless_told_unsigned(source, empty_instance, tmp_path):
    db, target_env, media = empty_instance
    keyless = {k: v for k, v in source.items() if k != "RL_BACKUP_KEY_FILE"}
    archive = tmp_path / "dev.tar"

    refused = reformledger("backup", str(archive), env=keyless)
    assert refused.returncode != 0 and "No backup key" in refused.stderr
    assert not archive.exists()

    made = reformledger("backup", "--unsigned", str(archive), env=keyless)
    assert made.returncode == 0, made.stderr
    assert "UNSIGNED" in made.stderr
    assert read_signed_manifest(archive)[1] is None

    assert reformledger("restore", str(archive), env=target_env).returncode != 0
    not_signed = reformledger("restore", "--unencrypted", str(archive), env=target_env)
    assert not_signed.returncode != 0 and "The archive is not signed" in not_signed.stderr
    _assert_empty(db, media)
    # An unsigned archive was written without a key: --unsigned implies --unencrypted.
    taken = reformledger("restore", "--unsigned", str(archive), env=target_env)
    assert taken.returncode == 0, taken.stderr
    assert "WARNING: --unsigned" in taken.stderr


def test_a_key_file_others_can_read_is_refused(source, key_file, tmp_path):
    key_file.chmod(0o644)
    refused = reformledger("backup", str(tmp_path / "ledger.tar"), env=source)
    assert refused.returncode != 0 and "chmod 600" in refused.stderr


def test_a_truncated_archive_is_refused_cleanly(source, empty_instance, tmp_path):
    db, target_env, media = empty_instance
    archive, truncated = tmp_path / "ledger.tar.gz.enc", tmp_path / "truncated.tar.gz.enc"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    data = archive.read_bytes()
    for length in (len(data) // 2, len(data) - 1, 40):  # in a chunk, the last byte, the header
        truncated.write_bytes(data[:length])

        refused = reformledger("restore", str(truncated), env=target_env)

        assert refused.returncode != 0
        assert "Traceback" not in refused.stderr
        assert f"{truncated} was cut short: it ends inside" in refused.stderr
        _assert_empty(db, media)


def test_a_database_copy_cut_short_inside_the_archive_is_refused_before_the_target_is_touched(
    source, empty_instance, tmp_path
):
    db, target_env, media = empty_instance
    archive, cut = tmp_path / "ledger.tar", tmp_path / "cut.tar"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    manifest = read_manifest(archive, key=KEY)
    with tarfile.open(_plain(archive, tmp_path)) as tar:
        copy = tar.extractfile(manifest.database).read()
    # The envelope, the manifest and its signature are intact; the copy is not.
    _reseal(archive, cut, {manifest.database: copy[: len(copy) // 2]}, tmp_path)

    refused = reformledger("restore", str(cut), env=target_env)

    assert refused.returncode != 0
    assert "differs from the manifest's hash" in refused.stderr
    assert "Traceback" not in refused.stderr
    _assert_empty(db, media)


def test_a_manifest_of_format_1_reads():
    body = {
        "format": "reformledger-backup/1",
        "created": "2026-01-01T00:00:00+00:00",
        "app_version": "0.1.0",
        "vendor": "sqlite",
        "server_version": "3",
        "database": "database.sqlite3",
        "audit_head": None,
        "tables": {},
        "media": {},
    }
    assert Manifest.from_json(json.dumps(body).encode()).database_sha256 is None
