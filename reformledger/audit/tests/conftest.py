"""Helpers of the audit trail's tests: writing behind the application's back."""

import pytest
from django.db import connection

from reformledger.audit import triggers
from reformledger.audit.models import AuditRecord


def behind_the_back(sql: str, params: list | None = None) -> None:
    """Run `sql` on the audit table with its triggers lifted, as someone with the
    database owner's account could; the triggers are back afterwards."""
    with triggers.lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql.format(table=AuditRecord._meta.db_table), params or [])


def a_middle_record() -> AuditRecord:
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) >= 3
    return AuditRecord.objects.get(pk=ids[len(ids) // 2])


def the_next(record: AuditRecord) -> AuditRecord:
    return AuditRecord.objects.filter(id__gt=record.pk).order_by("id").first()


@pytest.fixture
def on_postgresql() -> bool:
    return connection.vendor == "postgresql"
