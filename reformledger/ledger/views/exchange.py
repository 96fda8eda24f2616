"""The ledger's downloads and uploads: the ledger and the task list as Excel or CSV,
the progress-report sheet, and their imports as jobs (`exchange.jobs`).

Exports start from the ledger page's own rows (`visible_tasks` through the page's
filters), so a file holds exactly what its user may see, and each writes an
audit record. The ledger's exports are written row by row to a spooled temporary
file and streamed from it, so memory stays flat with the row count. Imports are
for the office staff and leaders of the ledger.
"""

from contextlib import contextmanager

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from reformledger.audit.services import export_recorded
from reformledger.core.clock import business_today
from reformledger.core.http import CSV, XLSX, file_download, file_stream, spooled_file
from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes
from reformledger.ledger import permissions
from reformledger.ledger import selectors as ledger_selectors
from reformledger.ledger.choices import TaskStatus
from reformledger.ledger.documents import ledger_workbook, progress_sheet, task_list
from reformledger.ledger.filters import TaskFilter
from reformledger.ledger.forms_exchange import ReportImportForm, TaskListImportForm, open_periods
from reformledger.ledger.services import imports


def _filtered(request, *, closed: bool = False):
    """The rows of the ledger page for the same query string (as `ledger.views.ledger`)."""
    params = request.GET.copy()
    for name in ("page", "by", "format"):
        params.pop(name, None)
    if closed:
        params["status"] = TaskStatus.CLOSED
    base = ledger_selectors.ledger_rows(request.user)
    if "year" not in params:
        # The working year, as the ledger page opens on.
        params["year"] = str(ledger_selectors.working_year(request.user).year or "")
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
    by = request.GET.get("by") if request.GET.get("by") in ledger_workbook.GROUPINGS else None
    title = ledger_workbook.ledger_title(tasks, year=year, closed=closed)
    document = "closed_ledger" if closed else "ledger"
    with _spooled() as out:
        rows = ledger_workbook.write_ledger_to(out, tasks, title=title, by=by, as_of=as_of)
        export_recorded(
            by=request.user,
            document=document,
            filters=params.dict() | ({"by": by} if by else {}),
            rows=rows,
            fmt="xlsx",
        )
        return file_stream(out, XLSX, f"{document}-{year or 'all'}.xlsx")


@login_required
def ledger_csv(request, closed: bool = False):
    """The same rows as CSV (UTF-8 with a byte-order mark, for Excel)."""
    tasks, params, year, as_of = _filtered(request, closed=closed)
    document = "closed_ledger" if closed else "ledger"
    with _spooled() as out:
        rows = ledger_workbook.write_ledger_csv_to(out, tasks, as_of=as_of)
        export_recorded(
            by=request.user, document=document, filters=params.dict(), rows=rows, fmt="csv"
        )
        return file_stream(out, CSV, f"{document}-{year or 'all'}.csv")


@contextmanager
def _spooled():
    """The file an export is written to and streamed from (memory stays flat whatever
    the ledger's size); closed here if writing or recording fails, else once sent."""
    out = spooled_file()
    try:
        yield out
    except BaseException:
        out.close()
        raise


def _office_and_year(request):
    offices = list(permissions.offices_of(request.user).order_by("path"))
    if not offices:
        raise PermissionDenied
    wanted = request.GET.get("office")
    office = next((o for o in offices if str(o.pk) == wanted), None) if wanted else offices[0]
    if office is None:
        raise PermissionDenied
    year = request.GET.get("year", "")
    return office, int(year) if year.isdigit() else business_today().year


@login_required
def task_list_template(request):
    """The blank task list: the headers of both sheets and how to fill them in."""
    office, year = _office_and_year(request)
    data = task_list.write_task_list(None, office=office, year=year, template=True)
    export_recorded(
        by=request.user,
        document="task_list_template",
        filters={"office": office.code, "year": year},
        rows=0,
        fmt="xlsx",
    )
    return file_download(data, XLSX, f"task-list-template-{year}.xlsx")


@login_required
def task_list_export(request):
    """An office's task list for a year with its plans and milestones, ready to edit
    and import back."""
    office, year = _office_and_year(request)
    tasks = permissions.visible_tasks(request.user).filter(office=office, year=year)
    data = task_list.write_task_list(tasks, office=office, year=year)
    export_recorded(
        by=request.user,
        document="task_list",
        filters={"office": office.code, "year": year},
        rows=tasks.count(),
        fmt="xlsx",
    )
    return file_download(data, XLSX, f"task-list-{year}.xlsx")


