"""Importing the task list back (任务清单导入): the workbook the system itself exported,
re-imported unchanged, so nothing changes. The product's side is what an import job's
check step does: read the file, check every cell, compare it with the ledger, and build
the preview the clerk sees. The lower bound is a bare openpyxl read-only pass over the
same bytes, touching every cell value.

The file is exported once per ledger (at first use) into `ledger.workdir`. The upload and
row/cell limits are raised for the benchmark's process: the whole province in one file.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from bench.harness import Case, Ledger


def _file(ledger: Ledger) -> Path:
    """The task list as the system exports it, written once per ledger."""
    from django.conf import settings

    settings.RL_UPLOAD_MAX_BYTES = 256 * 1024 * 1024
    settings.RL_UPLOAD_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
    settings.RL_IMPORT_MAX_ROWS = 10 * ledger.tasks + 1000
    settings.RL_IMPORT_MAX_CELLS = 200 * ledger.tasks + 10_000
    path = ledger.workdir / f"task-list-{ledger.year}.xlsx"
    if not path.exists():
        from reformledger.ledger.documents import task_list
        from reformledger.ledger.permissions import visible_tasks
        from reformledger.orgs.models import Unit

        office = Unit.objects.get(pk=ledger.office_id)
        tasks = visible_tasks(ledger.user).filter(office=office, year=ledger.year)
        data = task_list.write_task_list(tasks.order_by("code"), office=office, year=ledger.year)
        path.with_suffix(".part").write_bytes(data)
        path.with_suffix(".part").rename(path)
    return path


def prepare(ledger: Ledger) -> None:
    _file(ledger)


def import_unchanged(ledger: Ledger) -> int:
    """Check and compare the file as the import job does, and build its preview; the
    number of rows found unchanged (every task)."""
    from django.utils.translation import override

    from reformledger.ledger.services import imports
    from reformledger.orgs.models import Unit

    data = _file(ledger).read_bytes()
    office = Unit.objects.get(pk=ledger.office_id)
    with override("zh-hans"):
        check = imports.task_list_check(
            data=data, file_name="task-list.xlsx", office=office, year=ledger.year, by=ledger.user
        )
        preview = check.preview(office)
    if check.errors or preview["counts"]["unchanged"] != ledger.tasks:
        raise AssertionError(f"not unchanged: {preview['counts']} {check.errors[:3]}")
    return preview["counts"]["unchanged"]


def bare_read(ledger: Ledger) -> int:
    """openpyxl read-only over the same bytes, every cell value touched."""
    data = _file(ledger).read_bytes()
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for _value in row:
                cells += 1
    wb.close()
    return cells


CASES = [
    Case(
        name="import unchanged task list",
        run=import_unchanged,
        bound=bare_read,
        goal=2.0,
        memory=True,
        memory_goal=2.0,
        repeat=3,
        before=prepare,
    ),
]
