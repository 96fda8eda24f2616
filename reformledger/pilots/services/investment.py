"""Investment completed on sub-projects (子项目投资完成情况): a host unit reports it per
period, by hand or by importing its sheet.

One report per sub-project and period: reporting again for the same period replaces
the amount, with the old and new amounts in the audit record, and reporting the amount
already on file writes nothing at all. An import is all or nothing: the sheet is read
and compared first (`documents.investment_sheet.investment_check`), then every changed
row goes through `investment_report` in one transaction, and any refusal rolls every
row back. So importing the same sheet twice changes nothing the second time, not even
the audit trail.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.exceptions import ConflictError
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import JobKind, Progress, ReviewAgain
from reformledger.exchange.models import ImportJob
from reformledger.ledger.evidence import check_upload, store_checked
from reformledger.ledger.models import Period
from reformledger.ledger.services.periods import require_open
from reformledger.pilots import permissions
from reformledger.pilots.choices import RUNNING, PilotFileKind
from reformledger.pilots.documents.investment_sheet import (
    COLUMNS,
    InvestmentCheck,
    InvestmentRow,
    amount_text,
    investment_check,
    may_import,
)
from reformledger.pilots.models import InvestmentReport, Pilot, PilotFile, SubProject

__all__ = [
    "INVESTMENT_JOB",
    "ImportResult",
    "investment_import",
    "investment_report",
    "investment_sheet_import",
]

#: The kind of import job of an investment sheet.
INVESTMENT_JOB = "pilot_investment"
_CENT = Decimal("0.01")
_MAX = Decimal("999999999999.99")


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(_CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Give the amount as a number.")}) from None
    if not amount.is_finite() or amount > _MAX:
        raise ValidationError({"amount": _("The amount is too large.")})
    if amount < 0:
        raise ValidationError({"amount": _("Investment completed cannot be negative.")})
    return amount


@transaction.atomic
def investment_report(
    *,
    sub_project: SubProject,
    period: Period,
    amount: Decimal,
    by,
    note: str = "",
    files: Iterable = (),
) -> InvestmentReport:
    """Report the investment a sub-project completed in a period (本期完成投资, 10,000
    yuan), with evidence files. The pilot's or the sub-project's host unit reports; the
    pilot must be running and the period an open period of the pilot's office. A second
    report for the same period replaces the amount (the audit record keeps old → new);
    the same amount and note again, without files, writes nothing."""
    permissions.require(by, "report_sub_project", sub_project)
    # The sub-project's row is the lock: two reports of one sub-project queue up.
    sub_project = (
        SubProject.objects.select_for_update()
        .select_related("pilot", "pilot__office", "host_unit")
        .get(pk=sub_project.pk)
    )
    pilot = sub_project.pilot
    if pilot.status not in RUNNING:
        raise ConflictError(
            _("The pilot %(pilot)s is %(status)s; investment is reported only while it runs.")
            % {"pilot": pilot.name, "status": pilot.get_status_display()}
        )
    if period.office_id != pilot.office_id:
        raise ValidationError({"period": _("The period is not of this pilot's office.")})
    require_open(period)
    amount = _amount(amount)
    note = (note or "").strip()
    checked = [(f, check_upload(f)) for f in files]
    report = InvestmentReport.objects.filter(sub_project=sub_project, period=period).first()
    if report is not None and report.amount == amount and report.note == note and not checked:
        return report
    old_amount, old_note = (report.amount, report.note) if report else (None, "")
    if report is None:
        report = InvestmentReport.objects.create(
            sub_project=sub_project, period=period, amount=amount, note=note, reported_by=by
        )
    else:
        report.amount, report.note, report.reported_by = amount, note, by
        report.save(update_fields=["amount", "note", "reported_by"])
    stored = [_store(report, pilot, upload, info, by) for upload, info in checked]
    changes: dict[str, Any] = {"period": period.label}
    if old_amount != amount:
        changes["amount"] = [
            amount_text(old_amount) if old_amount is not None else None,
            amount_text(amount),
        ]
    if old_note != note:
        changes["note"] = [old_note, note]
    if stored:
        changes["files"] = [None, [f.original_name for f in stored]]
    audit.record(actor=by, verb="investment.reported", obj=report, ctx=pilot, changes=changes)
    return report


def _store(report: InvestmentReport, pilot: Pilot, upload, info, by) -> PilotFile:
    return store_checked(
        PilotFile,
        upload,
        info,
        pilot=pilot,
        kind=PilotFileKind.INVESTMENT,
        investment_report=report,
        uploaded_by=by,
    )


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: reports written (new or replaced), and rows already on file."""

    saved: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"saved": self.saved, "unchanged": self.unchanged}


