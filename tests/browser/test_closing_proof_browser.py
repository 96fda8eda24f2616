"""Proof before 销账, in Chromium: the director opens a closing from the closings inbox,
sees the milestones and the last progress it rests on; approving with milestones not
reached and no reason is refused, with a reason it is approved (asked first, sent once)
and the reason is in the task's history. And the plan form adds milestone rows in place."""

import datetime as dt

import pytest
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.choices import ClosingStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Milestone, ProgressReport, Task
from reformledger.ledger.tests.test_closing import request_closing
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def test_the_director_approves_a_thin_closing_only_with_a_reason(
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
    may = services.periods_ensure(office=world.office, year=2016, by=office_staff)[4]
    ProgressReport.objects.create(
        task=world.task_huiyang,
        period=may,
        status=ReportStatus.ACCEPTED,
        done="考核方案起草中",
        percent=30,
        author=huiyang_liaison,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    closing = services.closing_sign(
        closing=request_closing(world.task_huiyang, huiyang_liaison), by=huiyang_head
    )
    task = world.task_huiyang
    url = live_server.url

    sign_in(page, live_server, "director")
    page.goto(f"{url}/ledger/closings/")
    row = page.get_by_test_id("closing-row")
    proof = row.get_by_test_id("closing-proof")
    assert "出台考核方案" in proof.get_by_test_id("proof-unreached").inner_text()
    assert "全区推开并总结" in proof.get_by_test_id("proof-unreached").inner_text()
    assert "0" in proof.get_by_test_id("proof-milestones").inner_text()
    assert "30%" in proof.get_by_test_id("proof-report").inner_text()
    assert "2016-05" in proof.get_by_test_id("proof-report").inner_text()
    assert row.get_by_test_id("proof-concerns").is_visible()
    shot(page, "closing-proof-1-inbox")

    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # Without a reason: asked (with the proof in the question), then refused by name.
    with page.expect_navigation():
        row.get_by_test_id("approve-closing").click()
    page.wait_for_load_state()
    assert questions and "出台考核方案" in questions[0] and "30%" in questions[0]
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.SIGNED
    assert page.locator(".alert-danger, .alert-error").first.is_visible()
    shot(page, "closing-proof-2-refused")

    # With a reason: approved once, however often the button is pressed.
    row = page.get_by_test_id("closing-row")
    row.get_by_test_id("closing-reason").fill("考核办法已由区政府常务会议审定，视同节点完成。")
    with page.expect_navigation():
        state = page.evaluate(
            """() => {
                const button = document.querySelector('[data-testid="approve-closing"]');
                button.click();
                const state = [button.disabled, button.form.hasAttribute("data-submitted")];
                button.click();
                return state;
            }"""
        )
    assert state == [True, True]
    page.wait_for_load_state()
    assert [u for u in posts if u.endswith("/approve/")] == [
        f"{url}/ledger/closings/{closing.pk}/approve/"
    ] * 2  # the refused one, and one approval
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CLOSED
    record = AuditRecord.objects.get(verb="closing.approved")
    assert record.reason == "考核办法已由区政府常务会议审定，视同节点完成。"
    assert record.changes["milestones_reached"] == [None, "0/2"]

    # The reason is in the task's history, in words.
    page.goto(f"{url}/ledger/tasks/{task.pk}/#history")
    history = page.get_by_test_id("history").inner_text()
    assert "考核办法已由区政府常务会议审定" in history
    shot(page, "closing-proof-3-history")


def test_the_plan_form_adds_a_third_and_fourth_milestone_in_place(
    transactional_db, live_server, world, office_staff, page, shot
):
    task = world.task_boluo
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/plan/")
    assert page.get_by_test_id("milestone-row").count() == 2
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    page.get_by_test_id("add-milestone").click()
    page.get_by_test_id("add-milestone").click()

    assert page.get_by_test_id("milestone-row").count() == 4
    assert not [u for u in requests if "/plan/" in u]  # no round trip
    assert page.locator("#id_m-TOTAL_FORMS").input_value() == "4"
    page.fill("#id_summary", "分四步推进")
    for i, (title, day) in enumerate(
        [("摸底调研", "03-31"), ("出台方案", "06-30"), ("试点运行", "09-30"), ("全面推开", "12-15")]
    ):
        page.fill(f"#id_m-{i}-title", title)
        page.fill(f"#id_m-{i}-planned_date", f"2016-{day}")
        page.fill(f"#id_m-{i}-weight", "25")
    shot(page, "plan-form-four-milestones")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()

    saved = Milestone.objects.filter(plan__task=task).order_by("order")
    assert [(m.title, m.planned_date, m.weight) for m in saved] == [
        ("摸底调研", dt.date(2016, 3, 31), 25),
        ("出台方案", dt.date(2016, 6, 30), 25),
        ("试点运行", dt.date(2016, 9, 30), 25),
        ("全面推开", dt.date(2016, 12, 15), 25),
    ]


def test_the_board_confirms_every_untouched_grade_after_asking_with_the_count(
    transactional_db, live_server, world, office_staff, director, page, shot
):
    from reformledger.ledger.models import Rating
    from reformledger.ledger.tests.test_ratings import add_rated_tasks

    add_rated_tasks(world, 3, "S")
    june = services.periods_ensure(office=world.office, year=2016, by=office_staff)[5]
    services.ratings_compute_period(period=june, by=office_staff)
    sign_in(page, live_server, "director")
    page.goto(f"{live_server.url}/ledger/ratings/?period={june.pk}")
    assert page.get_by_test_id("not-rated-row").count() == 3  # 2016-002…004: no plan yet
    shot(page, "ratings-board-untouched")

    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    with page.expect_navigation():
        page.get_by_test_id("confirm-untouched").click()
    page.wait_for_load_state()

    assert "4" in questions[0]
    assert not Rating.objects.filter(period=june, status="suggested").exists()
    assert page.get_by_test_id("confirm-untouched").count() == 0
