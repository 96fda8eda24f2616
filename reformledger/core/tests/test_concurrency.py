"""Fifty people save the same task at the same moment: exactly one save wins per
version, every other one is told of the conflict, and the audit trail holds one
record per saved change (数据完整性: no lost update, no change without its record)."""

import threading

import pytest
from django.db import connection

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task

EDITORS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_edits_of_one_task_lose_none(world, office_staff):
    task = world.task_boluo
    first_version = task.version
    start = threading.Barrier(EDITORS, timeout=60)
    lock = threading.Lock()
    saved: list[int] = []  # the version each winning editor had read
    conflicts: list[int] = []
    failures: list[BaseException] = []

    def edit(n: int) -> None:
        try:
            start.wait()
            mine = Task.objects.get(pk=task.pk)
            read = mine.version
            try:
                ledger.task_update(
                    task=mine, by=office_staff, version=read, description=f"第{n}位编辑的修改"
                )
            except ConflictError:
                with lock:
                    conflicts.append(read)
            else:
                with lock:
                    saved.append(read)
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connection.close()

    editors = [threading.Thread(target=edit, args=(n,)) for n in range(EDITORS)]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join()

    assert not failures, failures
    assert len(saved) + len(conflicts) == EDITORS
    assert saved, "at least one editor saved"
    assert len(set(saved)) == len(saved)  # one winner per version read
    task.refresh_from_db()
    assert task.version == first_version + len(saved)
    updates = AuditRecord.objects.filter(
        verb="task.updated", obj_type="ledger.task", obj_id=str(task.pk)
    )
    assert updates.count() == len(saved)
    # Each record names a different editor's text: no save was recorded twice.
    assert len({r.changes["description"][1] for r in updates}) == len(saved)
