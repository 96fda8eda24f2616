"""Ledger pages: the list, a task, its forms, my work. Views translate HTTP to
services and selectors; they change nothing themselves."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.paging import Paginator
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.filters import TaskFilter
from reformledger.ledger.forms import (
    NoteForm,
    ReasonForm,
    StatusForm,
    TaskForm,
)
from reformledger.ledger.models import Task
from reformledger.ledger.views.common import refused_closed, run_act, task_or_404

_SORTS = {
    "code",
    "-code",
    "title",
    "-title",
    "deadline",
    "-deadline",
    "status",
    "-status",
    "lead_unit",
    "-lead_unit",
    "area",
    "-area",
}


class _LedgerFilter(TaskFilter):
    """The ledger page's filters, "overdue only" counted to the reference date of each
    task's ledger year (today, or the end of a closed year) as the page's totals and
    flags are."""

    def __init__(self, *args, dates: selectors.ReferenceDates, **kwargs):
        super().__init__(*args, **kwargs)
        self.dates = dates

    def overdue_only(self, queryset, name, value):
        return queryset.filter(self.dates.overdue_tasks()) if value else queryset


@login_required
def ledger(request):
    """The ledger (台账): filter, search, sort, page, with totals of the filtered set, and
    each task's rating in the latest period, or as of a closed period (`?as_of=`)."""
    params = request.GET.copy()
    base = selectors.ledger_rows(request.user)
    dates = selectors.reference_dates()
    shown = None
    if "year" not in params:
        # Default to the working year, as the dashboard and the ratings board; "all
        # years" is year=.
        shown = selectors.working_year(request.user, dates=dates)
        params["year"] = str(shown.year or "")
    year = int(params["year"]) if params.get("year", "").isdigit() else None
    as_of_choices = selectors.closed_periods(request.user, year)
    as_of = None
    if params.get("as_of"):
        as_of = next((p for p in as_of_choices if str(p.pk) == params["as_of"]), None)
        if as_of is None:
            messages.warning(request, _("Only a closed period of this year can be shown as of."))
            params.pop("as_of")
        else:
            # As of a period: the ledger it belongs to, as it stood then.
            base = base.filter(office=as_of.office, year=as_of.year)
    # The year and the period the page shows, said on the page.
    if as_of is not None or (year is not None and (shown is None or shown.year != year)):
        shown = selectors.working_year(request.user, year=year, period=as_of, dates=dates)
    elif year is None:
        shown = None
    flt = _LedgerFilter(params, queryset=base, dates=dates)
    tasks = flt.qs if flt.is_valid() else base.none()
    if not params.get("ordering") or params.get("ordering") not in _SORTS:
        tasks = tasks.order_by("year", "code", "pk")
    totals = selectors.ledger_totals(tasks, dates)
    # The totals counted the filtered set already: the pager takes its count from them
    # rather than counting the same rows again, and reads a page by its ids first.
    paginator = Paginator(tasks, settings.LEDGER_PAGE_SIZE, count=totals["total"])
    page = paginator.get_page(request.GET.get("page"))
    ratings = selectors.ledger_ratings(tasks, list(page), as_of)
    for task in page:
        task.rating = ratings.by_task.get(task.pk)
        task.overdue = dates.task_is_overdue(task)
    query = params.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("ordering", None)
    return render(
        request,
        "ledger/ledger.html",
        {
            "filter": flt,
            "page": page,
            "totals": totals,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "ordering": params.get("ordering", ""),
            "offices": permissions.offices_of(request.user),
            "ratings": ratings,
            "as_of_choices": as_of_choices,
            "shown": shown,
            # Office staff land here: what waits for them, a few rows of each kind.
            "next_acts": _next_acts(request, dates=dates, limit=5),
        },
    )


@login_required
def task_detail(request, pk: int):
    """A task: its fields, plan and milestone timeline, sub-tasks, dependencies, history."""
    task = task_or_404(request, pk)
    plans = selectors.plans_of(task)
    user = request.user
    acts = permissions.acts_on(user, task)  # a closed task offers only reopening
    # Overdue as of the task's ledger year's reference date (the end of a closed year).
    as_of = selectors.reference_date(task.office_id, task.year)
    return render(
        request,
        "ledger/task_detail.html",
        {
            "task": task,
            "plans": plans,
            "acts": acts,
            "history": selectors.task_history(task, user, limit=200),
            "reports": selectors.reports_of(task),
            "closing": selectors.closing_of(task),
            "rating_path": selectors.rating_path(task),
            "status_form": StatusForm(choices=_status_choices(task)),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
            "as_of": as_of,
            "overdue": task.is_overdue_on(as_of),
        },
    )


