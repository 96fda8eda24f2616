"""Drafting the task list from the year's work points: the upload (a Word or PDF
document, or its text pasted), the page that edits one draft of the job's preview,
and the download of the document a task was drafted from.

The preview itself is the import job's page (`exchange.views`); the answers given
here go to the same `job_decide`, so the file is read again with them.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes
from reformledger.ledger import permissions
from reformledger.ledger.forms_exchange import WorkPointsImportForm
from reformledger.ledger.models import ProgrammeDocument
from reformledger.ledger.selectors.work_points import document_of_task
from reformledger.ledger.services import programmes
from reformledger.ledger.services import work_points as work_points_services


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
@login_required
def work_points_import(request):
    """Upload the year's work points (or paste them); read as a job, whose page shows
    the progress, then the drafts to check."""
    if not permissions.offices_of(request.user).exists():
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _work_points_import(request, handler)


@csrf_protect
def _work_points_import(request, handler: MemoryUploadHandler):
    form = WorkPointsImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if handler.too_large:
            form.add_error(
                "file",
                _("The file is larger than the limit of %(limit)s MB.")
                % {"limit": max_upload_bytes() // (1024 * 1024)},
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                name, data = upload.name, upload.read()
                upload.close()
            else:
                name = _("pasted text") + ".txt"
                data = form.cleaned_data["text"].encode()
            job = jobs.import_job_create(
                by=request.user,
                kind=work_points_services.WORK_POINTS_JOB,
                **work_points_services.work_points_job_params(
                    office=form.cleaned_data["office"], year=form.cleaned_data["year"]
                ),
                file_name=name,
                data=data,
                language=get_language() or "zh-hans",
            )
            jobs.dispatch(job)
            return redirect("exchange:job", pk=job.pk)
    recent = ImportJob.objects.filter(
        created_by=request.user, kind=work_points_services.WORK_POINTS_JOB
    ).defer("payload")[:10]
    return render(
        request,
        "ledger/work_points_import.html",
        {"form": form, "recent": recent, "limit_mb": max_upload_bytes() // (1024 * 1024)},
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
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


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
