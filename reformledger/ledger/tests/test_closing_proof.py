"""Proof before 销账: wherever a closing is decided, the decider sees what it rests on
(milestones reached, the last accepted report, the latest rating, the deliverables),
approving on thin proof needs a stated reason, and every decisive act asks first and
is sent once."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.ledger import selectors, services
from reformledger.ledger.choices import ClosingStatus, PlanStatus, ReportStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, ProgressReport, Rating, Task
from reformledger.ledger.tests.test_closing import reach_milestones, request_closing
from reformledger.ledger.validation import MilestoneRow


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def june(world):
    return services.periods_ensure(office=world.office, year=2016)[5]


@pytest.fixture
def may(world):
    return services.periods_ensure(office=world.office, year=2016)[4]


@pytest.fixture
def july(world):
    return services.periods_ensure(office=world.office, year=2016)[6]


def accepted_report(task, period, by, percent: int) -> ProgressReport:
    """A report accepted by the office (only the fact counts here)."""
    return ProgressReport.objects.create(
        task=task,
        period=period,
        status=ReportStatus.ACCEPTED,
        done="推进中",
        percent=percent,
        author=by,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )


@pytest.fixture
def thin(world, may, july, office_staff, huiyang_liaison, huiyang_head):
    """The case of issue 20: 0 of 2 milestones reached, the last accepted report (May's)
    at 30%, rated D in July (a milestone overdue by a month); the request is signed and
    waits for the director."""
    accepted_report(world.task_huiyang, may, office_staff, 30)
    services.rating_compute(task=world.task_huiyang, period=july)
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    return services.closing_sign(closing=closing, by=huiyang_head)


def unescape(html: str) -> str:
    return html.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


# --- what it rests on ------------------------------------------------------------


def test_the_proof_names_unreached_milestones_the_last_report_and_the_rating(world, thin):
    proof = selectors.proofs_of([world.task_huiyang.pk])[world.task_huiyang.pk]

    assert (proof.reached, proof.total) == (0, 2)
    assert [m.title for m in proof.unreached] == ["出台考核方案", "全区推开并总结"]
    assert proof.report.percent == 30 and proof.report.period.label == "2016-05"
    assert (proof.rating.grade.letter, proof.rating.period.label) == ("D", "2016-07")
    assert proof.needs_reason and len(proof.concerns) == 2


def test_all_milestones_reached_and_a_fair_rating_need_no_reason(world, june, director):
    reach_milestones(world.task_huiyang)
    proof = selectors.proofs_of([world.task_huiyang.pk])[world.task_huiyang.pk]
    assert (proof.reached, proof.total, proof.rating) == (2, 2, None)
    assert not proof.needs_reason


def test_a_task_without_an_approved_plan_needs_a_reason(world):
    proof = selectors.proofs_of([world.task_boluo.pk])[world.task_boluo.pk]
    assert proof.total == 0 and proof.needs_reason


# --- the service -------------------------------------------------------------------


def test_approving_on_thin_proof_without_a_reason_is_refused_naming_the_field(
    world, thin, director
):
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.closing_approve(closing=thin, by=director, note="  ")

    assert list(refused.value.message_dict) == ["note"]
    assert "出台考核方案" in refused.value.message_dict["note"][0]
    assert ClosingRequest.objects.get(pk=thin.pk).status == ClosingStatus.SIGNED
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.IN_PROGRESS
    assert AuditRecord.objects.count() == before


def test_a_d_or_e_rating_alone_needs_a_reason(world, thin, director):
    reach_milestones(world.task_huiyang)  # every milestone reached; July is still D
    with override("en"), pytest.raises(ValidationError) as refused:
        services.closing_approve(closing=thin, by=director)
    assert "D (2016-07)" in refused.value.message_dict["note"][0]


def test_the_reason_and_the_proof_are_in_the_approvals_audit_record(world, thin, director):
    services.closing_approve(closing=thin, by=director, note="市政府常务会议已确认完成")

    record = AuditRecord.objects.get(verb="closing.approved")
    assert record.reason == "市政府常务会议已确认完成"
    assert record.changes["milestones_reached"] == [None, "0/2"]
    assert record.changes["milestones_not_reached"] == [None, ["出台考核方案", "全区推开并总结"]]
    assert record.changes["last_report"] == [None, "30% 2016-05"]
    assert record.changes["latest_rating"] == [None, "D 2016-07"]
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.CLOSED


def test_a_fully_proven_closing_is_approved_without_a_reason(
    world, director, huiyang_liaison, huiyang_head
):
    reach_milestones(world.task_huiyang)
    closing = services.closing_sign(
        closing=request_closing(world.task_huiyang, huiyang_liaison), by=huiyang_head
    )
    services.closing_approve(closing=closing, by=director)
    assert Task.objects.get(pk=world.task_huiyang.pk).status == TaskStatus.CLOSED


# --- the pages ---------------------------------------------------------------------


def test_the_closings_inbox_shows_the_director_what_the_closing_rests_on(
    world, thin, director, client_for
):
    page = client_for(director).get(reverse("ledger:closings"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()

    proof = html.split('data-testid="closing-proof"')[1].split("</dl>")[0]
    assert "0 of 2" in proof and "出台考核方案" in proof and "全区推开并总结" in proof
    assert "30% · 2016-05" in proof
    assert 'data-grade="D"' in proof
    assert 'data-testid="proof-concerns"' in html
    assert "惠阳府〔2016〕88号" in html and "考核办法.pdf" in html  # deliverables and files


def test_the_task_pages_closing_tab_shows_the_proof(world, thin, director, client_for):
    html = client_for(director).get(reverse("ledger:task", args=[world.task_huiyang.pk]))
    html = html.content.decode()
    assert 'data-testid="closing-proof"' in html and "出台考核方案" in html


def test_approving_on_the_page_without_a_reason_says_why_and_keeps_the_request(
    world, thin, director, client_for
):
    response = client_for(director).post(
        reverse("ledger:closing_approve", args=[thin.pk]),
        {"reason": ""},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert any("Say why the closing is approved" in str(m) for m in response.context["messages"])
    assert ClosingRequest.objects.get(pk=thin.pk).status == ClosingStatus.SIGNED

    client_for(director).post(
        reverse("ledger:closing_approve", args=[thin.pk]), {"reason": "已由区政府确认"}
    )
    assert ClosingRequest.objects.get(pk=thin.pk).status == ClosingStatus.APPROVED
    assert AuditRecord.objects.get(verb="closing.approved").reason == "已由区政府确认"


def _tags(html: str, testid: str) -> list[str]:
    """The opening tags (with their attributes) of the elements with `testid`."""
    return re.findall(rf'<[a-z]+\b[^>]*data-testid="{testid}"[^>]*>', html, flags=re.S)


def _form_of(html: str, testid: str) -> str:
    """The opening tag of the form around the element with `testid`."""
    before = html.split(f'data-testid="{testid}"')[0]
    return before[before.rindex("<form") :].split(">")[0]


def test_closing_decisions_ask_first_with_the_proof_and_are_sent_once(
    world, thin, director, client_for
):
    for url in (reverse("ledger:closings"), reverse("ledger:task", args=[world.task_huiyang.pk])):
        html = unescape(client_for(director).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
        approve = _tags(html, "approve-closing")[0]
        assert "data-confirm=" in approve and "Milestones reached: 0 of 2" in approve
        assert "Last accepted report: 30% (2016-05)" in approve
        assert "Latest rating: D (2016-07)" in approve
        assert "data-confirm=" in _tags(html, "reject-closing")[0]
        assert "data-submit-once" in _form_of(html, "approve-closing")


def test_rating_plan_period_and_order_acts_ask_first_and_are_sent_once(
    world, june, director, office_staff, client_for
):
    services.rating_compute(task=world.task_huiyang, period=june)
    board = client_for(director).get(reverse("ledger:ratings"), {"period": june.pk})
    html = unescape(board.content.decode())
    for testid in ("confirm", "close-period", "confirm-untouched"):
        form = _form_of(html, testid)
        assert "data-confirm=" in form and "data-submit-once" in form, testid
    override = _tags(html, "override")[0]
    assert "data-confirm=" in override and "data-submit-once" in override

    row = MilestoneRow(title="方案", planned_date=dt.date(2016, 9, 30), weight=100)
    plan = services.plan_save(task=world.task_boluo, by=office_staff, summary="", milestones=[row])
    services.plan_submit(plan=plan, by=office_staff)
    task_page = client_for(director).get(reverse("ledger:task", args=[world.task_boluo.pk]))
    html = task_page.content.decode()
    assert "data-confirm=" in _tags(html, "approve-plan")[0]
    assert "data-submit-once" in _form_of(html, "approve-plan")

    order_form = client_for(director).get(reverse("supervision:order_issue")).content.decode()
    tag = _tags(order_form, "order-form")[0]
    assert "data-confirm=" in tag and "data-submit-once" in tag


def test_the_closings_inbox_runs_the_same_queries_with_proof_for_3_and_30_requests(
    world, director, office_staff, client_for, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MilestoneFactory, PlanFactory, TaskFactory

    settings.LEDGER_PAGE_SIZE = 1000
    client = client_for(director)
    june = services.periods_ensure(office=world.office, year=2016)[5]

    def add(n: int, prefix: str) -> None:
        for i in range(n):
            task = TaskFactory(
                office=world.office,
                code=f"{prefix}-{i:03d}",
                area=world.economy,
                lead_unit=world.huiyang,
                status=TaskStatus.IN_PROGRESS,
            )
            plan = PlanFactory(task=task, status=PlanStatus.APPROVED)
            MilestoneFactory(plan=plan, planned_date=dt.date(2016, 6, 30), weight=100)
            accepted_report(task, june, office_staff, 50)
            ClosingRequest.objects.create(
                task=task,
                status=ClosingStatus.SIGNED,
                summary="完成",
                document_no=f"文号{i}",
                document_date=dt.date(2016, 6, 1),
                requested_by=office_staff,
            )
        services.ratings_compute_period(period=june)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ledger:closings")).status_code == 200
        return len(ctx.captured_queries)

    add(3, "S")
    small = queries()
    add(27, "L")
    assert queries() == small
    assert Rating.objects.filter(period=june).count() >= 30
