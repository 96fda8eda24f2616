"""Closing pages (销账): request, sign, approve or reject, reopen; the closed ledger;
the inbox of pending requests; and the year-end carry-over (结转)."""

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import StyledFormMixin
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.choices import OPEN_STATUSES, ClosingStatus
from reformledger.ledger.models import ClosingRequest, ReformArea, Task
from reformledger.ledger.views.common import refused_closed, run_act, task_or_404
from reformledger.ledger.views.reports import DATE, EvidenceFilesField, add_errors, back
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import under_any


class ClosingForm(StyledFormMixin, forms.Form):
    """A closing request and its deliverables."""

    summary = forms.CharField(
        label=gettext_lazy("Results achieved"), widget=forms.Textarea(attrs={"rows": 4})
    )
    document_no = forms.CharField(label=gettext_lazy("Document number (文号)"), max_length=100)
    document_date = forms.DateField(label=gettext_lazy("Document date"), widget=DATE)
    files = EvidenceFilesField(label=gettext_lazy("Evidence files"))

    def clean_document_date(self):
        value = self.cleaned_data["document_date"]
        if value and value > business_today():
            raise ValidationError(_("The document date is in the future."))
        return value


@login_required
def closing_request(request, pk: int):
    """The lead unit asks to close a task (销账申请) with its deliverables."""
    task = task_or_404(request, pk)
    if not permissions.can(request.user, "request_closing", task):
        raise PermissionDenied
    if refused_closed(request, task):
        return redirect("ledger:task_closing", pk=task.pk)
    view = selectors.closing_of(task)
    form = ClosingForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and view.pending is None and form.is_valid():
        try:
            services.closing_request(
                task=task,
                by=request.user,
                summary=form.cleaned_data["summary"],
                document_no=form.cleaned_data["document_no"],
                document_date=form.cleaned_data["document_date"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            add_errors(form, exc, {"file": "files"})
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Closing request filed; it awaits the unit head."))
            return redirect("ledger:task_closing", pk=task.pk)
    return render(
        request,
        "ledger/closing/request_form.html",
        {"task": task, "form": form, "closing": view},
    )


@login_required
def task_closing(request, pk: int):
    """A task's closing requests on a page of their own (also a tab of the task page)."""
    task = task_or_404(request, pk)
    acts = permissions.acts_on(request.user, task)
    return render(
        request,
        "ledger/closing/task_closing.html",
        {"task": task, "acts": acts, "closing": selectors.closing_of(task)},
    )


def _closing_or_404(request, pk: int) -> ClosingRequest:
    try:
        return selectors.closings_visible(request.user).get(pk=pk)
    except ClosingRequest.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_POST
def closing_sign(request, pk: int):
    closing = _closing_or_404(request, pk)
    if not permissions.can(request.user, "sign_closing", closing.task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.closing_sign(closing=closing, by=request.user),
        _("Closing request signed; it goes to the office for approval."),
    )
    return back(request, reverse("ledger:closings"))


@login_required
@require_POST
def closing_approve(request, pk: int):
    closing = _closing_or_404(request, pk)
    if not permissions.can(request.user, "approve_closing", closing.task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.closing_approve(
            closing=closing,
            by=request.user,
            note=request.POST.get("note") or request.POST.get("reason", ""),
        ),
        _("Closing approved: %(code)s is on the closed ledger.") % {"code": closing.task.code},
    )
    return back(request, reverse("ledger:closings"))


@login_required
@require_POST
def closing_reject(request, pk: int):
    closing = _closing_or_404(request, pk)
    user = request.user
    if not (
        permissions.can(user, "approve_closing", closing.task)
        or permissions.can(user, "sign_closing", closing.task)
    ):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.closing_reject(
            closing=closing, by=user, reason=request.POST.get("reason", "")
        ),
        _("Closing request rejected; the unit has been told why."),
    )
    return back(request, reverse("ledger:closings"))


@login_required
@require_POST
def closing_withdraw(request, pk: int):
    """The unit that filed a closing request takes it back before it is decided."""
    closing = _closing_or_404(request, pk)
    if not permissions.can_withdraw(request.user, closing.task, closing.requested_by_id):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.closing_withdraw(
            closing=closing, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Closing request withdrawn; the unit may file a new one."),
    )
    return back(request, reverse("ledger:task_closing", args=[closing.task_id]))


@login_required
@require_POST
def task_reopen(request, pk: int):
    task = task_or_404(request, pk)
    if not permissions.can(request.user, "reopen", task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.task_reopen(
            task=task, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Task reopened: it is back on the open ledger."),
    )
    return back(request, reverse("ledger:task_closing", args=[task.pk]))


class ClosedFilter(django_filters.FilterSet):
    """The closed ledger's filters: year, area, lead unit (and below), search."""

    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="search")
    year = django_filters.NumberFilter(label=gettext_lazy("Year"))
    area = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Reform area"), queryset=ReformArea.objects.all()
    )
    lead_unit = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Lead unit"),
        queryset=Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path"),
        method="under_unit",
    )

    class Meta:
        model = Task
        fields = ["q", "year", "area", "lead_unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        documents = ClosingRequest.objects.filter(
            document_no__icontains=value, status=ClosingStatus.APPROVED
        ).values("task_id")
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(pk__in=documents)
        )

    def under_unit(self, queryset, name, value):
        return queryset.filter(under_any("lead_unit", (value.path,))) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("area", "lead_unit"):
            self.form.fields[name].widget.attrs["class"] = "form-select form-select-sm"


