"""Pilots through the API: the same rows, rules and services as the pages — a pilot's
life by its acts, a change saying which version it read (412 stale If-Match, 409 stale
`version`, 428 neither), a 409 for an act the state forbids, a 400 naming the field,
lists costing the same whatever the rows."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformledger.audit.models import AuditRecord
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject
from reformledger.pilots.tests.test_pilot_pages import _many, _period, _report
from reformledger.pilots.tests.test_pilot_services import register

API = "/api/v1/"
JSON = "application/json"
D = dt.date


def _post(client, url, body=None):
    return client.post(API + url, body or {}, content_type=JSON)


def test_a_pilot_is_registered_and_taken_to_concluded_through_the_api(
    world, office_staff, client_for
):
    client = client_for(office_staff)
    created = _post(
        client,
        "pilots/",
        {
            "office": world.office.pk,
            "code": "GJ-01",
            "name": "社会信用体系建设试点",
            "level": "national",
            "granting_body": "国家发展改革委",
            "host_unit": world.fgj.pk,
            "start": "2016-01-01",
            "end": "2017-12-31",
            "goals": "建成信用信息共享平台",
            "tasks": [world.task_helped.pk],
            "helping_units": [world.huiyang.pk],
        },
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    assert created.json()["status"] == "applied" and created["ETag"] == '"1"'
    steps = [
        ("approve", {"approval_no": "发改〔2016〕1号", "approved_on": "2016-02-01"}, "approved"),
        ("start", {"note": "印发方案"}, "under_way"),
        ("open-mid-term", None, "mid_term"),
        (
            "review",
            {"reviewed_on": "2016-08-01", "reviewer": "评估组", "findings": "良好"},
            "mid_term",
        ),
        ("open-acceptance", None, "acceptance"),
        (
            "record-acceptance",
            {
                "accepting_body": "国家发展改革委",
                "accepted_on": "2016-12-01",
                "result": "passed",
                "score": "96.50",
                "rank_text": "同批第一",
                "group_rank": 1,
            },
            "acceptance",
        ),
        ("conclude", {"experience": "信用联合奖惩"}, "concluded"),
    ]
    for act, body, status in steps:
        response = _post(client, f"pilots/{pid}/{act}/", body)
        assert response.status_code == 200, (act, response.content)
        assert response.json()["status"] == status, act
    final = client.get(f"{API}pilots/{pid}/").json()
    assert final["acceptance"]["rank_text"] == "同批第一"
    assert final["reviews"][0]["reviewer"] == "评估组"
    assert final["experience"] == "信用联合奖惩"
    assert AuditRecord.objects.filter(verb__startswith="pilot.").count() == 8


def test_an_act_the_state_forbids_is_a_409_and_a_missing_field_a_400(
    world, office_staff, client_for
):
    pilot = register(world, office_staff)
    client = client_for(office_staff)
    response = _post(client, f"pilots/{pilot.pk}/open-mid-term/")
    assert response.status_code == 409
    response = _post(client, f"pilots/{pilot.pk}/approve/", {"approved_on": "2016-01-01"})
    assert response.status_code == 400 and "approval_no" in response.json()
    response = _post(client, f"pilots/{pilot.pk}/end/", {"reason": "  "})
    assert response.status_code == 400
    assert Pilot.objects.get(pk=pilot.pk).status == "applied"


def test_a_change_says_which_version_it_read(world, office_staff, client_for):
    pilot = register(world, office_staff)
    client = client_for(office_staff)
    url = f"{API}pilots/{pilot.pk}/"
    assert client.patch(url, {"name": "甲"}, content_type=JSON).status_code == 428
    ok = client.patch(url, {"name": "甲"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["name"] == "甲"
    stale = client.patch(url, {"name": "乙"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    stale = client.patch(url, {"name": "乙", "version": 1}, content_type=JSON)
    assert stale.status_code == 409
    assert Pilot.objects.get(pk=pilot.pk).name == "甲"
    bad = client.patch(url, {"end": "2010-01-01", "version": 2}, content_type=JSON)
    assert bad.status_code == 400 and "end" in bad.json()


def test_sub_projects_are_added_and_changed_by_the_host_unit(
    world, office_staff, huiyang_liaison, client_for
):
    pilot = register(world, office_staff)
    client = client_for(huiyang_liaison)
    created = _post(
        client,
        "sub-projects/",
        {
            "pilot": pilot.pk,
            "code": "ZX-01",
            "name": "淡水河治理",
            "host_unit": world.huiyang_town.pk,
            "planned_investment": "800.00",
        },
    )
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    sub = SubProject.objects.get(pk=sid)
    _report(sub, _period(world, 1, D(2016, 1, 1), D(2016, 3, 31)), "200", office_staff)
    read = client.get(f"{API}sub-projects/{sid}/")
    assert read.json()["completed"] == "200.00"
    changed = client.patch(
        f"{API}sub-projects/{sid}/",
        {"planned_investment": "1000.00"},
        content_type=JSON,
        headers={"If-Match": read["ETag"]},
    )
    assert changed.status_code == 200 and changed.json()["planned_investment"] == "1000.00"
    listed = client.get(f"{API}pilots/", {"q": "表格化"}).json()["results"]
    assert [(r["planned"], r["completed"], r["completion"]) for r in listed] == [
        ("1000.00", "200.00", 20.0)
    ]


def test_lists_filter_and_sort(world, office_staff, client_for):
    register(world, office_staff, code="GJ-01", level="national", brand="")
    register(world, office_staff, code="SD-01", host_unit=world.boluo, tasks=[])
    client = client_for(office_staff)
    codes = [r["code"] for r in client.get(f"{API}pilots/").json()["results"]]
    assert codes == ["GJ-01", "SD-01"]
    codes = [
        r["code"] for r in client.get(f"{API}pilots/", {"level": "municipal"}).json()["results"]
    ]
    assert codes == ["SD-01"]
    codes = [
        r["code"]
        for r in client.get(f"{API}pilots/", {"host_unit": world.boluo.pk}).json()["results"]
    ]
    assert codes == ["SD-01"]
    codes = [
        r["code"] for r in client.get(f"{API}pilots/", {"ordering": "-code"}).json()["results"]
    ]
    assert codes == ["SD-01", "GJ-01"]
    assert client.get(f"{API}pilots/", {"level": "galactic"}).status_code == 400


def test_the_lists_run_the_same_queries_for_ten_and_a_thousand_rows(
    world, office_staff, client_for, django_assert_max_num_queries
):
    client = client_for(office_staff)
    _many(world, office_staff, 10)
    counts = {}
    for url in (f"{API}pilots/", f"{API}sub-projects/"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    pilots = Pilot.objects.bulk_create(
        Pilot(
            office=world.office,
            code=f"Q-{i:04d}",
            name=f"试点{i}",
            level="provincial",
            granting_body="省发展改革委",
            host_unit=world.fgj,
            start=D(2016, 1, 1),
            end=D(2017, 12, 31),
            goals="目标",
            created_by=office_staff,
        )
        for i in range(990)
    )
    SubProject.objects.bulk_create(
        SubProject(pilot=p, code="S1", name="子项目", host_unit=world.fgj, planned_investment=10)
        for p in pilots
    )
    assert Pilot.objects.count() == 1000 and InvestmentReport.objects.count() == 10
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            response = client.get(url, {"page_size": 200})
        assert response.status_code == 200 and len(response.json()["results"]) == 200
    detail = client.get(f"{API}pilots/{pilots[0].pk}/")
    assert detail.status_code == 200 and detail.json()["sub_projects"] == 1
    assert detail.json()["planned"] == "10.00" and detail.json()["completion"] == 0.0
    assert Decimal(detail.json()["completed"]) == 0
