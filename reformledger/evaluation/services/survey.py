"""The satisfaction-survey import (满意度调查): a survey sheet of an evaluation, read
into a preview (`documents.survey_sheet.survey_check`), then written all or nothing
once confirmed; rows already on file change nothing, so the same sheet twice writes
nothing the second time, not even an audit record. Registered as an import job
(`exchange.jobs`), like the pilots' investment sheet."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import EvaluationStatus
from reformledger.evaluation.documents.survey_sheet import SurveyCheck, SurveyRow, survey_check
from reformledger.evaluation.models import Evaluation, SurveyResult
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import JobKind, Progress, ReviewAgain
from reformledger.exchange.models import ImportJob

__all__ = ["SURVEY_JOB", "job_kind", "job_params", "survey_import", "survey_sheet_import"]

SURVEY_JOB = "evaluation_survey"
LIMIT = 500


def may_import(user, evaluation: Evaluation) -> bool:
    return permissions.can(user, "manage", evaluation) and evaluation.status != "closed"


@transaction.atomic
def survey_import(
    *, evaluation: Evaluation, rows: list[SurveyRow], by, file_name: str, unchanged: int = 0
) -> dict[str, int]:
    """Write the changed rows of a checked sheet, all or nothing, with one audit record;
    no changed row writes nothing."""
    if not may_import(by, evaluation):
        raise PermissionDenied("survey_import")
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status == EvaluationStatus.CLOSED:
        raise ImportRefused([CellError(_("The evaluation is closed."))])
    for r in rows:
        SurveyResult.objects.update_or_create(
            evaluation=evaluation,
            item=r.item,
            defaults={
                "respondents": r.respondents,
                "satisfied": r.satisfied,
                "rate": r.rate,
                "order": r.order,
                "imported_by": by,
            },
        )
    if rows:
        audit.record(
            actor=by,
            verb="evaluation.survey_imported",
            obj=evaluation,
            changes={"rows": [None, len(rows)], "file_name": [None, file_name]},
            reason=file_name,
        )
    return {"saved": len(rows), "unchanged": unchanged}


def survey_sheet_import(*, data: bytes, file_name: str, evaluation: Evaluation, by) -> dict:
    """Read, check and import a survey sheet in one go (tests and scripts; the pages go
    through the job's preview first). Any error refuses the whole file."""
    if not may_import(by, evaluation):
        raise PermissionDenied("survey_import")
    check = survey_check(data=data, file_name=file_name, evaluation=evaluation)
    if check.errors:
        raise ImportRefused(check.errors)
    return survey_import(
        evaluation=evaluation,
        rows=check.saves,
        by=by,
        file_name=file_name,
        unchanged=len(check.unchanged),
    )


# --- as an import job -------------------------------------------------------------------


def job_params(*, evaluation: Evaluation) -> dict[str, Any]:
    return {"params": {"evaluation": evaluation.pk}, "scope": evaluation.title}


def preview_of(check: SurveyCheck) -> dict[str, Any]:
    why = {
        "subtotal": _("subtotal or total"),
        "note": _("note"),
        "header": _("headers repeated"),
        "section": _("group heading"),
    }
    return {
        "kind": SURVEY_JOB,
        "evaluation": {"id": check.evaluation.pk, "title": check.evaluation.title},
        "counts": {
            "save": len(check.saves),
            "unchanged": len(check.unchanged),
            "skipped": len(check.skipped),
            "errors": len(check.errors),
        },
        "changes": [
            {
                "sheet": r.sheet,
                "row": r.row,
                "item": r.item,
                "respondents": r.respondents,
                "satisfied": r.satisfied,
                "rate": str(r.rate),
                "old": str(r.old.rate) if r.old else "",
            }
            for r in check.saves[:LIMIT]
        ],
        "skipped": [
            {"sheet": s, "row": n, "why": str(why.get(kind, kind)), "label": label}
            for s, n, kind, label in check.skipped[:LIMIT]
        ],
        "errors": [e.as_dict() for e in check.errors[:LIMIT]],
    }


def _job_check(job: ImportJob, data: bytes) -> SurveyCheck:
    evaluation = Evaluation.objects.select_related("office").get(pk=job.params["evaluation"])
    if not may_import(job.created_by, evaluation):
        raise PermissionDenied("survey_import")
    return survey_check(data=data, file_name=job.file_name, evaluation=evaluation)


def _check(job: ImportJob, data: bytes, progress: Progress) -> dict:
    return preview_of(_job_check(job, data))


def _apply(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    check = _job_check(job, data)
    if check.errors:
        raise ReviewAgain(preview_of(check))
    applying()
    try:
        return survey_import(
            evaluation=check.evaluation,
            rows=check.saves,
            by=job.created_by,
            file_name=job.file_name,
            unchanged=len(check.unchanged),
        )
    except ImportRefused as exc:
        check.errors = exc.errors
        raise ReviewAgain(preview_of(check)) from exc


def job_kind() -> JobKind:
    """The survey sheet's import, registered in EvaluationConfig.ready."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    return JobKind(
        key=SURVEY_JOB,
        label=gettext_lazy("Satisfaction survey"),
        check=_check,
        apply=_apply,
        refused=audit.import_refused,
        preview_template="evaluation/survey/_preview.html",
        result_template="evaluation/survey/_result.html",
        again_url=lambda job: reverse("evaluation:survey_import", args=[job.params["evaluation"]]),
    )
