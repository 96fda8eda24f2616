"""Who sees which supervision records: a unit sees only what is addressed to it; the
office and city leaders see their offices' work; a linked leader sees every linked task."""

import datetime as dt

import pytest
from django.utils import timezone

from reformledger.orgs.choices import Role
from reformledger.orgs.services import membership_grant
from reformledger.supervision import permissions, selectors, services
from tests.factories import UserFactory

SOON = timezone.localdate() + dt.timedelta(days=5)


@pytest.fixture
def matters(world, director, office_staff):
    """An order to 惠阳区, an order to 博罗县, and a meeting's action item for 博罗县."""
    to_huiyang = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="b",
        demand="d",
        deadline=SOON,
    )
    to_boluo = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_boluo,
        basis="b",
        demand="d",
        deadline=SOON,
    )
    meeting = services.supervision_meeting_record(
        office=world.office,
        by=office_staff,
        held_on=timezone.localdate(),
        topic="专会",
        attendees="甲、乙",
        actions=[services.ActionRow(world.boluo, "报送清单", SOON)],
    )
    return to_huiyang, to_boluo, meeting.action_items.get()


def test_a_unit_sees_only_what_is_addressed_to_it(matters, huiyang_liaison, boluo_liaison):
    to_huiyang, to_boluo, item = matters
    assert list(permissions.visible_orders(huiyang_liaison)) == [to_huiyang]
    assert list(permissions.visible_orders(boluo_liaison)) == [to_boluo]
    assert not permissions.visible_action_items(huiyang_liaison).exists()
    assert list(permissions.visible_action_items(boluo_liaison)) == [item]
    assert not permissions.visible_supervision_meetings(boluo_liaison).exists()


def test_the_office_and_city_leaders_see_everything(matters, office_staff, director, city_leader):
    for user in (office_staff, director, city_leader):
        assert permissions.visible_orders(user).count() == 2
        assert permissions.visible_action_items(user).count() == 1
        assert permissions.visible_supervision_meetings(user).count() == 1


def test_outsiders_and_administrators_see_no_supervision(
    matters, outsider, sysadmin, auditor, evaluator
):
    for user in (outsider, sysadmin, auditor, evaluator):
        assert not permissions.visible_orders(user).exists()
        assert not permissions.visible_action_items(user).exists()
        assert not permissions.sees_supervision(user)


@pytest.mark.parametrize(
    ("persona", "acts"),
    [
        ("director", {"record", "issue_order", "escalate", "decide", "draft_order"}),
        ("office_staff", {"record", "draft_order"}),
        ("city_leader", set()),
        ("huiyang_liaison", {"receive", "answer"}),
        ("huiyang_head", {"receive", "answer"}),
        ("boluo_liaison", set()),
    ],
)
def test_who_may_do_what_on_an_order(matters, request, persona, acts):
    user = request.getfixturevalue(persona)
    order = matters[0]  # addressed to 惠阳区
    allowed = {act for act in permissions.ACTS if permissions.can(user, act, order)}
    assert allowed == acts


def test_a_linked_leader_sees_all_their_linked_tasks(world, office_staff, director):
    deputy = UserFactory(username="deputy")
    membership_grant(by=None, user=deputy, unit=world.office, role=Role.OFFICE_LEADER)
    from reformledger.ledger import services as ledger

    boluo = ledger.task_update(task=world.task_boluo, by=office_staff, is_key=True)
    town = ledger.task_update(task=world.task_town, by=office_staff, is_key=True)
    for task in (world.task_huiyang, boluo, town):
        services.leader_link_set(task=task, leader=deputy, by=office_staff)
    # Linking a task again to its own leader changes nothing.
    again = services.leader_link_set(task=world.task_huiyang, leader=deputy, by=office_staff)
    assert again.task.leader_links.count() == 1
    desk = selectors.leader_desk(deputy)
    assert [r.task.code for r in desk] == ["2016-001", "2016-003", "2016-004"]
    assert set(permissions.visible_links(deputy).values_list("task__code", flat=True)) == {
        "2016-001",
        "2016-003",
        "2016-004",
    }


def test_the_leader_page_costs_the_same_queries_for_many_tasks(
    world, office_staff, director, django_assert_max_num_queries
):
    services.leader_link_set(task=world.task_huiyang, leader=director, by=office_staff)
    with django_assert_max_num_queries(5):
        assert len(selectors.leader_desk(director)) == 1
    from reformledger.ledger import services as ledger

    for task in (world.task_boluo, world.task_town, world.task_helped):
        task = ledger.task_update(task=task, by=office_staff, is_key=True)
        services.leader_link_set(task=task, leader=director, by=office_staff)
        services.order_issue(
            office=world.office, by=director, task=task, basis="b", demand="d", deadline=SOON
        )
    with django_assert_max_num_queries(5):
        rows = selectors.leader_desk(director)
    assert len(rows) == 4 and all(len(r.orders) == 1 for r in rows[1:])
