"""Sub-project investment pages: a host unit's report for one sub-project (with
evidence files), a pilot's investment sheet to fill in, and its import as a job (upload
→ preview on the job's page → confirm → all or nothing, `exchange.jobs`)."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import StyledFormMixin
from reformledger.core.http import XLSX, file_download
from reformledger.exchange.models import ImportJob
from reformledger.exchange.views import upload_to_job
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes
from reformledger.ledger.models import Period
from reformledger.ledger.views.reports import EvidenceFilesField, add_errors
from reformledger.pilots import permissions
from reformledger.pilots.documents import investment_sheet
from reformledger.pilots.models import Pilot, SubProject
from reformledger.pilots.selectors import investment as selectors
from reformledger.pilots.services import investment as services


def _pilot(request, pk: int) -> Pilot:
    pilot = permissions.visible_pilots(request.user).select_related("office").filter(pk=pk).first()
    if pilot is None:
        raise Http404
    return pilot


def _period_choice(pilot: Pilot, wanted: str | None) -> Period:
    periods = selectors.open_periods(pilot)
    period = periods.filter(pk=wanted).first() if wanted and wanted.isdigit() else periods.first()
    if period is None:
        raise Http404
    return period


class InvestmentReportForm(StyledFormMixin, forms.Form):
    """Investment a sub-project completed in a period, with evidence files."""

    period = forms.ModelChoiceField(label=gettext_lazy("Period"), queryset=Period.objects.none())
    amount = forms.DecimalField(
        label=gettext_lazy("Investment completed in the period (10,000 yuan)"),
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = EvidenceFilesField(label=gettext_lazy("Evidence files"), required=False)

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["period"].empty_label = None


@login_required
def investment_report(request, pk: int):
    """A host unit reports the investment one sub-project completed in an open period;
    reporting the same period again replaces the amount."""
    sub = (
        permissions.visible_sub_projects(request.user)
        .select_related("pilot", "pilot__office", "host_unit")
        .filter(pk=pk)
        .first()
    )
    if sub is None:
        raise Http404
    if not permissions.can(request.user, "report_sub_project", sub):
        raise PermissionDenied
    periods = selectors.open_periods(sub.pilot)
    period = _period_choice(sub.pilot, request.GET.get("period")) if periods.exists() else None
    rows = {
        r.sub_project.pk: r
        for r in selectors.sub_project_rows(SubProject.objects.filter(pk=sub.pk), period)
    }
    row = rows.get(sub.pk)
    initial = {"period": period.pk if period else None}
    if row is not None and row.in_period is not None:
        initial |= {"amount": row.in_period, "note": row.note}
    form = InvestmentReportForm(
        request.POST or None, request.FILES or None, periods=periods, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.investment_report(
                sub_project=sub,
                period=data["period"],
                amount=data["amount"],
                note=data["note"],
                files=data["files"],
                by=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc, {})
        except ConflictError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Investment of %(code)s for %(period)s recorded.")
                % {"code": sub.code, "period": data["period"].label},
            )
            return redirect(f"{request.path}?period={data['period'].pk}")
    return render(
        request,
        "pilots/investment/report_form.html",
        {"sub": sub, "pilot": sub.pilot, "form": form, "row": row, "period": period},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def investment_sheet_download(request, pk: int):
    """The pilot's investment sheet of a period (`?period=`), pre-filled with the
    sub-projects the user reports on (the whole pilot for the office)."""
    pilot = _pilot(request, pk)
    if not (
        permissions.can(request.user, "manage", pilot)
        or investment_sheet.may_import(request.user, pilot)
    ):
        raise PermissionDenied
    period = _period_choice(pilot, request.GET.get("period"))
    rows = investment_sheet.rows_for_sheet(request.user, pilot, period)
    data = investment_sheet.write_investment_sheet(pilot, rows, period=period)
    audit.document_exported(
        by=request.user,
        document="investment_sheet",
        fmt="xlsx",
        rows=len(rows),
        filters={"period": period.label},
        obj=pilot,
    )
    return file_download(
        data, XLSX, f"investment-{pilot.code}-{period.label.replace('/', '-')}.xlsx"
    )


class InvestmentImportForm(forms.Form):
    """The period the sheet reports on, and the workbook."""

    period = forms.ModelChoiceField(label=gettext_lazy("Period"), queryset=None, empty_label=None)
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "class": "form-control",
            }
        ),
    )

    def __init__(self, *args, pilot: Pilot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = selectors.open_periods(pilot)
        self.fields["period"].widget.attrs["class"] = "form-select"


@csrf_protect
def _import(request, pilot: Pilot, handler: MemoryUploadHandler):
    form = InvestmentImportForm(request.POST or None, request.FILES or None, pilot=pilot)
    done = upload_to_job(
        request,
        form,
        handler,
        kind=services.INVESTMENT_JOB,
        params=lambda data: services.job_params(pilot=pilot, period=data["period"]),
    )
    if done is not None:
        return done
    recent = ImportJob.objects.filter(
        created_by=request.user, kind=services.INVESTMENT_JOB, params__pilot=pilot.pk
    ).defer("payload")
    return render(
        request,
        "pilots/investment/import.html",
        {
            "pilot": pilot,
            "form": form,
            "recent": recent[:10],
            "limit_mb": max_upload_bytes() // (1024 * 1024),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt
@login_required
def investment_import(request, pk: int):
    """Upload a pilot's investment sheet: it is read into a preview (the job's page);
    nothing is written until the clerk confirms it, and then all or nothing. The upload
    stays in memory up to the limit (`MemoryUploadHandler`, set before the CSRF check
    reads the body, hence the two layers)."""
    pilot = _pilot(request, pk)
    if not investment_sheet.may_import(request.user, pilot):
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _import(request, pilot, handler)


urlpatterns = [
    path(
        "investment/sub-projects/<int:pk>/report/",
        investment_report,
        name="investment_report",
    ),
    path("investment/<int:pk>/sheet.xlsx", investment_sheet_download, name="investment_sheet"),
    path("investment/<int:pk>/import/", investment_import, name="investment_import"),
]
