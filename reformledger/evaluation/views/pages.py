"""The evaluation list (filters, sort, pages), creating and editing an evaluation, its
criteria editor, its page (scope, criteria tree with weights and scores and their
chart, self-assessments, findings, survey results, files, history) and each act of its
life. Every change goes through the services."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.views import list_paging, posted_act, posted_form_act
from reformledger.evaluation import permissions, services
from reformledger.evaluation.choices import (
    CRITERIA_EDITABLE,
    STATUS_ORDER,
    EvaluationStatus,
)
from reformledger.evaluation.forms import (
    CloseForm,
    CriteriaFormSet,
    EvaluationFilterForm,
    EvaluationForm,
    FindingForm,
    NoteForm,
    ReturnForm,
    TrackForm,
)
from reformledger.evaluation.models import Evaluation, Finding
from reformledger.evaluation.permissions import scope_tasks, self_assessing_units
from reformledger.evaluation.selectors import (
    EVALUATION_SORTS,
    evaluation_detail,
    evaluation_history,
    evaluation_list,
    evaluation_scores,
    with_totals,
)
from reformledger.evaluation.services import CriterionRow
from reformledger.evaluation.views.common import (
    evaluation_or_404,
    evaluation_page,
    evaluation_url,
)
from reformledger.orgs.permissions import offices_worked

# --- the list -------------------------------------------------------------------------


@evaluation_page
def evaluation_list_page(request):
    """The evaluations the user sees: filter by kind, state and year, search, sort, page;
    each with its team, state, total score and findings."""
    form = EvaluationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    ordering = data.get("ordering") or ""
    rows = evaluation_list(
        request.user,
        kind=data.get("kind") or None,
        status=data.get("status") or None,
        year=data.get("year") or None,
        q=data.get("q") or None,
        order=ordering or "year",
    )
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    paging = list_paging(request, rows)
    paging["rows"] = with_totals(paging["page"].object_list)
    return render(
        request,
        "evaluation/evaluation_list.html",
        {
            "filter": form,
            **paging,
            "ordering": ordering if ordering.lstrip("-") in EVALUATION_SORTS else "",
            "can_create": bool(offices_worked(request.user)),
        },
    )


# --- creating and editing -----------------------------------------------------------------


@evaluation_page
def evaluation_create_page(request):
    """Create an evaluation (office staff and leaders): kind, scope, team, template."""
    offices = offices_worked(request.user)
    if not offices:
        raise PermissionDenied
    services.templates_ensure_defaults()
    form = EvaluationForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.evaluation_create(by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The evaluation is created as a draft."))
            return redirect(evaluation_url(evaluation))
    return render(
        request,
        "evaluation/evaluation_form.html",
        {"form": form, "evaluation": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@evaluation_page
def evaluation_edit_page(request, pk: int):
    """Change an evaluation's particulars, team and (until scoring) scope."""
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "manage", evaluation):
        raise PermissionDenied
    initial = {
        "title": evaluation.title,
        "description": evaluation.description,
        "team": evaluation.team,
        "period": evaluation.period,
        "areas": list(evaluation.areas.all()),
        "tasks": list(evaluation.tasks.all()),
        "pilots": list(evaluation.pilots.all()),
        "self_assessment_due": evaluation.self_assessment_due,
        "due": evaluation.due,
    }
    form = EvaluationForm(
        request.POST or None, initial=initial, offices=[evaluation.office], editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if evaluation.status not in CRITERIA_EDITABLE:
            for name in ("areas", "tasks", "pilots", "team"):
                data.pop(name, None)
        try:
            services.evaluation_update(evaluation=evaluation, by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(evaluation_url(evaluation))
        else:
            messages.success(request, _("The evaluation is changed."))
            return redirect(evaluation_url(evaluation))
    return render(
        request,
        "evaluation/evaluation_form.html",
        {"form": form, "evaluation": evaluation},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the criteria editor ----------------------------------------------------------------------


def _criteria_initial(evaluation) -> list[dict]:
    lines = evaluation_scores(evaluation).lines
    number = {line.criterion.pk: i for i, line in enumerate(lines, start=1)}
    return [
        {
            "id": line.criterion.pk,
            "number": number[line.criterion.pk],
            "parent": number.get(line.criterion.parent_id),
            "name": line.criterion.name,
            "weight": line.criterion.weight,
            "max_score": line.criterion.max_score,
            "guide": line.criterion.guide,
        }
        for line in lines
    ]


def _criteria_rows(formset) -> list[CriterionRow]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE") or not (data.get("name") or "").strip():
            continue
        rows.append(
            CriterionRow(
                key=data["number"],
                id=data.get("id"),
                parent=data.get("parent"),
                name=data["name"],
                weight=data.get("weight") if data.get("weight") is not None else Decimal(0),
                max_score=data.get("max_score") or Decimal(100),
                guide=data.get("guide") or "",
            )
        )
    return rows


@evaluation_page
def criteria_page(request, pk: int):
    """Adjust the evaluation's criteria (the whole tree at once) until scoring starts:
    weights sum to 100 at each level, or nothing is saved and the level is named."""
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "manage", evaluation):
        raise PermissionDenied
    editable = evaluation.status in CRITERIA_EDITABLE
    formset = CriteriaFormSet(
        request.POST or None, initial=_criteria_initial(evaluation), prefix="c"
    )
    errors: list[str] = []
    if request.method == "POST" and editable and formset.is_valid():
        try:
            services.criteria_set(
                evaluation=evaluation, by=request.user, rows=_criteria_rows(formset)
            )
        except ValidationError as exc:
            errors = exc.messages
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(evaluation_url(evaluation, "criteria"))
        else:
            messages.success(request, _("The criteria are saved."))
            return redirect(evaluation_url(evaluation, "criteria"))
    return render(
        request,
        "evaluation/criteria_form.html",
        {"evaluation": evaluation, "formset": formset, "errors": errors, "editable": editable},
        status=400 if errors or (formset.is_bound and not formset.is_valid()) else 200,
    )


# --- one evaluation ----------------------------------------------------------------------------


def _acts(user, evaluation, detail) -> dict[str, bool]:
    manage = permissions.can(user, "manage", evaluation)
    member = permissions.is_member(user, evaluation)
    status = evaluation.status
    return {
        "edit": manage and status != EvaluationStatus.CLOSED,
        "criteria": manage and status in CRITERIA_EDITABLE,
        "start": manage and status == EvaluationStatus.DRAFT,
        "open_scoring": manage and status == EvaluationStatus.SELF_ASSESSMENT,
        "score": member and status == EvaluationStatus.SCORING,
        "submit": member and status == EvaluationStatus.SCORING,
        "review": manage and status == EvaluationStatus.REVIEW,
        "track": manage
        and status == EvaluationStatus.CLOSED
        and any(f.unit_id and not f.action_item_id for f in detail.findings),
        "self_assess": status == EvaluationStatus.SELF_ASSESSMENT
        and permissions.can(user, "self_assess", evaluation),
        "survey": manage and status != EvaluationStatus.CLOSED,
        "scope": detail.reads_all,
    }


def _detail_page(request, pk: int, status: int = 200, **forms):
    try:
        detail = evaluation_detail(request.user, pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404 from exc
    evaluation = detail.evaluation
    acts = _acts(request.user, evaluation, detail)
    tasks = scope_tasks(evaluation).select_related("lead_unit") if acts["score"] else None
    context = {
        "detail": detail,
        "evaluation": evaluation,
        "acts": acts,
        "history": list(evaluation_history(evaluation)) if detail.reads_all else [],
        "chart": {
            "chart": detail.chart(),
            "is_empty": detail.scores.total is None
            and not any(line.rolled is not None for line in detail.scores.top),
            "empty_reason": _("No criterion is scored yet."),
        },
        "steps": [(s, EvaluationStatus(s).label) for s in STATUS_ORDER],
        "open_form": next(iter(forms), ""),
        "my_units": list(self_assessing_units(request.user, evaluation))
        if acts["self_assess"]
        else [],
        "start_form": forms.get("start_form") or NoteForm(auto_id="id_start_%s"),
        "scoring_form": forms.get("scoring_form") or NoteForm(auto_id="id_scoring_%s"),
        "submit_form": forms.get("submit_form") or NoteForm(auto_id="id_submit_%s"),
        "return_form": forms.get("return_form") or ReturnForm(auto_id="id_return_%s"),
        "close_form": forms.get("close_form") or CloseForm(auto_id="id_close_%s"),
        "finding_form": forms.get("finding_form")
        or FindingForm(auto_id="id_finding_%s", tasks=tasks, units=evaluation.units.all()),
        "track_form": forms.get("track_form")
        or TrackForm(
            auto_id="id_track_%s",
            findings=[f for f in detail.findings if f.unit_id and not f.action_item_id],
        ),
    }
    return render(request, "evaluation/evaluation_detail.html", context, status=status)


@evaluation_page
def evaluation_detail_page(request, pk: int):
    """An evaluation: its particulars and scope, the criteria tree with weights and
    scores (and a chart of the top level with its table), self-assessments, findings,
    survey results, files, history, and the acts the user may do."""
    return _detail_page(request, pk)


def _act(request, pk, *, act, run, done, form_class=None, form_name="", anchor=""):
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, act, evaluation):
        raise PermissionDenied
    back = evaluation_url(evaluation, anchor)
    if form_class is None:
        return posted_act(request, run=lambda: run(evaluation, {}), done=done, back=back)
    prefix = form_name.removesuffix("_form")
    return posted_form_act(
        request,
        form_class(request.POST, request.FILES, auto_id=f"id_{prefix}_%s"),
        run=lambda data: run(evaluation, data),
        done=done,
        back=back,
        refused=lambda form: _detail_page(request, pk, status=400, **{form_name: form}),
    )


@evaluation_page
@require_POST
def evaluation_start(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_class=NoteForm,
        form_name="start_form",
        run=lambda e, d: services.evaluation_start(evaluation=e, by=request.user, note=d["note"]),
        done=_("The evaluation is open to the units' self-assessments."),
    )


@evaluation_page
@require_POST
def evaluation_open_scoring(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_class=NoteForm,
        form_name="scoring_form",
        run=lambda e, d: services.evaluation_open_scoring(
            evaluation=e, by=request.user, note=d["note"]
        ),
        done=_("The evaluation is open to scoring; its criteria are fixed."),
    )


@evaluation_page
@require_POST
def evaluation_submit(request, pk: int):
    return _act(
        request,
        pk,
        act="score",
        form_class=NoteForm,
        form_name="submit_form",
        run=lambda e, d: services.evaluation_submit(evaluation=e, by=request.user, note=d["note"]),
        done=_("The scores and findings are submitted to the office for review."),
    )


@evaluation_page
@require_POST
def evaluation_return(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_class=ReturnForm,
        form_name="return_form",
        run=lambda e, d: services.evaluation_return(
            evaluation=e, by=request.user, reason=d["reason"]
        ),
        done=_("The evaluation is returned to the team."),
    )


@evaluation_page
@require_POST
def evaluation_close(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_class=CloseForm,
        form_name="close_form",
        run=lambda e, d: services.evaluation_close(
            evaluation=e, by=request.user, conclusion=d["conclusion"]
        ),
        done=_("The evaluation is closed."),
    )


@evaluation_page
@require_POST
def finding_add(request, pk: int):
    """The team writes a finding (with its recommendation and evidence)."""
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "score", evaluation):
        raise PermissionDenied
    form = FindingForm(
        request.POST,
        request.FILES,
        auto_id="id_finding_%s",
        tasks=scope_tasks(evaluation),
        units=evaluation.units.all(),
    )
    return posted_form_act(
        request,
        form,
        run=lambda d: services.finding_add(
            evaluation=evaluation,
            by=request.user,
            text_=d["text"],
            recommendation=d["recommendation"],
            unit=d["unit"],
            task=d["task"],
            files=d["files"],
        ),
        done=_("The finding is written."),
        back=evaluation_url(evaluation, "findings"),
        refused=lambda f: _detail_page(request, pk, status=400, finding_form=f),
        renames={"text_": "text"},
    )


@evaluation_page
@require_POST
def finding_remove(request, pk: int, finding: int):
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "score", evaluation):
        raise PermissionDenied
    row = Finding.objects.filter(evaluation=evaluation, pk=finding).first()
    if row is None:
        raise Http404
    return posted_act(
        request,
        run=lambda: services.finding_remove(finding=row, by=request.user),
        done=_("The finding is withdrawn."),
        back=evaluation_url(evaluation, "findings"),
    )


