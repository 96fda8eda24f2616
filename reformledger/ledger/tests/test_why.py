"""Where an act is not open, the page says why and who can do it: the closing tab why
there is no closing request yet, the report form which office sets the periods up and
whom there to ask, a unit head's task page who files the reports. Read on the rendered
pages, in English."""

import datetime as dt

import lxml.html
from django.urls import reverse

from reformledger.ledger import services as ledger
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone
from reformledger.ledger.tests.test_next_acts import request_closing, write_plan
from reformledger.notifications.tests.conftest import make_period
from tests.next_acts import in_english


def _said(client, url: str, testid: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return " ".join(
        " ".join(e.text_content().split()) for e in doc.xpath(f'//*[@data-testid="{testid}"]')
    )


def _closing_tab(client, task, testid: str = "closing-reason") -> str:
    return _said(client, reverse("ledger:task", args=[task.pk]), testid)


# --- the closing tab (销账) ------------------------------------------------------------


def test_the_closing_tab_says_a_task_in_planning_is_closed_only_once_under_way(
    world, office_staff, client_for
):
    client = in_english(client_for(office_staff))
    said = _closing_tab(client, world.task_boluo)
    assert "still in planning (no plan is written yet)" in said
    assert "only for a task under way, once its plan is approved" in said

    plan = write_plan(world.task_boluo, office_staff)
    assert "(its plan awaits the office's approval)" in _closing_tab(client, world.task_boluo)
    ledger.plan_reject(plan=plan, by=office_staff, note="细化节点")
    assert "(its plan was returned to the unit to correct)" in _closing_tab(
        client, world.task_boluo
    )


def test_the_closing_tab_says_a_task_under_way_has_no_approved_plan(
    world, office_staff, client_for
):
    ledger.task_set_status(
        task=world.task_boluo, by=office_staff, status=TaskStatus.IN_PROGRESS, reason="先行启动"
    )
    said = _closing_tab(in_english(client_for(office_staff)), world.task_boluo)
    assert "The task has no approved plan, so no milestone shows the work done." in said


def test_the_closing_tab_names_the_milestones_not_yet_reached_and_who_files(
    world, huiyang_liaison, huiyang_head, client_for
):
    client = in_english(client_for(huiyang_head))
    said = _closing_tab(client, world.task_huiyang)
    assert (
        "0 of 2 milestones are reached; not yet: 出台考核方案 (planned 2016-06-30); "
        "全区推开并总结 (planned 2016-12-15)." in said
    )
    who = _closing_tab(client, world.task_huiyang, "closing-who")
    assert "The liaison of 惠阳区 (黄晓梅) asks to close it" in who
    assert "the unit head (张建国) signs the request; an office leader approves it." in who


def test_the_closing_tab_says_closing_can_be_asked_for_once_every_milestone_is_reached(
    world, huiyang_liaison, office_staff, client_for
):
    november = make_period(world, 11)
    milestones = Milestone.objects.filter(
        plan__task=world.task_huiyang, plan__status=PlanStatus.APPROVED
    )
    report = ledger.report_file(
        task=world.task_huiyang,
        period=november,
        by=huiyang_liaison,
        done="全区推开",
        percent=100,
        reached=[(m, dt.date(2016, 11, 20)) for m in milestones],
        submit=True,
    )
    ledger.report_accept(report=report, by=office_staff)
    said = _closing_tab(in_english(client_for(huiyang_liaison)), world.task_huiyang)
    assert "Every milestone of the approved plan is reached: closing can be asked for." in said


def test_the_closing_tab_gives_the_reason_the_last_request_was_rejected(
    world, huiyang_liaison, huiyang_head, client_for
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    ledger.closing_reject(closing=closing, by=huiyang_head, reason="文号有误，请核对")
    client = in_english(client_for(huiyang_liaison))
    said = _closing_tab(client, world.task_huiyang)
    assert "The last closing request was rejected: 文号有误，请核对" in said
    # The same words on the closing page of its own.
    url = reverse("ledger:task_closing", args=[world.task_huiyang.pk])
    assert "The last closing request was rejected" in _said(client, url, "closing-reason")


# --- progress reports ------------------------------------------------------------------


def test_without_an_open_period_the_report_form_says_which_office_and_whom_to_ask(
    world, huiyang_liaison, client_for
):
    url = reverse("ledger:report_file", args=[world.task_huiyang.pk])
    said = _said(in_english(client_for(huiyang_liaison)), url, "no-period")
    assert "No reporting period of 2016 is open yet, so no report can be filed." in said
    assert "市委改革办 sets up the reporting periods: ask its staff (林文秀)." in said


def test_a_unit_heads_task_page_says_the_liaison_files_the_reports(
    world, huiyang_liaison, huiyang_head, client_for
):
    url = reverse("ledger:task", args=[world.task_huiyang.pk])
    said = _said(in_english(client_for(huiyang_head)), url, "reports-who")
    assert "Progress reports on this task are filed by the liaison of 惠阳区 (黄晓梅)" in said
    # The liaison, who files them, gets the button instead.
    assert not _said(in_english(client_for(huiyang_liaison)), url, "reports-who")
