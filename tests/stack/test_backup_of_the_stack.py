"""An encrypted backup of the running stack, restored onto a fresh instance (a new
database and an empty media folder), as docs/operations.md "Backing up and restoring"
tells the operator: the same rows, the same files, the same audit head."""

import hashlib
import importlib.util
import re
import secrets
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from reformledger.core.tests.instance import reformledger

pytestmark = pytest.mark.stack

RESTORED = "rl_stack_restored"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stack.py"


def _stack_env(stack, key_file: Path) -> dict[str, str]:
    """The environment the stack's app servers run with (scripts/stack.py), and the key."""
    spec = importlib.util.spec_from_file_location("stack_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    running = script.Stack(
        dir=stack.state_dir, base=stack.port_base, database_url=stack.database_url
    )
    return running.app_environment() | {"RL_BACKUP_KEY_FILE": str(key_file)}


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def _head(url: str) -> tuple[int, str]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT id, hash FROM audit_auditrecord ORDER BY id DESC LIMIT 1"
        ).fetchone()


def _files(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] != "healthz"
    }


def test_an_encrypted_backup_of_the_stack_restores_onto_a_fresh_one(stack, tmp_path):
    key_file = tmp_path / "backup.key"
    key_file.write_text(secrets.token_hex(32))
    key_file.chmod(0o600)
    env = _stack_env(stack, key_file)
    archive = tmp_path / "stack.tar.gz.enc"

    made = reformledger("backup", str(archive), env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert b"PGDMP" not in archive.read_bytes()[:4096]  # encrypted, not a readable dump

    server = stack.database_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RESTORED))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(RESTORED)))
    restored_url = f"{server}/{RESTORED}"
    media = tmp_path / "fresh-media"
    fresh = env | {"DATABASE_URL": restored_url, "RL_MEDIA_ROOT": str(media)}
    try:
        done = reformledger("restore", str(archive), env=fresh)
        assert done.returncode == 0, done.stdout + done.stderr

        # The restore itself checked every table's count and content hash and every
        # file against the signed manifest; here: the audit head the backup printed is the
        # restored database's, and the rows are the stack's (it keeps running, so only
        # tables it may have written since the backup can differ).
        head_id, head_hash = re.search(r"Audit chain head: (\d+) ([0-9a-f]+)", made.stdout).groups()
        assert _head(restored_url) == (int(head_id), head_hash)
        restored_counts, stack_counts = _counts(restored_url), _counts(stack.database_url)
        assert restored_counts["ledger_task"] == stack_counts["ledger_task"] > 0
        quiet = {"ledger_task", "ledger_plan", "ledger_milestone", "orgs_unit", "accounts_user"}
        assert {t: restored_counts[t] for t in quiet} == {t: stack_counts[t] for t in quiet}
        stack_files = _files(Path(env["RL_MEDIA_ROOT"]))
        restored_files = _files(media)
        assert restored_files and set(restored_files.items()) <= set(stack_files.items())

        wrong = tmp_path / "wrong.key"
        wrong.write_text(secrets.token_hex(32))
        wrong.chmod(0o600)
        refused = reformledger(
            "restore",
            str(archive),
            env=fresh | {"RL_BACKUP_KEY_FILE": str(wrong), "DATABASE_URL": f"{server}/postgres"},
        )
        assert refused.returncode != 0
        verified = reformledger("verify_audit", "--no-published-head", env=fresh)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(RESTORED))
            )
