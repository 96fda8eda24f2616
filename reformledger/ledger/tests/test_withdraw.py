"""Withdrawing (撤回) a progress report or a closing request not yet decided: the unit
that filed it takes it back, with its audit record; once decided, it is refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import services
from reformledger.ledger.choices import ClosingStatus, ReportStatus
from reformledger.ledger.models import ClosingRequest, ProgressReport
from reformledger.ledger.tests.test_closing import reach_milestones, request_closing
from reformledger.orgs import services as orgs


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def june(world):
    return services.periods_ensure(office=world.office, year=2016)[5]


@pytest.fixture
def submitted(world, june, huiyang_liaison):
    """惠阳's June report, submitted by its liaison."""
    return services.report_file(
        task=world.task_huiyang,
        period=june,
        by=huiyang_liaison,
        done="考核方案已印发",
        percent=40,
        submit=True,
    )


# --- reports ---------------------------------------------------------------------------


def test_the_liaison_withdraws_a_submitted_report_and_it_is_a_draft_again(
    world, submitted, huiyang_liaison
):
    services.report_withdraw(report=submitted, by=huiyang_liaison)

    row = ProgressReport.objects.get(pk=submitted.pk)
    assert row.status == ReportStatus.DRAFT
    record = AuditRecord.objects.get(verb="report.withdrawn")
    assert record.ctx_id == str(world.task_huiyang.pk)
    assert record.changes["status"] == ["submitted", "draft"]
    # A draft again: the unit corrects it and submits anew.
    services.report_submit(report=row, by=huiyang_liaison)
    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED


def test_a_decided_report_cannot_be_withdrawn(world, submitted, huiyang_liaison, office_staff):
    services.report_accept(report=submitted, by=office_staff)
    with pytest.raises(ConflictError):
        services.report_withdraw(report=submitted, by=huiyang_liaison)
    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.ACCEPTED
    assert not AuditRecord.objects.filter(verb="report.withdrawn").exists()


def test_only_the_unit_that_filed_the_report_withdraws_it(
    world, submitted, director, huiyang_head, fgj_liaison
):
    for user in (director, huiyang_head, fgj_liaison):
        with pytest.raises(PermissionDenied):
            services.report_withdraw(report=submitted, by=user)
    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED


def test_the_lead_units_liaison_withdraws_a_report_an_office_clerk_filed_for_it(
    world, june, office_staff, huiyang_liaison, huiyang_head
):
    """The report is the unit's, whoever typed it in: its liaison takes it back, and its
    head (who signs, but does not report) does not."""
    filed = services.report_file(
        task=world.task_huiyang, period=june, by=office_staff, done="代报", percent=40, submit=True
    )
    with pytest.raises(PermissionDenied, match=f"withdraw not allowed on task {filed.task_id}"):
        services.report_withdraw(report=filed, by=huiyang_head)

    services.report_withdraw(report=filed, by=huiyang_liaison)

    assert ProgressReport.objects.get(pk=filed.pk).status == ReportStatus.DRAFT
    assert AuditRecord.objects.get(verb="report.withdrawn").actor == huiyang_liaison


def test_the_liaison_who_filed_no_longer_withdraws_once_moved_off_the_unit(
    world, submitted, huiyang_liaison
):
    (membership,) = huiyang_liaison.memberships.filter(is_active=True)
    orgs.membership_revoke(by=None, membership=membership, reason="调离")
    moved = type(huiyang_liaison).objects.get(pk=huiyang_liaison.pk)

    with pytest.raises(PermissionDenied):
        services.report_withdraw(report=submitted, by=moved)

    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.SUBMITTED


def test_the_reports_tab_offers_withdrawing_to_the_unit_and_the_page_does_it(
    world, submitted, huiyang_liaison, director, client_for
):
    url = reverse("ledger:task_reports", args=[world.task_huiyang.pk])
    liaison = client_for(huiyang_liaison)
    html = liaison.get(url).content.decode()
    assert 'data-testid="withdraw-report"' in html
    assert 'data-testid="withdraw-report"' not in client_for(director).get(url).content.decode()

    withdraw = reverse("ledger:report_withdraw", args=[submitted.pk])
    assert client_for(director).post(withdraw).status_code == 403
    assert liaison.post(withdraw).status_code == 302
    assert ProgressReport.objects.get(pk=submitted.pk).status == ReportStatus.DRAFT


# --- closing requests --------------------------------------------------------------------


def test_the_liaison_withdraws_a_pending_closing_request_and_may_file_again(
    world, huiyang_liaison, huiyang_head
):
    closing = services.closing_sign(
        closing=request_closing(world.task_huiyang, huiyang_liaison), by=huiyang_head
    )

    services.closing_withdraw(closing=closing, by=huiyang_liaison, reason="材料需补充")

    row = ClosingRequest.objects.get(pk=closing.pk)
    assert (row.status, row.decided_by) == (ClosingStatus.WITHDRAWN, huiyang_liaison)
    record = AuditRecord.objects.get(verb="closing.withdrawn")
    assert record.reason == "材料需补充"
    assert record.changes["status"] == ["signed", "withdrawn"]
    again = request_closing(world.task_huiyang, huiyang_liaison, document_no="惠阳府〔2016〕99号")
    assert again.status == ClosingStatus.REQUESTED


def test_a_decided_closing_request_cannot_be_withdrawn(
    world, huiyang_liaison, huiyang_head, director
):
    reach_milestones(world.task_huiyang)
    closing = services.closing_sign(
        closing=request_closing(world.task_huiyang, huiyang_liaison), by=huiyang_head
    )
    services.closing_approve(closing=closing, by=director)
    with pytest.raises(ConflictError):
        services.closing_withdraw(closing=closing, by=huiyang_liaison)
    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.APPROVED


def test_only_the_unit_that_filed_the_closing_request_withdraws_it(
    world, huiyang_liaison, huiyang_head, director, office_staff
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    for user in (director, huiyang_head, office_staff):
        with pytest.raises(PermissionDenied):
            services.closing_withdraw(closing=closing, by=user)
    # An office clerk who filed one for the unit may take it back.
    services.closing_reject(closing=closing, by=huiyang_head, reason="先补材料")
    own = request_closing(world.task_huiyang, office_staff)
    services.closing_withdraw(closing=own, by=office_staff)
    assert ClosingRequest.objects.get(pk=own.pk).status == ClosingStatus.WITHDRAWN


def test_the_closing_tab_offers_withdrawing_and_the_card_says_who_withdrew(
    world, huiyang_liaison, director, client_for
):
    closing = request_closing(world.task_huiyang, huiyang_liaison)
    url = reverse("ledger:task_closing", args=[world.task_huiyang.pk])
    liaison = client_for(huiyang_liaison)
    assert 'data-testid="withdraw-closing"' in liaison.get(url).content.decode()
    assert 'data-testid="withdraw-closing"' not in client_for(director).get(url).content.decode()

    withdraw = reverse("ledger:closing_withdraw", args=[closing.pk])
    assert client_for(director).post(withdraw).status_code == 403
    liaison.post(withdraw)

    assert ClosingRequest.objects.get(pk=closing.pk).status == ClosingStatus.WITHDRAWN
    html = liaison.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdrawn by" in html and "Approved by" not in html
