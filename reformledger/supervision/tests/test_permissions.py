"""Who sees which supervision records: a unit sees only what is addressed to it; the
office and city leaders see their offices' work; a linked leader sees every linked task."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reformledger.orgs.choices import Role
from reformledger.orgs.services import membership_grant, membership_revoke
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


@pytest.mark.parametrize(
    ("persona", "acts"),
    [
        ("director", {"record", "draft_order", "issue_order", "escalate", "decide"}),
        ("office_staff", {"record", "draft_order"}),
        ("city_leader", set()),
        ("huiyang_liaison", set()),
    ],
)
def test_who_may_do_what_in_the_office_and_the_office_never_signs_or_answers(
    world, request, persona, acts
):
    """The office's own acts: a unit's (receive, answer) and a draft's (sign, revise)
    are never granted by the office's scope alone, not even to its director."""
    user = request.getfixturevalue(persona)
    allowed = {act for act in permissions.ACTS if permissions.can_office(user, act, world.office)}
    assert allowed == acts


def test_an_unknown_act_is_an_error_that_names_it(world, director, matters):
    with pytest.raises(ValueError, match="unknown act 'sign'"):
        permissions.can_office(director, "sign", world.office)
    with pytest.raises(ValueError, match="unknown act 'sign'"):
        permissions.can(director, "sign", matters[0])


def test_a_refusal_names_the_act_and_where_it_was_refused(
    world, matters, office_staff, huiyang_liaison
):
    order = matters[0]
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(huiyang_liaison, "decide", order)
    assert str(refused.value) == f"decide not allowed on supervisionorder {order.pk}"
    with pytest.raises(PermissionDenied) as refused:
        permissions.require_office(office_staff, "issue_order", world.office)
    assert str(refused.value) == f"issue_order not allowed in office {world.office.pk}"


def test_only_office_people_run_supervision_and_units_and_city_leaders_see_it(
    world, office_staff, director, city_leader, huiyang_liaison, huiyang_head, outsider
):
    for user in (office_staff, director):
        assert permissions.runs_supervision(user) and permissions.sees_supervision(user)
    for user in (city_leader, huiyang_liaison, huiyang_head):
        assert not permissions.runs_supervision(user) and permissions.sees_supervision(user)
    assert not permissions.runs_supervision(outsider)


def test_the_office_sees_every_link_and_a_leader_keeps_seeing_links_to_them(
    world, office_staff, director, city_leader, huiyang_liaison
):
    """Links of the office's tasks are the office's (staff and city leaders included, who
    are linked to none); a leader sees the links to them even once off the office."""
    deputy = UserFactory(username="deputy")
    seat = membership_grant(by=None, user=deputy, unit=world.office, role=Role.OFFICE_LEADER)
    to_director = services.leader_link_set(
        task=world.task_huiyang, leader=director, by=office_staff
    )
    from reformledger.ledger import services as ledger

    boluo = ledger.task_update(task=world.task_boluo, by=office_staff, is_key=True)
    to_deputy = services.leader_link_set(task=boluo, leader=deputy, by=office_staff)
    for user in (office_staff, city_leader, director, deputy):
        assert set(permissions.visible_links(user)) == {to_director, to_deputy}
    assert not permissions.visible_links(huiyang_liaison).exists()

    membership_revoke(by=None, membership=seat)
    assert list(permissions.visible_links(deputy)) == [to_deputy]


def test_the_document_registry_is_the_offices_and_a_unit_sees_what_it_drafts(
    world, office_staff, city_leader, huiyang_liaison, boluo_liaison, outsider
):
    by_huiyang = services.document_register(
        office=world.office,
        by=office_staff,
        year=2016,
        title="考核办法",
        drafting_unit=world.huiyang,
    )
    by_boluo = services.document_register(
        office=world.office, by=office_staff, year=2016, title="审批办法", drafting_unit=world.boluo
    )
    for user in (office_staff, city_leader):
        assert set(permissions.visible_documents(user)) == {by_huiyang, by_boluo}
    assert list(permissions.visible_documents(huiyang_liaison)) == [by_huiyang]
    assert list(permissions.visible_documents(boluo_liaison)) == [by_boluo]
    assert not permissions.visible_documents(outsider).exists()


def test_leading_group_meetings_are_seen_by_the_office_and_city_leaders_only(
    world, office_staff, director, city_leader, huiyang_liaison, outsider
):
    meeting = services.leading_group_meeting_record(
        office=world.office, by=office_staff, year=2016, held_on=SOON, attendees="甲、乙"
    )
    for user in (office_staff, director, city_leader):
        assert list(permissions.visible_leading_group_meetings(user)) == [meeting]
    for user in (huiyang_liaison, outsider):
        assert not permissions.visible_leading_group_meetings(user).exists()
