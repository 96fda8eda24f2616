"""Supervision through the API: the same rows, rules and services as the pages — a
403 for an act the role does not allow, a 404 for what the user may not see, a 400
naming the field, a 409 for an act on something already decided."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Task
from reformledger.supervision import services
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    CollectiveReview,
    LeaderLink,
    LeadingGroupMeeting,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)

JSON = "application/json"
TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)
API = "/api/v1/"


def _post(client, url, body=None):
    return client.post(API + url, body or {}, content_type=JSON)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _issue(world, director, task=None, **extra) -> SupervisionOrder:
    return services.order_issue(
        office=world.office,
        by=director,
        task=task or world.task_huiyang,
        basis="领导小组第1次会议要求",
        demand="报送考核方案",
        deadline=IN_A_WEEK,
        **extra,
    )


# --- orders: issue, answer, decide, escalate ---------------------------------------------


def test_an_order_is_issued_answered_and_accepted_through_the_api(
    world, director, office_staff, huiyang_liaison, client_for
):
    body = {
        "office": world.office.pk,
        "task": world.task_huiyang.pk,
        "basis": "领导小组第1次会议要求",
        "demand": "报送考核方案",
        "deadline": IN_A_WEEK.isoformat(),
    }
    # Office staff record meetings but only leaders issue orders.
    assert _post(client_for(office_staff), "supervision-orders/", body).status_code == 403
    leader = client_for(director)
    made = _post(leader, "supervision-orders/", body)
    assert made.status_code == 201, made.content
    order = made.json()
    assert order["label"] == f"督办〔{TODAY.year}〕1号"
    assert (order["level"], order["status"], order["unit"]) == ("blue", "open", world.huiyang.pk)
    url = f"supervision-orders/{order['id']}/"

    liaison = client_for(huiyang_liaison)
    assert _post(liaison, url + "accept/").status_code == 403
    assert _post(leader, url + "accept/").status_code == 409  # nothing answered yet
    assert _post(liaison, url + "receive/").status_code == 200  # signed for first
    answered = _post(liaison, url + "answer/", {"body": "考核方案已报送"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered"
    assert answered.json()["answers"][0]["body"] == "考核方案已报送"
    assert _post(liaison, url + "answer/", {"body": "再答一次"}).status_code == 409

    accepted = _post(leader, url + "accept/", {"note": "同意销号"})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted" and accepted.json()["closed_at"]
    assert _post(leader, url + "accept/").status_code == 409
    assert _post(leader, url + "escalate/", {"reason": "逾期"}).status_code == 409
    verbs = AuditRecord.objects.filter(verb__startswith="order.").values_list("verb", flat=True)
    assert list(verbs.order_by("id")) == [
        "order.issued",
        "order.received",
        "order.answered",
        "order.accepted",
    ]


def test_a_returned_answer_needs_a_reason_and_opens_the_order_again(
    world, director, huiyang_liaison, client_for
):
    order = _issue(world, director)
    url = f"supervision-orders/{order.pk}/"
    liaison, leader = client_for(huiyang_liaison), client_for(director)
    _post(liaison, url + "receive/")
    _post(liaison, url + "answer/", {"body": "已办理"})
    no_reason = _post(leader, url + "return/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    later = (IN_A_WEEK + dt.timedelta(days=7)).isoformat()
    returned = _post(leader, url + "return/", {"reason": "缺少佐证材料", "deadline": later})
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["deadline"]) == ("returned", later)
    assert returned.json()["answers"][0]["decision"] == "returned"
    assert _post(liaison, url + "answer/", {"body": "补充材料"}).json()["status"] == "answered"


def test_escalating_by_hand_needs_a_reason_and_stops_at_red(world, director, client_for):
    order = _issue(world, director)
    leader = client_for(director)
    url = f"supervision-orders/{order.pk}/escalate/"
    assert "reason" in _post(leader, url, {"reason": ""}).json()
    assert _post(leader, url, {"reason": "进展缓慢"}).json()["level"] == "orange"
    red = _post(leader, url, {"reason": "仍未落实"}).json()
    assert (red["level"], red["escalations"]) == ("red", 2)
    top = _post(leader, url, {"reason": "再升一级"})
    assert top.status_code == 400 and "level" in top.json()


def test_issuing_with_bad_input_names_the_field_and_writes_nothing(world, director, client_for):
    leader = client_for(director)
    base = {
        "office": world.office.pk,
        "task": world.task_huiyang.pk,
        "basis": "依据",
        "demand": "要求",
        "deadline": IN_A_WEEK.isoformat(),
    }
    cases = {
        "deadline": {"deadline": (TODAY - dt.timedelta(days=1)).isoformat()},
        "level": {"level": "purple"},
        "demand": {"demand": "   "},
        "task": {"task": None},
        "office": {"office": 999999},
    }
    for field, change in cases.items():
        response = _post(leader, "supervision-orders/", base | change)
        assert response.status_code == 400, (field, response.content)
        assert field in response.json(), (field, response.json())
    assert not SupervisionOrder.objects.exists()


# --- who sees what ---------------------------------------------------------------------


def test_a_unit_sees_and_answers_only_what_is_addressed_to_it(
    world, director, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    huiyang_order = _issue(world, director)
    boluo_order = _issue(world, director, task=world.task_boluo)
    meeting = services.supervision_meeting_record(
        office=world.office,
        by=office_staff,
        held_on=TODAY,
        topic="审批改革推进",
        attendees="陈志远、林文秀",
        actions=[services.ActionRow(world.boluo, "压缩审批时限", IN_A_WEEK, world.task_boluo)],
    )
    item = meeting.action_items.get()
    boluo = client_for(boluo_liaison)
    assert _ids(boluo.get(API + "supervision-orders/")) == [boluo_order.pk]
    assert _ids(boluo.get(API + "action-items/")) == [item.pk]
    assert boluo.get(API + f"supervision-orders/{huiyang_order.pk}/").status_code == 404
    assert (
        _post(boluo, f"supervision-orders/{huiyang_order.pk}/answer/", {"body": "x"}).status_code
        == 404
    )
    assert _ids(boluo.get(API + "supervision-meetings/")) == []
    assert boluo.get(API + f"supervision-meetings/{meeting.pk}/").status_code == 404
    assert _ids(client_for(huiyang_liaison).get(API + "action-items/")) == []
    assert _post(boluo, f"action-items/{item.pk}/receive/").status_code == 200
    assert _post(boluo, f"action-items/{item.pk}/answer/", {"body": "已压缩"}).status_code == 200
    assert _post(boluo, f"action-items/{item.pk}/accept/").status_code == 403
    accepted = _post(client_for(director), f"action-items/{item.pk}/accept/")
    assert accepted.json()["status"] == "accepted"
    everything = client_for(office_staff)
    assert set(_ids(everything.get(API + "supervision-orders/"))) == {
        huiyang_order.pk,
        boluo_order.pk,
    }


def test_a_refused_act_is_audited_as_a_refusal(world, director, boluo_liaison, client_for):
    order = _issue(world, director, task=world.task_boluo)
    assert (
        _post(
            client_for(boluo_liaison), f"supervision-orders/{order.pk}/escalate/", {"reason": "x"}
        ).status_code
        == 403
    )
    assert AuditRecord.objects.filter(verb="access.denied", actor=boluo_liaison).exists()


# --- filters --------------------------------------------------------------------------


def test_order_lists_filter_by_year_level_status_unit_task_and_overdue(
    world, director, huiyang_liaison, client_for
):
    first = _issue(world, director)
    town = _issue(world, director, task=world.task_town, level="red")
    boluo = _issue(world, director, task=world.task_boluo, year=2016)
    SupervisionOrder.objects.filter(pk=town.pk).update(deadline=TODAY - dt.timedelta(days=3))
    services.matter_receive(matter=first, by=huiyang_liaison)
    services.answer_submit(matter=first, by=huiyang_liaison, body="已报送")
    client = client_for(director)

    def listed(**params):
        return set(_ids(client.get(API + "supervision-orders/", params)))

    assert listed(year=2016) == {boluo.pk}
    assert listed(level="red") == {town.pk}
    assert listed(status="answered") == {first.pk}
    assert listed(unit=world.huiyang.pk) == {first.pk, town.pk}  # the town is under 惠阳
    assert listed(unit=999999) == set()
    assert listed(task=world.task_boluo.pk) == {boluo.pk}
    assert listed(overdue="true") == {town.pk}
    assert listed(overdue="false") == {first.pk, boluo.pk}
    rows = client.get(API + "supervision-orders/", {"overdue": "true"}).json()["results"]
    assert rows[0]["overdue"] is True and rows[0]["unit_name"] == "淡水街道"
    numbers = [
        r["number"]
        for r in client.get(API + "supervision-orders/", {"ordering": "deadline"}).json()["results"]
    ]
    assert numbers[0] == town.number
    for bad in ({"level": "purple"}, {"overdue": "maybe"}, {"year": "1999"}, {"unit": "x"}):
        response = client.get(API + "supervision-orders/", bad)
        assert response.status_code == 400 and set(bad) <= set(response.json()), bad


# --- meetings, documents, reviews, links --------------------------------------------------


def test_a_supervision_meeting_is_recorded_with_its_action_items(world, office_staff, client_for):
    body = {
        "office": world.office.pk,
        "held_on": "2016-05-10",
        "topic": "绩效考核改革推进",
        "attendees": "陈志远、林文秀",
        "tasks": [world.task_huiyang.pk],
        "actions": [
            {"unit": world.huiyang.pk, "demand": "细化考核指标", "deadline": IN_A_WEEK.isoformat()},
        ],
    }
    client = client_for(office_staff)
    bad = _post(
        client, "supervision-meetings/", body | {"actions": [{**body["actions"][0], "demand": " "}]}
    )
    assert bad.status_code == 400 and "actions" in bad.json()
    assert not SupervisionMeeting.objects.exists()
    made = _post(client, "supervision-meetings/", body)
    assert made.status_code == 201, made.content
    meeting = made.json()
    assert meeting["tasks"] == [world.task_huiyang.pk]
    assert [i["demand"] for i in meeting["action_items"]] == ["细化考核指标"]
    listed = client.get(API + "supervision-meetings/", {"year": 2016}).json()["results"]
    assert listed[0]["n_items"] == 1
    assert _ids(client.get(API + "supervision-meetings/", {"year": 2017})) == []


def test_a_task_of_another_office_is_not_found_in_a_request(world, office_staff, client_for):
    other = Task.objects.create(
        office=world.huiyang,  # not the office's ledger: treated as unseen by the staff
        year=2016,
        code="HY-001",
        title="区级任务",
        area=world.economy,
        lead_unit=world.huiyang_town,
        deliverable_kind="policy",
        start_date=dt.date(2016, 1, 1),
        deadline=dt.date(2016, 12, 31),
    )
    body = {
        "office": world.office.pk,
        "year": 2016,
        "title": "关于推进审批改革的意见",
        "drafting_unit": world.boluo.pk,
        "task": other.pk,
    }
    response = _post(client_for(office_staff), "reform-documents/", body)
    assert response.status_code == 400 and "task" in response.json()


def test_a_document_is_registered_reviewed_and_issued_with_its_number(
    world, office_staff, huiyang_liaison, client_for
):
    client = client_for(office_staff)
    body = {
        "office": world.office.pk,
        "year": 2016,
        "title": "《关于深化投融资体制改革的实施意见》",
        "drafting_unit": world.fgj.pk,
    }
    assert _post(client_for(huiyang_liaison), "reform-documents/", body).status_code == 403
    made = _post(client, "reform-documents/", body)
    assert made.status_code == 201, made.content
    doc = made.json()
    assert (doc["title"], doc["status"]) == ("关于深化投融资体制改革的实施意见", "draft")
    url = f"reform-documents/{doc['id']}/status/"
    unnumbered = _post(client, url, {"status": "issued", "issued_on": "2016-06-01"})
    assert unnumbered.status_code == 400 and "document_no" in unnumbered.json()
    issued = _post(
        client,
        url,
        {"status": "issued", "document_no": "惠市改〔2016〕3号", "issued_on": "2016-06-01"},
    )
    assert issued.status_code == 200
    assert issued.json()["document_no"] == "惠市改〔2016〕3号"
    back = _post(client, url, {"status": "draft"})
    assert back.status_code == 400 and "status" in back.json()
    listed = client.get(API + "reform-documents/", {"status": "issued", "unit": world.fgj.pk})
    assert _ids(listed) == [doc["id"]]


def test_a_leading_group_meeting_reviews_documents_and_tasks_in_four_parts(
    world, office_staff, city_leader, client_for
):
    doc = services.document_register(
        office=world.office,
        by=office_staff,
        year=2016,
        title="绩效考核办法",
        drafting_unit=world.huiyang,
    )
    client = client_for(office_staff)
    made = _post(
        client,
        "leading-group-meetings/",
        {
            "office": world.office.pk,
            "year": 2016,
            "held_on": "2016-04-20",
            "attendees": "周明德、陈志远",
            "documents": [doc.pk],
        },
    )
    assert made.status_code == 201, made.content
    meeting = made.json()
    assert meeting["number"] == 1 and meeting["documents"][0]["status"] == "reviewed"
    review_body = {
        "task": world.task_huiyang.pk,
        "achievements": "考核方案已出台",
        "problems": "指标偏多",
        "causes": "部门协同不足",
        "improvements": "精简指标，按月通报",
        "actions": [
            {"unit": world.huiyang.pk, "demand": "精简考核指标", "deadline": IN_A_WEEK.isoformat()}
        ],
    }
    missing = _post(
        client, f"leading-group-meetings/{meeting['id']}/reviews/", review_body | {"causes": ""}
    )
    assert missing.status_code == 400 and "causes" in missing.json()
    not_key = _post(
        client,
        f"leading-group-meetings/{meeting['id']}/reviews/",
        review_body | {"task": world.task_boluo.pk},
    )
    assert not_key.status_code == 400 and "task" in not_key.json()
    reviewed = _post(client, f"leading-group-meetings/{meeting['id']}/reviews/", review_body)
    assert reviewed.status_code == 201, reviewed.content
    assert reviewed.json()["improvements"] == "精简指标，按月通报"
    item = ActionItem.objects.get(review_id=reviewed.json()["id"])
    assert item.task == world.task_huiyang  # the reviewed task, by default
    assert (
        _post(client, f"leading-group-meetings/{meeting['id']}/reviews/", review_body).status_code
        == 400
    )

    detail = client_for(city_leader).get(API + f"leading-group-meetings/{meeting['id']}/").json()
    (review,) = detail["reviews"]
    assert [review[k] for k in ("achievements", "problems", "causes")] == [
        "考核方案已出台",
        "指标偏多",
        "部门协同不足",
    ]
    assert review["action_items"][0]["demand"] == "精简考核指标"
    assert (
        _post(
            client_for(city_leader), f"leading-group-meetings/{meeting['id']}/reviews/", review_body
        ).status_code
        == 403
    )
    rows = client.get(API + "leading-group-meetings/", {"task": world.task_huiyang.pk}).json()[
        "results"
    ]
    assert [(r["n_documents"], r["n_reviews"]) for r in rows] == [(1, 1)]


def test_candidates_come_ranked_with_their_reasons(
    world, office_staff, director, huiyang_liaison, client_for
):
    Task.objects.filter(pk=world.task_boluo.pk).update(is_key=True)
    order = _issue(world, director, task=world.task_boluo)
    services.order_escalate(order=order, by=director, reason="进展缓慢")
    client = client_for(office_staff)
    response = client.get(
        API + "leading-group-meetings/candidates/", {"office": world.office.pk, "year": 2016}
    )
    assert response.status_code == 200, response.content
    ranked = response.json()
    assert [c["code"] for c in ranked] == ["2016-003", "2016-001"]
    assert ranked[0]["escalated"] == 1
    assert any("escalated" in r or "升级" in r for r in ranked[0]["reasons"])
    assert all(c["reasons"] for c in ranked)
    one = client.get(
        API + "leading-group-meetings/candidates/",
        {"office": world.office.pk, "year": 2016, "limit": 1},
    )
    assert len(one.json()) == 1
    no_year = client.get(API + "leading-group-meetings/candidates/", {"office": world.office.pk})
    assert no_year.status_code == 400 and "year" in no_year.json()
    unseen = {"office": world.office.pk, "year": 2016}
    assert (
        client_for(huiyang_liaison)
        .get(API + "leading-group-meetings/candidates/", unseen)
        .status_code
        == 404
    )
    assert (
        client.get(
            API + "leading-group-meetings/candidates/", {"office": 999999, "year": 2016}
        ).status_code
        == 404
    )


def test_a_key_task_is_linked_to_a_leader_and_the_link_ended(
    world, office_staff, director, huiyang_liaison, client_for
):
    client = client_for(office_staff)
    body = {"task": world.task_huiyang.pk, "leader": director.pk}
    assert _post(client_for(huiyang_liaison), "leader-links/", body).status_code == 403
    made = _post(client, "leader-links/", body)
    assert made.status_code == 201, made.content
    assert made.json()["leader_name"] == "陈志远" and made.json()["is_active"]
    assert _post(client, "leader-links/", body).status_code == 200  # already so: nothing new
    not_leader = _post(client, "leader-links/", body | {"leader": office_staff.pk})
    assert not_leader.status_code == 400 and "leader" in not_leader.json()
    not_key = _post(client, "leader-links/", body | {"task": world.task_boluo.pk})
    assert not_key.status_code == 400 and "task" in not_key.json()
    link = made.json()["id"]
    assert _ids(client.get(API + "leader-links/", {"active": "true", "year": 2016})) == [link]
    ended = _post(client, f"leader-links/{link}/end/", {"reason": "分工调整"})
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert _post(client, f"leader-links/{link}/end/").status_code == 409
    assert _ids(client.get(API + "leader-links/", {"active": "true"})) == []
    assert LeaderLink.objects.count() == 1


# --- cost -------------------------------------------------------------------------------


def bulk_supervision(world, by, n: int, start: int = 0) -> None:
    """`n` more of every supervision row in the world's office, written directly: orders
    and items for 惠阳 and 博罗 (some overdue, some answered late), meetings with their
    tasks, documents reviewed by leading-group meetings, reviews and ended links."""
    w, now = world, timezone.now()
    tasks = [w.task_huiyang, w.task_boluo, w.task_town]
    units = [w.huiyang, w.boluo, w.huiyang_town]
    meetings = SupervisionMeeting.objects.bulk_create(
        SupervisionMeeting(
            office=w.office,
            held_on=dt.date(2016, 1 + i % 12, 1),
            topic=f"专题会 {i}",
            attendees="陈志远",
            created_by=by,
        )
        for i in range(start, start + n)
    )
    SupervisionMeeting.tasks.through.objects.bulk_create(
        SupervisionMeeting.tasks.through(supervisionmeeting=m, task=tasks[i % 3])
        for i, m in enumerate(meetings)
    )
    docs = ReformDocument.objects.bulk_create(
        ReformDocument(office=w.office, year=2016, title=f"文件 {i}", drafting_unit=units[i % 3])
        for i in range(start, start + n)
    )
    groups = LeadingGroupMeeting.objects.bulk_create(
        LeadingGroupMeeting(
            office=w.office,
            year=2016,
            number=i + 1,
            held_on=dt.date(2016, 1 + i % 12, 15),
            attendees="周明德",
            created_by=by,
        )
        for i in range(start, start + n)
    )
    LeadingGroupMeeting.documents.through.objects.bulk_create(
        LeadingGroupMeeting.documents.through(leadinggroupmeeting=g, reformdocument=d)
        for g, d in zip(groups, docs, strict=True)
    )
    reviews = CollectiveReview.objects.bulk_create(
        CollectiveReview(
            meeting=g,
            task=w.task_huiyang,
            achievements="成绩",
            problems="问题",
            causes="原因",
            improvements="改进",
        )
        for g in groups
    )
    items = ActionItem.objects.bulk_create(
        ActionItem(
            office=w.office,
            unit=units[i % 3],
            task=tasks[i % 3],
            demand=f"事项 {i}",
            deadline=TODAY - dt.timedelta(days=i % 5),
            created_by=by,
            **({"meeting": meetings[k]} if i % 2 else {"review": reviews[k]}),
        )
        for k, i in enumerate(range(start, start + n))
    )
    levels = itertools.cycle(["blue", "orange", "red"])
    orders = SupervisionOrder.objects.bulk_create(
        SupervisionOrder(
            office=w.office,
            unit=units[i % 3],
            task=tasks[i % 3],
            action_item=items[k] if i % 4 == 0 else None,
            year=2016,
            number=1000 + i,
            basis="依据",
            demand=f"督办 {i}",
            deadline=TODAY - dt.timedelta(days=i % 5),
            level=next(levels),
            issued_by=by,
            issued_at=now,
        )
        for k, i in enumerate(range(start, start + n))
    )
    Answer.objects.bulk_create(
        Answer(order=o, body="已办", answered_by=by, answered_at=now, late=bool(k % 2))
        for k, o in enumerate(orders[::2])
    )
    LeaderLink.objects.bulk_create(
        LeaderLink(task=w.task_huiyang, leader=by, linked_by=by, linked_at=now, ended_at=now)
        for _ in range(n)
    )


LISTS = [
    "supervision-orders/",
    "action-items/",
    "supervision-meetings/",
    "leading-group-meetings/",
    "reform-documents/",
    "leader-links/",
]


@pytest.mark.parametrize("persona", ["office_staff", "huiyang_liaison", "city_leader"])
def test_every_list_runs_the_same_queries_for_few_and_many_rows(
    request, world, office_staff, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))

    def counts() -> list[int]:
        out = []
        for url in LISTS:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(API + url, {"page_size": 500})
            assert response.status_code == 200, (url, response.content)
            out.append(len(ctx.captured_queries))
        return out

    bulk_supervision(world, office_staff, 3)
    few = counts()
    bulk_supervision(world, office_staff, 120, start=3)
    assert counts() == few
    if persona == "huiyang_liaison":
        rows = client.get(API + "supervision-orders/", {"page_size": 500}).json()["results"]
        assert rows and {r["unit"] for r in rows} <= {world.huiyang.pk, world.huiyang_town.pk}
