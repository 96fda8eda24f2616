"""Changes to the unit tree and to who holds which role."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reformledger.accounts.models import User
from reformledger.audit.models import AuditRecord
from reformledger.ledger import permissions as ledger_permissions
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs import services
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Membership, Unit, UnitName
from reformledger.orgs.permissions import scopes_of, visible_units
from tests.factories import UserFactory


def names_of(unit) -> list[tuple[str, dt.date | None, dt.date | None]]:
    return [
        (n.name, n.valid_from, n.valid_until)
        for n in UnitName.objects.filter(unit=unit).order_by("id")
    ]


def test_unit_create_places_the_unit_under_its_parent_and_records_its_name(world, sysadmin):
    zone = services.unit_create(
        by=sysadmin,
        code="HZ-DYW",
        name="大亚湾经济技术开发区",
        short_name="大亚湾区",
        kind=UnitKind.ZONE,
        parent=world.city,
        valid_from=dt.date(1993, 5, 1),
    )

    zone = Unit.objects.get(code="HZ-DYW")
    assert Unit.objects.get_parent(zone) == world.city
    assert zone.label == "大亚湾区"
    assert names_of(zone) == [("大亚湾经济技术开发区", dt.date(1993, 5, 1), None)]
    assert AuditRecord.objects.filter(verb="unit.created", obj_id=str(zone.pk)).exists()


def test_unit_code_must_be_unique(world):
    with pytest.raises(ValidationError) as refused:
        services.unit_create(by=None, code="HZ-HY", name="重复", kind=UnitKind.COUNTY)
    assert "code" in refused.value.message_dict


def test_rename_keeps_the_old_name_with_its_dates(world):
    services.unit_rename(
        by=None,
        unit=world.fgj,
        name="市发展和改革局",
        on=dt.date(2016, 9, 1),
        reason="机构改革更名",
    )

    fgj = Unit.objects.get(pk=world.fgj.pk)
    assert fgj.name == "市发展和改革局"
    assert names_of(fgj) == [
        ("市发展改革局", None, dt.date(2016, 9, 1)),
        ("市发展和改革局", dt.date(2016, 9, 1), None),
    ]
    record = AuditRecord.objects.filter(verb="unit.renamed").get()
    assert record.changes == {"name": ["市发展改革局", "市发展和改革局"]}
    assert record.reason == "机构改革更名"
    # The task it leads follows the unit, under its new name.
    assert str(Task.objects.get(pk=world.task_helped.pk).lead_unit) == "市发展和改革局"


def test_merge_deactivates_the_unit_and_points_to_its_successor(world):
    services.unit_merge(
        by=None, unit=world.boluo, into=world.huiyang, on=dt.date(2016, 7, 1), reason="区划调整"
    )

    boluo = Unit.objects.get(pk=world.boluo.pk)
    assert not boluo.is_active
    assert boluo.merged_into == world.huiyang
    assert list(world.huiyang.merged_from.all()) == [boluo]
    assert names_of(boluo) == [("博罗县", None, dt.date(2016, 7, 1))]
    # History is kept: the unit and the task it led are still there.
    assert Task.objects.get(pk=world.task_boluo.pk).lead_unit == boluo


def test_a_merged_unit_cannot_lead_a_new_task(world, office_staff):
    services.unit_merge(by=None, unit=world.boluo, into=world.huiyang, reason="区划调整")

    with pytest.raises(ValidationError) as refused:
        ledger.task_create(
            by=office_staff,
            office=world.office,
            year=2016,
            code="2016-050",
            title="并入后的新任务",
            area=world.economy,
            lead_unit=Unit.objects.get(pk=world.boluo.pk),
            deliverable_kind="policy",
            start_date=dt.date(2016, 8, 1),
            deadline=dt.date(2016, 12, 31),
        )
    assert "lead_unit" in refused.value.message_dict


def test_a_unit_cannot_be_merged_into_a_unit_below_it(world):
    with pytest.raises(ValidationError) as refused:
        services.unit_merge(by=None, unit=world.huiyang, into=world.huiyang_town)
    assert "into" in refused.value.message_dict
    assert Unit.objects.get(pk=world.huiyang.pk).is_active


def test_a_role_in_a_county_reaches_its_towns(world, huiyang_liaison, boluo_liaison):
    assert world.huiyang_town in visible_units(huiyang_liaison)
    assert world.huiyang_town not in visible_units(boluo_liaison)
    assert scopes_of(huiyang_liaison).covers(world.huiyang_town.path, Role.UNIT_REPORTER)
    # So the county's liaison works on the plan of a task its town leads.
    assert ledger_permissions.can(huiyang_liaison, "edit_plan", world.task_town)
    assert not ledger_permissions.can(boluo_liaison, "view", world.task_town)


def test_a_role_in_a_town_does_not_reach_up_to_its_county(world):
    clerk = UserFactory(username="town_clerk")
    services.membership_grant(by=None, user=clerk, unit=world.huiyang_town, role=Role.UNIT_REPORTER)
    assert set(visible_tasks(clerk).values_list("code", flat=True)) == {"2016-004"}


def test_revoking_a_membership_takes_the_tasks_away(world, huiyang_liaison):
    membership = Membership.objects.get(user=huiyang_liaison, role=Role.UNIT_REPORTER)
    assert visible_tasks(huiyang_liaison).exists()

    services.membership_revoke(by=None, membership=membership, reason="调岗")

    # The next request loads the account afresh.
    assert not visible_tasks(User.objects.get(pk=huiyang_liaison.pk)).exists()
    assert Membership.objects.get(pk=membership.pk).is_active is False  # kept as history


@pytest.mark.parametrize(
    ("persona", "second_role"),
    [
        ("sysadmin", Role.AUDITOR),
        ("sysadmin", Role.SECURITY_ADMIN),
        ("auditor", Role.SYSTEM_ADMIN),
        ("auditor", Role.SECURITY_ADMIN),
    ],
)
def test_the_three_admin_roles_exclude_each_other(persona, second_role, request, world):
    user = request.getfixturevalue(persona)
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))

    with pytest.raises(ValidationError) as refused:
        services.membership_grant(by=None, user=user, unit=world.city, role=second_role)

    assert "role" in refused.value.message_dict
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == held


def test_a_security_admin_can_be_appointed_beside_the_other_two(world, sysadmin, auditor):
    secadmin = UserFactory(username="secadmin")
    services.membership_grant(by=sysadmin, user=secadmin, unit=world.city, role=Role.SECURITY_ADMIN)
    assert scopes_of(secadmin).has(Role.SECURITY_ADMIN)


def test_a_liaison_cannot_change_the_unit_tree(world, huiyang_liaison):
    units = Unit.objects.count()
    with pytest.raises(PermissionDenied):
        services.unit_create(
            by=huiyang_liaison,
            code="HZ-HY-99",
            name="自设街道",
            kind=UnitKind.TOWN,
            parent=world.huiyang,
        )
    with pytest.raises(PermissionDenied):
        services.unit_rename(by=huiyang_liaison, unit=world.huiyang, name="惠阳市")
    assert Unit.objects.count() == units
    assert Unit.objects.get(pk=world.huiyang.pk).name == "惠阳区"


def test_a_liaison_cannot_grant_roles(world, huiyang_liaison, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            by=huiyang_liaison, user=outsider, unit=world.huiyang, role=Role.UNIT_REPORTER
        )
    assert not Membership.objects.filter(user=outsider).exists()
