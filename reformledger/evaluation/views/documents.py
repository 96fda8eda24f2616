"""Evaluation documents to download, each recorded in the audit trail: one evaluation's
criteria and scores (.xlsx), the list of evaluations the user sees (.xlsx, with the
list's filters), and one evaluation's sheet in the official layout (.docx). Only those
who read the evaluation in full get its documents (404 otherwise)."""

from django.http import Http404
from django.urls import path

from reformledger.audit import services as audit
from reformledger.core.http import DOCX, XLSX, file_download
from reformledger.evaluation.documents.sheet_docx import evaluation_docx
from reformledger.evaluation.documents.sheets import write_list, write_scores
from reformledger.evaluation.forms import EvaluationFilterForm
from reformledger.evaluation.models import Evaluation
from reformledger.evaluation.selectors import evaluation_detail, evaluation_list, evaluation_scores
from reformledger.evaluation.views.common import evaluation_page, readable_or_404


@evaluation_page
def export_sheet(request, pk: int):
    """An evaluation's criteria and scores as .xlsx."""
    evaluation = readable_or_404(request, pk)
    scores = evaluation_scores(evaluation)
    data = write_scores(evaluation, scores)
    audit.document_exported(
        by=request.user,
        document="evaluation_sheet",
        fmt="xlsx",
        rows=len(scores.lines),
        filters={},
        obj=evaluation,
    )
    return file_download(data, XLSX, f"evaluation-{evaluation.pk}-scores.xlsx")


@evaluation_page
def export_list(request):
    """The evaluations the user sees, with the list's filters, as .xlsx."""
    form = EvaluationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in data.items() if v and k != "ordering"}
    rows = evaluation_list(
        request.user,
        kind=data.get("kind") or None,
        status=data.get("status") or None,
        year=data.get("year") or None,
        q=data.get("q") or None,
        order=data.get("ordering") or "year",
    )
    content, count = write_list(rows)
    audit.document_exported(
        by=request.user, document="evaluation_list", fmt="xlsx", rows=count, filters=filters
    )
    return file_download(content, XLSX, "evaluations.xlsx")


@evaluation_page
def export_docx(request, pk: int):
    """An evaluation's sheet in the official layout (.docx)."""
    evaluation = readable_or_404(request, pk)
    try:
        detail = evaluation_detail(request.user, evaluation.pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404 from exc
    data = evaluation_docx(detail)
    audit.document_exported(
        by=request.user, document="evaluation_docx", fmt="docx", rows=1, filters={}, obj=evaluation
    )
    return file_download(data, DOCX, f"evaluation-{evaluation.pk}.docx")


urlpatterns = [
    path("export/evaluations.xlsx", export_list, name="export_list"),
    path("<int:pk>/scores.xlsx", export_sheet, name="export_sheet"),
    path("<int:pk>/sheet.docx", export_docx, name="export_docx"),
]
