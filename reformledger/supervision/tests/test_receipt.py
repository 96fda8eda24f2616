"""Receipt (签收): the unit's liaison or head signs for an order or an action item
before answering it; who and when show on its page, in its history, on the printed
order and its Word document, and through the API; an order left unsigned too long is
reported to the issuing office once."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from drf_spectacular.generators import SchemaGenerator

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.exchange.docx_layout import chinese_date
from reformledger.notifications.models import Notification
from reformledger.supervision import selectors, services, tasks
from reformledger.supervision.choices import MatterStatus
from reformledger.supervision.documents.order import BLANK_NAME, BLANK_TIME
from reformledger.supervision.models import Answer, SupervisionOrder

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)
API = "/api/v1/"
JSON = "application/json"
# A week of March 2016: issued on Friday the 18th, two working days to sign for it.
FRIDAY = dt.date(2016, 3, 18)
MONDAY, TUESDAY, WEDNESDAY = (FRIDAY + dt.timedelta(days=n) for n in (3, 4, 5))


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


def _item(world, office_staff, unit=None):
    meeting = services.supervision_meeting_record(
        office=world.office,
        by=office_staff,
        held_on=TODAY,
        topic="绩效考核改革推进难题",
        attendees="陈志远、林文秀",
        actions=[services.ActionRow(unit or world.huiyang, "细化考核指标", IN_A_WEEK)],
    )
    return meeting.action_items.get()


def _issued_on(order: SupervisionOrder, day: dt.date) -> SupervisionOrder:
    """The order as if issued on `day` at 10:00 (the clock moved back)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    SupervisionOrder.objects.filter(pk=order.pk).update(issued_at=moment)
    order.refresh_from_db()
    return order


def _verbs(matter) -> list[str]:
    return list(selectors.matter_history(matter).values_list("verb", flat=True))


# --- the service ----------------------------------------------------------------------


def test_the_liaison_signs_for_an_order_and_who_and_when_are_kept(world, director, huiyang_liaison):
    order = _issue(world, director)
    before = timezone.now()
    signed = services.matter_receive(matter=order, by=huiyang_liaison)
    order.refresh_from_db()
    assert order.received_by == huiyang_liaison and order.received_at >= before
    assert order.is_received and signed.version == order.version == 2
    assert order.status == MatterStatus.OPEN  # still to be answered
    record = AuditRecord.objects.get(verb="order.received")
    assert record.actor == huiyang_liaison and record.ctx_id == str(order.pk)
    assert record.changes == {"received_by": "黄晓梅", "unit": "惠阳区"}
    assert _verbs(order) == ["order.issued", "order.received"]


def test_the_unit_head_signs_for_an_action_item(world, office_staff, huiyang_head):
    item = _item(world, office_staff)
    services.matter_receive(matter=item, by=huiyang_head)
    item.refresh_from_db()
    assert item.received_by == huiyang_head
    assert _verbs(item) == ["action_item.set", "action_item.received"]


def test_the_office_and_other_units_may_not_sign_for_a_unit(
    world, director, office_staff, city_leader, boluo_liaison
):
    order = _issue(world, director)
    for user in (office_staff, director, city_leader, boluo_liaison):
        with pytest.raises(PermissionDenied):
            services.matter_receive(matter=order, by=user)
    order.refresh_from_db()
    assert order.received_at is None
    assert not AuditRecord.objects.filter(verb="order.received").exists()


def test_a_second_signing_is_refused_and_keeps_the_first(
    world, director, huiyang_liaison, huiyang_head
):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    with pytest.raises(ConflictError) as err:
        services.matter_receive(matter=order, by=huiyang_head)
    assert "已由 黄晓梅" in str(err.value)  # already signed for by
    order.refresh_from_db()
    assert order.received_by == huiyang_liaison
    assert AuditRecord.objects.filter(verb="order.received").count() == 1


def test_answering_before_signing_is_refused_and_says_to_sign_first(
    world, director, office_staff, huiyang_liaison
):
    order = _issue(world, director)
    item = _item(world, office_staff)
    for matter in (order, item):
        with pytest.raises(ConflictError) as err:
            services.answer_submit(matter=matter, by=huiyang_liaison, body="已报送")
        assert "请先签收" in str(err.value)  # sign for it first
    assert not Answer.objects.exists()
    order.refresh_from_db()
    assert order.status == MatterStatus.OPEN


