"""The plan pages: write, submit, approve, return and revise a task's plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reformledger.core.forms import add_service_errors
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.forms import (
    MilestoneFormSet,
    NoteForm,
    PlanForm,
    ReasonForm,
    milestone_initial,
)
from reformledger.ledger.models import Plan, Task
from reformledger.ledger.views.common import refused_closed, run_act, task_or_404


@login_required
def plan_edit(request, pk: int):
    """Write the task's draft plan: approach and milestones."""
    task = task_or_404(request, pk)
    if not permissions.can(request.user, "edit_plan", task):
        raise PermissionDenied
    if refused_closed(request, task):
        return _to_plan_tab(task)
    plans = selectors.plans_of(task)
    if plans.pending is None and plans.current is not None:
        messages.info(request, _("The plan is approved; start a revision with a reason."))
        return redirect("ledger:task", pk=task.pk)
    if plans.pending is not None and not plans.pending.is_editable:
        messages.info(request, _("The plan is awaiting approval and cannot be edited."))
        return redirect("ledger:task", pk=task.pk)
    pending = plans.pending
    form = PlanForm(request.POST or None, initial={"summary": pending.summary if pending else ""})
    formset = MilestoneFormSet(
        request.POST or None, task=task, initial=milestone_initial(pending), prefix="m"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.plan_write(
                task=task,
                by=request.user,
                summary=form.cleaned_data["summary"],
                milestones=formset.rows(),
                submit="submit" in request.POST,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Plan submitted for approval.") if "submit" in request.POST else _("Plan saved."),
            )
            return _to_plan_tab(task)
    return render(
        request,
        "ledger/plan_form.html",
        {"task": task, "form": form, "formset": formset, "pending": pending},
    )


def _to_plan_tab(task: Task):
    return redirect(reverse("ledger:task", args=[task.pk]) + "#plan")


def _plan_of(request, pk: int, plan_pk: int) -> tuple[Task, Plan]:
    task = task_or_404(request, pk)
    return task, get_object_or_404(Plan, pk=plan_pk, task=task)


@login_required
@require_POST
def plan_submit(request, pk: int, plan_pk: int):
    task, plan = _plan_of(request, pk, plan_pk)
    run_act(
        request,
        lambda: services.plan_submit(plan=plan, by=request.user),
        _("Plan submitted for approval."),
    )
    return _to_plan_tab(task)


#: The office's two decisions on a submitted plan: the service and the message shown.
_DECISIONS = {
    "approve": (services.plan_approve, gettext_lazy("Plan approved.")),
    "reject": (services.plan_reject, gettext_lazy("Plan returned.")),
}


@login_required
@require_POST
def plan_decide(request, pk: int, plan_pk: int, decision: str):
    """Approve or return a submitted plan, with the office's note."""
    task, plan = _plan_of(request, pk, plan_pk)
    act, done = _DECISIONS[decision]
    form = NoteForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    run_act(request, lambda: act(plan=plan, by=request.user, note=note), str(done))
    return _to_plan_tab(task)


@login_required
@require_POST
def plan_revise(request, pk: int):
    task = task_or_404(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if run_act(
        request,
        lambda: services.plan_revise(task=task, by=request.user, reason=reason),
        _("Revision started: edit it, then submit it for approval."),
    ):
        return redirect("ledger:plan_edit", pk=task.pk)
    return _to_plan_tab(task)


urlpatterns = [
    path("tasks/<int:pk>/plan/", plan_edit, name="plan_edit"),
    path("tasks/<int:pk>/plan/revise/", plan_revise, name="plan_revise"),
    path("tasks/<int:pk>/plan/<int:plan_pk>/submit/", plan_submit, name="plan_submit"),
    path(
        "tasks/<int:pk>/plan/<int:plan_pk>/approve/",
        plan_decide,
        {"decision": "approve"},
        name="plan_approve",
    ),
    path(
        "tasks/<int:pk>/plan/<int:plan_pk>/reject/",
        plan_decide,
        {"decision": "reject"},
        name="plan_reject",
    ),
]
