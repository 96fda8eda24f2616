"""Database triggers that keep the audit table append-only.

The database itself refuses to change or remove an audit record, whoever asks: the
application, the Django admin, a management shell or someone at the SQL prompt with
the application's account. SQLite gets a BEFORE UPDATE and a BEFORE DELETE trigger
that abort; PostgreSQL a row trigger on UPDATE or DELETE and a statement trigger on
TRUNCATE, both calling one plpgsql function. Both raise an integrity error, which
Django turns into `django.db.IntegrityError`.

The database's owner can still drop a trigger; the hash chain (`verify_audit`) and
the chain head kept outside the database (`audit_head`) catch what happens then.

Migration 0003 installs these statements; change them only through a new migration.
On SQLite, a migration that rebuilds the audit table (most AlterField/AddField do)
drops its triggers with the old table: such a migration must call `install` again.
`verify_audit` reports triggers that are missing.
"""

from contextlib import contextmanager

TABLE = "audit_auditrecord"
MESSAGE = "audit records are append-only"

_SQLITE_TRIGGERS = {
    "audit_auditrecord_no_update": "UPDATE",
    "audit_auditrecord_no_delete": "DELETE",
}
_PG_FUNCTION = "audit_refuse_change"
_PG_TRIGGERS = {
    "audit_auditrecord_no_change": "BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW",
    "audit_auditrecord_no_truncate": "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT",
}


def _pg_function() -> str:
    return f"""
CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'restrict_violation',
        MESSAGE = '{MESSAGE}: ' || TG_OP || ' refused';
END;
$body$"""


def create_statements(vendor: str, *, with_function: bool = True) -> list[str]:
    """The SQL that installs the triggers on a database of `vendor`."""
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for name, event in _SQLITE_TRIGGERS.items()
        ]
    if vendor == "postgresql":
        statements = [_pg_function()] if with_function else []
        for name, when in _PG_TRIGGERS.items():
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {TABLE}",
                f"CREATE TRIGGER {name} {when.format(table=TABLE)} "
                f"EXECUTE FUNCTION {_PG_FUNCTION}()",
            ]
        return statements
    raise NotImplementedError(f"no audit triggers for {vendor}")


def drop_statements(vendor: str, *, with_function: bool = True) -> list[str]:
    """The SQL that removes the triggers again."""
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
    if vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {name} ON {TABLE}" for name in _PG_TRIGGERS]
        return statements + ([f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()"] if with_function else [])
    raise NotImplementedError(f"no audit triggers for {vendor}")


def install(connection) -> None:
    """Create the triggers (again) on `connection`'s database."""
    with connection.cursor() as cursor:
        for sql in create_statements(connection.vendor):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in drop_statements(connection.vendor):
            cursor.execute(sql)


def present(connection) -> bool:
    """True when every trigger is in place on `connection`'s database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            wanted = set(_SQLITE_TRIGGERS)
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled <> 'D'",
                [TABLE],
            )
            wanted = set(_PG_TRIGGERS)
        else:
            return False
        return wanted <= {row[0] for row in cursor.fetchall()}


@contextmanager
def lifted(connection):
    """Remove the triggers for the block and put them back after it.

    For tests that play someone with database access editing the trail, and for the
    test runner's flush between transactional tests; the application never uses it.
    """
    remove(connection)
    try:
        yield
    finally:
        install(connection)
