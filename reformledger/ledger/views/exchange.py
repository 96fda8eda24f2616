"""Downloads and uploads: the ledger and the task list as Excel or CSV, imports as jobs.

Exports start from the ledger page's own rows (`visible_tasks` through the page's
filters), so a file holds exactly what its user may see, and each writes an
audit record. Imports are for the office staff and leaders of the ledger.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from reformledger.exchange import (
    jobs,
    ledger_export,
    progress_import,
    services,
    supervision_export,
    task_list,
)
from reformledger.exchange.forms import ReportImportForm, TaskListImportForm, open_periods
from reformledger.exchange.models import ImportJob
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes
from reformledger.ledger import permissions
from reformledger.ledger import selectors as ledger_selectors
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.filters import TaskFilter
from reformledger.supervision.permissions import sees_supervision

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _filtered(request, *, closed: bool = False):
    """The rows of the ledger page for the same query string (as `ledger.views.ledger`)."""
    params = request.GET.copy()
    for name in ("page", "by", "format"):
        params.pop(name, None)
    if closed:
        params["status"] = TaskStatus.CLOSED
    base = ledger_selectors.ledger_rows(request.user)
    if "year" not in params:
        params["year"] = str(base.aggregate(latest=Max("year"))["latest"] or "")
    year = int(params["year"]) if params.get("year", "").isdigit() else None
    as_of = None
    if params.get("as_of"):
        as_of = next(
            (
                p
                for p in ledger_selectors.closed_periods(request.user, year)
                if str(p.pk) == params["as_of"]
            ),
            None,
        )
        if as_of is None:
            params.pop("as_of")
        else:
            base = base.filter(office=as_of.office, year=as_of.year)
    flt = TaskFilter(params, queryset=base)
    tasks = flt.qs if flt.is_valid() else base.none()
    if not params.get("ordering"):
        tasks = tasks.order_by("year", "code")
    return tasks, params, year, as_of


@login_required
def ledger_xlsx(request, closed: bool = False):
    """The ledger in its official layout (`?by=area|unit` for a sheet per area or unit)."""
    tasks, params, year, as_of = _filtered(request, closed=closed)
    by = request.GET.get("by") if request.GET.get("by") in ledger_export.GROUPINGS else None
    title = ledger_export.ledger_title(tasks, year=year, closed=closed)
    data, rows = ledger_export.write_ledger(tasks, title=title, by=by, as_of=as_of)
    document = "closed_ledger" if closed else "ledger"
    services.export_record(
        by=request.user,
        document=document,
        filters=params.dict() | ({"by": by} if by else {}),
        rows=rows,
        fmt="xlsx",
    )
    return _download(data, XLSX, f"{document}-{year or 'all'}.xlsx")


@login_required
def ledger_csv(request, closed: bool = False):
    """The same rows as CSV (UTF-8 with a byte-order mark, for Excel)."""
    tasks, params, year, as_of = _filtered(request, closed=closed)
    data, rows = ledger_export.write_ledger_csv(tasks, as_of=as_of)
    document = "closed_ledger" if closed else "ledger"
    services.export_record(
        by=request.user, document=document, filters=params.dict(), rows=rows, fmt="csv"
    )
    return _download(data, CSV, f"{document}-{year or 'all'}.csv")


def _office_and_year(request):
    offices = list(permissions.offices_of(request.user).order_by("path"))
    if not offices:
        raise PermissionDenied
    wanted = request.GET.get("office")
    office = next((o for o in offices if str(o.pk) == wanted), None) if wanted else offices[0]
    if office is None:
        raise PermissionDenied
    year = request.GET.get("year", "")
    return office, int(year) if year.isdigit() else timezone.localdate().year


@login_required
def task_list_template(request):
    """The blank task list: the headers of both sheets and how to fill them in."""
    office, year = _office_and_year(request)
    data = task_list.write_task_list(None, office=office, year=year, template=True)
    services.export_record(
        by=request.user,
        document="task_list_template",
        filters={"office": office.code, "year": year},
        rows=0,
        fmt="xlsx",
    )
    return _download(data, XLSX, f"task-list-template-{year}.xlsx")


@login_required
def task_list_export(request):
    """An office's task list for a year with its plans and milestones, ready to edit
    and import back."""
    office, year = _office_and_year(request)
    tasks = permissions.visible_tasks(request.user).filter(office=office, year=year)
    data = task_list.write_task_list(tasks, office=office, year=year)
    services.export_record(
        by=request.user,
        document="task_list",
        filters={"office": office.code, "year": year},
        rows=tasks.count(),
        fmt="xlsx",
    )
    return _download(data, XLSX, f"task-list-{year}.xlsx")


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
@login_required
def task_list_import(request):
    """Upload a task list; it is imported as a job, whose page shows the progress."""
    if not permissions.offices_of(request.user).exists():
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _task_list_import(request, handler)


@csrf_protect
def _task_list_import(request, handler: MemoryUploadHandler):
    form = TaskListImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if handler.too_large:
            form.add_error(
                "file",
                _("The file is larger than the limit of %(limit)s MB.")
                % {"limit": max_upload_bytes() // (1024 * 1024)},
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            job = services.import_job_create(
                by=request.user,
                kind=ImportJob.Kind.TASK_LIST,
                office=form.cleaned_data["office"],
                year=form.cleaned_data["year"],
                file_name=upload.name,
                data=upload.read(),
                language=get_language() or "zh-hans",
            )
            upload.close()
            jobs.dispatch(job)
            return redirect("exchange:job", pk=job.pk)
    recent = ImportJob.objects.filter(created_by=request.user).select_related("office")[:10]
    return render(
        request,
        "exchange/import.html",
        {"form": form, "recent": recent, "limit_mb": max_upload_bytes() // (1024 * 1024)},
    )


def _job(request, pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("office", "period").defer("payload"),
        pk=pk,
        created_by=request.user,
    )


@login_required
def job_detail(request, pk: int):
    """An import's page: its progress bar, then its result or every error."""
    return render(request, "exchange/job.html", {"job": _job(request, pk)})


