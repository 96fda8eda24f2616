"""No change without its record: when the audit write fails, the business change made
in the same service call is rolled back with it (SQLite and PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection

from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import verify_chain
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task

_REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER audit_test_no_insert BEFORE INSERT ON audit_auditrecord "
        "BEGIN SELECT RAISE(ABORT, 'audit store refuses writes'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $body$ "
        "BEGIN RAISE EXCEPTION 'audit store refuses writes'; END; $body$",
        "CREATE TRIGGER audit_test_no_insert BEFORE INSERT ON audit_auditrecord "
        "FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()",
    ],
}


def test_a_failing_hash_rolls_back_a_task_update(world, office_staff, monkeypatch):
    task = world.task_boluo
    records = AuditRecord.objects.count()

    def broken(payload, algorithm=None):
        raise RuntimeError("hash function unavailable")

    monkeypatch.setattr(audit, "digest", broken)
    with pytest.raises(RuntimeError):
        ledger.task_update(task=task, by=office_staff, title="没有审计记录的新标题")
    monkeypatch.undo()

    row = Task.objects.get(pk=task.pk)
    assert row.title == "项目审批制度改革"
    assert row.version == task.version
    assert AuditRecord.objects.count() == records
    assert verify_chain() is None


def test_an_audit_insert_refused_by_the_database_rolls_back_a_task_update(world, office_staff):
    task = world.task_boluo
    with connection.cursor() as cursor:
        for sql in _REFUSE_INSERTS[connection.vendor]:
            cursor.execute(sql)

    with pytest.raises(DatabaseError, match="refuses writes"):
        ledger.task_update(task=task, by=office_staff, title="没有审计记录的新标题")

    assert Task.objects.get(pk=task.pk).title == "项目审批制度改革"