@login_required
def task_history(request, pk: int):
    """The history tab alone (loaded by htmx, or opened directly)."""
    task = task_or_404(request, pk)
    return render(
        request,
        "ledger/_history.html",
        {"task": task, "history": selectors.task_history(task, request.user, limit=500)},
    )


def _status_choices(task: Task):
    choices = [
        (TaskStatus.IN_PROGRESS, TaskStatus.IN_PROGRESS.label),
        (TaskStatus.BLOCKED, TaskStatus.BLOCKED.label),
        (TaskStatus.CANCELLED, TaskStatus.CANCELLED.label),
    ]
    return [c for c in choices if c[0] != task.status]


@login_required
def task_create(request):
    """A new task in an office's ledger (the office picks the office and year)."""
    offices = list(permissions.offices_of(request.user))
    if not offices:
        raise PermissionDenied
    office = offices[0]
    if request.GET.get("office") or request.POST.get("office"):
        wanted = request.GET.get("office") or request.POST.get("office")
        office = next((o for o in offices if str(o.pk) == wanted), None)
        if office is None:
            raise PermissionDenied
    year = int(request.GET.get("year") or request.POST.get("year") or business_today().year)
    form = TaskForm(request.POST or None, office=office, year=year, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        helping, depends = list(data.pop("helping_units")), list(data.pop("depends_on"))
        try:
            task = services.task_create(
                by=request.user,
                office=office,
                year=year,
                helping_units=helping,
                depends_on=depends,
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Task %(code)s created.") % {"code": task.code})
            return redirect("ledger:task", pk=task.pk)
    return render(
        request,
        "ledger/task_form.html",
        {"form": form, "office": office, "year": year, "offices": offices, "task": None},
    )


@login_required
def task_edit(request, pk: int):
    """Edit a task's fields; a stale form (someone saved in between) is a conflict."""
    task = task_or_404(request, pk)
    if not permissions.can(request.user, "edit", task):
        raise PermissionDenied
    if refused_closed(request, task):
        return redirect("ledger:task", pk=task.pk)
    form = TaskForm(
        request.POST or None,
        instance=task,
        office=task.office,
        year=task.year,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.task_update(
                task=task,
                by=request.user,
                version=int(request.POST.get("version", 0)),
                reason=request.POST.get("reason", ""),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Task %(code)s saved.") % {"code": task.code})
            return redirect("ledger:task", pk=task.pk)
    return render(
        request,
        "ledger/task_form.html",
        {"form": form, "office": task.office, "year": task.year, "task": task},
    )


@login_required
@require_POST
def task_status(request, pk: int):
    task = task_or_404(request, pk)
    form = StatusForm(request.POST, choices=_status_choices(task))
    if form.is_valid():
        run_act(
            request,
            lambda: services.task_set_status(
                task=task,
                by=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            ),
            _("Status changed."),
        )
    else:
        messages.error(request, _("Choose a status and give a reason."))
    return redirect("ledger:task", pk=task.pk)


@login_required
def my_work(request):
    """What waits for the user (待办), and the dates their tasks keep."""
    dates = selectors.reference_dates()
    return render(
        request,
        "ledger/my_work.html",
        {
            "next_acts": _next_acts(request, dates=dates),
            "work": selectors.my_work(request.user, dates),
        },
    )


def _next_acts(request, **options) -> selectors.NextActs:
    """The user's next acts for a landing page; the navigation's count reads them too."""
    request.next_acts = selectors.next_acts(request.user, **options)
    return request.next_acts


urlpatterns = [
    path("", ledger, name="ledger"),
    path("my-work/", my_work, name="my_work"),
    path("tasks/new/", task_create, name="task_create"),
    path("tasks/<int:pk>/", task_detail, name="task"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("tasks/<int:pk>/status/", task_status, name="task_status"),
    path("tasks/<int:pk>/history/", task_history, name="task_history"),
]