@login_required
def job_progress(request, pk: int):
    """The progress part alone, polled by htmx every second until the job ends."""
    return render(request, "exchange/_job_progress.html", {"job": _job(request, pk)})


# --- progress reports ---------------------------------------------------------------


def _period(request):
    if not progress_import.may_import_reports(request.user):
        raise PermissionDenied
    periods = open_periods(request.user)
    wanted = request.GET.get("period")
    period = periods.filter(pk=wanted).first() if wanted and wanted.isdigit() else periods.first()
    if period is None:
        raise PermissionDenied
    return period


@login_required
def reports_template(request):
    """A period's report sheet, pre-filled with the user's tasks and its drafts."""
    period = _period(request)
    tasks = progress_import.report_tasks(request.user, period)
    title = _("Progress reports %(period)s · %(office)s") % {
        "period": period.label,
        "office": period.office.label,
    }
    data = progress_import.write_report_sheet(tasks, period=period, title=title)
    services.export_record(
        by=request.user,
        document="progress_sheet",
        filters={"period": period.pk, "office": period.office.code},
        rows=tasks.count(),
        fmt="xlsx",
    )
    return _download(data, XLSX, f"progress-{period.label.replace('/', '-')}.xlsx")


@csrf_exempt  # the upload handler must be set before the CSRF check reads the body
@login_required
def reports_import(request):
    """Upload a period's progress reports; imported as a job, like the task list."""
    if not progress_import.may_import_reports(request.user):
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _reports_import(request, handler)


@csrf_protect
def _reports_import(request, handler: MemoryUploadHandler):
    form = ReportImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if handler.too_large:
            form.add_error(
                "file",
                _("The file is larger than the limit of %(limit)s MB.")
                % {"limit": max_upload_bytes() // (1024 * 1024)},
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            period = form.cleaned_data["period"]
            job = services.import_job_create(
                by=request.user,
                kind=ImportJob.Kind.PROGRESS,
                office=period.office,
                year=period.year,
                period=period,
                file_name=upload.name,
                data=upload.read(),
                language=get_language() or "zh-hans",
            )
            upload.close()
            jobs.dispatch(job)
            return redirect("exchange:job", pk=job.pk)
    recent = ImportJob.objects.filter(
        created_by=request.user, kind=ImportJob.Kind.PROGRESS
    ).select_related("office")[:10]
    return render(
        request,
        "exchange/reports_import.html",
        {"form": form, "recent": recent, "limit_mb": max_upload_bytes() // (1024 * 1024)},
    )


# --- supervision ----------------------------------------------------------------------


@login_required
def supervision_xlsx(request):
    """The supervision workbook of a year (`?year=`): links, meetings, documents, orders
    and action items, as much of them as the user may see."""
    if not sees_supervision(request.user):
        raise PermissionDenied
    try:
        year = supervision_export.export_year(request.GET, request.user)
    except ValidationError as exc:
        return render(
            request, "exchange/export_refused.html", {"errors": exc.message_dict}, status=400
        )
    data, rows = supervision_export.write_supervision(request.user, year=year)
    services.export_record(
        by=request.user, document="supervision", filters={"year": year}, rows=rows, fmt="xlsx"
    )
    return _download(data, XLSX, f"supervision-{year}.xlsx")
