"""The dashboard's supervision section: the year's meetings, documents reviewed,
reviews and orders; orders by unit and level drawn from JSON in each level's colour;
overdue action items — each scoped to what the user may see."""

import datetime as dt
import json

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger.models import Task
from reformledger.supervision import services
from reformledger.supervision.choices import OrderLevel
from reformledger.supervision.models import ActionItem, SupervisionOrder
from reformledger.web.dashboard.supervision import supervision_section

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)


@pytest.fixture
def supervised(world, office_staff, director):
    """2016: meeting 1 of the leading group reviewed three documents and put two key
    tasks to review; orders of every level (two blue to 惠阳, an orange to 博罗, a red
    to 淡水, which is overdue); a supervision meeting's action item for 博罗, overdue."""
    w, by = world, office_staff
    Task.objects.filter(pk=w.task_boluo.pk).update(is_key=True)
    w.task_boluo.refresh_from_db()
    docs = [
        services.document_register(office=w.office, by=by, year=2016, title=t, drafting_unit=u)
        for t, u in (("考核办法", w.huiyang), ("审批方案", w.boluo), ("投融资意见", w.fgj))
    ]
    group = services.leading_group_meeting_record(
        office=w.office,
        by=by,
        year=2016,
        held_on=dt.date(2016, 4, 20),
        attendees="周明德、陈志远",
        documents=docs,
    )
    for task in (w.task_huiyang, w.task_boluo):
        services.collective_review_add(
            meeting=group,
            by=by,
            task=task,
            achievements="成绩",
            problems="问题",
            causes="原因",
            improvements="改进",
        )
    orders = [
        (w.task_huiyang, OrderLevel.BLUE),
        (w.task_huiyang, OrderLevel.BLUE),
        (w.task_boluo, OrderLevel.ORANGE),
        (w.task_town, OrderLevel.RED),
    ]
    for task, level in orders:
        services.order_issue(
            office=w.office,
            by=director,
            task=task,
            basis="领导小组第1次会议要求",
            demand="按期报送",
            deadline=IN_A_WEEK,
            level=level,
            year=2016,
        )
    SupervisionOrder.objects.filter(level="red").update(deadline=TODAY - dt.timedelta(days=2))
    meeting = services.supervision_meeting_record(
        office=w.office,
        by=by,
        held_on=dt.date(2016, 5, 10),
        topic="审批改革推进专会",
        attendees="陈志远",
        actions=[services.ActionRow(w.boluo, "压缩审批时限", IN_A_WEEK, w.task_boluo)],
    )
    ActionItem.objects.filter(meeting=meeting).update(deadline=TODAY - dt.timedelta(days=5))
    return w


def _page(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("web:dashboard"), {"year": 2016})
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _text(doc, testid: str) -> str:
    return doc.xpath(f'//*[@data-testid="{testid}"]')[0].text_content().strip()


def _chart(doc) -> dict:
    (script,) = doc.xpath('//script[@id="data-orders-by-unit"]')
    assert script.get("type") == "application/json"
    return json.loads(script.text)


def test_the_section_shows_the_years_meetings_documents_reviews_and_orders(
    supervised, director, client_for
):
    doc = _page(client_for(director))
    figures = {
        "sup-meetings": "1",
        "sup-documents": "3",
        "sup-reviews": "2",
        "sup-orders": "4",
        "sup-open": "4",
        "sup-overdue": "1",
        "sup-level-blue": "2",
        "sup-level-orange": "1",
        "sup-level-red": "1",
    }
    assert {k: _text(doc, k) for k in figures} == figures
    link = doc.xpath('//*[@data-testid="supervision-xlsx"]')[0].get("href")
    assert link == reverse("supervision:export_xlsx") + "?year=2016"


