"""The ledger's downloads (台账导出): the official styled workbook and the CSV, each through
the real URL as the office's staff member downloads them, beside the bare lower bound:
the same rows' values read with one cursor query and written by bare openpyxl in
write-only mode (no styles, no merged headers, no row heights) or by the csv module.

The product streams the file from a temporary file; `Ledger.get` reads the streamed
body whole, as a browser would.
"""

from __future__ import annotations

import csv
import io

import openpyxl

from bench.harness import Case, Ledger


def _url(name: str, ledger: Ledger) -> str:
    from django.urls import reverse

    return reverse(f"ledger:{name}") + f"?year={ledger.year}"


def styled_xlsx(ledger: Ledger) -> int:
    return len(ledger.get(_url("ledger_xlsx", ledger)))


def ledger_csv(ledger: Ledger) -> int:
    return len(ledger.get(_url("ledger_csv", ledger)))


def _one_query(ledger: Ledger):
    """The ledger's rows in the export's columns, in one query, streamed from the
    cursor: number, code, title, area, lead unit, helping units (aggregated in the
    query), leader, key task, start, deadline, deliverable, status, the grade of the
    latest period and the version."""
    from django.db import connection

    from reformledger.ledger.models import Period, Rating, RatingGrade, ReformArea, Task
    from reformledger.orgs.models import Person, Unit

    task, unit, helping = Task._meta.db_table, Unit._meta.db_table, Task.helping_units.through
    if connection.vendor == "postgresql":
        names = "string_agg(u.name, '、' ORDER BY u.path)"
    else:
        names = "group_concat(u.name, '、')"
    latest = (
        Period.objects.filter(ratings__task__office_id=ledger.office_id, year=ledger.year)
        .order_by("-start")
        .values_list("pk", flat=True)
        .first()
    )
    # Table names from the models' own metadata; the values are parameters.
    sql = f"""
        SELECT t.code, t.title, a.name, lu.name,
               (SELECT {names} FROM {helping._meta.db_table} h
                  JOIN {unit} u ON u.id = h.unit_id WHERE h.task_id = t.id),
               p.name, CASE WHEN t.is_key THEN '是' ELSE '否' END, t.start_date, t.deadline,
               t.deliverable_kind, t.status, g.letter, t.version
        FROM {task} t
        JOIN {ReformArea._meta.db_table} a ON a.id = t.area_id
        JOIN {unit} lu ON lu.id = t.lead_unit_id
        LEFT JOIN {Person._meta.db_table} p ON p.id = t.responsible_leader_id
        LEFT JOIN {Rating._meta.db_table} r ON r.task_id = t.id AND r.period_id = %s
        LEFT JOIN {RatingGrade._meta.db_table} g ON g.id = COALESCE(r.final_id, r.suggested_id)
        WHERE t.office_id = %s AND t.year = %s
        ORDER BY t.year, t.code
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [latest, ledger.office_id, ledger.year])
        while chunk := cursor.fetchmany(2000):
            yield from chunk


def bare_xlsx(ledger: Ledger) -> int:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("ledger")
    for n, row in enumerate(_one_query(ledger), start=1):
        ws.append([n, *row])
    out = io.BytesIO()
    wb.save(out)
    return len(out.getvalue())


def bare_csv(ledger: Ledger) -> int:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([n, *row] for n, row in enumerate(_one_query(ledger), start=1))
    return len(out.getvalue().encode("utf-8"))


CASES = [
    Case(
        name="styled xlsx export",
        run=styled_xlsx,
        bound=bare_xlsx,
        goal=1.3,
        memory=True,
        # Flat: the workbook is written row by row to temporary files; at most the
        # spooled download and openpyxl's buffers are held, whatever the row count.
        memory_goal=2.0,
        repeat=3,
    ),
    Case(
        name="CSV export",
        run=ledger_csv,
        bound=bare_csv,
        goal=3.0,
        memory=True,
        memory_goal=3.0,
        repeat=3,
    ),
]
