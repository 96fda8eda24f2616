"""Fixtures of the exchange tests: the queue in immediate mode, workbooks built in
memory (no binary is committed), and a fingerprint of the ledger to prove that a
refused file changed nothing."""

import hashlib
import io

import openpyxl
import pytest
from huey.contrib.djhuey import HUEY

from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Milestone, Plan, Task


@pytest.fixture(autouse=True)
def huey_immediate():
    """Queued imports run at once, in the test's own transaction."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


def ledger_state() -> dict:
    """Counts of tasks, plans, milestones and audit records, and a hash of every task,
    helping unit and milestone row: equal before and after means nothing changed."""
    tasks = list(
        Task.objects.order_by("pk").values_list(
            "pk",
            "code",
            "title",
            "description",
            "area_id",
            "system_id",
            "lead_unit_id",
            "responsible_leader_id",
            "is_key",
            "source",
            "deliverable_kind",
            "start_date",
            "deadline",
            "status",
            "parent_id",
            "version",
        )
    )
    helping = list(
        Task.helping_units.through.objects.order_by("task_id", "unit_id").values_list(
            "task_id", "unit_id"
        )
    )
    milestones = list(
        Milestone.objects.order_by("pk").values_list(
            "plan_id", "order", "title", "planned_date", "weight", "is_key"
        )
    )
    plans = list(
        Plan.objects.order_by("pk").values_list("task_id", "revision", "status", "summary")
    )
    digest = hashlib.sha256(repr((tasks, helping, milestones, plans)).encode()).hexdigest()
    return {
        "tasks": len(tasks),
        "plans": len(plans),
        "milestones": len(milestones),
        "audit": AuditRecord.objects.count(),
        "hash": digest,
    }


def workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with the given sheets (rows of values) and merged ranges, in memory."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def edit_xlsx(data: bytes, edit) -> bytes:
    """Open an exported workbook, let `edit(wb)` change cells, and save it again."""
    wb = open_xlsx(data)
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
