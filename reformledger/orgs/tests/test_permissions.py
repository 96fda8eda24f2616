"""Where a role reaches: its unit and every unit below, read once per user; which units a
user may open; who records people and keeps unit aliases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit
from reformledger.orgs.permissions import (
    Scopes,
    can_keep_aliases,
    can_record_people,
    forget_scopes,
    scopes_of,
    under_any,
    visible_units,
)
from tests.factories import UserFactory

PERSONAS = [
    "office_staff",
    "director",
    "huiyang_liaison",
    "huiyang_head",
    "fgj_liaison",
    "boluo_liaison",
    "city_leader",
    "evaluator",
    "sysadmin",
    "auditor",
    "security_admin",
    "outsider",
]


def test_a_scope_covers_its_unit_and_the_units_below_only():
    scopes = Scopes({Role.UNIT_REPORTER: ("00010002",), Role.UNIT_HEAD: ("00010003",)})
    assert scopes.paths(Role.UNIT_REPORTER, Role.UNIT_HEAD) == ("00010002", "00010003")
    assert scopes.paths(Role.OFFICE_ADMIN) == ()
    assert scopes.has(Role.UNIT_HEAD) and not scopes.has(Role.OFFICE_ADMIN)
    assert scopes.has(Role.OFFICE_ADMIN, Role.UNIT_HEAD)
    assert scopes.covers("00010002", Role.UNIT_REPORTER)
    assert scopes.covers("000100020001", Role.UNIT_REPORTER)
    assert not scopes.covers("0001", Role.UNIT_REPORTER)  # the unit above
    assert not scopes.covers("00010003", Role.UNIT_REPORTER)  # a sibling
    assert scopes.covers("00010003", Role.UNIT_REPORTER, Role.UNIT_HEAD)
    assert not Scopes().has(*Role.values) and not Scopes().covers("0001", *Role.values)


def test_the_scopes_of_a_user_are_its_active_roles_with_the_office_host(world, director):
    scopes = scopes_of(director)
    assert scopes.by_role == {Role.OFFICE_LEADER: (world.office.path,)}
    assert scopes.hosts == (world.city.path,)  # the unit that hosts the office


def test_unit_roles_have_no_host(world, huiyang_liaison):
    assert scopes_of(huiyang_liaison).hosts == ()
    assert scopes_of(huiyang_liaison).by_role == {Role.UNIT_REPORTER: (world.huiyang.path,)}


def test_scopes_are_read_once_per_user_and_forgotten_on_request(world, huiyang_liaison):
    scopes_of(huiyang_liaison)
    with CaptureQueriesContext(connection) as queries:
        scopes_of(huiyang_liaison)
    assert len(queries) == 0
    orgs.membership_grant(by=None, user=huiyang_liaison, unit=world.boluo, role=Role.UNIT_HEAD)
    forget_scopes(huiyang_liaison)
    assert scopes_of(huiyang_liaison).paths(Role.UNIT_HEAD) == (world.boluo.path,)
    forget_scopes(huiyang_liaison)  # forgetting twice is harmless


def test_an_ended_membership_an_inactive_unit_or_account_reach_nothing(world, huiyang_liaison):
    Membership.objects.filter(user=huiyang_liaison).update(is_active=False)
    forget_scopes(huiyang_liaison)
    assert scopes_of(huiyang_liaison) == Scopes()

    Membership.objects.filter(user=huiyang_liaison).update(is_active=True)
    Unit.objects.filter(pk=world.huiyang.pk).update(is_active=False)
    forget_scopes(huiyang_liaison)
    assert scopes_of(huiyang_liaison) == Scopes()

    Unit.objects.filter(pk=world.huiyang.pk).update(is_active=True)
    huiyang_liaison.is_active = False
    forget_scopes(huiyang_liaison)
    assert scopes_of(huiyang_liaison) == Scopes()


@pytest.mark.django_db
def test_an_anonymous_user_has_no_scope():
    from django.contrib.auth.models import AnonymousUser

    assert scopes_of(AnonymousUser()) == Scopes()
    assert scopes_of(None) == Scopes()  # a command acts as no one: no role anywhere


def test_under_any_matches_a_path_and_everything_below(world):
    units = Unit.objects.filter(under_any("", (world.huiyang.path,)))
    assert set(units) == {world.huiyang, world.huiyang_town}
    assert not Unit.objects.filter(under_any("", ())).exists()
    both = Unit.objects.filter(under_any("", (world.huiyang.path, world.boluo.path)))
    assert set(both) == {world.huiyang, world.huiyang_town, world.boluo}


def test_a_unit_with_nothing_below_is_asked_for_by_id_and_the_same_rows_come_back(
    world, fgj_liaison, huiyang_liaison
):
    # 发改局 has no sub-unit: its scope is the unit itself, filtered by id (the database
    # then estimates from the tasks' own statistics); 惠阳区 has a town below: a prefix.
    leaf = scopes_of(fgj_liaison).paths(Role.UNIT_REPORTER)
    assert leaf.leaves == {world.fgj.path: world.fgj.pk}
    sql = str(Unit.objects.filter(under_any("", leaf)).query)
    assert "LIKE" not in sql.upper()
    assert list(Unit.objects.filter(under_any("", leaf))) == [world.fgj]
    parent = scopes_of(huiyang_liaison).paths(Role.UNIT_REPORTER)
    assert parent.leaves == {}
    assert set(Unit.objects.filter(under_any("", parent))) == {world.huiyang, world.huiyang_town}
    # A plain tuple (a scope joined with others) is a prefix for every path.
    plain = tuple(leaf)
    assert "LIKE" in str(Unit.objects.filter(under_any("", plain)).query).upper()
    assert set(Unit.objects.filter(under_any("", plain))) == {world.fgj}


def test_a_unit_given_a_sub_unit_covers_it_once_the_scopes_are_read_again(
    world, fgj_liaison, sysadmin
):
    scopes_of(fgj_liaison)
    bureau = Unit.objects.get(pk=world.fgj.pk)
    below = orgs.unit_create(
        by=sysadmin, code="HZ-FGJ-01", name="价格科", kind="department", parent=bureau
    )
    forget_scopes(fgj_liaison)
    paths = scopes_of(fgj_liaison).paths(Role.UNIT_REPORTER)
    assert paths.leaves == {}
    assert set(Unit.objects.filter(under_any("", paths))) == {world.fgj, below}


#: persona -> the units it may open (None: every unit).
UNITS = {
    "office_staff": None,
    "director": None,
    "city_leader": None,
    "sysadmin": None,
    "huiyang_liaison": {"HZ-HY", "HZ-HY-01"},
    "huiyang_head": {"HZ-HY", "HZ-HY-01"},
    "fgj_liaison": {"HZ-FGJ"},
    "boluo_liaison": {"HZ-BL"},
    "evaluator": set(),
    "auditor": set(),
    "security_admin": set(),
    "outsider": set(),
}
RECORDS_PEOPLE = {"office_staff", "director", "sysadmin", "security_admin"}
KEEPS_ALIASES = {"office_staff", "director", "sysadmin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_opens_its_units_and_records_what_its_role_may(persona, request, world):
    user = request.getfixturevalue(persona)
    codes = set(visible_units(user).values_list("code", flat=True))
    expected = UNITS[persona]
    assert codes == (
        set(Unit.objects.values_list("code", flat=True)) if expected is None else expected
    )
    assert can_record_people(user) is (persona in RECORDS_PEOPLE)
    assert can_keep_aliases(user) is (persona in KEEPS_ALIASES)


def test_a_county_office_of_its_own_is_hosted_by_its_county(world):
    office = orgs.unit_create(
        by=None, code="HZ-HY-GGB", name="惠阳区委改革办", kind="office", parent=world.huiyang
    )
    office.refresh_from_db()
    staff = UserFactory(username="hy_office")
    orgs.membership_grant(by=None, user=staff, unit=office, role=Role.OFFICE_ADMIN)
    assert scopes_of(staff).hosts == (world.huiyang.path,)


def test_an_office_at_the_top_of_the_tree_has_no_host(world):
    """Only an office under a unit is hosted by it: one at the root reads its own ledger
    and not, through an empty host, every unit's tasks."""
    office = orgs.unit_create(by=None, code="GGB", name="改革办", kind="office")
    office.refresh_from_db()
    staff = UserFactory(username="root_office")
    orgs.membership_grant(by=None, user=staff, unit=office, role=Role.OFFICE_ADMIN)
    assert office.depth == 1
    assert scopes_of(staff).hosts == ()