def test_orders_by_unit_and_level_are_drawn_from_json_in_each_levels_colour(
    supervised, director, client_for
):
    doc = _page(client_for(director))
    chart = _chart(doc)
    assert chart["kind"] == "hbars"
    assert chart["categories"] == ["惠阳区", "博罗县", "淡水街道"]  # most orders first
    assert [(s["colour"], s["values"]) for s in chart["series"]] == [
        (OrderLevel.BLUE.colour, [2, 0, 0]),
        (OrderLevel.ORANGE.colour, [0, 1, 0]),
        (OrderLevel.RED.colour, [0, 0, 1]),
    ]
    assert [s["name"] for s in chart["series"]] == ["Blue reminder", "Orange warning", "Red order"]
    (canvas,) = doc.xpath('//*[@data-chart="data-orders-by-unit"]')
    assert canvas.get("role") == "img"
    table = doc.xpath('//*[@data-testid="table-orders-by-unit"]//tbody/tr')
    assert [r.xpath("string(th)").strip() for r in table] == ["惠阳区", "博罗县", "淡水街道"]
    for script in doc.xpath("//script"):
        assert script.get("src") or script.get("type") == "application/json"
    assert not doc.xpath("//*[@style]")


def test_overdue_action_items_are_listed_with_their_days_overdue(supervised, director, client_for):
    doc = _page(client_for(director))
    rows = doc.xpath('//*[@data-testid="table-overdue-items"]//tbody/tr')
    deadline = TODAY - dt.timedelta(days=5)
    # Counted from the day the page was drawn (a run may cross midnight after TODAY was read).
    late = (timezone.localdate() - deadline).days
    assert [[c.text_content().strip() for c in r.xpath("td|th")] for r in rows] == [
        ["博罗县", "压缩审批时限", deadline.isoformat(), str(late)]
    ]


def test_a_county_liaison_sees_only_the_orders_addressed_to_it(
    supervised, boluo_liaison, client_for
):
    doc = _page(client_for(boluo_liaison))
    assert _text(doc, "sup-orders") == "1" and _text(doc, "sup-meetings") == "0"
    assert _chart(doc)["categories"] == ["博罗县"]
    assert len(doc.xpath('//*[@data-testid="table-overdue-items"]//tbody/tr')) == 1


def test_the_section_is_only_for_those_who_work_supervision(supervised, auditor, office_staff):
    assert supervision_section(auditor, 2016, TODAY) is None
    assert supervision_section(office_staff, None, TODAY) is None
    assert supervision_section(office_staff, 2016, TODAY).orders == 4


def test_a_year_without_supervision_shows_empty_figures_and_no_chart(world, director, client_for):
    doc = _page(client_for(director))
    assert _text(doc, "sup-orders") == "0"
    assert doc.xpath('//*[@data-testid="empty-orders-by-unit"]')
    assert doc.xpath('//*[@data-testid="empty-overdue-items"]')


def test_orders_and_items_count_in_their_tasks_ledger_year(supervised, director, client_for):
    """An order issued in 2016 (numbered 〔2016〕) on a task of the 2017 ledger belongs to
    2017's figures; 2016's action items are not listed among 2017's overdue ones."""
    w = supervised
    task_2017 = Task.objects.create(
        office=w.office,
        year=2017,
        code="2017-001",
        title="承接2016年改革",
        area=w.economy,
        lead_unit=w.boluo,
        deliverable_kind="policy",
        start_date=dt.date(2017, 1, 1),
        deadline=dt.date(2017, 12, 31),
    )
    services.order_issue(
        office=w.office,
        by=director,
        task=task_2017,
        basis="年底前部署",
        demand="提前谋划",
        deadline=IN_A_WEEK,
        year=2016,
    )
    SupervisionOrder.objects.filter(task=task_2017).update(
        issued_at=timezone.make_aware(dt.datetime(2016, 12, 20, 10))
    )
    client = client_for(director)
    year_2017 = _page_of(client, 2017)
    assert _text(year_2017, "sup-orders") == "1"
    assert year_2017.xpath('//*[@data-testid="empty-overdue-items"]')
    year_2016 = _page_of(client, 2016)
    assert _text(year_2016, "sup-orders") == "4"
    assert len(year_2016.xpath('//*[@data-testid="table-overdue-items"]//tbody/tr')) == 1


def _page_of(client, year: int):
    response = client.get(reverse("web:dashboard"), {"year": year})
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())
