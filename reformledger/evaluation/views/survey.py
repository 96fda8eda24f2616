"""The satisfaction-survey import of an evaluation as a job (upload → preview on the
job's page → confirm → all or nothing, `exchange.jobs`)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from reformledger.evaluation.forms import SurveyUploadForm
from reformledger.evaluation.services import survey as services
from reformledger.evaluation.views.common import evaluation_or_404
from reformledger.exchange.views import upload_to_job
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes


@csrf_protect
def _import(request, evaluation, handler):
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    done = upload_to_job(
        request,
        form,
        handler,
        kind=services.SURVEY_JOB,
        params=lambda _data: services.job_params(evaluation=evaluation),
    )
    if done is not None:
        return done
    return render(
        request,
        "evaluation/survey/import.html",
        {"evaluation": evaluation, "form": form, "limit_mb": max_upload_bytes() // (1024 * 1024)},
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt
@login_required
def survey_import(request, pk: int):
    """Upload an evaluation's survey sheet: read into a preview (the job's page); nothing
    is written until the office confirms it."""
    evaluation = evaluation_or_404(request, pk)
    if not services.may_import(request.user, evaluation):
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _import(request, evaluation, handler)


urlpatterns = [path("<int:pk>/survey/", survey_import, name="survey_import")]
