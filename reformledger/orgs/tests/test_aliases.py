"""Unit aliases (单位别名): a clerk's answer to "which unit is 市发改局?", kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reformledger.audit.models import AuditRecord
from reformledger.orgs import selectors, services
from reformledger.orgs.models import UnitAlias


def test_office_staff_adds_an_alias_with_its_source_and_an_audit_record(world, office_staff):
    alias = services.unit_alias_add(
        by=office_staff, unit=world.fgj, alias=" 市发改局 ", source="2016年台账.xlsx"
    )

    alias = UnitAlias.objects.get(pk=alias.pk)
    assert (alias.alias, alias.unit, alias.source, alias.added_by) == (
        "市发改局",
        world.fgj,
        "2016年台账.xlsx",
        office_staff,
    )
    record = AuditRecord.objects.get(verb="unit_alias.added")
    assert record.ctx_id == str(world.fgj.pk)
    assert record.changes["alias"] == [None, "市发改局"]
    assert list(selectors.unit_aliases(world.fgj)) == [alias]


def test_adding_the_same_alias_again_changes_nothing(world, office_staff):
    first = services.unit_alias_add(by=office_staff, unit=world.fgj, alias="市发改局")

    again = services.unit_alias_add(by=office_staff, unit=world.fgj, alias="惠州市发改局")

    assert again == first
    assert UnitAlias.objects.count() == 1
    assert AuditRecord.objects.filter(verb="unit_alias.added").count() == 1


def test_an_alias_of_another_unit_is_refused_naming_the_field(world, director):
    services.unit_alias_add(by=director, unit=world.fgj, alias="市发改局")

    with pytest.raises(ValidationError) as refused:
        services.unit_alias_add(by=director, unit=world.boluo, alias="市发改局")

    assert "alias" in refused.value.message_dict
    assert UnitAlias.objects.get().unit == world.fgj


@pytest.mark.parametrize("text", ["市发展改革局", "惠州市发展改革局", "HZ-FGJ", "博罗县", ""])
def test_an_alias_that_is_already_a_name_or_code_is_refused(world, sysadmin, text):
    with pytest.raises(ValidationError) as refused:
        services.unit_alias_add(by=sysadmin, unit=world.fgj, alias=text)
    assert "alias" in refused.value.message_dict
    assert not UnitAlias.objects.exists()


def test_a_collective_name_cannot_be_an_alias(world, office_staff):
    with pytest.raises(ValidationError) as refused:
        services.unit_alias_add(by=office_staff, unit=world.huiyang, alias="各县（区）")
    assert "alias" in refused.value.message_dict


def test_a_merged_unit_takes_no_new_alias(world, office_staff):
    services.unit_merge(by=None, unit=world.boluo, into=world.huiyang)
    world.boluo.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        services.unit_alias_add(by=office_staff, unit=world.boluo, alias="博罗")
    assert "unit" in refused.value.message_dict


@pytest.mark.parametrize("persona", ["huiyang_liaison", "city_leader", "security_admin"])
def test_only_office_people_and_the_system_admin_keep_aliases(world, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.unit_alias_add(by=user, unit=world.fgj, alias="市发改局")
    alias = services.unit_alias_add(by=None, unit=world.fgj, alias="市发改局")
    with pytest.raises(PermissionDenied):
        services.unit_alias_remove(by=user, alias=alias)
    assert UnitAlias.objects.filter(pk=alias.pk).exists()


def test_removing_an_alias_keeps_what_it_said_in_the_trail(world, office_staff):
    alias = services.unit_alias_add(by=office_staff, unit=world.fgj, alias="市发改局")

    services.unit_alias_remove(by=office_staff, alias=alias, reason="录入有误")

    assert not UnitAlias.objects.exists()
    record = AuditRecord.objects.get(verb="unit_alias.removed")
    assert record.changes["alias"] == ["市发改局", None]
    assert record.reason == "录入有误"
    assert record.ctx_id == str(world.fgj.pk)
