"""Acts the forms do in one go, each one service: filing a progress report with its
evidence files (and submitting it), and writing a plan (and submitting it). Each is
atomic, with the audit records of every step."""

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger import services
from reformledger.ledger.choices import PlanStatus, ReportStatus
from reformledger.ledger.models import Evidence, Milestone, Plan, ProgressReport
from reformledger.ledger.tests.test_evidence import EXE, pdf, upload
from reformledger.ledger.tests.test_services import TWO_STEPS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded files go to a temporary MEDIA_ROOT, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def june(world):
    return services.periods_ensure(office=world.office, year=2016)[5]


def _rows() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (ProgressReport, Evidence, Plan, AuditRecord)}


def _verbs(task) -> list[str]:
    return [r.verb for r in history_of(task).order_by("id")]


def test_a_report_is_filed_with_its_files_and_submitted_in_one_act(world, june, huiyang_liaison):
    task = world.task_huiyang
    before = _verbs(task)
    report = services.report_file(
        task=task,
        period=june,
        by=huiyang_liaison,
        done="完成考核方案",
        percent=40,
        files=[pdf("方案.pdf")],
        submit=True,
    )
    assert report.status == ReportStatus.SUBMITTED
    assert [e.original_name for e in report.evidence.all()] == ["方案.pdf"]
    new = _verbs(task)[len(before) :]
    assert new == ["report.created", "evidence.added", "report.submitted"]


def test_a_report_kept_as_a_draft_is_not_submitted(world, june, huiyang_liaison):
    report = services.report_file(
        task=world.task_huiyang, period=june, by=huiyang_liaison, done="起草中", percent=10
    )
    assert report.status == ReportStatus.DRAFT


def test_a_refused_file_leaves_no_draft_no_file_and_no_record(world, june, huiyang_liaison, media):
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        services.report_file(
            task=world.task_huiyang,
            period=june,
            by=huiyang_liaison,
            done="完成考核方案",
            percent=40,
            files=[pdf("方案.pdf"), upload("通知.pdf", EXE)],  # the first is stored first
            submit=True,
        )
    assert "file" in refused.value.message_dict
    assert _rows() == before
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_plan_is_written_and_submitted_in_one_act(world, boluo_liaison):
    task = world.task_boluo
    plan = services.plan_write(
        task=task, by=boluo_liaison, summary="分步推进", milestones=TWO_STEPS, submit=True
    )
    assert plan.status == PlanStatus.SUBMITTED
    assert Milestone.objects.filter(plan=plan).count() == 2
    assert _verbs(task)[-2:] == ["plan.created", "plan.submitted"]


def test_a_refused_submission_keeps_nothing_of_the_plan(world, boluo_liaison):
    before = _rows()
    refusal = ValidationError({"plan": "refused"})
    with (
        mock.patch("reformledger.ledger.services.plans.plan_submit", side_effect=refusal),
        pytest.raises(ValidationError),
    ):
        services.plan_write(
            task=world.task_boluo,
            by=boluo_liaison,
            summary="分步推进",
            milestones=TWO_STEPS,
            submit=True,
        )
    assert _rows() == before
