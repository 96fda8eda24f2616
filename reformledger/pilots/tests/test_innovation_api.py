"""Grassroots innovations through the API: the same rows, rules and services as the
pages — a 403 for an act the role does not allow, a 404 for what the user may not see,
a 400 naming the field, a 409 for an act its state no longer allows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation
from reformledger.pilots.tests.test_innovation_services import propose, replicable

JSON = "application/json"
API = "/api/v1/"


def _post(client, url, body=None, **headers):
    return client.post(API + url, body or {}, content_type=JSON, **headers)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


PROPOSAL = {
    "year": 2016,
    "title": "表格化捆绑式绩效考核",
    "problem": "考核指标多、重复填报",
    "actions": "一张表格统筹考核",
    "results": "填报工作量减少一半",
}


def test_an_innovation_goes_proposed_accepted_replicable_and_adopted_by_two_units(
    world, office_staff, huiyang_liaison, boluo_liaison, fgj_liaison, client_for
):
    unit, office = client_for(huiyang_liaison), client_for(office_staff)
    made = _post(
        unit, "innovations/", PROPOSAL | {"office": world.office.pk, "unit": world.huiyang.pk}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    pk = body["id"]
    assert (body["status"], body["unit_name"], body["adoption_count"]) == ("proposed", "惠阳区", 0)

    accepted = _post(
        office, f"innovations/{pk}/accept/", {"reason": "同意", "task": world.task_huiyang.pk}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["task_code"] == "2016-001"

    declared = _post(office, f"innovations/{pk}/declare/", {"experience": "以表统考，一表多用"})
    assert declared.status_code == 200, declared.content
    assert declared.json()["status"] == "replicable" and declared.json()["declared_at"]

    for who, adopter, day in (
        (boluo_liaison, world.boluo, "2016-09-01"),
        (fgj_liaison, world.fgj, "2016-09-05"),
    ):
        adopted = _post(
            client_for(who),
            f"innovations/{pk}/adopt/",
            {"unit": adopter.pk, "adopted_on": day, "result": f"{adopter.name}已推行"},
        )
        assert adopted.status_code == 201, adopted.content
        assert adopted.json()["unit_name"] == adopter.name

    detail = office.get(API + f"innovations/{pk}/").json()
    assert detail["adoption_count"] == 2
    assert [a["unit_name"] for a in detail["adoptions"]] == ["博罗县", "市发展改革局"]
    listed = office.get(API + "innovations/", {"status": "replicable"}).json()["results"]
    assert [(r["id"], r["adoption_count"]) for r in listed] == [(pk, 2)]
    spread = office.get(API + "adoptions/", {"innovation": pk}).json()["results"]
    assert {r["unit_name"] for r in spread} == {"博罗县", "市发展改革局"}
    assert list(
        AuditRecord.objects.filter(ctx_id=str(pk), ctx_type="pilots.innovation")
        .order_by("id")
        .values_list("verb", flat=True)
    ) == [
        "innovation.proposed",
        "innovation.accepted",
        "innovation.declared",
        "innovation.adopted",
        "innovation.adopted",
    ]


def test_return_revise_and_decline_through_the_api(
    world, office_staff, huiyang_liaison, client_for
):
    office, unit = client_for(office_staff), client_for(huiyang_liaison)
    innovation = propose(world, huiyang_liaison)
    url = f"innovations/{innovation.pk}/"
    no_reason = _post(office, url + "return/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    returned = _post(office, url + "return/", {"reason": "请补充成效数据"})
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["decision_reason"] == "请补充成效数据"
    version = returned.json()["version"]

    stale = _post(unit, url + "revise/", {"results": "新", "version": version - 1})
    assert stale.status_code == 409
    stale_tag = _post(unit, url + "revise/", {"results": "新"}, HTTP_IF_MATCH=f'"{version - 1}"')
    assert stale_tag.status_code == 412
    revised = _post(unit, url + "revise/", {"results": "减少填报55%"}, HTTP_IF_MATCH=f'"{version}"')
    assert revised.status_code == 200, revised.content
    assert (revised.json()["status"], revised.json()["results"]) == ("proposed", "减少填报55%")
    assert revised.json()["title"] == "表格化捆绑式绩效考核"  # left out: unchanged

    declined = _post(office, url + "decline/", {"reason": "与已有改革重复"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = _post(office, url + "accept/", {})
    assert again.status_code == 409
    assert Innovation.objects.get().status == InnovationStatus.DECLINED


def test_acts_its_state_does_not_allow_are_conflicts(
    world, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    office = client_for(office_staff)
    innovation = propose(world, huiyang_liaison)
    url = f"innovations/{innovation.pk}/"
    assert _post(office, url + "declare/", {"experience": "总结"}).status_code == 409
    assert _post(client_for(huiyang_liaison), url + "revise/", {"title": "改"}).status_code == 409
    assert _post(office, url + "accept/").status_code == 200
    assert _post(office, url + "return/", {"reason": "晚了"}).status_code == 409
    assert _post(office, url + "declare/", {"experience": "总结"}).status_code == 200
    boluo = client_for(boluo_liaison)
    adopt = {"unit": world.boluo.pk, "adopted_on": "2016-09-01", "result": "已推行"}
    assert _post(boluo, url + "adopt/", adopt).status_code == 201
    assert _post(boluo, url + "adopt/", adopt).status_code == 409
    assert Adoption.objects.count() == 1


def test_roles_are_refused_before_the_body_is_read(
    world, office_staff, huiyang_liaison, huiyang_head, boluo_liaison, city_leader, client_for
):
    innovation = propose(world, huiyang_liaison)
    url = f"innovations/{innovation.pk}/"
    # A unit does not decide, even with an empty body (403, not 400).
    for act in ("accept/", "return/", "decline/", "declare/"):
        assert _post(client_for(huiyang_liaison), url + act).status_code == 403
        assert _post(client_for(city_leader), url + act).status_code == 403
    # Another unit does not see a proposal that is not its own: 404.
    boluo = client_for(boluo_liaison)
    assert boluo.get(API + url).status_code == 404
    assert _post(boluo, url + "accept/").status_code == 404
    assert _ids(boluo.get(API + "innovations/")) == []
    # The office does not propose for a unit.
    assert _post(client_for(office_staff), "innovations/", {}).status_code == 403
    wrong_unit = _post(
        client_for(huiyang_liaison),
        "innovations/",
        PROPOSAL | {"office": world.office.pk, "unit": world.boluo.pk},
    )
    assert wrong_unit.status_code == 400 and "unit" in wrong_unit.json()
    # The proposing unit does not adopt its own experience.
    replicable_one = replicable(world, office_staff, huiyang_liaison)
    own = _post(
        client_for(huiyang_head),
        f"innovations/{replicable_one.pk}/adopt/",
        {"unit": world.huiyang.pk, "adopted_on": "2016-09-01", "result": "x"},
    )
    assert own.status_code == 403
    # Every unit of the city sees a replicable experience.
    assert _ids(boluo.get(API + "innovations/")) == [replicable_one.pk]
    assert Adoption.objects.count() == 0


def test_bad_values_are_named(world, office_staff, huiyang_liaison, boluo_liaison, client_for):
    unit = client_for(huiyang_liaison)
    missing = _post(unit, "innovations/", {"office": world.office.pk, "unit": world.huiyang.pk})
    assert missing.status_code == 400
    assert {"year", "title", "problem", "actions", "results"} <= set(missing.json())
    innovation = replicable(world, office_staff, huiyang_liaison)
    future = _post(
        client_for(boluo_liaison),
        f"innovations/{innovation.pk}/adopt/",
        {"unit": world.boluo.pk, "adopted_on": "2999-01-01", "result": "x"},
    )
    assert future.status_code == 400 and "adopted_on" in future.json()
    assert client_for(office_staff).get(API + "innovations/", {"year": "abc"}).status_code == 400


# --- cost ------------------------------------------------------------------------------


def bulk_innovations(world, by, n: int, start: int = 0) -> None:
    """`n` more innovations of the world's office, written directly: in every state,
    from 惠阳, its town and 博罗; the replicable ones adopted by up to two units."""
    units = [world.huiyang, world.huiyang_town, world.boluo]
    states = list(InnovationStatus)
    now = timezone.now()
    rows = Innovation.objects.bulk_create(
        Innovation(
            office=world.office,
            year=2016,
            unit=units[i % 3],
            title=f"创新 {i}",
            problem="问题",
            actions="做法",
            results="成效",
            status=states[i % len(states)],
            experience="经验" if states[i % len(states)] == InnovationStatus.REPLICABLE else "",
            proposed_by=by,
            proposed_at=now,
            pilot=None,
            task=world.task_huiyang if i % 2 else None,
            decided_by=by if i % 2 else None,
        )
        for i in range(start, start + n)
    )
    adopters = [world.fgj, world.boluo]
    Adoption.objects.bulk_create(
        Adoption(
            innovation=row,
            unit=unit,
            adopted_on=dt.date(2016, 9, 1),
            result="已推行",
            recorded_by=by,
            recorded_at=now,
        )
        for row in rows
        if row.status == InnovationStatus.REPLICABLE
        for unit in adopters
        if unit != row.unit
    )


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison", "city_leader"])
def test_the_lists_run_the_same_queries_for_10_and_1000_rows(
    request, world, office_staff, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))

    def counts() -> list[int]:
        out = []
        for url in ("innovations/", "adoptions/"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(API + url, {"page_size": 500})
            assert response.status_code == 200, (url, response.content)
            assert response.json()["results"]
            out.append(len(ctx.captured_queries))
        return out

    bulk_innovations(world, office_staff, 10)
    few = counts()
    bulk_innovations(world, office_staff, 990, start=10)
    assert counts() == few
    rows = client.get(API + "innovations/", {"page_size": 500}).json()["results"]
    assert len(rows) == 500 and all("adoption_count" in r for r in rows)
