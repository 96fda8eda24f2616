"""The database itself refuses to change or remove an audit record, on SQLite and on
PostgreSQL: through the ORM, through raw SQL, and (PostgreSQL) by TRUNCATE."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from reformledger.audit import services as audit
from reformledger.audit import triggers
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import verify_chain

TABLE = AuditRecord._meta.db_table


def refused():
    """The statement fails with the triggers' message, and the test goes on (a
    savepoint keeps PostgreSQL's transaction usable)."""
    return pytest.raises(IntegrityError, match="append-only")


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(table=TABLE), params or [])


@pytest.fixture
def rec(world) -> AuditRecord:
    return AuditRecord.objects.filter(verb="task.created").first()


def test_the_triggers_are_in_place_after_migrating(db):
    assert triggers.present(connection)


def test_an_orm_update_is_refused(rec):
    with refused(), transaction.atomic():
        AuditRecord.objects.filter(pk=rec.pk).update(reason="补记")

    rec.refresh_from_db()
    assert rec.reason == ""
    assert verify_chain() is None


def test_saving_a_changed_record_is_refused(rec):
    rec.obj_repr = "另一个任务"
    with refused(), transaction.atomic():
        rec.save()

    assert AuditRecord.objects.get(pk=rec.pk).obj_repr != "另一个任务"


def test_an_orm_delete_is_refused(rec):
    count = AuditRecord.objects.count()

    with refused(), transaction.atomic():
        rec.delete()
    with refused(), transaction.atomic():
        AuditRecord.objects.filter(verb="task.created").delete()
    with refused(), transaction.atomic():
        AuditRecord.objects.all().delete()

    assert AuditRecord.objects.count() == count
    assert verify_chain() is None


def test_a_raw_sql_update_is_refused(rec):
    with refused():
        raw("UPDATE {table} SET actor_label = %s WHERE id = %s", ["someone", rec.pk])

    assert AuditRecord.objects.get(pk=rec.pk).actor_label != "someone"


def test_a_raw_sql_delete_is_refused(rec):
    count = AuditRecord.objects.count()

    with refused():
        raw("DELETE FROM {table} WHERE id = %s", [rec.pk])
    with refused():
        raw("DELETE FROM {table}")

    assert AuditRecord.objects.count() == count


def test_postgresql_refuses_truncate(world, on_postgresql):
    if not on_postgresql:
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite empties a table by DELETE, refused above")
    count = AuditRecord.objects.count()
    # The test's own transaction holds deferred key checks, which TRUNCATE would
    # refuse on their own; settle them so the trigger is what answers.
    raw("SET CONSTRAINTS ALL IMMEDIATE")

    with refused():
        raw("TRUNCATE {table}")

    assert AuditRecord.objects.count() == count


def test_appending_still_works(world):
    before = AuditRecord.objects.count()

    audit.record(actor=None, verb="demo.generated", reason="appended under the triggers")

    assert AuditRecord.objects.count() == before + 1
    assert verify_chain() is None


def test_the_triggers_can_be_removed_and_put_back(db):
    """What the migration's reverse and forward steps do."""
    triggers.remove(connection)
    assert not triggers.present(connection)

    triggers.install(connection)
    assert triggers.present(connection)


def test_a_user_with_audit_records_cannot_be_deleted(world, office_staff):
    """The record names its user by a protected key: deleting the account is refused
    before the database is asked to touch the trail (accounts are deactivated)."""
    assert AuditRecord.objects.filter(actor=office_staff).exists()

    with pytest.raises(ProtectedError), transaction.atomic():
        office_staff.delete()

    assert AuditRecord.objects.filter(actor=office_staff).exists()
