"""The audit trail is tamper-evident: an altered or removed record is found, and no
change happens without its record."""

import datetime as dt
import itertools

import pytest
from django.db import connection

from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import verify_chain
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task
from reformledger.ledger.validation import MilestoneRow


def raw_sql(sql: str, params: list) -> None:
    """Write behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=AuditRecord._meta.db_table), params)


def a_middle_record() -> AuditRecord:
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) >= 3
    return AuditRecord.objects.get(pk=ids[len(ids) // 2])


def create_task(world, by) -> Task:
    return ledger.task_create(
        by=by,
        office=world.office,
        year=2016,
        code="2016-077",
        title="不留痕迹就不该存在的任务",
        area=world.economy,
        lead_unit=world.fgj,
        deliverable_kind="policy",
        start_date=dt.date(2016, 1, 1),
        deadline=dt.date(2016, 12, 31),
    )


@pytest.mark.django_db
def test_an_empty_chain_verifies():
    assert verify_chain() is None


def test_a_fresh_chain_verifies(world):
    assert AuditRecord.objects.count() > 10
    assert verify_chain() is None


def test_each_record_carries_the_hash_of_the_one_before(world):
    records = list(AuditRecord.objects.order_by("id"))
    assert records[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash


def test_a_record_altered_in_the_database_is_found_at_its_id(world):
    victim = a_middle_record()
    raw_sql("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写的理由", victim.pk])

    assert verify_chain() == victim.pk


def test_a_record_whose_actor_was_swapped_is_found(world, director):
    victim = AuditRecord.objects.filter(verb="task.created").first()
    raw_sql("UPDATE {table} SET actor_id = %s WHERE id = %s", [director.pk, victim.pk])

    assert verify_chain() == victim.pk


def test_a_record_whose_changes_were_edited_is_found(world):
    victim = AuditRecord.objects.filter(verb="task.created").last()
    changes = dict(victim.changes, title=[None, "改过的标题"])
    AuditRecord.objects.filter(pk=victim.pk).update(changes=changes)

    assert verify_chain() == victim.pk


def test_a_record_deleted_in_the_database_is_found_at_the_next_id(world):
    victim = a_middle_record()
    following = AuditRecord.objects.filter(id__gt=victim.pk).order_by("id").first()
    raw_sql("DELETE FROM {table} WHERE id = %s", [victim.pk])

    assert verify_chain() == following.pk


def test_a_record_rehashed_after_editing_still_breaks_the_next_link(world):
    """Recomputing the edited record's own hash does not help: the next one still
    names the old hash."""
    victim = a_middle_record()
    victim.reason = "伪造"
    victim.hash = audit.digest(audit.canonical(victim))
    raw_sql(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        [
            victim.reason,
            victim.hash,
            victim.pk,
        ],
    )
    following = AuditRecord.objects.filter(id__gt=victim.pk).order_by("id").first()

    assert verify_chain() == following.pk


def test_a_failing_audit_write_rolls_back_the_change(world, office_staff, monkeypatch):
    records = AuditRecord.objects.count()

    def disk_full(self, *args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(AuditRecord, "save", disk_full)
    with pytest.raises(OSError):
        create_task(world, office_staff)
    monkeypatch.undo()

    assert not Task.objects.filter(code="2016-077").exists()
    assert AuditRecord.objects.count() == records
    assert verify_chain() is None


def test_an_audit_record_refused_by_the_database_rolls_back_the_change(
    world, office_staff, monkeypatch
):
    """A hash that collides with an existing one violates the unique constraint: the
    database refuses the record, and the task goes with it."""
    taken = AuditRecord.objects.order_by("id").values_list("hash", flat=True).first()
    monkeypatch.setattr(audit, "digest", lambda payload: taken)

    with pytest.raises(Exception, match=r"(?i)unique"):
        create_task(world, office_staff)
    monkeypatch.undo()

    assert not Task.objects.filter(code="2016-077").exists()
    assert verify_chain() is None


def test_a_failing_audit_write_rolls_back_a_plan_approval(
    world, office_staff, huiyang_liaison, monkeypatch
):
    plan = ledger.plan_save(
        task=world.task_town,
        by=huiyang_liaison,
        summary="",
        milestones=[MilestoneRow(title="完成", planned_date=dt.date(2016, 9, 30), weight=100)],
    )
    ledger.plan_submit(plan=plan, by=huiyang_liaison)

    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        ledger.plan_approve(plan=plan, by=office_staff)
    monkeypatch.undo()

    plan.refresh_from_db()
    assert plan.status == "submitted"
    assert Task.objects.get(pk=world.task_town.pk).status == "planning"
