"""A person at a browser: signs in, filters the ledger, opens a task."""

import pytest

from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def _login(page, live_server, username: str) -> None:
    sign_in(page, live_server, username)  # with the TOTP code where the role needs one


def test_county_liaison_signs_in_filters_the_ledger_and_opens_a_task(
    transactional_db, live_server, world, huiyang_liaison, page, shot
):
    _login(page, live_server, "huiyang")
    shot(page, "after-login")
    page.wait_for_url(f"{live_server.url}/ledger/my-work/")
    page.goto(f"{live_server.url}/ledger/")
    table = page.get_by_test_id("ledger-table")
    assert table.get_by_text("表格化捆绑式绩效考核改革").is_visible()
    assert table.get_by_text("项目审批制度改革").count() == 0  # 博罗's task is not theirs
    page.get_by_test_id("total").wait_for()
    assert page.get_by_test_id("total").inner_text() == "3"

    page.fill("#id_q", "绩效")
    page.press("#id_q", "Enter")
    page.wait_for_url("**q=*")
    assert page.get_by_test_id("total").inner_text() == "1"
    shot(page, "ledger-filtered")

    page.get_by_role("link", name="表格化捆绑式绩效考核改革").click()
    page.get_by_test_id("task-title").wait_for()
    assert "2016-001" in page.get_by_test_id("task-title").inner_text()
    page.get_by_role("tab").nth(1).click()
    assert page.get_by_test_id("milestones").first.get_by_text("出台考核方案").is_visible()
    page.get_by_test_id("history-tab").click()
    assert page.get_by_test_id("history").is_visible()
    shot(page, "task-history")


def test_office_staff_approves_a_submitted_plan_in_the_browser(
    transactional_db, live_server, world, office_staff, boluo_liaison, page, shot
):
    _login(page, live_server, "boluo")
    page.goto(f"{live_server.url}/ledger/tasks/{world.task_boluo.pk}/plan/")
    page.fill("#id_m-0-title", "出台实施方案")
    page.fill("#id_m-0-planned_date", "2016-05-31")
    page.fill("#id_m-0-weight", "40")
    page.fill("#id_m-1-title", "全面推开")
    page.fill("#id_m-1-planned_date", "2016-11-30")
    page.fill("#id_m-1-weight", "60")
    page.click("button[name=submit]")
    page.wait_for_url("**#plan")
    page.get_by_test_id("plan-pending").wait_for()
    shot(page, "plan-submitted")

    page.context.clear_cookies()
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/ledger/tasks/{world.task_boluo.pk}/#plan")
    page.fill("#id_note", "同意")
    page.once("dialog", lambda dialog: dialog.accept())  # approving a plan asks first
    page.get_by_role("button", name="批准").click()
    page.get_by_test_id("plan-current").wait_for()
    shot(page, "plan-approved")
    world.task_boluo.refresh_from_db()
    assert world.task_boluo.status == "in_progress"
