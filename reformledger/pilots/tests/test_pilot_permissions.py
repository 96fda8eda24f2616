"""Who sees which pilot and who may do what on it, walked across the personas: the
host unit works only its own pilots and sub-projects; another unit's pilot does not
exist for it (404 on the page and in the API); only the office records an acceptance."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reformledger.pilots import permissions, services
from reformledger.pilots.models import Acceptance, Pilot, SubProject
from reformledger.pilots.tests.test_pilot_services import register, to_acceptance

D = dt.date
API = "/api/v1/"
JSON = "application/json"


@pytest.fixture
def huiyang_pilot(world, office_staff) -> Pilot:
    """惠阳's brand, with 市发展改革局 helping."""
    return register(world, office_staff)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office_staff", True),
        ("director", True),
        ("city_leader", True),
        ("huiyang_liaison", True),
        ("huiyang_head", True),
        ("fgj_liaison", True),  # a helping unit reads it
        ("boluo_liaison", False),
        ("evaluator", False),
        ("outsider", False),
    ],
)
def test_who_sees_a_county_pilot(request, huiyang_pilot, client_for, persona, sees):
    user = request.getfixturevalue(persona)
    assert permissions.visible_pilots(user).filter(pk=huiyang_pilot.pk).exists() is sees
    page = client_for(user).get(reverse("pilots:pilot", args=[huiyang_pilot.pk]))
    api = client_for(user).get(f"{API}pilots/{huiyang_pilot.pk}/")
    if sees:
        assert (page.status_code, api.status_code) == (200, 200)
    else:
        # A unit that works pilots is told nothing of this one (404); a role with no
        # pilot section at all is refused the section (403).
        assert page.status_code == (404 if persona == "boluo_liaison" else 403)
        assert api.status_code == 404


def test_another_countys_pilot_is_a_404_on_every_page_of_it(
    world, huiyang_pilot, boluo_liaison, client_for
):
    client = client_for(boluo_liaison)
    for name in ("pilots:pilot", "pilots:pilot_edit"):
        assert client.get(reverse(name, args=[huiyang_pilot.pk])).status_code == 404
    response = client.post(
        reverse("pilots:sub_project_new", args=[huiyang_pilot.pk]),
        {"code": "X", "name": "x", "host_unit": world.boluo.pk, "planned_investment": "1"},
    )
    assert response.status_code == 404
    assert not SubProject.objects.exists()
    listed = client.get(reverse("pilots:pilots")).content.decode()
    assert huiyang_pilot.code not in listed


def test_the_host_unit_edits_its_own_sub_projects_only(
    world, office_staff, huiyang_pilot, huiyang_liaison, boluo_liaison, client_for
):
    boluo_pilot = register(world, office_staff, code="SD-02", host_unit=world.boluo, tasks=[])
    theirs = services.sub_project_create(
        pilot=boluo_pilot,
        by=boluo_liaison,
        code="B1",
        name="博罗子项目",
        host_unit=world.boluo,
        planned_investment=Decimal("10"),
    )
    with pytest.raises(PermissionDenied):
        services.sub_project_update(sub_project=theirs, by=huiyang_liaison, name="改名")
    response = client_for(huiyang_liaison).get(
        reverse("pilots:sub_project_edit", args=[boluo_pilot.pk, theirs.pk])
    )
    assert response.status_code == 404
    patch = client_for(huiyang_liaison).patch(
        f"{API}sub-projects/{theirs.pk}/", {"name": "改名", "version": 1}, content_type=JSON
    )
    assert patch.status_code == 404
    assert SubProject.objects.get(pk=theirs.pk).name == "博罗子项目"


def test_a_host_unit_does_not_manage_its_pilot(huiyang_pilot, huiyang_liaison, client_for):
    with pytest.raises(PermissionDenied):
        services.pilot_approve(
            pilot=huiyang_pilot, by=huiyang_liaison, approval_no="X", approved_on=D(2016, 1, 1)
        )
    client = client_for(huiyang_liaison)
    page = client.post(
        reverse("pilots:pilot_approve", args=[huiyang_pilot.pk]),
        {"approval_no": "X", "approved_on": "2016-01-01"},
    )
    assert page.status_code == 403
    assert client.get(reverse("pilots:pilot_edit", args=[huiyang_pilot.pk])).status_code == 403
    api = client.post(
        f"{API}pilots/{huiyang_pilot.pk}/approve/",
        {"approval_no": "X", "approved_on": "2016-01-01"},
        content_type=JSON,
    )
    assert api.status_code == 403
    assert Pilot.objects.get(pk=huiyang_pilot.pk).status == "applied"


@pytest.mark.parametrize("persona", ["huiyang_liaison", "huiyang_head", "city_leader"])
def test_only_the_office_records_an_acceptance(
    request, office_staff, huiyang_pilot, client_for, persona
):
    pilot = to_acceptance(huiyang_pilot, office_staff)
    user = request.getfixturevalue(persona)
    body = {"accepting_body": "省委改革办", "accepted_on": "2016-12-01", "result": "passed"}
    with pytest.raises(PermissionDenied):
        services.pilot_record_acceptance(
            pilot=pilot,
            by=user,
            accepting_body="省委改革办",
            accepted_on=D(2016, 12, 1),
            result="passed",
        )
    page = client_for(user).post(reverse("pilots:pilot_record_acceptance", args=[pilot.pk]), body)
    assert page.status_code == 403
    api = client_for(user).post(
        f"{API}pilots/{pilot.pk}/record-acceptance/", body, content_type=JSON
    )
    assert api.status_code == 403
    assert not Acceptance.objects.exists()


def test_the_office_director_records_the_acceptance(director, office_staff, huiyang_pilot):
    pilot = to_acceptance(huiyang_pilot, office_staff)
    services.pilot_record_acceptance(
        pilot=pilot,
        by=director,
        accepting_body="省委改革办",
        accepted_on=D(2016, 12, 1),
        result="passed",
    )
    assert Acceptance.objects.get().recorded_by == director


def test_a_sub_project_host_sees_the_pilot_but_edits_no_sub_project(
    world, office_staff, huiyang_pilot, boluo_liaison
):
    services.sub_project_create(
        pilot=huiyang_pilot,
        by=office_staff,
        code="B1",
        name="博罗承担的子项目",
        host_unit=world.boluo,
        planned_investment=Decimal("5"),
    )
    assert permissions.visible_pilots(boluo_liaison).filter(pk=huiyang_pilot.pk).exists()
    with pytest.raises(PermissionDenied):
        services.sub_project_create(
            pilot=huiyang_pilot,
            by=boluo_liaison,
            code="B2",
            name="x",
            host_unit=world.boluo,
            planned_investment=Decimal("1"),
        )


def test_a_city_leader_reads_but_registers_nothing(world, city_leader, client_for):
    client = client_for(city_leader)
    assert client.get(reverse("pilots:pilots")).status_code == 200
    assert client.get(reverse("pilots:pilot_new")).status_code == 403
    response = client.post(f"{API}pilots/", {"code": "X"}, content_type=JSON)
    assert response.status_code == 403
