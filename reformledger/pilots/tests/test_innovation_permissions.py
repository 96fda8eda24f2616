"""One rule for grassroots innovations, whatever the way in: the test walks every
persona through every act on a proposal and on a replicable experience, and checks that
`permissions.can`, the service, the page and the API agree — allowed, refused (403),
or not even seen (404)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reformledger.core.exceptions import ConflictError
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from reformledger.pilots import permissions
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation, Pilot
from reformledger.pilots.services import innovations as services
from reformledger.pilots.tests.test_innovation_services import propose, replicable
from tests.factories import UserFactory

API = "/api/v1/innovations/"
PERSONAS = (
    "office_staff",
    "director",
    "city_leader",
    "huiyang_liaison",
    "huiyang_head",
    "boluo_liaison",
    "fgj_liaison",
    "evaluator",
    "outsider",
)
OFFICE = {"office_staff", "director"}
HUIYANG = {"huiyang_liaison", "huiyang_head"}
OTHER_UNITS = {"boluo_liaison", "fgj_liaison"}
#: Who works the section's pages at all (others: 403 on every page).
SECTION = OFFICE | HUIYANG | OTHER_UNITS | {"city_leader"}

#: (act, on) -> the personas allowed; the others who see the innovation are refused
#: (403), and those who do not see it get a 404.
ALLOWED = {
    ("view", "proposal"): OFFICE | HUIYANG | {"city_leader"},
    ("view", "experience"): OFFICE | HUIYANG | OTHER_UNITS | {"city_leader"},
    ("decide", "proposal"): OFFICE,
    ("decide", "experience"): OFFICE,
    ("revise", "proposal"): HUIYANG,
    ("revise", "experience"): HUIYANG,
    ("adopt", "proposal"): set(),
    ("adopt", "experience"): OTHER_UNITS,
}


def _expected(persona: str, act: str, on: str) -> str:
    if persona in ALLOWED[(act, on)]:
        return "allowed"
    return "denied" if persona in ALLOWED[("view", on)] else "hidden"


@pytest.fixture
def cast(request, world, office_staff):
    people = {name: request.getfixturevalue(name) for name in PERSONAS}
    proposal = propose(world, people["huiyang_liaison"], title="提案")
    experience = replicable(world, office_staff, people["huiyang_liaison"])
    return people, {"proposal": proposal, "experience": experience}


def _service(act: str, innovation, user, world):
    """The act through its service, with a body that fails after the permission check
    (so an allowed person changes nothing either)."""
    if act == "view":
        return
    if act == "decide":
        services.innovation_return(innovation=innovation, by=user, reason="")
    elif act == "revise":
        services.innovation_revise(innovation=innovation, by=user, year=1)
    elif act == "adopt":
        services.innovation_adopt(
            innovation=innovation,
            unit=world.boluo,
            by=user,
            adopted_on=dt.date(2999, 1, 1),
            result="",
        )


def _page(act: str, innovation, client):
    if act == "view":
        return client.get(reverse("pilots:innovation", args=[innovation.pk]))
    if act == "decide":
        return client.post(
            reverse("pilots:innovation_return", args=[innovation.pk]), {"return-reason": ""}
        )
    if act == "revise":
        return client.get(reverse("pilots:innovation_revise", args=[innovation.pk]))
    return client.post(reverse("pilots:innovation_adopt", args=[innovation.pk]), {})


def _api(act: str, innovation, client):
    url = f"{API}{innovation.pk}/"
    if act == "view":
        return client.get(url)
    path = {"decide": "return/", "revise": "revise/", "adopt": "adopt/"}[act]
    return client.post(url + path, {"year": 1}, content_type="application/json")


@pytest.mark.parametrize("act", ["view", "decide", "revise", "adopt"])
def test_every_persona_meets_the_same_rule_in_the_service_the_page_and_the_api(
    world, cast, client_for, act
):
    people, innovations = cast
    states = {k: (v.status, v.version) for k, v in innovations.items()}
    for persona, user in people.items():
        client = client_for(user)
        for on, innovation in innovations.items():
            expected = _expected(persona, act, on)
            where = (persona, act, on, expected)
            assert permissions.can(user, act, innovation) == (expected == "allowed"), where
            if act != "view":
                if expected == "allowed":
                    with pytest.raises((ValidationError, ConflictError)):
                        _service(act, innovation, user, world)
                else:
                    with pytest.raises(PermissionDenied):
                        _service(act, innovation, user, world)
            page = _page(act, innovation, client).status_code
            api = _api(act, innovation, client).status_code
            if expected == "allowed":
                assert page not in (403, 404) and api not in (403, 404), (*where, page, api)
            else:
                code = 403 if expected == "denied" else 404
                assert api == code, (*where, api)
                assert page == (code if persona in SECTION else 403), (*where, page)
    # Nobody changed anything on the way.
    for key, innovation in innovations.items():
        innovation.refresh_from_db()
        assert (innovation.status, innovation.version) == states[key]
    assert not Adoption.objects.exists()


def test_the_lists_show_each_persona_what_it_may_see(world, cast, client_for):
    people, innovations = cast
    for persona, user in people.items():
        seen = {
            key
            for key, innovation in innovations.items()
            if permissions.visible_innovations(user).filter(pk=innovation.pk).exists()
        }
        expected = {on for on in innovations if persona in ALLOWED[("view", on)]}
        assert seen == expected, persona
        rows = client_for(user).get(API).json()["results"]
        assert {r["id"] for r in rows} == {innovations[k].pk for k in expected}, persona


def test_another_city_s_experience_is_neither_seen_nor_adopted(
    world, office_staff, boluo_liaison, client_for
):
    other_city = orgs.unit_create(by=None, code="SZ", name="深圳市", kind=UnitKind.CITY)
    other_office = orgs.unit_create(
        by=None, code="SZ-GGB", name="深圳市改革办", kind=UnitKind.OFFICE, parent=other_city
    )
    other_county = orgs.unit_create(
        by=None, code="SZ-FT", name="福田区", kind=UnitKind.COUNTY, parent=other_city
    )
    for unit in (other_office, other_county):
        unit.refresh_from_db()
    proposer = UserFactory(username="futian")
    orgs.membership_grant(by=None, user=proposer, unit=other_county, role=Role.UNIT_REPORTER)
    shenzhen_staff = UserFactory(username="sz_office")
    orgs.membership_grant(by=None, user=shenzhen_staff, unit=other_office, role=Role.OFFICE_ADMIN)
    innovation = services.innovation_propose(
        office=other_office,
        unit=other_county,
        by=proposer,
        year=2016,
        title="深圳经验",
        problem="问题",
        actions="做法",
        results="成效",
    )
    services.innovation_accept(innovation=innovation, by=shenzhen_staff)
    services.innovation_declare(innovation=innovation, by=shenzhen_staff, experience="经验")
    innovation.refresh_from_db()
    assert innovation.status == InnovationStatus.REPLICABLE

    assert not permissions.can(boluo_liaison, "adopt", innovation)
    assert not permissions.can(office_staff, "decide", innovation)
    assert client_for(boluo_liaison).get(f"{API}{innovation.pk}/").status_code == 404
    assert client_for(office_staff).get(f"{API}{innovation.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.innovation_adopt(
            innovation=innovation,
            unit=world.boluo,
            by=boluo_liaison,
            adopted_on=dt.date(2016, 9, 1),
            result="想推行",
        )
    # A Huizhou office's experience is Huizhou's: Futian does not see it either.
    ours = replicable(world, office_staff, boluo_liaison, unit=world.boluo)
    assert (
        not Innovation.objects.filter(pk=ours.pk)
        .filter(pk__in=permissions.visible_innovations(proposer).values("pk"))
        .exists()
    )


def test_an_id_the_user_cannot_see_answers_as_one_that_does_not_exist(
    world, office_staff, huiyang_liaison, fgj_liaison, client_for
):
    """Ids in a body are looked up among the rows the user sees: a row of 博罗县's own
    ledger (its office, a town, a task, a pilot) answers exactly as a missing id."""
    boluo_office = orgs.unit_create(
        by=None, code="BL-GGB", name="博罗县改革办", kind=UnitKind.OFFICE, parent=world.boluo
    )
    boluo_town = orgs.unit_create(
        by=None, code="BL-01", name="罗阳街道", kind=UnitKind.TOWN, parent=world.boluo
    )
    hidden_task = world.task_boluo  # led by 博罗县: the 惠阳 liaison does not see it
    hidden_pilot = Pilot.objects.create(
        office=boluo_office,
        code="BL-P",
        name="博罗秘密试点",
        level="municipal",
        granting_body="县委",
        host_unit=world.boluo,
        start=dt.date(2016, 1, 1),
        end=dt.date(2016, 12, 31),
        goals="目标",
        created_by=office_staff,
    )
    county_staff = UserFactory(username="hy_office")
    county_office = orgs.unit_create(
        by=None, code="HY-GGB", name="惠阳区改革办", kind=UnitKind.OFFICE, parent=world.huiyang
    )
    orgs.membership_grant(by=None, user=county_staff, unit=county_office, role=Role.OFFICE_ADMIN)
    county_office.refresh_from_db()
    proposal = propose(world, huiyang_liaison, office=county_office, unit=world.huiyang_town)
    experience = replicable(world, office_staff, fgj_liaison, unit=world.fgj)

    base = PROPOSAL_BODY | {"office": world.office.pk, "unit": world.huiyang.pk}
    cases = [
        (huiyang_liaison, "", "office", boluo_office, base),
        (huiyang_liaison, "", "unit", boluo_town, base),
        (county_staff, f"{proposal.pk}/accept/", "task", hidden_task, {}),
        (county_staff, f"{proposal.pk}/accept/", "pilot", hidden_pilot, {}),
        (
            huiyang_liaison,
            f"{experience.pk}/adopt/",
            "unit",
            boluo_town,
            {"adopted_on": "2016-09-01", "result": "推行"},
        ),
    ]
    for user, path, field, row, body in cases:
        client = client_for(user)
        missing = row.pk + 100_000
        answers = []
        for pk in (row.pk, missing):
            response = client.post(API + path, body | {field: pk}, content_type="application/json")
            assert response.status_code == 400, (path, field, response.content)
            answers.append(response.content.decode().replace(str(pk), "ID"))
        assert answers[0] == answers[1], (path, field, answers)
        assert str(row) not in answers[0]
    assert Innovation.objects.count() == 2 and not Adoption.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == InnovationStatus.PROPOSED


PROPOSAL_BODY = {
    "year": 2016,
    "title": "标题",
    "problem": "问题",
    "actions": "做法",
    "results": "成效",
}
