"""The audit trail is tamper-evident: an altered or removed record is found, and no
change happens without its record. Each edit here is made with the append-only
triggers lifted (tests/conftest.py), as someone holding the database owner's
account could."""

import datetime as dt
import itertools

import pytest
from django.db import connection

from reformledger.audit import services as audit
from reformledger.audit import triggers
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import verify_chain
from reformledger.audit.tests.conftest import a_middle_record, behind_the_back
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task
from reformledger.ledger.validation import MilestoneRow


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
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写的理由", victim.pk])

    assert verify_chain() == victim.pk


def test_a_record_whose_actor_was_swapped_is_found(world, director):
    victim = AuditRecord.objects.filter(verb="task.created").first()
    behind_the_back("UPDATE {table} SET actor_id = %s WHERE id = %s", [director.pk, victim.pk])

    assert verify_chain() == victim.pk


def test_a_record_whose_changes_were_edited_is_found(world):
    victim = AuditRecord.objects.filter(verb="task.created").last()
    changes = dict(victim.changes, title=[None, "改过的标题"])
    with triggers.lifted(connection):
        AuditRecord.objects.filter(pk=victim.pk).update(changes=changes)

    assert verify_chain() == victim.pk


def test_a_record_deleted_in_the_database_is_found_at_the_next_id(world):
    victim = a_middle_record()
    following = AuditRecord.objects.filter(id__gt=victim.pk).order_by("id").first()
    behind_the_back("DELETE FROM {table} WHERE id = %s", [victim.pk])

    assert verify_chain() == following.pk


def test_a_record_rehashed_after_editing_still_breaks_the_next_link(world):
    """Recomputing the edited record's own hash does not help: the next one still
    names the old hash."""
    victim = a_middle_record()
    victim.reason = "伪造"
    victim.hash = audit.digest(audit.canonical(victim), victim.algorithm)
    behind_the_back(
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
    monkeypatch.setattr(audit, "digest", lambda payload, algorithm=None: taken)

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


def test_a_record_names_time_in_utc_user_address_act_object_and_outcome(world, office_staff):
    rec = audit.record(
        actor=office_staff,
        verb="task.updated",
        obj=world.task_boluo,
        address="10.3.2.1",
        outcome="failure",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT at FROM audit_auditrecord WHERE id = %s", [rec.pk])
        stored = cursor.fetchone()[0]

    # SQLite keeps the UTC wall time without a zone; PostgreSQL a timestamptz.
    if isinstance(stored, str):
        stored = dt.datetime.fromisoformat(stored)
    if stored.tzinfo is None:
        assert stored == rec.at.astimezone(dt.UTC).replace(tzinfo=None)
    else:
        assert stored == rec.at
    row = AuditRecord.objects.get(pk=rec.pk)
    assert (row.actor, row.actor_label, row.address) == (office_staff, "office", "10.3.2.1")
    assert (row.verb, row.outcome) == ("task.updated", "failure")
    assert (row.obj_type, row.obj_id, row.obj_repr) == (
        "ledger.task",
        str(world.task_boluo.pk),
        str(world.task_boluo),
    )
