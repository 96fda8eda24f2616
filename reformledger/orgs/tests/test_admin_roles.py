"""The three separate administrators (三员分立): no account holds two of the system,
security and audit administrator roles. The service refuses, and so does the
database, whatever writes the row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reformledger.orgs import services
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership


def test_a_raw_insert_of_a_second_admin_role_is_refused_by_the_database(world, sysadmin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=sysadmin, unit=world.city, role=Role.AUDITOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=sysadmin, unit=world.office, role=Role.SECURITY_ADMIN)
    assert list(Membership.objects.filter(user=sysadmin).values_list("role", flat=True)) == [
        Role.SYSTEM_ADMIN
    ]


def test_the_same_admin_role_in_a_second_unit_is_refused_too(world, auditor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=auditor, unit=world.huiyang, role=Role.AUDITOR)
    with pytest.raises(ValidationError) as refused:
        services.membership_grant(by=None, user=auditor, unit=world.huiyang, role=Role.AUDITOR)
    assert "role" in refused.value.message_dict


def test_the_service_names_the_rule(world, sysadmin):
    with pytest.raises(ValidationError) as refused:
        services.membership_grant(by=None, user=sysadmin, unit=world.city, role=Role.AUDITOR)
    assert "role" in refused.value.message_dict


def test_an_ended_admin_role_leaves_room_for_another(world, sysadmin):
    held = Membership.objects.get(user=sysadmin, role=Role.SYSTEM_ADMIN)
    services.membership_revoke(by=None, membership=held, reason="转任审计管理员")
    services.membership_grant(by=None, user=sysadmin, unit=world.city, role=Role.AUDITOR)
    assert set(
        Membership.objects.filter(user=sysadmin, is_active=True).values_list("role", flat=True)
    ) == {Role.AUDITOR}
    # Granting the ended role again would make two: refused.
    with pytest.raises(ValidationError):
        services.membership_grant(by=None, user=sysadmin, unit=world.city, role=Role.SYSTEM_ADMIN)


def test_an_admin_role_beside_an_ordinary_role_is_allowed(world, sysadmin):
    services.membership_grant(by=None, user=sysadmin, unit=world.fgj, role=Role.UNIT_REPORTER)
    assert Membership.objects.filter(user=sysadmin, is_active=True).count() == 2
