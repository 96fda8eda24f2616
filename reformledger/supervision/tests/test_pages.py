"""The supervision pages as their users meet them: lists that cost the same whatever
their length, a unit that sees only what is addressed to it, acts refused to those
who may not do them, answers with evidence, and form errors that name the field."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services as ledger
from reformledger.notifications.models import Notification
from reformledger.supervision import services
from reformledger.supervision.choices import DocumentStatus, MatterStatus
from reformledger.supervision.models import (
    ActionItem,
    AnswerFile,
    LeaderLink,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)
from tests.files import PDF

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)


def _issue(world, by, task=None, **extra):
    return services.order_issue(
        office=world.office,
        by=by,
        task=task or world.task_huiyang,
        basis=extra.pop("basis", "领导小组第1次会议要求"),
        demand=extra.pop("demand", "报送表格化考核方案"),
        deadline=extra.pop("deadline", IN_A_WEEK),
        **extra,
    )


def _meeting(world, by, units, **extra):
    return services.supervision_meeting_record(
        office=world.office,
        by=by,
        held_on=TODAY,
        topic=extra.get("topic", "项目审批提速专题督查"),
        attendees="改革办全体",
        actions=[
            services.ActionRow(unit=u, demand=f"落实第{n}项要求", deadline=IN_A_WEEK)
            for n, u in enumerate(units, start=1)
        ],
    )


def _pdf(name="落实情况.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# --- lists cost the same whatever their length ------------------------------------


def test_the_lists_run_a_fixed_number_of_queries_whatever_the_rows(
    world, director, office_staff, client_for, django_assert_max_num_queries
):
    _issue(world, director)
    _meeting(world, office_staff, [world.huiyang])
    services.document_register(
        office=world.office, by=office_staff, year=2016, title="改革文件一", drafting_unit=world.fgj
    )
    services.leading_group_meeting_record(
        office=world.office, by=office_staff, year=2016, held_on=TODAY, attendees="全体成员"
    )
    services.leader_link_set(task=world.task_huiyang, leader=director, by=office_staff)
    client = client_for(director)
    urls = [
        reverse("supervision:orders") + "?year=",
        reverse("supervision:action_items"),
        reverse("supervision:meetings"),
        reverse("supervision:documents"),
        reverse("supervision:group_meetings"),
        reverse("supervision:links"),
        reverse("supervision:leader_desk"),
    ]
    one = {url: _queries(client, url) for url in urls}

    for task in (world.task_helped, world.task_boluo, world.task_town):
        ledger.task_update(task=task, by=office_staff, is_key=True)
        task.refresh_from_db()
        services.leader_link_set(task=task, leader=director, by=office_staff)
        for _ in range(4):
            _issue(world, director, task=task)
        _meeting(world, office_staff, [world.boluo, world.fgj, world.huiyang_town])
        services.document_register(
            office=world.office,
            by=office_staff,
            year=2016,
            title=f"改革文件{task.code}",
            drafting_unit=world.boluo,
            task=task,
        )
    for number in range(2, 5):
        services.leading_group_meeting_record(
            office=world.office,
            by=office_staff,
            year=2016,
            held_on=TODAY,
            attendees="全体成员",
            documents=ReformDocument.objects.all(),
            number=number,
        )
    assert SupervisionOrder.objects.count() == 13 and ActionItem.objects.count() == 10
    for url, count in one.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


# --- a unit sees what is addressed to it ---------------------------------------------


def test_a_unit_liaison_sees_only_the_orders_and_items_addressed_to_its_unit(
    world, director, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    mine = _issue(world, director)
    other = _issue(world, director, task=world.task_boluo, demand="报送审批改革进展")
    meeting = _meeting(world, office_staff, [world.huiyang, world.boluo])
    my_item, other_item = meeting.action_items.order_by("id")
    client = client_for(huiyang_liaison)

    listed = client.get(reverse("supervision:orders") + "?year=").content.decode()
    assert mine.label in listed and other.label not in listed
    items = client.get(reverse("supervision:action_items")).content.decode()
    assert "落实第1项要求" in items and "落实第2项要求" not in items

    assert client.get(reverse("supervision:order", args=[mine.pk])).status_code == 200
    assert client.get(reverse("supervision:order", args=[other.pk])).status_code == 404
    assert client.get(reverse("supervision:action_item", args=[my_item.pk])).status_code == 200
    assert client.get(reverse("supervision:action_item", args=[other_item.pk])).status_code == 404
    assert client.get(reverse("supervision:order_word", args=[other.pk])).status_code == 404
    boluo = client_for(boluo_liaison)
    assert boluo.post(reverse("supervision:order_receive", args=[other.pk])).status_code == 302
    answer = boluo.post(reverse("supervision:order_answer", args=[other.pk]), {"body": "已完成"})
    assert answer.status_code == 302
    stored_answer = other.answers.get()
    refused = client.post(reverse("supervision:answer_accept", args=[stored_answer.pk]))
    assert refused.status_code == 404  # another unit's answer does not exist for it


def test_someone_outside_supervision_is_refused_the_section(world, outsider, client_for):
    assert client_for(outsider).get(reverse("supervision:orders")).status_code == 403


# --- only office leaders issue, escalate and decide ----------------------------------


def test_only_office_leaders_issue_escalate_and_accept(
    world, director, office_staff, huiyang_liaison, client_for
):
    order = _issue(world, director)
    staff, liaison = client_for(office_staff), client_for(huiyang_liaison)
    issue_url = reverse("supervision:order_issue")
    escalate_url = reverse("supervision:order_escalate", args=[order.pk])

    assert staff.get(issue_url).status_code == 403
    assert liaison.get(issue_url).status_code == 403
    for client in (staff, liaison):
        assert client.post(escalate_url, {"reason": "拖延"}).status_code == 403
    page = staff.get(reverse("supervision:order", args=[order.pk])).content.decode()
    assert 'data-testid="escalate"' not in page and 'data-testid="issue-order"' not in page

    liaison.post(reverse("supervision:order_receive", args=[order.pk]))
    liaison.post(reverse("supervision:order_answer", args=[order.pk]), {"body": "方案已印发"})
    answer = order.answers.get()
    for client in (staff, liaison):
        accept = client.post(reverse("supervision:answer_accept", args=[answer.pk]))
        assert accept.status_code == 403
        back = client.post(reverse("supervision:answer_return", args=[answer.pk]), {"reason": "x"})
        assert back.status_code == 403
    order.refresh_from_db()
    assert (order.status, order.level) == (MatterStatus.ANSWERED, "blue")

    director_client = client_for(director)
    accepted = director_client.post(
        reverse("supervision:answer_accept", args=[answer.pk]), {"note": "同意"}
    )
    assert accepted.status_code == 302
    order.refresh_from_db()
    assert order.status == MatterStatus.ACCEPTED


def test_the_director_issues_an_order_from_the_task_and_escalates_it(
    world, director, huiyang_liaison, client_for
):
    client = client_for(director)
    form = client.get(reverse("supervision:order_issue") + f"?task={world.task_huiyang.pk}")
    assert form.status_code == 200
    assert f'value="{world.task_huiyang.pk}" selected' in form.content.decode()
    response = client.post(
        reverse("supervision:order_issue"),
        {
            "office": world.office.pk,
            "task": world.task_huiyang.pk,
            "level": "blue",
            "basis": "考核方案未按期出台",
            "demand": "7日内报送考核方案",
            "deadline": IN_A_WEEK.isoformat(),
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "supervision:order", args=[order.pk]
    )
    assert order.unit == world.huiyang and order.label == f"督办〔{TODAY.year}〕1号"
    assert Notification.objects.filter(recipient=huiyang_liaison, key__startswith="order:").exists()

    escalated = client.post(
        reverse("supervision:order_escalate", args=[order.pk]), {"reason": "多次催办未果"}
    )
    assert escalated.status_code == 302
    page = client.get(reverse("supervision:order", args=[order.pk])).content.decode()
    assert 'data-level="orange"' in page and "多次催办未果" in page


# --- answering with evidence, returning with a reason --------------------------------


def test_the_liaison_answers_with_an_evidence_file_and_it_downloads(
    world, director, huiyang_liaison, boluo_liaison, client_for
):
    order = _issue(world, director)
    client = client_for(huiyang_liaison)
    client.post(reverse("supervision:order_receive", args=[order.pk]))
    page = client.get(reverse("supervision:order", args=[order.pk])).content.decode()
    assert 'data-testid="answer-form"' in page

    response = client.post(
        reverse("supervision:order_answer", args=[order.pk]),
        {"body": "考核方案已于本周印发。", "files": [_pdf()]},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == MatterStatus.ANSWERED
    stored = AnswerFile.objects.get()
    assert stored.original_name == "落实情况.pdf"
    page = client.get(reverse("supervision:order", args=[order.pk])).content.decode()
    assert "落实情况.pdf" in page and "考核方案已于本周印发。" in page
    assert 'data-testid="answer-form"' not in page  # answered: it waits for the office

    url = reverse("supervision:answer_file", args=[stored.pk])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert AuditRecord.objects.filter(verb="file.downloaded", ctx_id=str(order.pk)).exists()
    assert client_for(boluo_liaison).get(url).status_code == 404


def test_the_director_returns_an_answer_with_a_reason_and_a_new_deadline(
    world, director, huiyang_liaison, client_for
):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    client_for(huiyang_liaison).post(
        reverse("supervision:order_answer", args=[order.pk]), {"body": "正在推进"}
    )
    answer = order.answers.get()
    later = IN_A_WEEK + dt.timedelta(days=7)
    response = client_for(director).post(
        reverse("supervision:answer_return", args=[answer.pk]),
        {"reason": "未附佐证材料", "deadline": later.isoformat()},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.deadline) == (MatterStatus.RETURNED, later)
    page = client_for(huiyang_liaison).get(reverse("supervision:order", args=[order.pk]))
    text = page.content.decode()
    assert "未附佐证材料" in text and 'data-testid="answer-form"' in text


# --- form errors name the field ------------------------------------------------------


def test_form_errors_name_the_field(world, director, huiyang_liaison, client_for):
    client = client_for(director)
    response = client.post(
        reverse("supervision:order_issue"),
        {
            "office": world.office.pk,
            "task": world.task_huiyang.pk,
            "level": "blue",
            "basis": "依据",
            "demand": "",
            "deadline": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-field="demand"' in text
    assert not SupervisionOrder.objects.exists()
    response = client.post(
        reverse("supervision:order_issue"),
        {
            "office": world.office.pk,
            "task": world.task_huiyang.pk,
            "level": "blue",
            "basis": "依据",
            "demand": "报送",
            "deadline": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400 and 'data-field="deadline"' in response.content.decode()

    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = client_for(huiyang_liaison).post(
        reverse("supervision:order_answer", args=[order.pk]), {"body": " "}
    )
    assert answer.status_code == 400 and 'data-field="body"' in answer.content.decode()
    bad_file = SimpleUploadedFile("宏.docm", b"PK\x03\x04junk", content_type="application/zip")
    answer = client_for(huiyang_liaison).post(
        reverse("supervision:order_answer", args=[order.pk]), {"body": "完成", "files": [bad_file]}
    )
    assert answer.status_code == 400 and 'data-field="files"' in answer.content.decode()

    refused = client.post(reverse("supervision:order_escalate", args=[order.pk]), {"reason": ""})
    assert refused.status_code == 400 and 'data-field="reason"' in refused.content.decode()


def test_an_issued_document_needs_its_number_named_on_the_form(world, office_staff, client_for):
    doc = services.document_register(
        office=world.office,
        by=office_staff,
        year=2016,
        title="关于深化改革的意见",
        drafting_unit=world.fgj,
    )
    client = client_for(office_staff)
    url = reverse("supervision:document_status", args=[doc.pk])
    response = client.post(url, {"status": "issued", "document_no": "", "issued_on": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'data-field="document_no"' in text and 'data-field="issued_on"' in text
    response = client.post(
        url, {"status": "issued", "document_no": "惠市改〔2016〕3号", "issued_on": "2016-06-01"}
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.status, doc.document_no) == (DocumentStatus.ISSUED, "惠市改〔2016〕3号")
    listed = client.get(reverse("supervision:documents") + "?q=惠市改").content.decode()
    assert "关于深化改革的意见" in listed


# --- meetings, links, the leader's page ---------------------------------------------


def test_office_staff_record_a_supervision_meeting_with_its_action_items(
    world, office_staff, huiyang_liaison, client_for
):
    client = client_for(office_staff)
    assert client.get(reverse("supervision:meeting_new")).status_code == 200
    data = {
        "office": world.office.pk,
        "held_on": TODAY.isoformat(),
        "topic": "绩效考核改革专题督查",
        "attendees": "陈志远、林文秀、惠阳区",
        "minutes": "进度偏慢，需加快。",
        "tasks": [world.task_huiyang.pk],
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-unit": world.huiyang.pk,
        "actions-0-demand": "月底前出台考核细则",
        "actions-0-deadline": IN_A_WEEK.isoformat(),
        "actions-1-unit": world.fgj.pk,
        "actions-1-demand": "",
        "actions-1-deadline": "",
    }
    response = client.post(reverse("supervision:meeting_new"), data)
    assert response.status_code == 400  # the half-filled second row is named
    assert 'data-field="demand"' in response.content.decode()
    assert not SupervisionMeeting.objects.exists()

    data.update({"actions-1-unit": ""})
    response = client.post(reverse("supervision:meeting_new"), data)
    meeting = SupervisionMeeting.objects.get()
    assert response.status_code == 302
    item = meeting.action_items.get()
    assert (item.unit, item.demand) == (world.huiyang, "月底前出台考核细则")
    assert list(meeting.tasks.all()) == [world.task_huiyang]
    page = client.get(reverse("supervision:meeting", args=[meeting.pk])).content.decode()
    assert "月底前出台考核细则" in page and world.task_huiyang.title in page
    assert (
        client_for(huiyang_liaison)
        .get(reverse("supervision:action_item", args=[item.pk]))
        .status_code
        == 200
    )


def test_office_staff_link_a_key_task_and_the_leader_sees_it_on_their_page(
    world, office_staff, director, client_for
):
    response = client_for(office_staff).post(
        reverse("supervision:links"),
        {"office": world.office.pk, "task": world.task_huiyang.pk, "leader": director.pk},
    )
    assert response.status_code == 302
    assert LeaderLink.objects.get(ended_at__isnull=True).leader == director
    order = _issue(world, director)

    own = client_for(director).get(reverse("supervision:leader_desk")).content.decode()
    assert world.task_huiyang.title in own and order.label in own
    assert "出台考核方案" in own  # the next milestone of its approved plan
    by_staff = client_for(office_staff).get(
        reverse("supervision:leader_desk_of", args=[director.pk])
    )
    assert by_staff.status_code == 200 and world.task_huiyang.title in by_staff.content.decode()


def test_a_unit_cannot_open_a_leaders_page_or_the_links(
    world, office_staff, director, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    assert client.get(reverse("supervision:leader_desk_of", args=[director.pk])).status_code == 404
    assert (
        client.post(
            reverse("supervision:links"), {"task": world.task_huiyang.pk, "leader": director.pk}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("name", ["orders", "action_items", "documents"])
def test_the_supervision_menu_is_there_for_unit_people(name, world, huiyang_liaison, client_for):
    page = client_for(huiyang_liaison).get(reverse(f"supervision:{name}")).content.decode()
    assert 'data-testid="supervision-menu"' in page
    assert reverse("supervision:links") not in page  # office entries are not theirs


def test_an_action_item_is_answered_accepted_and_can_carry_an_order(
    world, director, office_staff, huiyang_liaison, client_for
):
    item = _meeting(world, office_staff, [world.huiyang]).action_items.get()
    leader = client_for(director)
    page = leader.get(reverse("supervision:action_item", args=[item.pk])).content.decode()
    assert 'data-testid="issue-on-item"' in page
    form = leader.get(reverse("supervision:order_issue") + f"?item={item.pk}").content.decode()
    assert f'value="{item.pk}" selected' in form and "落实第1项要求" in form

    liaison = client_for(huiyang_liaison)
    liaison.post(reverse("supervision:action_item_receive", args=[item.pk]))
    response = liaison.post(
        reverse("supervision:action_item_answer", args=[item.pk]),
        {"body": "已落实", "files": [_pdf("会议纪要落实.pdf")]},
    )
    assert response.status_code == 302
    answer = item.answers.get()
    response = leader.post(reverse("supervision:answer_accept", args=[answer.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == MatterStatus.ACCEPTED
    page = liaison.get(reverse("supervision:action_item", args=[item.pk])).content.decode()
    assert "会议纪要落实.pdf" in page
    verbs = ("action_item.set", "action_item.received", "action_item.answered")
    for verb in (*verbs, "action_item.accepted"):
        assert f'data-verb="{verb}"' in page
