"""Year-end carry-over (结转): open tasks move into next year's ledger, keeping the link
to the original, and doing it twice changes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger import services
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task


@pytest.fixture
def ledger_2016(world, office_staff):
    """2016-003 depends on 2016-001 and on 2016-002; 2016-004 is closed (not carried)."""
    services.task_update(
        task=world.task_boluo,
        by=office_staff,
        depends_on=[world.task_huiyang, world.task_helped],
    )
    Task.objects.filter(pk=world.task_town.pk).update(status=TaskStatus.CLOSED)
    return world


def test_open_tasks_move_to_next_year_keeping_the_link(ledger_2016, office_staff):
    w = ledger_2016
    new = services.year_carry_over(office=w.office, year=2016, by=office_staff)

    assert sorted(t.code for t in new) == ["2016-001", "2016-002", "2016-003"]
    for old in (w.task_huiyang, w.task_helped, w.task_boluo):
        old.refresh_from_db()
        assert old.status == TaskStatus.CARRIED_OVER
        copy = old.carried_to
        assert (copy.year, copy.code, copy.title) == (2017, old.code, old.title)
        assert copy.status == TaskStatus.PLANNING
        assert copy.lead_unit == old.lead_unit
        assert copy.area == old.area and copy.is_key == old.is_key
        assert copy.start_date == dt.date(2017, 1, 1)
        assert copy.deadline == dt.date(2017, 12, 31)
    helped = Task.objects.get(year=2017, code="2016-002")
    assert list(helped.helping_units.all()) == [w.huiyang]
    boluo = Task.objects.get(year=2017, code="2016-003")
    assert sorted(t.code for t in boluo.depends_on.all()) == ["2016-001", "2016-002"]
    assert {t.year for t in boluo.depends_on.all()} == {2017}
    w.task_town.refresh_from_db()
    assert w.task_town.status == TaskStatus.CLOSED
    assert not Task.objects.filter(year=2017, code="2016-004").exists()


def test_carry_over_is_idempotent(ledger_2016, office_staff):
    services.year_carry_over(office=ledger_2016.office, year=2016, by=office_staff)
    before = (Task.objects.count(), AuditRecord.objects.count())

    again = services.year_carry_over(office=ledger_2016.office, year=2016, by=office_staff)

    assert again == []
    assert (Task.objects.count(), AuditRecord.objects.count()) == before


def test_a_code_taken_next_year_gets_a_suffix(ledger_2016, office_staff):
    w = ledger_2016
    services.task_create(
        by=office_staff,
        office=w.office,
        year=2017,
        code="2016-001",
        title="占用编号",
        area=w.economy,
        lead_unit=w.boluo,
        deliverable_kind="policy",
        start_date=dt.date(2017, 1, 1),
        deadline=dt.date(2017, 12, 31),
    )

    services.year_carry_over(office=w.office, year=2016, by=office_staff)

    w.task_huiyang.refresh_from_db()
    assert w.task_huiyang.carried_to.code == "2016-001-2016"


def test_a_dependency_on_a_closed_task_is_not_carried(world, office_staff):
    services.task_update(task=world.task_boluo, by=office_staff, depends_on=[world.task_town])
    Task.objects.filter(pk=world.task_town.pk).update(status=TaskStatus.CLOSED)

    services.year_carry_over(office=world.office, year=2016, by=office_staff)

    assert not Task.objects.get(year=2017, code="2016-003").depends_on.exists()


def test_carry_over_is_audited_on_both_tasks(ledger_2016, office_staff):
    w = ledger_2016
    services.year_carry_over(office=w.office, year=2016, by=office_staff)
    w.task_huiyang.refresh_from_db()
    copy = w.task_huiyang.carried_to

    old_record = history_of(w.task_huiyang).get(verb="task.carried_over")
    assert old_record.changes["carried_to"] == [None, "2017 2016-001"]
    assert old_record.changes["status"] == ["in_progress", "carried_over"]
    new_record = history_of(copy).get(verb="task.carried_in")
    assert new_record.changes["carried_from"] == [None, "2016 2016-001"]
    assert new_record.actor == office_staff


def test_a_liaison_cannot_carry_over(world, huiyang_liaison, client_for):
    with pytest.raises(PermissionDenied):
        services.year_carry_over(office=world.office, year=2016, by=huiyang_liaison)
    assert client_for(huiyang_liaison).get(reverse("ledger:carry_over")).status_code == 403
    assert not Task.objects.filter(year=2017).exists()


def test_the_office_confirms_the_carry_over_on_its_page(world, office_staff, client_for):
    client = client_for(office_staff)
    url = reverse("ledger:carry_over")
    preview = client.get(url, {"office": world.office.pk, "year": 2016})
    assert preview.status_code == 200
    assert preview.context["preview"].open_count == 4

    unconfirmed = client.post(url, {"office": world.office.pk, "year": 2016})
    assert unconfirmed.status_code == 200
    assert not Task.objects.filter(year=2017).exists()

    done = client.post(url, {"office": world.office.pk, "year": 2016, "confirm": "yes"})
    assert done.status_code == 302
    assert Task.objects.filter(year=2017).count() == 4


def test_the_command_carries_over_once(world):
    out = StringIO()
    call_command("carry_over", office="HZ-GGB", year=2016, stdout=out)
    assert "4 open tasks of 2016 carried over into 2017" in out.getvalue()
    record = AuditRecord.objects.filter(verb="task.carried_over").first()
    assert record.actor is None and record.actor_label == "system"

    out = StringIO()
    call_command("carry_over", office="HZ-GGB", year=2016, stdout=out)
    assert "no open task" in out.getvalue()
    assert Task.objects.filter(year=2017).count() == 4


def test_a_deadline_in_the_next_year_is_kept(world, office_staff):
    services.task_update(task=world.task_boluo, by=office_staff, deadline=dt.date(2017, 6, 30))

    services.year_carry_over(office=world.office, year=2016, by=office_staff)

    copy = Task.objects.get(year=2017, code="2016-003")
    assert (copy.start_date, copy.deadline) == (dt.date(2017, 1, 1), dt.date(2017, 6, 30))