def _row_error(row: InvestmentRow, message: str, name: str = "") -> CellError:
    return CellError(message, row.sheet, row.row, row.column(name) if name else "")


@transaction.atomic
def investment_import(
    *,
    pilot: Pilot,
    period: Period,
    rows: list[InvestmentRow],
    by,
    file_name: str,
    unchanged: int = 0,
) -> ImportResult:
    """Write the changed rows of a previewed sheet (`InvestmentCheck.saves`), all or
    nothing: each through `investment_report` (its own audit record, old → new), then
    one "investment.imported" record with the counts. Any row refused raises
    ImportRefused naming it, and nothing stays written. No changed row: nothing is
    written, not even the import's record."""
    if not may_import(by, pilot):
        raise PermissionDenied("investment_import")
    errors: list[CellError] = []
    saved = 0
    for row in rows:
        if row.sub_project.pilot_id != pilot.pk:
            errors.append(_row_error(row, _("The sub-project is of another pilot."), "code"))
            continue
        try:
            note = row.note
            if note is None:  # the sheet has no note column: the note on file stays
                current = InvestmentReport.objects.filter(
                    sub_project=row.sub_project, period=period
                ).first()
                note = current.note if current else ""
            investment_report(
                sub_project=row.sub_project, period=period, amount=row.amount, by=by, note=note
            )
            saved += 1
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "amount" if name == "amount" else ""
                errors += [_row_error(row, m, column) for m in messages]
        except PermissionDenied:
            errors.append(
                _row_error(
                    row,
                    _("You may not report on the sub-project %(code)s.")
                    % {"code": row.sub_project.code},
                    "code",
                )
            )
        except ConflictError as exc:
            errors.append(_row_error(row, str(exc)))
    if errors:
        raise ImportRefused(errors)
    if saved:
        audit.record(
            actor=by,
            verb="investment.imported",
            obj=pilot,
            changes={
                "period": period.label,
                "rows": [None, saved],
                "file_name": [None, file_name],
            },
            reason=file_name,
        )
    return ImportResult(saved=saved, unchanged=unchanged)


def investment_sheet_import(
    *,
    data: bytes,
    file_name: str,
    pilot: Pilot,
    period: Period,
    by,
    progress: Progress | None = None,
    applying: Callable[[], None] | None = None,
) -> ImportResult:
    """Read, check and import a sheet in one go (the API and tests; the pages go through
    the job's preview first). Any error refuses the whole file."""
    check = investment_check(
        data=data, file_name=file_name, pilot=pilot, period=period, by=by, progress=progress
    )
    if check.errors:
        raise ImportRefused(check.errors)
    if applying is not None:
        applying()
    return investment_import(
        pilot=pilot,
        period=period,
        rows=check.saves,
        by=by,
        file_name=file_name,
        unchanged=len(check.unchanged),
    )


# --- as an import job -------------------------------------------------------------------

LIMIT = 500


def job_params(*, pilot: Pilot, period: Period) -> dict[str, Any]:
    """What an investment-sheet job needs (`exchange.jobs.import_job_create(params=…)`)."""
    return {
        "params": {"pilot": pilot.pk, "period": period.pk},
        "scope": f"{pilot.code} {pilot.name} · {period.label}",
    }