def test_an_escalation_and_a_returned_answer_keep_the_receipt(world, director, huiyang_liaison):
    order = _issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    received_at = SupervisionOrder.objects.get(pk=order.pk).received_at
    services.order_escalate(order=order, by=director, reason="进展滞后")
    services.orders_escalate(today=IN_A_WEEK + dt.timedelta(days=30))  # the daily run
    order.refresh_from_db()
    assert order.level == "red"
    assert (order.received_by, order.received_at) == (huiyang_liaison, received_at)

    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="在推进")
    services.answer_return(answer=answer, by=director, reason="缺少佐证材料")
    # Returned: the unit answers again on the same receipt.
    services.answer_submit(matter=order, by=huiyang_liaison, body="补充材料")
    order.refresh_from_db()
    assert order.status == MatterStatus.ANSWERED and order.received_at == received_at
    assert AuditRecord.objects.filter(verb="order.received").count() == 1


def test_a_settled_matter_is_not_signed_for(world, director, huiyang_liaison, huiyang_head):
    order = _issue(world, director)
    SupervisionOrder.objects.filter(pk=order.pk).update(status=MatterStatus.ACCEPTED)
    with pytest.raises(ConflictError):
        services.matter_receive(matter=order, by=huiyang_head)


# --- the office is told of orders left unsigned ------------------------------------------


def test_working_days_skip_the_weekend():
    assert services.working_days_after(FRIDAY, 2) == TUESDAY
    assert services.working_days_after(FRIDAY, 0) == FRIDAY
    assert services.working_days_after(dt.date(2016, 3, 19), 1) == MONDAY  # a Saturday


def test_an_order_unsigned_for_two_working_days_is_reported_to_the_office_once(
    world, director, office_staff, huiyang_liaison
):
    late = _issued_on(_issue(world, director), FRIDAY)
    signed = _issued_on(_issue(world, director, task=world.task_boluo), FRIDAY)
    SupervisionOrder.objects.filter(pk=signed.pk).update(
        received_by=office_staff, received_at=timezone.now()
    )
    assert services.receipt_due(late) == TUESDAY
    # Issued on a Friday: not late on Monday, nor on Tuesday, its last day.
    assert services.orders_unsigned_notify(today=MONDAY) == 0
    assert services.orders_unsigned_notify(today=TUESDAY) == 0
    assert not Notification.objects.filter(key__endswith=":unsigned").exists()

    # Late on Wednesday: the office's staff are told, the unit and the leaders not.
    assert services.orders_unsigned_notify(today=WEDNESDAY) == 1
    told = Notification.objects.get(key=f"order:{late.pk}:unsigned")
    assert told.recipient == office_staff
    assert late.label in told.title and "惠阳区" in told.title and "2016-03-22" in told.title
    assert told.link == reverse("supervision:order", args=[late.pk])
    late.refresh_from_db()
    assert late.unsigned_notified_at is not None
    record = AuditRecord.objects.get(verb="order.unsigned_notified")
    assert record.actor is None and record.ctx_id == str(late.pk)
    assert record.changes == {"receipt_due": "2016-03-22"}

    # Once per order: the next days tell no one again.
    for later in (WEDNESDAY, WEDNESDAY + dt.timedelta(days=1), WEDNESDAY + dt.timedelta(days=9)):
        assert services.orders_unsigned_notify(today=later) == 0
    assert Notification.objects.filter(key__endswith=":unsigned").count() == 1
    assert "order.unsigned_notified" in _verbs(late)


def test_the_days_to_sign_are_a_setting(world, director, office_staff, settings):
    settings.RL_ORDER_RECEIPT_DAYS = 0
    order = _issued_on(_issue(world, director), FRIDAY)
    assert services.orders_unsigned_notify(today=FRIDAY) == 0
    assert services.orders_unsigned_notify(today=MONDAY) == 1
    assert services.receipt_due(order) == FRIDAY