def upload_view(*, kind: str, form_class, template: str, may, job_of):
    """An upload page of an import: the form, and on a valid upload a job of `kind`
    (whose page shows the progress, then the preview), with the user's recent jobs.

    `may(user)` says who may open it (else 403); `job_of(form)` gives what the job is
    made of: file_name, data, and the kind's params and scope. The upload stays in
    memory up to the limit (`MemoryUploadHandler`, set before the CSRF check reads
    the body, hence the two layers)."""

    @csrf_protect
    def upload(request, handler: MemoryUploadHandler):
        form = form_class(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST":
            if handler.too_large:
                form.add_error(
                    "file",
                    _("The file is larger than the limit of %(limit)s MB.")
                    % {"limit": max_upload_bytes() // (1024 * 1024)},
                )
            elif form.is_valid():
                job = jobs.import_job_create(
                    by=request.user,
                    kind=kind,
                    language=get_language() or "zh-hans",
                    **job_of(form),
                )
                jobs.dispatch(job)
                return redirect("exchange:job", pk=job.pk)
        recent = ImportJob.objects.filter(created_by=request.user, kind=kind).defer("payload")
        return render(
            request,
            template,
            {"form": form, "recent": recent[:10], "limit_mb": max_upload_bytes() // (1024 * 1024)},
        )

    @csrf_exempt
    @login_required
    def view(request):
        if not may(request.user):
            raise PermissionDenied
        handler = MemoryUploadHandler(request, limit=max_upload_bytes())
        request.upload_handlers = [handler]
        return upload(request, handler)

    return view


def uploaded_file(form) -> dict:
    upload = form.cleaned_data["file"]
    try:
        return {"file_name": upload.name, "data": upload.read()}
    finally:
        upload.close()


#: Upload a task list; it is read into a preview as a job, then imported on confirm.
task_list_import = upload_view(
    kind=imports.TASK_LIST_JOB,
    form_class=TaskListImportForm,
    template="ledger/task_list_import.html",
    may=lambda user: permissions.offices_of(user).exists(),
    job_of=lambda form: (
        uploaded_file(form)
        | imports.task_list_job_params(
            office=form.cleaned_data["office"], year=form.cleaned_data["year"]
        )
    ),
)


# --- progress reports ---------------------------------------------------------------


def _period(request):
    if not progress_sheet.may_import_reports(request.user):
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
    tasks = progress_sheet.report_tasks(request.user, period)
    title = _("Progress reports %(period)s · %(office)s") % {
        "period": period.label,
        "office": period.office.label,
    }
    data = progress_sheet.write_report_sheet(tasks, period=period, title=title)
    export_recorded(
        by=request.user,
        document="progress_sheet",
        filters={"period": period.pk, "office": period.office.code},
        rows=tasks.count(),
        fmt="xlsx",
    )
    return file_download(data, XLSX, f"progress-{period.label.replace('/', '-')}.xlsx")


#: Upload a period's progress reports; read into a preview as a job, like the task list.
reports_import = upload_view(
    kind=imports.PROGRESS_JOB,
    form_class=ReportImportForm,
    template="ledger/reports_import.html",
    may=progress_sheet.may_import_reports,
    job_of=lambda form: (
        uploaded_file(form) | imports.progress_job_params(period=form.cleaned_data["period"])
    ),
)


urlpatterns = [
    path("ledger.xlsx", ledger_xlsx, name="ledger_xlsx"),
    path("ledger.csv", ledger_csv, name="ledger_csv"),
    path("closed.xlsx", ledger_xlsx, {"closed": True}, name="closed_xlsx"),
    path("closed.csv", ledger_csv, {"closed": True}, name="closed_csv"),
    path("task-list/template.xlsx", task_list_template, name="task_list_template"),
    path("task-list/export.xlsx", task_list_export, name="task_list_export"),
    path("task-list/import/", task_list_import, name="task_list_import"),
    path("reports/template.xlsx", reports_template, name="reports_template"),
    path("reports/import/", reports_import, name="reports_import"),
]
