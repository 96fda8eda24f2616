"""Supervision's next acts (待办), added to the ledger's through its hook: orders and
action items to sign for and to answer, drafts to sign, answers to decide, returned
drafts, red orders — each appears on its person's landing page and in the navigation's
count when due, and leaves once done."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reformledger.ledger.selectors import next_acts
from reformledger.supervision import services
from reformledger.supervision.choices import OrderLevel
from reformledger.supervision.models import ActionItem, Answer, OrderDraft, SupervisionOrder
from reformledger.supervision.next_acts import supervision_sources
from tests.next_acts import landing

TODAY = timezone.localdate()
IN_A_WEEK = TODAY + dt.timedelta(days=7)


def issue(world, director, **extra):
    return services.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="领导小组第1次会议要求",
        demand=extra.pop("demand", "报送表格化考核方案"),
        deadline=IN_A_WEEK,
        **extra,
    )


def action_item(world, office_staff):
    meeting = services.supervision_meeting_record(
        office=world.office,
        by=office_staff,
        held_on=TODAY,
        topic="绩效考核专题督查",
        attendees="改革办全体",
        actions=[services.ActionRow(unit=world.huiyang, demand="报送考核细则", deadline=IN_A_WEEK)],
    )
    return meeting.action_items.get()


def draft(world, office_staff, director, **extra):
    return services.order_draft_submit(
        office=world.office,
        by=office_staff,
        signer=director,
        task=world.task_huiyang,
        basis="连续两期未报送进展",
        demand=extra.pop("demand", "三日内报送进展并说明原因"),
        deadline=IN_A_WEEK,
        **extra,
    )


def gone(before, after, kind: str, n: int = 1) -> None:
    assert kind not in after.kinds
    assert after.nav_count == before.nav_count - n == after.total


def test_supervision_adds_its_kinds_through_the_ledgers_hook():
    # Registered by SupervisionConfig.ready: the ledger never imports supervision.
    hook = importlib.import_module("reformledger.ledger.selectors.next_acts")
    assert hook._PROVIDERS["supervision"] is supervision_sources


def test_an_order_waits_for_the_liaison_to_sign_for_it_then_to_answer_it(
    world, director, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    order = issue(world, director)
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert order.label in before.rows("order_to_receive")
    assert before.links["order_to_receive"] == [reverse("supervision:order", args=[order.pk])]

    services.matter_receive(matter=order, by=huiyang_liaison)
    signed = landing(client)
    assert "order_to_receive" not in signed.kinds
    assert order.label in signed.rows("order_to_answer")
    assert signed.nav_count == before.nav_count

    services.answer_submit(matter=order, by=huiyang_liaison, body="已报送考核方案")
    gone(signed, landing(client), "order_to_answer")


def test_a_returned_answer_waits_for_the_liaison_to_answer_again(
    world, director, huiyang_liaison, client_for
):
    order = issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="已报送")
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    services.answer_return(answer=answer, by=director, reason="缺少佐证材料")
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "your answer was returned" in before.rows("order_to_answer")

    services.answer_submit(matter=order, by=huiyang_liaison, body="已补充佐证材料")
    gone(before, landing(client), "order_to_answer")


def test_an_action_item_waits_for_the_liaison_to_sign_for_it_then_to_answer_it(
    world, office_staff, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    quiet = landing(client)
    item = action_item(world, office_staff)
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "报送考核细则" in before.rows("item_to_receive")
    assert before.links["item_to_receive"] == [reverse("supervision:action_item", args=[item.pk])]

    services.matter_receive(matter=item, by=huiyang_liaison)
    signed = landing(client)
    assert "item_to_receive" not in signed.kinds
    assert "报送考核细则" in signed.rows("item_to_answer")

    services.answer_submit(matter=item, by=huiyang_liaison, body="已报送考核细则")
    gone(signed, landing(client), "item_to_answer")


def test_an_answer_waits_for_a_leader_until_it_is_accepted(
    world, director, huiyang_liaison, client_for
):
    order = issue(world, director)
    services.matter_receive(matter=order, by=huiyang_liaison)
    client = client_for(director)
    quiet = landing(client)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="已报送")
    before = landing(client)
    assert before.path == reverse("web:dashboard")
    assert before.nav_count == quiet.nav_count + 1
    assert order.label in before.rows("answer_to_decide")

    services.answer_accept(answer=answer, by=director)
    gone(before, landing(client), "answer_to_decide")


def test_a_draft_order_waits_for_the_leader_it_names_until_it_is_signed(
    world, office_staff, director, client_for
):
    client = client_for(director)
    quiet = landing(client)
    pending = draft(world, office_staff, director)
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert "三日内报送进展并说明原因" in before.rows("order_to_sign")
    assert before.links["order_to_sign"] == [reverse("supervision:order_draft", args=[pending.pk])]

    services.order_draft_sign(draft=pending, by=director)
    gone(before, landing(client), "order_to_sign")


def test_a_returned_draft_waits_for_its_drafter_until_it_is_sent_again_or_withdrawn(
    world, office_staff, director, client_for
):
    client = client_for(office_staff)
    first, second = draft(world, office_staff, director), draft(world, office_staff, director)
    quiet = landing(client)
    services.order_draft_return(draft=first, by=director, reason="督办事项不够具体")
    services.order_draft_return(draft=second, by=director, reason="时限过短")
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 2
    assert "督办事项不够具体" in before.rows("order_draft_returned")

    services.order_draft_resubmit(
        draft=first,
        by=office_staff,
        signer=director,
        basis=first.basis,
        demand="五日内报送近两期进展及滞后原因",
        deadline=IN_A_WEEK,
        level=OrderLevel.BLUE,
    )
    services.order_draft_withdraw(draft=second, by=office_staff)
    gone(before, landing(client), "order_draft_returned", n=2)


def test_a_red_order_waits_for_a_city_leader_until_it_is_settled(
    world, director, huiyang_liaison, city_leader, client_for
):
    client = client_for(city_leader)
    quiet = landing(client)
    order = issue(world, director, level=OrderLevel.RED)
    issue(world, director, demand="蓝色提醒不在其列")
    before = landing(client)
    assert before.nav_count == quiet.nav_count + 1
    assert order.label in before.rows("red_order")
    assert "蓝色提醒不在其列" not in before.rows("red_order")

    services.matter_receive(matter=order, by=huiyang_liaison)
    answer = services.answer_submit(matter=order, by=huiyang_liaison, body="已整改")
    assert order.label in landing(client).rows("red_order")  # answered: not yet settled
    services.answer_accept(answer=answer, by=director)
    gone(before, landing(client), "red_order")


# --- a fixed number of queries whatever the number of rows ------------------------


def _grow(world, office_staff, director, n: int) -> None:
    """`n` more orders and action items to sign for and to answer for 惠阳区, drafts to
    sign and answers to decide for the director. Rows are written directly: what is
    measured here is the reads."""
    start = SupervisionOrder.objects.count()
    now = timezone.now()
    orders = SupervisionOrder.objects.bulk_create(
        SupervisionOrder(
            office=world.office,
            unit=world.huiyang,
            task=world.task_huiyang,
            demand=f"督办事项{start + i}",
            deadline=IN_A_WEEK,
            year=2016,
            number=start + i + 1,
            basis="b",
            issued_by=director,
            issued_at=now,
            # Two in three signed for (to answer), one in three not yet (to sign for).
            received_by=office_staff if i % 3 else None,
            received_at=now if i % 3 else None,
        )
        for i in range(3 * n)
    )
    meeting = action_item(world, office_staff).meeting
    ActionItem.objects.bulk_create(
        ActionItem(
            office=world.office,
            unit=world.huiyang,
            demand=f"督办事项{i}",
            deadline=IN_A_WEEK,
            meeting=meeting,
            created_by=office_staff,
            received_by=office_staff if i % 2 else None,
            received_at=now if i % 2 else None,
        )
        for i in range(2 * n)
    )
    Answer.objects.bulk_create(
        Answer(order=o, body="已办", answered_by=office_staff, answered_at=now) for o in orders[:n]
    )
    OrderDraft.objects.bulk_create(
        OrderDraft(
            office=world.office,
            task=world.task_huiyang,
            basis="b",
            demand=f"草稿{i}",
            deadline=IN_A_WEEK,
            signer=director,
            drafted_by=office_staff,
            drafted_at=now,
        )
        for i in range(n)
    )


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["huiyang_liaison", "director"])
def test_supervision_next_acts_cost_the_same_queries_for_few_and_many_rows(
    request, world, office_staff, director, client_for, persona
):
    user = request.getfixturevalue(persona)
    _grow(world, office_staff, director, 1)
    client = client_for(user)
    few = landing(client)
    few_page = _queries(lambda: landing(client))
    few_reads = _queries(lambda: next_acts(user))
    _grow(world, office_staff, director, 30)
    many = landing(client)
    assert many.total > few.total + 25
    assert _queries(lambda: landing(client)) == few_page
    assert _queries(lambda: next_acts(user)) == few_reads
