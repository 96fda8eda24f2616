"""One rule for pages, API and services, walked persona by persona: the office defines
and checks, city leaders read, the owner unit reads and reports only its own, and an
indicator of another unit does not exist for anyone else (404)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reformledger.indicators import permissions, services

ACTS = ("view", "manage", "report", "check")
OFFICE = {"view", "manage", "check"}

#: persona -> (acts on 惠阳区's loans indicator, acts on 市发展改革局's zombies indicator)
MATRIX = {
    "office_staff": (OFFICE, OFFICE),
    "director": (OFFICE, OFFICE),
    "city_leader": ({"view"}, {"view"}),
    "huiyang_liaison": ({"view", "report"}, set()),
    "huiyang_head": ({"view", "report"}, set()),
    "fgj_liaison": (set(), {"view", "report"}),
    "boluo_liaison": (set(), set()),
    "evaluator": (set(), set()),
    "outsider": (set(), set()),
}


def _api_status(client, indicator) -> int:
    return client.get(f"/api/v1/indicators/{indicator.pk}/").status_code


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_each_persona_may_do_what_the_matrix_says_everywhere(
    request, world, persona, loans, zombies, periods, client_for
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    for indicator, allowed in zip((loans, zombies.closed), MATRIX[persona], strict=True):
        assert {a for a in ACTS if permissions.can(user, a, indicator)} == allowed, indicator
        sees = "view" in allowed
        assert permissions.visible_indicators(user).filter(pk=indicator.pk).exists() == sees
        page = client.get(reverse("indicators:detail", args=[indicator.pk]))
        if permissions.sees_indicators(user):
            assert page.status_code == (200 if sees else 404)
            assert _api_status(client, indicator) == (200 if sees else 404)
        else:
            assert page.status_code == 403  # the section is closed to them
            assert _api_status(client, indicator) == 404
        report = client.get(reverse("indicators:report", args=[indicator.pk]))
        if "report" in allowed:
            assert report.status_code == 200
        elif sees:
            assert report.status_code == 403
        if "report" not in allowed:
            with pytest.raises(PermissionDenied):
                services.indicator_report(indicator=indicator, period=periods[3], value=1, by=user)
        if "manage" not in allowed:
            with pytest.raises(PermissionDenied):
                services.indicator_set_target(indicator=indicator, by=user, year=2016, target=1)


def test_the_ratio_is_reported_by_no_one(world, zombies, fgj_liaison, office_staff):
    for user in (fgj_liaison, office_staff):
        assert not permissions.can(user, "report", zombies.rate)
    assert permissions.can(fgj_liaison, "view", zombies.rate)


def test_only_the_office_checks_a_value(
    world, loans, periods, huiyang_liaison, huiyang_head, city_leader, director, office_staff
):
    value = services.indicator_report(
        indicator=loans, period=periods[2], value=3, by=huiyang_liaison
    )
    for user in (huiyang_liaison, huiyang_head, city_leader):
        assert not permissions.can(user, "check", value)
        with pytest.raises(PermissionDenied):
            services.indicator_check(value=value, by=user)
    assert permissions.can(director, "check", value)
    assert permissions.can(office_staff, "check", value)


def test_a_unit_sees_the_indicators_of_the_units_below_it(world, office_staff, huiyang_liaison):
    town = services.indicator_create(
        office=world.office,
        by=office_staff,
        code="T-01",
        name="街道指标",
        measure="个",
        owner_unit=world.huiyang_town,
    )
    assert permissions.visible_indicators(huiyang_liaison).filter(pk=town.pk).exists()
    assert permissions.can(huiyang_liaison, "report", town)


def test_an_unknown_act_is_a_programming_error(world, loans, office_staff):
    with pytest.raises(ValueError):
        permissions.can(office_staff, "delete", loans)
    with pytest.raises(ValueError):
        permissions.can_office(office_staff, "delete", world.office)
