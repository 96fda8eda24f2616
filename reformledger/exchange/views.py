"""The pages of an import job: its progress bar, the preview the clerk checks and
answers, then its result or every error.

The domain's own pages upload the file and create the job; these pages serve
every kind (the kind brings the template of its preview and of its result), and a
job is seen only by whoever started it.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes


def upload_to_job(
    request,
    form,
    handler: MemoryUploadHandler,
    *,
    kind: str,
    params: Callable[[dict], dict],
) -> HttpResponse | None:
    """The common half of a domain's upload page (a form with a `file` field, read
    through `handler`): a file over the limit is named on the form; a valid form's file
    becomes an import job of `kind` (with `params(cleaned_data)`, the domain's
    `job_params`), handed to the queue, and the answer is the job's page. None when the
    domain's page is to be shown (a GET, or a form with errors)."""
    if request.method != "POST":
        return None
    if handler.too_large:
        form.add_error(
            "file",
            _("The file is larger than the limit of %(limit)s MB.")
            % {"limit": max_upload_bytes() // (1024 * 1024)},
        )
        return None
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        data = upload.read()
    finally:
        upload.close()
    job = jobs.import_job_create(
        by=request.user,
        kind=kind,
        file_name=upload.name,
        data=data,
        language=get_language() or "zh-hans",
        **params(form.cleaned_data),
    )
    jobs.dispatch(job)
    return redirect("exchange:job", pk=job.pk)


def _job(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.defer("payload"), pk=pk, created_by=request.user)
    if job.is_working and jobs.import_jobs_reap(jobs=[job]):
        job = ImportJob.objects.defer("payload").get(pk=pk)  # its worker was gone
    job.kind_info = jobs.kind_of(job.kind)
    return job


@login_required
def job_detail(request, pk: int):
    """An import's page: its progress bar, then the preview to check, then its result."""
    job = _job(request, pk)
    again = job.kind_info.again_url(job) if job.kind_info else ""
    return render(request, "exchange/job.html", {"job": job, "again_url": again})


@login_required
def job_progress(request, pk: int):
    """The progress part alone, polled by htmx every second while the job works; once
    it stops (a preview to check, or the end) the whole page reloads to show it."""
    job = _job(request, pk)
    response = render(request, "exchange/_job_progress.html", {"job": job})
    if not job.is_working:
        response["HX-Refresh"] = "true"
    return response


def decisions_from_post(post) -> dict:
    """The clerk's answers from the preview's form: fields named "d|section|key…" nest
    ({"units": {"市发改局": "12"}}); an empty value is no answer."""
    out: dict = {}
    for name, value in post.items():
        parts = name.split("|")
        if parts[0] != "d" or len(parts) < 2 or value == "":
            continue
        node = out
        for part in parts[1:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


def _act(request, pk: int, act, done: str):
    job = _job(request, pk)
    try:
        job = act(job)
    except jobs.JobStateError as exc:
        messages.error(request, str(exc))
        return redirect("exchange:job", pk=job.pk)
    except PermissionDenied:
        raise
    if job.status == ImportJob.Status.QUEUED:
        jobs.dispatch(job)
    if done:
        messages.info(request, done)
    return redirect("exchange:job", pk=job.pk)


@require_POST
@login_required
def job_decide(request, pk: int):
    """The clerk's answers to the preview: the file is read again with them."""
    decisions = decisions_from_post(request.POST)
    return _act(
        request,
        pk,
        lambda job: jobs.import_job_decide(job=job, by=request.user, decisions=decisions),
        "",
    )


@require_POST
@login_required
def job_confirm(request, pk: int):
    """The clerk confirms a preview without errors: the file is written, all at once."""
    return _act(request, pk, lambda job: jobs.import_job_confirm(job=job, by=request.user), "")


@require_POST
@login_required
def job_cancel(request, pk: int):
    """The clerk drops the import: nothing is written."""
    from django.utils.translation import gettext as _

    return _act(
        request,
        pk,
        lambda job: jobs.import_job_cancel(job=job, by=request.user),
        _("The import was cancelled; nothing was written."),
    )


@require_POST
@login_required
def job_restart(request, pk: int):
    """Start again an import whose worker was lost, from the same file and answers."""
    job = get_object_or_404(ImportJob, pk=pk, created_by=request.user)
    try:
        again = jobs.import_job_restart(job=job, by=request.user)
    except jobs.JobStateError as exc:
        messages.error(request, str(exc))
        return redirect("exchange:job", pk=job.pk)
    jobs.dispatch(again)
    return redirect("exchange:job", pk=again.pk)
