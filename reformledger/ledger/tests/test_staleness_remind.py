"""Reminding several lagging units at once from the staleness page: one reminder per
unit a day to its liaisons and head, asked first, and a message saying how many."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.models import Task
from reformledger.ledger.services.reminders import staleness_remind
from reformledger.notifications.models import Notification
from reformledger.notifications.tests.conftest import make_period

DAY = dt.date(2016, 4, 10)


@pytest.fixture
def lagging(world):
    """惠阳 (2016-001) and 博罗 (2016-003) owe March's report; 博罗 has no liaison yet."""
    make_period(world, 3)
    Task.objects.filter(pk=world.task_boluo.pk).update(status=TaskStatus.IN_PROGRESS)
    return world


def sent_to(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, key__startswith="staleness:"))


def test_ticked_units_get_one_reminder_each_once_a_day(
    lagging, office_staff, huiyang_liaison, huiyang_head, boluo_liaison
):
    units = [lagging.huiyang.pk, lagging.boluo.pk]

    run = staleness_remind(units=units, by=office_staff, year=2016, today=DAY)

    assert {u.code for u in run.reminded} == {"HZ-HY", "HZ-BL"}
    assert run.notices == 3  # 惠阳's liaison and head, 博罗's liaison
    assert [n.kind for n in sent_to(huiyang_liaison)] == ["report_late"]
    assert len(sent_to(huiyang_head)) == 1 and len(sent_to(boluo_liaison)) == 1
    assert "惠阳区" in sent_to(huiyang_liaison)[0].title
    record = AuditRecord.objects.get(verb="staleness.reminded")
    assert record.actor == office_staff
    assert sorted(record.changes["units"][1]) == sorted(["惠阳区", "博罗县"])

    again = staleness_remind(units=units, by=office_staff, year=2016, today=DAY)
    assert again.notices == 0 and len(again.already) == 2
    assert len(sent_to(huiyang_liaison)) == 1
    assert AuditRecord.objects.filter(verb="staleness.reminded").count() == 1

    next_day = staleness_remind(units=units, by=office_staff, year=2016, today=DAY.replace(day=11))
    assert next_day.notices == 3


def test_a_unit_with_nobody_to_tell_is_named(lagging, office_staff):
    run = staleness_remind(units=[lagging.boluo.pk], by=office_staff, year=2016, today=DAY)
    assert [u.code for u in run.nobody] == ["HZ-BL"] and run.notices == 0


def test_only_the_office_reminds_and_only_units_it_sees_lagging(
    lagging, office_staff, city_leader, huiyang_liaison
):
    for user in (city_leader, huiyang_liaison):
        with pytest.raises(PermissionDenied):
            staleness_remind(units=[lagging.huiyang.pk], by=user, year=2016)
    with pytest.raises(ValidationError) as refused:
        staleness_remind(units=[lagging.office.pk], by=office_staff, year=2016)
    assert "units" in refused.value.message_dict
    with pytest.raises(ValidationError):
        staleness_remind(units=[], by=office_staff, year=2016)
    assert not Notification.objects.exists()


def test_the_staleness_page_reminds_the_ticked_units_after_asking(
    lagging, office_staff, city_leader, huiyang_liaison, huiyang_head, client_for
):
    client = client_for(office_staff)
    page = client.get(reverse("ledger:staleness"), {"year": 2016}).content.decode()
    form = page.split('data-testid="remind-form"')[1].split(">")[0]
    assert "data-confirm=" in form and "data-submit-once" in page.split('id="remind-form"')[1]
    assert f'name="unit" value="{lagging.huiyang.pk}" form="remind-form"' in page

    response = client.post(
        reverse("ledger:staleness_remind"),
        {"unit": [lagging.huiyang.pk], "year": "2016", "next": "/ledger/staleness/?year=2016"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.redirect_chain[-1][0] == "/ledger/staleness/?year=2016"
    texts = [str(m) for m in response.context["messages"]]
    assert "Reminder sent to 1 unit (2 notices)." in texts
    assert len(sent_to(huiyang_liaison)) == 1 and len(sent_to(huiyang_head)) == 1
    leader = client_for(city_leader)
    assert 'id="remind-form"' not in leader.get(reverse("ledger:staleness")).content.decode()
    assert leader.post(reverse("ledger:staleness_remind"), {"unit": [1]}).status_code == 403
