"""The pages of an import job: its progress bar, then its result or every error.

The domain's own pages upload the file and create the job; these pages serve
every kind, and a job is seen only by whoever started it.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from reformledger.exchange.jobs import kind_of
from reformledger.exchange.models import ImportJob


def _job(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.defer("payload"), pk=pk, created_by=request.user)
    job.kind_info = kind_of(job.kind)
    return job


@login_required
def job_detail(request, pk: int):
    """An import's page: its progress bar, then its result or every error."""
    job = _job(request, pk)
    again = job.kind_info.again_url(job) if job.kind_info else ""
    return render(request, "exchange/job.html", {"job": job, "again_url": again})


@login_required
def job_progress(request, pk: int):
    """The progress part alone, polled by htmx every second until the job ends."""
    return render(request, "exchange/_job_progress.html", {"job": _job(request, pk)})
