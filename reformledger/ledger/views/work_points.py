"""Drafting the task list from the year's work points: the upload (a Word or PDF
document, or its text pasted), the page that edits one draft of the job's preview,
and the download of the document a task was drafted from.

The preview itself is the import job's page (`exchange.views`); the answers given
here go to the same `job_decide`, so the file is read again with them.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from reformledger.core.http import stored_file_response
from reformledger.exchange.models import ImportJob
from reformledger.ledger import permissions
from reformledger.ledger.forms_exchange import WorkPointsImportForm
from reformledger.ledger.models import ProgrammeDocument
from reformledger.ledger.selectors.work_points import document_of_task
from reformledger.ledger.services import programmes
from reformledger.ledger.services import work_points as work_points_services
from reformledger.ledger.views.exchange import upload_view, uploaded_file


def _document(form) -> dict:
    """The uploaded document, or the pasted text as a document of its own."""
    if form.cleaned_data["file"]:
        return uploaded_file(form)
    return {"file_name": _("pasted text") + ".txt", "data": form.cleaned_data["text"].encode()}


#: Upload the year's work points (or paste them); read as a job, whose page shows the
#: progress, then the drafts to check.
work_points_import = upload_view(
    kind=work_points_services.WORK_POINTS_JOB,
    form_class=WorkPointsImportForm,
    template="ledger/work_points_import.html",
    may=lambda user: permissions.offices_of(user).exists(),
    job_of=lambda form: (
        _document(form)
        | work_points_services.work_points_job_params(
            office=form.cleaned_data["office"], year=form.cleaned_data["year"]
        )
    ),
)


@login_required
def work_points_draft(request, pk: int, key: str):
    """One draft of a preview under review: edit its title, lead unit and deadline,
    merge another item into it, split it, or leave it out."""
    job = get_object_or_404(
        ImportJob.objects.defer("payload"),
        pk=pk,
        created_by=request.user,
        kind=work_points_services.WORK_POINTS_JOB,
    )
    if job.status != ImportJob.Status.REVIEW:
        return redirect("exchange:job", pk=job.pk)
    drafts = job.preview.get("drafts", [])
    draft = next((d for d in drafts if d["key"] == key), None)
    if draft is None:
        raise Http404
    others = [d for d in drafts if d["key"] != key and d["status"] == "new"]
    return render(
        request,
        "ledger/import/work_points_draft.html",
        {
            "job": job,
            "draft": draft,
            "others": others,
            "units": job.preview.get("choices", {}).get("unit", []),
            "dropped": key in job.decisions.get("drop", {})
            and str(job.decisions["drop"][key]) == "1",
        },
    )


@login_required
def work_point_document(request, pk: int, document: int):
    """The document a task was drafted from, for someone who may see the task; every
    download is in the task's history."""
    try:
        found, task = document_of_task(request.user, pk, document)
    except ProgrammeDocument.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = programmes.programme_document_open(document=found, task=task, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, found)


urlpatterns = [
    path("work-points/import/", work_points_import, name="work_points_import"),
    path(
        "work-points/jobs/<int:pk>/drafts/<str:key>/", work_points_draft, name="work_points_draft"
    ),
    path(
        "tasks/<int:pk>/work-point/document/<int:document>/",
        work_point_document,
        name="work_point_document",
    ),
]