@evaluation_page
@require_POST
def findings_track(request, pk: int):
    """The office sets findings of a closed evaluation as action items."""
    evaluation = evaluation_or_404(request, pk)
    if not permissions.can(request.user, "manage", evaluation):
        raise PermissionDenied
    candidates = list(evaluation.findings.filter(unit__isnull=False, action_item__isnull=True))
    form = TrackForm(request.POST, auto_id="id_track_%s", findings=candidates)
    by_pk = {str(f.pk): f for f in candidates}
    return posted_form_act(
        request,
        form,
        run=lambda d: services.findings_track(
            evaluation=evaluation,
            by=request.user,
            rows=[(by_pk[k], d["deadline"]) for k in d["findings"]],
            held_on=d["held_on"],
            attendees=d["attendees"],
        ),
        done=_("The findings are set as action items; supervision tracks them."),
        back=evaluation_url(evaluation, "findings"),
        refused=lambda f: _detail_page(request, pk, status=400, track_form=f),
    )


urlpatterns = [
    path("", evaluation_list_page, name="list"),
    path("new/", evaluation_create_page, name="new"),
    path("<int:pk>/", evaluation_detail_page, name="detail"),
    path("<int:pk>/edit/", evaluation_edit_page, name="edit"),
    path("<int:pk>/criteria/", criteria_page, name="criteria"),
    path("<int:pk>/start/", evaluation_start, name="start"),
    path("<int:pk>/scoring/", evaluation_open_scoring, name="open_scoring"),
    path("<int:pk>/submit/", evaluation_submit, name="submit"),
    path("<int:pk>/return/", evaluation_return, name="return"),
    path("<int:pk>/close/", evaluation_close, name="close"),
    path("<int:pk>/findings/", finding_add, name="finding_add"),
    path("<int:pk>/findings/<int:finding>/remove/", finding_remove, name="finding_remove"),
    path("<int:pk>/findings/track/", findings_track, name="findings_track"),
]
