"""Each person's next acts (待办) in Chromium: the liaison lands on what waits for it;
the clerk, who does not issue orders, is told so on the task page and drafts one for
the director; the director finds the draft on the page they land on, signs it, and
the order is issued."""

import datetime as dt

import pytest
from django.utils import timezone

from reformledger.notifications.tests.conftest import make_period
from reformledger.supervision.models import OrderDraft, SupervisionOrder
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def test_the_liaison_lands_on_what_waits_for_it(
    transactional_db, live_server, world, huiyang_liaison, page, shot
):
    make_period(world, 3)
    sign_in(page, live_server, "huiyang")
    assert page.url.endswith("/ledger/my-work/")
    kinds = page.locator('[data-testid="next-act-group"]')
    assert set(kinds.evaluate_all("els => els.map(e => e.dataset.kind)")) >= {
        "plan_missing",
        "report_due",
    }
    count = page.get_by_test_id("next-acts-count").inner_text()
    assert count == page.get_by_test_id("next-acts-total").inner_text()
    shot(page, "next-acts-liaison")
    # A row opens the place where the act is done: the report form of the period.
    page.locator('[data-kind="report_due"] [data-testid="next-act"] a').first.click()
    page.wait_for_load_state()
    assert "/report/?period=" in page.url


def test_the_clerk_drafts_an_order_and_the_director_signs_it_from_the_dashboard(
    transactional_db, live_server, world, office_staff, director, browser, page, shot
):
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/ledger/tasks/{world.task_huiyang.pk}/")
    assert page.get_by_test_id("issue-order-on-task").count() == 0
    assert page.get_by_test_id("issue-order-why").is_visible()
    shot(page, "task-page-clerk")
    page.click("[data-bs-target='#tab-closing']")
    page.get_by_test_id("closing-why").wait_for(state="visible")
    shot(page, "closing-tab-why")
    page.get_by_test_id("draft-order-on-task").click()
    page.wait_for_load_state()
    deadline = timezone.localdate() + dt.timedelta(days=7)
    page.fill("#id_deadline", deadline.isoformat())
    page.select_option("#id_signer", str(director.pk))
    page.fill("#id_basis", "连续两期未报送进展")
    page.fill("#id_demand", "三日内报送近两期进展并说明滞后原因")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("submit-draft").click()
    page.wait_for_load_state()
    draft = OrderDraft.objects.get()
    assert page.url.endswith(f"/supervision/orders/drafts/{draft.pk}/")
    shot(page, "order-draft-clerk")

    leader = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    leader_page = leader.new_page()
    sign_in(leader_page, live_server, "director")
    assert leader_page.url.endswith("/dashboard/")
    row = leader_page.locator('[data-kind="order_to_sign"] [data-testid="next-act"] a')
    assert "三日内报送近两期进展" in row.inner_text()
    shot(leader_page, "next-acts-director")
    row.click()
    leader_page.wait_for_load_state()
    leader_page.once("dialog", lambda dialog: dialog.accept())
    leader_page.get_by_test_id("sign-draft").click()
    leader_page.wait_for_load_state()
    order = SupervisionOrder.objects.get()
    assert leader_page.url.endswith(f"/supervision/orders/{order.pk}/")
    assert order.issued_by == director
    leader_page.goto(f"{live_server.url}/dashboard/")
    assert leader_page.locator('[data-kind="order_to_sign"]').count() == 0
    leader.close()
