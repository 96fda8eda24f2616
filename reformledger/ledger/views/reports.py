"""Progress report pages: file a report for a task, the task's reports, the office's
inbox of submitted reports, and evidence downloads."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import StyledFormMixin, add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.ledger import permissions, selectors, services
from reformledger.ledger.choices import ReportStatus
from reformledger.ledger.evidence import ACCEPT, check_upload
from reformledger.ledger.models import Evidence, Period, ProgressReport
from reformledger.ledger.permissions import visible_tasks
from reformledger.ledger.views.common import refused_closed, run_act, task_or_404
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import visible_units

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: How many files one form may bring at once.
MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several evidence files in one input; each is checked by name and by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(items) > MAX_FILES:
            raise ValidationError(
                _("At most %(n)s files at a time.") % {"n": MAX_FILES}, code="too_many"
            )
        errors, files = [], []
        for item in items:
            upload = super().clean(item, initial)
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.message_dict["file"])
            files.append(upload)
        if errors:
            raise ValidationError(errors)
        return files


def add_errors(form: forms.BaseForm, exc: ValidationError, renames: dict[str, str]) -> None:
    """A service's errors onto the form, with the service's field names renamed."""
    if hasattr(exc, "error_dict"):
        exc = ValidationError({renames.get(k, k): v for k, v in exc.message_dict.items()})
    add_service_errors(form, exc)


def back(request, default: str):
    """Where an act returns to: the page it was posted from (`next`), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


class ReportForm(StyledFormMixin, forms.Form):
    """A progress report: what was done, problems, next steps, percent, milestones
    reached with their dates, and evidence files."""

    period = forms.ModelChoiceField(queryset=Period.objects.none(), widget=forms.HiddenInput)
    done = forms.CharField(
        label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label=gettext_lazy("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    percent = forms.IntegerField(label=gettext_lazy("Percent complete"), min_value=0, max_value=100)
    files = EvidenceFilesField(label=gettext_lazy("Evidence files"), required=False)

    def __init__(self, *args, periods, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.filter(pk__in=[p.pk for p in periods])
        self.milestones = milestones
        for m in milestones:
            self.fields[f"reached_{m.pk}"] = forms.DateField(
                label=m.title,
                required=False,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-control form-control-sm"},
                    format="%Y-%m-%d",
                ),
            )

    def reached_fields(self):
        return [(m, self[f"reached_{m.pk}"]) for m in self.milestones]

    def clean(self):
        data = super().clean()
        today = business_today()
        for m in self.milestones:
            on = data.get(f"reached_{m.pk}")
            if on and on > today:
                self.add_error(f"reached_{m.pk}", _("This date is in the future."))
        return data

    def reached(self):
        return [
            (m, self.cleaned_data[f"reached_{m.pk}"])
            for m in self.milestones
            if self.cleaned_data.get(f"reached_{m.pk}")
        ]


def _report_initial(state) -> dict:
    initial = {"period": state.period.pk if state.period else None}
    report = state.report
    if report is None:
        return initial
    initial.update(
        done=report.done,
        problems=report.problems,
        next_steps=report.next_steps,
        percent=report.percent,
    )
    for r in report.reached.all():
        initial[f"reached_{r.milestone_id}"] = r.reached_on
    return initial


@login_required
def report_file(request, pk: int):
    """File (or correct) the progress report of a task for an open period."""
    task = task_or_404(request, pk)
    if not permissions.can(request.user, "report", task):
        raise PermissionDenied
    if refused_closed(request, task):
        return redirect("ledger:task_reports", pk=task.pk)
    wanted = request.POST.get("period") or request.GET.get("period")
    state = selectors.report_form_state(task, int(wanted) if str(wanted).isdigit() else None)
    report = state.report
    editable = task.is_open and (report is None or report.status in services.EDITABLE_REPORT)
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        periods=state.periods,
        milestones=state.milestones,
        initial=_report_initial(state),
    )
    if request.method == "POST" and editable and form.is_valid():
        submit = "submit" in request.POST
        data = form.cleaned_data
        try:
            services.report_file(
                task=task,
                period=data["period"],
                by=request.user,
                done=data["done"],
                problems=data["problems"],
                next_steps=data["next_steps"],
                percent=data["percent"],
                reached=form.reached(),
                files=data["files"],
                submit=submit,
            )
        except ValidationError as exc:
            add_errors(form, exc, {"file": "files"})
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Report submitted.") if submit else _("Report saved as a draft.")
            )
            return redirect("ledger:task_reports", pk=task.pk)
    return render(
        request,
        "ledger/reports/report_form.html",
        {"task": task, "state": state, "form": form, "editable": editable},
    )