@login_required
def closed_ledger(request):
    """The closed ledger (销账台账): closed tasks with their closing date, document
    number and approver; filter, search, page, with totals of the filtered set."""
    base = selectors.closed_rows(request.user)
    flt = ClosedFilter(request.GET, queryset=base)
    tasks = flt.qs if flt.is_valid() else base.none()
    tasks = tasks.order_by("-closed_at", "code")
    totals = selectors.closed_totals(tasks)
    page = Paginator(tasks, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/closing/closed.html",
        {"filter": flt, "page": page, "totals": totals, "query": query.urlencode()},
    )


@login_required
def closings_inbox(request):
    """Pending closing requests: those waiting for the user (to sign as the unit head,
    to approve as an office leader), or every pending one the user sees (`all=1`)."""
    mine = request.GET.get("all") != "1"
    rows = selectors.closings_inbox(request.user, mine=mine)
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.attach_proofs(page.object_list)
    user = request.user
    for closing in page:
        closing.can_sign = closing.status == ClosingStatus.REQUESTED and permissions.can(
            user, "sign_closing", closing.task
        )
        closing.can_approve = permissions.can(user, "approve_closing", closing.task)
        closing.can_withdraw = permissions.can_withdraw(user, closing.task, closing.requested_by_id)
    return render(
        request,
        "ledger/closing/inbox.html",
        {"page": page, "mine": mine, "query": "" if mine else "all=1"},
    )


@login_required
def carry_over(request):
    """Carry an office's open tasks of a year into the next (结转): preview, confirm, run."""
    offices = list(selectors.run_office_choices(request.user))
    if not offices:
        raise PermissionDenied
    wanted = request.POST.get("office") or request.GET.get("office")
    office = next((o for o in offices if str(o.pk) == wanted), offices[0] if not wanted else None)
    if office is None:
        raise PermissionDenied
    year_raw = request.POST.get("year") or request.GET.get("year")
    if year_raw and str(year_raw).isdigit():
        year = int(year_raw)
    else:
        year = (
            Task.objects.filter(office=office, status__in=OPEN_STATUSES).aggregate(y=Max("year"))[
                "y"
            ]
            or business_today().year
        )
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the carry-over."))
        else:
            try:
                carried = services.year_carry_over(office=office, year=year, by=request.user)
            except ConflictError as exc:
                messages.warning(request, str(exc))
            else:
                if carried:
                    messages.success(
                        request,
                        _("%(n)s open tasks of %(year)s were carried over into %(next)s.")
                        % {"n": len(carried), "year": year, "next": year + 1},
                    )
                else:
                    messages.info(
                        request,
                        _("Nothing to carry over: %(year)s has no open task left.")
                        % {"year": year},
                    )
                return redirect(
                    f"{reverse('ledger:ledger')}?year={year + 1}"
                    if carried
                    else f"{reverse('ledger:carry_over')}?office={office.pk}&year={year}"
                )
    return render(
        request,
        "ledger/closing/carry_over.html",
        {
            "offices": offices,
            "office": office,
            "year": year,
            "preview": selectors.carry_over_preview(office, year),
        },
    )


urlpatterns = [
    path("closed/", closed_ledger, name="closed"),
    path("closings/", closings_inbox, name="closings"),
    path("carry-over/", carry_over, name="carry_over"),
    path("tasks/<int:pk>/closing/", task_closing, name="task_closing"),
    path("tasks/<int:pk>/closing/request/", closing_request, name="closing_request"),
    path("tasks/<int:pk>/reopen/", task_reopen, name="task_reopen"),
    path("closings/<int:pk>/sign/", closing_sign, name="closing_sign"),
    path("closings/<int:pk>/approve/", closing_approve, name="closing_approve"),
    path("closings/<int:pk>/reject/", closing_reject, name="closing_reject"),
    path("closings/<int:pk>/withdraw/", closing_withdraw, name="closing_withdraw"),
]