def preview_of(check: InvestmentCheck) -> dict[str, Any]:
    """The preview the clerk checks: counts, the columns taken, rows to write (old →
    new), rows skipped and every error by sheet, row and column (JSON-able)."""
    labels = {c.field: str(c.label) for c in COLUMNS}
    sheets = []
    for table in check.tables:
        fields = {i: f for f, i in table.columns.items()}
        sheets.append(
            {
                "sheet": table.sheet,
                "title": table.title,
                "first_row": table.first_row,
                "columns": [
                    {
                        "letter": table.letter(index),
                        "header": text,
                        "label": labels.get(fields.get(index, ""), ""),
                        "status": "taken" if index in fields else "not_imported",
                    }
                    for index, text in sorted(table.header_cells.items())
                ],
            }
        )
    why = {
        "subtotal": _("subtotal or total"),
        "note": _("note"),
        "header": _("headers repeated"),
        "section": _("group heading"),
    }
    return {
        "kind": INVESTMENT_JOB,
        "pilot": {"id": check.pilot.pk, "code": check.pilot.code, "name": check.pilot.name},
        "period": {"id": check.period.pk, "label": check.period.label},
        "counts": {
            "save": len(check.saves),
            "unchanged": len(check.unchanged),
            "not_filled": check.not_filled,
            "skipped": len(check.skipped),
            "errors": len(check.errors),
        },
        "sheets": sheets,
        "changes": [
            {
                "sheet": r.sheet,
                "row": r.row,
                "code": r.sub_project.code,
                "name": r.sub_project.name,
                "old": amount_text(r.old),
                "new": amount_text(r.amount),
            }
            for r in check.saves[:LIMIT]
        ],
        "unchanged": [
            {
                "sheet": r.sheet,
                "row": r.row,
                "code": r.sub_project.code,
                "amount": amount_text(r.amount),
            }
            for r in check.unchanged[:LIMIT]
        ],
        "skipped": [
            {"sheet": s, "row": n, "why": str(why.get(kind, kind)), "label": label}
            for s, n, kind, label in check.skipped[:LIMIT]
        ],
        "errors": [e.as_dict() for e in check.errors[:LIMIT]],
    }


def _job_objects(job: ImportJob) -> tuple[Pilot, Period]:
    pilot = Pilot.objects.select_related("office").get(pk=job.params["pilot"])
    period = Period.objects.get(pk=job.params["period"])
    return pilot, period


def _job_check(job: ImportJob, data: bytes, progress: Progress) -> InvestmentCheck:
    pilot, period = _job_objects(job)
    return investment_check(
        data=data,
        file_name=job.file_name,
        pilot=pilot,
        period=period,
        by=job.created_by,
        progress=progress,
    )


def _check(job: ImportJob, data: bytes, progress: Progress) -> dict:
    return preview_of(_job_check(job, data, progress))


def _apply(job: ImportJob, data: bytes, progress: Progress, applying) -> dict[str, int]:
    check = _job_check(job, data, progress)
    if check.errors:
        raise ReviewAgain(preview_of(check))
    applying()
    try:
        result = investment_import(
            pilot=check.pilot,
            period=check.period,
            rows=check.saves,
            by=job.created_by,
            file_name=job.file_name,
            unchanged=len(check.unchanged),
        )
    except ImportRefused as exc:
        check.errors = exc.errors
        raise ReviewAgain(preview_of(check)) from exc
    return result.as_dict()


def job_kind() -> JobKind:
    """The investment sheet's import, registered with the job machinery in
    PilotsConfig.ready."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    return JobKind(
        key=INVESTMENT_JOB,
        label=gettext_lazy("Sub-project investment"),
        check=_check,
        apply=_apply,
        refused=audit.import_refused,
        preview_template="pilots/investment/_preview.html",
        result_template="pilots/investment/_result.html",
        again_url=lambda job: reverse("pilots:investment_import", args=[job.params["pilot"]]),
    )
