"""Backup and restore (数据备份恢复), run as an operator runs them: `reformledger backup`
and `reformledger restore` in processes of their own, with the real settings read from
the environment, against the test database and an empty instance beside it."""

import io
import tarfile
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

from reformledger.audit.backup import MANIFEST, database_states, read_manifest
from reformledger.audit.selectors import chain_head
from reformledger.core.tests.instance import database_url, instance_env, reformledger
from reformledger.ledger import services as ledger

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4 implementation plan"


@pytest.fixture
def source(world) -> dict[str, str]:
    """The running instance: the test database with the world in it and one uploaded
    evidence file."""
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "2016" / "方案.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(PDF)
    yield instance_env(connection.settings_dict, Path(settings.MEDIA_ROOT))
    evidence.unlink()


@pytest.fixture
def empty_instance(tmp_path):
    """A new, empty instance: a database nobody has written to and an empty media
    folder. On PostgreSQL a database created for the test and dropped after it."""
    media = tmp_path / "restored-media"
    db = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        db["NAME"] = str(tmp_path / "restored.sqlite3")
        yield db, instance_env(db, media), media
        return
    db["NAME"] = f"rl_ops_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(database_url({**db, "NAME": "postgres"}), autocommit=True)
    admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    try:
        yield db, instance_env(db, media), media
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        admin.close()


def test_backup_restores_into_an_empty_instance_with_the_same_rows_files_and_chain(
    source, empty_instance, tmp_path
):
    db, target_env, media = empty_instance
    archive = tmp_path / "ledger.tar.gz"
    before = database_states(connection.settings_dict)
    head = chain_head()

    made = reformledger("backup", str(archive), env=source)
    assert made.returncode == 0, made.stderr
    assert f"Audit chain head: {head.id} {head.hash}" in made.stdout
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    manifest = read_manifest(archive)
    assert manifest.tables == before
    assert manifest.audit_head["id"] == head.id
    assert manifest.vendor == connection.vendor
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert MANIFEST in names
    assert "media/evidence/2016/方案.pdf" in names

    restored = reformledger("restore", str(archive), env=target_env)
    assert restored.returncode == 0, restored.stderr
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
    assert database_states(db) == read_manifest(archive).tables
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
    _db, target_env, _media = empty_instance
    archive, altered = tmp_path / "ledger.tar", tmp_path / "altered.tar"
    assert reformledger("backup", str(archive), env=source).returncode == 0
    manifest = read_manifest(archive)
    manifest.tables["ledger_task"].rows += 1  # as if a task had been lost on the way
    with tarfile.open(archive) as tar, tarfile.open(altered, "w") as out:
        for member in tar.getmembers():
            if member.name == MANIFEST:
                body = manifest.to_json()
                member.size = len(body)
                out.addfile(member, io.BytesIO(body))
            else:
                out.addfile(member, tar.extractfile(member))

    restored = reformledger("restore", str(altered), env=target_env)

    assert restored.returncode != 0
    rows = manifest.tables["ledger_task"].rows
    assert f"table ledger_task: {rows - 1} rows, the backup had {rows}" in restored.stderr
