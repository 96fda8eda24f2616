"""One whole work cycle as the people do it, in Chromium: the liaison reports with
evidence, the office accepts it, the director confirms one suggested rating and
overrides another with a reason, the liaison requests closing, the head signs,
the director approves, and the task shows in the closed ledger."""

import datetime as dt

import pytest

from reformledger.ledger import services
from reformledger.ledger.models import Period, Rating, RatingGrade, Task
from reformledger.ledger.validation import MilestoneRow
from tests.browser.signin import sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser


def _login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, username)  # with the TOTP code where the role needs one


def _approved_plan(task, by) -> None:
    plan = services.plan_save(
        task=task,
        by=by,
        summary="分两步推进",
        milestones=[
            MilestoneRow(title="出台方案", planned_date=dt.date(2016, 4, 30), weight=50),
            MilestoneRow(title="全面实施", planned_date=dt.date(2016, 11, 30), weight=50),
        ],
    )
    services.plan_submit(plan=plan, by=by)
    services.plan_approve(plan=plan, by=by)


def test_a_whole_cycle_from_report_to_closed_ledger(
    transactional_db,
    live_server,
    world,
    office_staff,
    director,
    huiyang_liaison,
    huiyang_head,
    page,
    shot,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    _approved_plan(world.task_helped, office_staff)
    services.periods_ensure(office=world.office, year=2016, by=office_staff)
    june = Period.objects.get(office=world.office, year=2016, number=6)
    task = world.task_huiyang
    url = live_server.url

    # 1. The 惠阳 liaison files June's report with a milestone reached and evidence.
    _login(page, live_server, "huiyang")
    page.goto(f"{url}/ledger/tasks/{task.pk}/report/?period={june.pk}")
    page.fill("#id_done", "考核方案已印发，全区12个镇街开展试点。")
    page.fill("#id_percent", "45")
    page.locator("input[name^=reached_]").first.fill("2016-06-20")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "考核方案.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    shot(page, "cycle-1-report-form")
    page.get_by_role("button", name="报送改革办").click()
    page.wait_for_load_state()
    report = task.reports.get(period=june)
    assert report.status == "submitted" and report.evidence.count() == 1

    # 2. The office accepts it; the milestone counts as reached.
    _login(page, live_server, "office")
    page.goto(f"{url}/ledger/reports/")
    page.get_by_test_id("accept").first.click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.status == "accepted"

    # 3. The director computes June's suggestions, confirms one, overrides another.
    _login(page, live_server, "director")
    page.on("dialog", lambda dialog: dialog.accept())  # each decision asks first
    page.goto(f"{url}/ledger/ratings/?period={june.pk}")
    page.get_by_test_id("compute").click()
    page.wait_for_load_state()
    page.locator("tr[data-task='2016-001']").get_by_test_id("confirm").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-task='2016-002']")
    grade_c = RatingGrade.objects.get(scale__office=world.office, scale__year=2016, letter="C")
    row.locator("summary").click()
    row.locator("select[name=grade]").select_option(value=str(grade_c.pk))
    row.locator("textarea[name=reason]").fill("配合单位反映推进偏慢，调为C。")
    row.get_by_role("button", name="调整").click()
    page.wait_for_load_state()
    shot(page, "cycle-2-rating-board")
    confirmed = Rating.objects.get(task=task, period=june)
    overridden = Rating.objects.get(task=world.task_helped, period=june)
    assert confirmed.status == "confirmed" and confirmed.final == confirmed.suggested
    assert overridden.status == "overridden" and overridden.final.letter == "C"
    assert overridden.override_reason == "配合单位反映推进偏慢，调为C。"

    # 4. The liaison requests closing with the deliverables.
    _login(page, live_server, "huiyang")
    page.goto(f"{url}/ledger/tasks/{task.pk}/closing/request/")
    page.fill("#id_summary", "表格化捆绑式绩效考核在全区推开，形成制度文件。")
    page.fill("#id_document_no", "惠阳府〔2016〕88号")
    page.fill("#id_document_date", "2016-12-10")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "印发文件.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="提交销账申请").click()
    page.wait_for_load_state()
    closing = task.closings.get()
    assert closing.status == "requested"

    # 5. The head signs it.
    _login(page, live_server, "huiyang_head")
    page.goto(f"{url}/ledger/tasks/{task.pk}/#closing")
    page.get_by_role("button", name="签字").click()
    page.wait_for_load_state()
    closing.refresh_from_db()
    assert closing.status == "signed"

    # 6. The director approves (one milestone of two reached: with the reason why); the
    # task leaves the open ledger.
    _login(page, live_server, "director")
    page.goto(f"{url}/ledger/tasks/{task.pk}/#closing")
    page.fill("#id_closing_note", "全区推开已由区政府常务会议确认。")
    page.get_by_test_id("approve-closing").click()
    page.wait_for_load_state()
    assert Task.objects.get(pk=task.pk).status == "closed"

    # 7. It shows in the closed ledger, and no longer among the open tasks.
    page.goto(f"{url}/ledger/closed/")
    assert page.get_by_text("表格化捆绑式绩效考核改革").first.is_visible()
    assert page.get_by_text("惠阳府〔2016〕88号").first.is_visible()
    shot(page, "cycle-3-closed-ledger")
    page.goto(f"{url}/ledger/?year=2016&status=in_progress")
    assert page.get_by_test_id("ledger-table").get_by_text("表格化捆绑式绩效考核改革").count() == 0
