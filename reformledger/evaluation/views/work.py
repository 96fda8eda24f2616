"""The work inside an evaluation: the team's scoring form, a unit's self-assessment
form, the scope's tasks as the team reads them (plans, reports, ratings, closings and
evidence, served here and only for the evaluation's scope), and the evaluation's own
files. Every read goes through the scoped querysets (404 outside them)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.evaluation import permissions, services
from reformledger.evaluation.choices import EvaluationStatus
from reformledger.evaluation.forms import ScoresFormSet, SelfAssessmentForm
from reformledger.evaluation.models import EvaluationFile, SelfAssessment
from reformledger.evaluation.selectors import criteria_lines, evaluation_scores, scope_view
from reformledger.evaluation.views.common import (
    evaluation_or_404,
    evaluation_page,
    evaluation_url,
    readable_or_404,
)
from reformledger.ledger.models import Evidence
from reformledger.orgs.models import Unit


@evaluation_page
def scoring_page(request, pk: int):
    """The team scores each leaf criterion with its reason and evidence; a score outside
    [0, the maximum] refuses the whole form and nothing is saved."""
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "score", evaluation):
        raise PermissionDenied
    scores = evaluation_scores(evaluation)
    leaves = [line for line in scores.lines if line.is_leaf]
    initial = [
        {
            "criterion": line.criterion.pk,
            "value": line.score.value if line.score else None,
            "reason": line.score.reason if line.score else "",
        }
        for line in leaves
    ]
    formset = ScoresFormSet(
        request.POST or None, request.FILES or None, initial=initial, prefix="s"
    )
    errors: list[str] = []
    posted = request.method == "POST" and evaluation.status == EvaluationStatus.SCORING
    if posted and formset.is_valid():
        by_pk = {line.criterion.pk: line.criterion for line in leaves}
        rows = []
        for form in formset.forms:
            d = form.cleaned_data
            criterion = by_pk.get(d.get("criterion"))
            if criterion is None or d.get("value") is None:
                continue
            rows.append(
                services.ScoreRow(
                    criterion=criterion,
                    value=d["value"],
                    reason=d.get("reason") or "",
                    files=d.get("files") or [],
                )
            )
        try:
            services.scores_set(evaluation=evaluation, by=request.user, rows=rows)
        except ValidationError as exc:
            errors = exc.messages
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(evaluation_url(evaluation))
        else:
            messages.success(request, _("The scores are saved."))
            return redirect(evaluation_url(evaluation, "criteria"))
    forms_by_pk = {}
    for form, line in zip(formset.forms, leaves, strict=False):
        forms_by_pk[line.criterion.pk] = form
    return render(
        request,
        "evaluation/scoring_form.html",
        {
            "evaluation": evaluation,
            "formset": formset,
            "lines": [(line, forms_by_pk.get(line.criterion.pk)) for line in scores.lines],
            "errors": errors,
            "open": evaluation.status == EvaluationStatus.SCORING,
        },
        status=400 if errors or (formset.is_bound and not formset.is_valid()) else 200,
    )


@evaluation_page
def self_assessment_page(request, pk: int, unit: int):
    """A unit's self-assessment (自评): its text, self-scores and evidence; the unit's
    liaison writes and submits it while the evaluation takes self-assessments."""
    evaluation = evaluation_or_404(request, pk)
    unit_row = Unit.objects.filter(pk=unit).first()
    if unit_row is None or not permissions.can_self_assess(request.user, evaluation, unit_row):
        raise Http404
    current = SelfAssessment.objects.filter(evaluation=evaluation, unit=unit_row).first()
    lines = criteria_lines(evaluation)
    initial = {}
    if current is not None:
        initial["text"] = current.text
        for s in current.self_scores.all():
            initial[f"self_{s.criterion_id}"] = s.value
    form = SelfAssessmentForm(
        request.POST or None, request.FILES or None, initial=initial, criteria=lines
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_save(
                evaluation=evaluation,
                unit=unit_row,
                by=request.user,
                text_=form.cleaned_data["text"],
                self_scores=form.self_scores(),
                files=form.cleaned_data["files"],
                submit=form.cleaned_data["submit"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"text_": "text", "self_scores": None})
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(evaluation_url(evaluation, "self-assessments"))
        else:
            messages.success(
                request,
                _("The self-assessment is submitted.")
                if form.cleaned_data["submit"]
                else _("The self-assessment is saved."),
            )
            return redirect(evaluation_url(evaluation, "self-assessments"))
    return render(
        request,
        "evaluation/self_assessment_form.html",
        {
            "evaluation": evaluation,
            "unit": unit_row,
            "form": form,
            "current": current,
            "score_fields": [form[f"self_{line.criterion.pk}"] for line in lines],
            "open": evaluation.status == EvaluationStatus.SELF_ASSESSMENT
            and (current is None or current.status != "submitted"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@evaluation_page
def scope_page(request, pk: int):
    """The scope's tasks as the office and the team read them: each task's approved plan
    and milestones, progress reports, decided ratings, closings and evidence."""
    evaluation = readable_or_404(request, pk)
    return render(
        request,
        "evaluation/scope.html",
        {"evaluation": evaluation, "tasks": scope_view(request.user, evaluation)},
    )


@evaluation_page
def scope_evidence(request, pk: int, evidence: int):
    """A ledger evidence file of a task in the evaluation's scope, for those who read the
    evaluation in full; 404 for any other file."""
    evaluation = readable_or_404(request, pk)
    tasks = permissions.visible_scope_tasks(request.user, evaluation)
    stored = Evidence.objects.filter(pk=evidence, task__in=tasks.values("pk")).first()
    if stored is None:
        raise Http404
    audit.record(actor=request.user, verb="file.downloaded", obj=stored, ctx=evaluation)
    stored.file.open("rb")
    return stored_file_response(stored.file, stored)


@evaluation_page
def evaluation_file(request, pk: int, file: int):
    """A file kept with the evaluation: those who read it in full see every file; a unit
    the files of its own self-assessment."""
    evaluation = evaluation_or_404(request, pk)
    stored = EvaluationFile.objects.filter(pk=file, evaluation=evaluation).first()
    if stored is None:
        raise Http404
    if not permissions.can(request.user, "read_all", evaluation):
        own = permissions.visible_self_assessments(request.user).filter(
            pk=stored.self_assessment_id
        )
        if stored.self_assessment_id is None or not own.exists():
            raise Http404
    handle = services.file_open(stored=stored, by=request.user)
    return stored_file_response(handle, stored)


urlpatterns = [
    path("<int:pk>/score/", scoring_page, name="score"),
    path("<int:pk>/self/<int:unit>/", self_assessment_page, name="self_assessment"),
    path("<int:pk>/scope/", scope_page, name="scope"),
    path("<int:pk>/scope/evidence/<int:evidence>/", scope_evidence, name="scope_evidence"),
    path("<int:pk>/files/<int:file>/", evaluation_file, name="file"),
]
