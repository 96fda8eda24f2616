"""Signing for an order (签收) in Chromium: the button asks first, a refusal of the
question sends nothing, and a confirmed signing is sent once however often it is
clicked; then the answer form opens."""

import datetime as dt

import pytest
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.supervision import services
from reformledger.supervision.models import SupervisionOrder
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def test_the_liaison_signs_for_an_order_once_after_confirming(
    transactional_db,
    live_server,
    world,
    director,
    huiyang_liaison,
    page,
    shot,
):
    order = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="领导小组2016年第1次会议要求",
        demand="请报送表格化捆绑式绩效考核实施方案。",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    sign_in(page, live_server, "huiyang")
    page.goto(f"{live_server.url}/supervision/orders/{order.pk}/")
    assert page.get_by_test_id("answer-form").count() == 0
    assert page.get_by_test_id("answer-waits").is_visible()

    # Asked, and declined: nothing is sent.
    questions: list[str] = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_test_id("receive").click()
    assert questions and order.label in questions[0]
    assert not page.get_by_test_id("receive").is_disabled()
    assert SupervisionOrder.objects.get(pk=order.pk).received_at is None

    # Confirmed, and clicked again at once: sent once.
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    state = page.evaluate(
        """() => {
            const button = document.querySelector('[data-testid="receive"]');
            button.click();
            const state = [button.disabled, button.form.hasAttribute("data-submitted")];
            button.click();
            button.form.requestSubmit();
            return state;
        }"""
    )
    assert state == [True, True]
    page.wait_for_url(f"**/supervision/orders/{order.pk}/")
    page.get_by_test_id("receipt-done").wait_for()
    assert "黄晓梅" in page.get_by_test_id("receipt-done").inner_text()
    assert page.get_by_test_id("answer-form").is_visible()
    assert [u for u in posts if u.endswith("/receive/")] == [
        f"{live_server.url}/supervision/orders/{order.pk}/receive/"
    ]
    assert AuditRecord.objects.filter(verb="order.received").count() == 1
    assert SupervisionOrder.objects.get(pk=order.pk).received_by == huiyang_liaison
    shot(page, "supervision-receipt-signed")