@login_required
def task_reports(request, pk: int):
    """A task's progress reports on a page of their own (also a tab of the task page)."""
    task = task_or_404(request, pk)
    acts = permissions.acts_on(request.user, task)
    return render(
        request,
        "ledger/reports/task_reports.html",
        {"task": task, "acts": acts, "reports": selectors.reports_of(task)},
    )


def _report_or_404(request, pk: int) -> ProgressReport:
    try:
        return ProgressReport.objects.select_related(
            "task", "task__office", "task__lead_unit", "period"
        ).get(pk=pk, task__in=visible_tasks(request.user))
    except ProgressReport.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_POST
def report_submit(request, pk: int):
    report = _report_or_404(request, pk)
    if not permissions.can(request.user, "report", report.task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.report_submit(report=report, by=request.user),
        _("Report submitted."),
    )
    return back(request, reverse("ledger:task_reports", args=[report.task_id]))


@login_required
@require_POST
def report_withdraw(request, pk: int):
    """The unit takes a submitted report back before the office decides on it."""
    report = _report_or_404(request, pk)
    if not permissions.can_withdraw(request.user, report.task, report.author_id):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.report_withdraw(report=report, by=request.user),
        _("Report withdrawn: it is a draft again."),
    )
    return back(request, reverse("ledger:task_reports", args=[report.task_id]))


@login_required
@require_POST
def report_accept(request, pk: int):
    report = _report_or_404(request, pk)
    if not permissions.can(request.user, "accept_report", report.task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.report_accept(report=report, by=request.user),
        _("Report accepted."),
    )
    return back(request, reverse("ledger:reports"))


@login_required
@require_POST
def report_return(request, pk: int):
    report = _report_or_404(request, pk)
    if not permissions.can(request.user, "accept_report", report.task):
        raise PermissionDenied
    run_act(
        request,
        lambda: services.report_return(
            report=report, by=request.user, reason=request.POST.get("reason", "")
        ),
        _("Report returned to the unit."),
    )
    return back(request, reverse("ledger:reports"))


class InboxFilter(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ReportStatus.choices],
    )
    period = forms.ModelChoiceField(
        label=gettext_lazy("Reporting period"), required=False, queryset=Period.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Lead unit"),
        required=False,
        queryset=Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = self.fields["unit"].queryset.filter(
            pk__in=visible_units(user).values("pk")
        )
        self.fields["period"].queryset = selectors.reports_inbox_periods(user).select_related(
            "office"
        )
        self.fields["period"].label_from_instance = lambda p: f"{p.label} · {p.office.label}"


@login_required
def reports_inbox(request):
    """The office's inbox of progress reports to accept or return, by period and unit."""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = ReportStatus.SUBMITTED
    flt = InboxFilter(params, user=request.user)
    data = flt.cleaned_data if flt.is_valid() else {"status": ReportStatus.SUBMITTED}
    rows = selectors.reports_inbox(
        request.user,
        status=data.get("status") or None,
        period=data.get("period"),
        unit=data.get("unit"),
    )
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        report.can_decide = permissions.can(request.user, "accept_report", report.task)
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/reports/inbox.html",
        {"filter": flt, "page": page, "query": query.urlencode()},
    )


@login_required
def evidence_download(request, pk: int):
    """Download an evidence file as an attachment with its own name; another unit's
    file does not exist for the user (404). Every download is in the audit trail."""
    try:
        evidence = selectors.evidence_of(request.user, pk)
    except Evidence.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = services.evidence_open(evidence=evidence, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, evidence)


urlpatterns = [
    path("reports/", reports_inbox, name="reports"),
    path("tasks/<int:pk>/report/", report_file, name="report_file"),
    path("tasks/<int:pk>/reports/", task_reports, name="task_reports"),
    path("reports/<int:pk>/submit/", report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", report_return, name="report_return"),
    path("reports/<int:pk>/withdraw/", report_withdraw, name="report_withdraw"),
    path("evidence/<int:pk>/", evidence_download, name="evidence"),
]