def test_the_command_and_the_daily_job_report_unsigned_orders(
    world, director, office_staff, capsys
):
    first = _issued_on(_issue(world, director), FRIDAY)
    call_command("notify_unsigned_orders", today=MONDAY.isoformat())
    assert "orders reported unsigned: 0" in capsys.readouterr().out
    call_command("notify_unsigned_orders", today=WEDNESDAY.isoformat())
    assert "orders reported unsigned: 1" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("notify_unsigned_orders", today="23.03.2016")

    second = _issued_on(_issue(world, director, task=world.task_boluo), FRIDAY)
    counts = tasks.orders_escalate.call_local()  # today, years after 2016
    assert counts["unsigned"] == 1
    notified = set(
        SupervisionOrder.objects.filter(unsigned_notified_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert notified == {first.pk, second.pk}


# --- the pages -----------------------------------------------------------------------------


def test_the_unit_liaison_gets_the_sign_button_and_office_people_do_not(
    world, director, office_staff, huiyang_liaison, client_for
):
    order = _issue(world, director)
    url = reverse("supervision:order", args=[order.pk])
    page = client_for(huiyang_liaison).get(url).content.decode()
    assert 'data-received="no"' in page and 'data-testid="receipt-missing"' in page
    assert 'data-testid="receive"' in page
    # A decisive act: it asks first and is sent once.
    assert "data-confirm=" in page and "data-submit-once" in page and order.label in page
    # No answer form before the receipt, and a word on why.
    assert 'data-testid="answer-form"' not in page and 'data-testid="answer-waits"' in page
    for user in (office_staff, director):
        page = client_for(user).get(url).content.decode()
        assert 'data-testid="receipt-missing"' in page
        assert 'data-testid="receive"' not in page and 'data-testid="answer-waits"' not in page


def test_signing_on_the_page_shows_who_and_when_and_opens_the_answer_form(
    world, director, huiyang_liaison, client_for
):
    order = _issue(world, director)
    client = client_for(huiyang_liaison)
    signed = client.post(reverse("supervision:order_receive", args=[order.pk]))
    assert signed.status_code == 302 and signed.url == reverse("supervision:order", args=[order.pk])
    order.refresh_from_db()
    page = client.get(signed.url).content.decode()
    when = timezone.localtime(order.received_at).strftime("%Y-%m-%d %H:%M")
    assert 'data-received="yes"' in page and 'data-testid="receipt-done"' in page
    assert "黄晓梅" in page and when in page
    assert 'data-testid="receive"' not in page and 'data-testid="answer-form"' in page
    # The history tells the receipt in plain words: who signed for the unit.
    assert 'data-verb="order.received"' in page
    history = page[page.index('data-testid="history"') :]
    assert "黄晓梅" in history and "惠阳区" in history

    # Sent twice (a double click): the second is refused, with no second record.
    again = client.post(reverse("supervision:order_receive", args=[order.pk]), follow=True)
    assert again.status_code == 200
    assert AuditRecord.objects.filter(verb="order.received").count() == 1
    messages = [str(m) for m in again.context["messages"]]
    assert any("黄晓梅" in m for m in messages)


def test_the_office_cannot_sign_for_the_unit_and_an_early_answer_says_why(
    world, director, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    order = _issue(world, director)
    url = reverse("supervision:order_receive", args=[order.pk])
    assert client_for(office_staff).post(url).status_code == 403
    assert client_for(director).post(url).status_code == 403
    assert client_for(boluo_liaison).post(url).status_code == 404
    early = client_for(huiyang_liaison).post(
        reverse("supervision:order_answer", args=[order.pk]), {"body": "已报送"}
    )
    assert early.status_code == 400 and "请先签收" in early.content.decode()
    assert not Answer.objects.exists()


def test_the_action_item_page_has_its_receipt_too(world, office_staff, huiyang_head, client_for):
    item = _item(world, office_staff)
    client = client_for(huiyang_head)
    url = reverse("supervision:action_item", args=[item.pk])
    assert 'data-testid="receive"' in client.get(url).content.decode()
    signed = client.post(reverse("supervision:action_item_receive", args=[item.pk]))
    assert signed.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-received="yes"' in page and "张建国" in page
    assert 'data-testid="answer-form"' in page
    assert 'data-verb="action_item.received"' in page


def test_the_order_list_shows_the_receipt_at_a_fixed_cost(
    world, director, huiyang_liaison, client_for
):
    client = client_for(director)
    url = reverse("supervision:orders") + "?year="
    first = _issue(world, director)
    services.matter_receive(matter=first, by=huiyang_liaison)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert 'data-receipt="yes"' in page and 'data-receipt="no"' not in page
    for _ in range(3):
        services.matter_receive(matter=_issue(world, director), by=huiyang_liaison)
    _issue(world, director, task=world.task_boluo)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-receipt="yes"') == 4 and page.count('data-receipt="no"') == 1
    assert len(many.captured_queries) == len(one.captured_queries)


# --- the printed order and its Word document --------------------------------------------


def _docx_text(client, order) -> str:
    response = client.get(reverse("supervision:order_word", args=[order.pk]))
    assert response.status_code == 200
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_the_word_document_and_print_page_carry_the_receipt_or_blank_lines(
    world, director, huiyang_liaison, client_for
):
    order = _issue(world, director)
    client = client_for(director)
    text = _docx_text(client, order)
    assert f"签收人：{BLANK_NAME}　　签收时间：{BLANK_TIME}" in text
    printed = client.get(reverse("supervision:order_print", args=[order.pk])).content.decode()
    assert BLANK_NAME in printed and BLANK_TIME in printed

    services.matter_receive(matter=order, by=huiyang_liaison)
    order.refresh_from_db()
    moment = timezone.localtime(order.received_at)
    when = f"{chinese_date(moment.date())} {moment:%H:%M}"
    text = _docx_text(client, order)
    assert f"签收人：黄晓梅　　签收时间：{when}" in text and BLANK_NAME not in text
    printed = client.get(reverse("supervision:order_print", args=[order.pk])).content.decode()
    assert "黄晓梅" in printed and when in printed and BLANK_NAME not in printed


# --- the API ---------------------------------------------------------------------------


def _post(client, url):
    return client.post(API + url, {}, content_type=JSON)


def test_the_api_signs_for_orders_and_action_items_with_the_same_rules(
    world, director, office_staff, huiyang_liaison, boluo_liaison, client_for
):
    order = _issue(world, director)
    url = f"supervision-orders/{order.pk}/"
    liaison = client_for(huiyang_liaison)
    read = liaison.get(API + url).json()
    assert (read["received_by"], read["received_at"]) == (None, None)
    assert _post(liaison, url + "answer/").status_code == 400  # the body is wanting
    answered = liaison.post(API + url + "answer/", {"body": "x"}, content_type=JSON)
    assert answered.status_code == 409 and "请先签收" in answered.content.decode()

    assert _post(client_for(office_staff), url + "receive/").status_code == 403
    assert _post(client_for(director), url + "receive/").status_code == 403
    assert _post(client_for(boluo_liaison), url + "receive/").status_code == 404
    signed = _post(liaison, url + "receive/")
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["received_by"] == "黄晓梅" and body["received_at"]
    assert body["status"] == "open" and body["version"] == 2
    assert _post(liaison, url + "receive/").status_code == 409
    listed = client_for(director).get(API + "supervision-orders/").json()["results"]
    assert listed[0]["received_by"] == "黄晓梅"

    item = _item(world, office_staff, unit=world.boluo)
    boluo = client_for(boluo_liaison)
    signed = _post(boluo, f"action-items/{item.pk}/receive/")
    assert signed.status_code == 200 and signed.json()["received_by"] == "刘海燕"
    assert _post(boluo, f"action-items/{item.pk}/receive/").status_code == 409
    assert AuditRecord.objects.filter(verb="action_item.received").count() == 1


def test_the_receive_acts_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/supervision-orders/{id}/receive/", "/api/v1/action-items/{id}/receive/"):
        post = schema["paths"][path]["post"]
        assert {"200", "403", "404", "409"} <= set(post["responses"])
        assert "签收" in post["description"]
        assert "requestBody" not in post
    for name in ("SupervisionOrderDetail", "ActionItemDetail", "SupervisionOrder", "ActionItem"):
        fields = schema["components"]["schemas"][name]["properties"]
        assert fields["received_by"]["nullable"] and fields["received_at"]["nullable"]
