"""The preview of an import: what the clerk checks before anything is written.

One shape serves the task list and the progress sheet (the pages render it, the
API returns it, the job keeps it as JSON): how the file was read — its columns and
what each holds, the rows skipped and why, how every date was read — what the
import would do, the questions it needs answered (unknown names, the year, the
defaults of columns the sheet lacks), and every error by sheet, row and column.
The preview holds values, not models, so it can be kept and shown later in the
language it was read in.
"""

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from reformledger.exchange.parsing import Table
from reformledger.ledger.choices import DeliverableKind, TaskSource
from reformledger.ledger.documents.task_list import MILESTONE_COLUMNS, TASK_COLUMNS
from reformledger.ledger.models import Period, ReformArea
from reformledger.ledger.selectors.imports import open_period_today

#: At most this many rows of each list are kept in a preview; counts say how many.
LIMIT = 300

_LABELS = {
    "tasks": {c.field: c.label for c in TASK_COLUMNS},
    "milestones": {c.field: c.label for c in MILESTONE_COLUMNS},
}


def _column_rows(table: Table, kind: str, not_written: set[str]) -> list[dict[str, Any]]:
    """Each header cell of a sheet: its letter, its text, and what the import takes it as."""
    labels = _LABELS.get(kind, {})
    fields = {i: f for f, i in table.columns.items()}
    rows = []
    for index, text in sorted(table.header_cells.items()):
        name = fields.get(index, "")
        if not name:
            status = "not_imported"
        elif name in not_written:
            status = "not_written"
        else:
            status = "taken"
        rows.append(
            {
                "index": index,
                "letter": table.letter(index),
                "header": text,
                "field": name,
                "label": str(labels.get(name, "")),
                "status": status,
            }
        )
    return rows


def _skipped(rows) -> list[dict[str, Any]]:
    kinds = {
        "subtotal": _("subtotal or total"),
        "note": _("note"),
        "header": _("repeated header"),
        "section": _("heading"),
    }
    return [
        {
            "sheet": sheet,
            "row": row,
            "kind": kind,
            "why": str(kinds.get(kind, kind)),
            "label": label,
        }
        for sheet, row, kind, label in rows[:LIMIT]
    ]


def _dates(readings) -> list[dict[str, Any]]:
    """Each distinct date text once, with how it was read and where it stands."""
    by_text: dict[str, dict[str, Any]] = {}
    for sheet, row, reading in readings:
        item = by_text.setdefault(
            reading.text,
            {
                "text": reading.text,
                "date": reading.date.isoformat(),
                "how": reading.how,
                "assumed": reading.assumed,
                "rows": [],
            },
        )
        if len(item["rows"]) < 20:
            item["rows"].append({"sheet": sheet, "row": row})
    return sorted(by_text.values(), key=lambda d: (d["date"], d["text"]))[:LIMIT]


def _errors(errors) -> list[dict[str, Any]]:
    return [e.as_dict() for e in errors[:LIMIT]]


def preview_of(check, *, office) -> dict[str, Any]:
    """The preview of a task list (`ledger.services.imports.TaskListCheck`)."""
    from reformledger.ledger.documents.task_list_reading import NOT_WRITTEN

    parsed, changes = check.parsed, check.changes
    readings = [
        (sheet, row, reading) for reading, rows in parsed.readings.values() for sheet, row in rows
    ]
    sheets = [
        {
            "sheet": table.sheet,
            "kind": kind,
            "title": table.title,
            "first_row": table.first_row,
            "columns": _column_rows(table, kind, NOT_WRITTEN),
        }
        for kind, tables in (("tasks", parsed.task_tables), ("milestones", parsed.milestone_tables))
        for table in tables
    ]
    return {
        "kind": "task_list",
        "year": {
            "year": check.year,
            "chosen": check.chosen_year,
            "file": check.file_year,
            "ask": check.file_year is not None and check.file_year != check.chosen_year,
            "settled": check.decisions.year is not None,
        },
        "counts": {
            "create": len(changes.creates),
            "update": len(changes.updates),
            "unchanged": changes.unchanged,
            "plans": len(changes.plans),
            "skipped": len(parsed.skipped),
            "other_ledger": len(changes.other_ledger),
            "errors": len(changes.errors),
            "generated_codes": len(changes.generated_codes),
            "matched_by_title": changes.matched_by_title,
            "conflicts": len(changes.conflicts),
            "kept": changes.kept,
        },
        "sheets": sheets,
        "fields": {
            kind: [{"field": f, "label": str(label)} for f, label in labels.items()]
            for kind, labels in _LABELS.items()
        },
        "skipped": _skipped([(s.sheet, s.row, s.kind, s.label) for s in parsed.skipped]),
        "other_ledger": [
            {
                "sheet": row.table.sheet,
                "row": row.row,
                "code": row.code,
                "title": row.values.get("title", ""),
                "office": other.label,
            }
            for row, other in changes.other_ledger[:LIMIT]
        ],
        "dates": _dates(readings),
        "units": _units(changes),
        "leaders": _leaders(changes),
        "areas": [
            {"text": text, "rows": [{"sheet": s, "row": r} for s, r in where[:20]]}
            for text, where in changes.unknown_areas.items()
        ],
        "choices": _choices(office),
        "defaults": _defaults(changes),
        "sections": [
            {"heading": heading, "area": area.name if area else ""}
            for heading, area in changes.section_areas.items()
        ],
        "codes": [
            {"row": row, "code": code}
            for row, code in list(changes.generated_codes.items())[:LIMIT]
        ],
        "offers": _offers(check, office),
        "conflicts": _conflicts(changes),
        "changes": _changes(changes),
        "errors": _errors(changes.errors),
    }


def _choices(office) -> dict[str, list[dict[str, Any]]]:
    """What the preview's selects offer: areas, deliverable kinds, sources, and the
    units under the office's host (to pick the unit an unknown name stands for)."""
    from reformledger.ledger.documents.task_list_changes import office_host
    from reformledger.orgs.models import Unit

    host = office_host(office)
    units = Unit.objects.filter(is_active=True).exclude(kind="office").order_by("path")
    if host is not None:
        units = units.filter(path__startswith=host.path)
    return {
        "area": [{"value": a.pk, "text": a.name} for a in ReformArea.objects.order_by("order")],
        "deliverable_kind": [{"value": v, "text": str(t)} for v, t in DeliverableKind.choices],
        "source": [{"value": v, "text": str(t)} for v, t in TaskSource.choices],
        "unit": [{"value": u.pk, "text": u.label} for u in units[:3000]],
    }


def _unit_ref(unit) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "label": unit.label, "active": unit.is_active}


def _units(changes) -> list[dict[str, Any]]:
    out = []
    for (column, text), name in changes.units.items():
        m = name.match
        out.append(
            {
                "text": text,
                "column": column,
                "column_label": str(_LABELS["tasks"][column]),
                "status": name.status,
                "how": m.how if m is not None else "",
                "units": [_unit_ref(u) for u in name.units],
                "candidates": [
                    {**_unit_ref(u), "score": round(score, 2)}
                    for u, score in (m.candidates if m is not None else ())
                ],
                "expands": m.expands_to_label if m is not None else "",
                "merged_from": m.merged_from.name if m is not None and m.merged_from else "",
                "merged_on": m.merged_on.isoformat() if m is not None and m.merged_on else "",
                "remember": name.alias,
                "rows": [{"sheet": s, "row": r} for s, r in name.rows[:20]],
                "count": name.count,
            }
        )
    order = {"unknown": 0, "ambiguous": 1, "chosen": 2, "collective": 3, "merged": 4, "found": 5}
    return sorted(out, key=lambda u: (order.get(u["status"], 9), u["text"]))


def _leaders(changes) -> list[dict[str, Any]]:
    out = []
    for text, name in changes.leaders.items():
        person = name.person
        m = name.match
        out.append(
            {
                "text": text,
                "status": name.status,
                "how": m.how if m is not None else "",
                "person": (
                    {"id": getattr(person, "pk", None), "name": person.name, "title": person.title}
                    if person is not None
                    else None
                ),
                "candidates": [
                    {"id": p.pk, "name": p.name, "title": p.title, "score": round(score, 2)}
                    for p, score in (m.candidates if m is not None else ())
                ],
                "rows": [{"sheet": s, "row": r} for s, r in name.rows[:20]],
                "count": name.count,
            }
        )
    order = {"unknown": 0, "ambiguous": 1, "new": 2, "chosen": 3, "found": 4}
    return sorted(out, key=lambda p: (order.get(p["status"], 9), p["text"]))


def _defaults(changes) -> dict[str, Any]:
    """The columns the sheet lacks and the value new tasks take for each."""
    out: dict[str, Any] = {}
    for name, value in changes.defaults.items():
        label = str(_LABELS["tasks"].get(name, name))
        if name == "area":
            out[name] = {
                "label": label,
                "value": value.pk if value else None,
                "text": value.name if value else "",
            }
        elif name == "deliverable_kind":
            out[name] = {"label": label, "value": value, "text": str(DeliverableKind(value).label)}
        elif name == "source":
            out[name] = {"label": label, "value": value, "text": str(TaskSource(value).label)}
        else:
            out[name] = {"label": label, "value": value.isoformat(), "text": value.isoformat()}
    return out


def _offers(check, office) -> list[dict[str, Any]]:
    """Homes for columns the task does not take."""
    offers = []
    tables = check.parsed.task_tables
    progress = next((t.column("progress_text") for t in tables if "progress_text" in t.columns), "")
    if progress:
        period = open_period_today(office, check.year)
        offers.append(
            {
                "key": "progress_drafts",
                "column": progress,
                "available": period is not None,
                "chosen": bool(check.decisions.offers.get("progress_drafts")),
                "text": (
                    _(
                        "Keep each row's progress as a draft report of %(period)s for its lead "
                        "unit to complete and submit (never over a report already written)."
                    )
                    % {"period": period.label}
                    if period is not None
                    else _(
                        "No period of this ledger is open today, so the progress cannot be "
                        "kept as report drafts; it is not imported."
                    )
                ),
            }
        )
    rating = next((t.column("rating") for t in tables if "rating" in t.columns), "")
    if rating:
        offers.append(
            {
                "key": "ratings",
                "column": rating,
                "available": False,
                "chosen": False,
                "text": _(
                    "Ratings are given in the system each period from reported progress "
                    "(the A–E rule); the letters in the file are not imported."
                ),
            }
        )
    return offers


def _shown(value) -> str:
    """A value as the clerk reads it: names for rows, dates as written, 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return "、".join(_shown(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    for name in ("label", "name"):
        if hasattr(value, name) and not isinstance(value, str):
            return str(getattr(value, name))
    return str(value)


def _conflicts(changes) -> list[dict[str, Any]]:
    """Rows whose task changed since the file was exported: each field's value in the
    file and in the ledger, and who changed the task last and when."""
    from reformledger.audit.models import AuditRecord

    if not changes.conflicts:
        return []
    ids = [str(c.task.pk) for c in changes.conflicts]
    last: dict[str, AuditRecord] = {}
    for record in AuditRecord.objects.filter(
        ctx_type="ledger.task", ctx_id__in=ids, verb__startswith="task."
    ).order_by("-id")[: len(ids) * 20]:
        last.setdefault(record.ctx_id, record)
    labels = _LABELS["tasks"]
    out = []
    for c in changes.conflicts[:LIMIT]:
        record = last.get(str(c.task.pk))
        out.append(
            {
                "code": c.task.code,
                "title": c.task.title,
                "sheet": c.row.table.sheet,
                "row": c.row.row,
                "file_version": c.file_version,
                "ledger_version": c.task.version,
                "changed_by": record.actor_label if record is not None else "",
                "changed_at": record.at.isoformat(timespec="minutes") if record is not None else "",
                "fields": [
                    {
                        "field": str(labels.get(name, name)),
                        "file": _shown(value),
                        "ledger": _shown(
                            list(c.task.helping_units.all())
                            if name == "helping_units"
                            else getattr(c.task, name)
                        ),
                    }
                    for name, value in c.changes.items()
                ],
            }
        )
    return out


def _changes(changes) -> list[dict[str, Any]]:
    labels = _LABELS["tasks"]
    out = []
    for c in changes.creates[:LIMIT]:
        out.append(
            {
                "sheet": c.row.table.sheet,
                "row": c.row.row,
                "code": c.fields["code"],
                "title": c.fields.get("title", ""),
                "action": "create",
                "fields": [],
            }
        )
    for u in changes.updates[: max(0, LIMIT - len(out))]:
        out.append(
            {
                "sheet": u.row.table.sheet,
                "row": u.row.row,
                "code": u.task.code,
                "title": u.task.title,
                "action": "update",
                "fields": [str(labels.get(f, f)) for f in u.changes],
            }
        )
    return out


# --- progress reports -----------------------------------------------------------------


def progress_preview_of(check) -> dict[str, Any]:
    """The preview of a progress sheet (`documents.progress_sheet.ProgressCheck`)."""
    from reformledger.ledger.documents.progress_sheet import KINDS

    labels = {kind: {c.field: c.label for c in cols} for kind, cols in KINDS.items()}
    period: Period = check.period
    sheets = []
    for table in check.tables:
        kind = "reached" if "reached_on" in table.columns else "reports"
        rows = []
        fields = {i: f for f, i in table.columns.items()}
        for index, text in sorted(table.header_cells.items()):
            name = fields.get(index, "")
            rows.append(
                {
                    "index": index,
                    "letter": table.letter(index),
                    "header": text,
                    "field": name,
                    "label": str(labels[kind].get(name, "")),
                    "status": "taken" if name else "not_imported",
                }
            )
        sheets.append(
            {
                "sheet": table.sheet,
                "kind": kind,
                "title": table.title,
                "first_row": table.first_row,
                "columns": rows,
            }
        )
    by_sheet: dict[str, int] = defaultdict(int)
    for save in check.saves:
        by_sheet[save.row.table.sheet] += 1
    return {
        "kind": "progress",
        "period": {"id": period.pk, "label": period.label},
        "counts": {
            "save": len(check.saves),
            "unchanged": check.unchanged,
            "skipped": len(check.skipped),
            "errors": len(check.errors),
        },
        "sheets": sheets,
        "skipped": _skipped(check.skipped),
        "dates": _dates(check.readings),
        "changes": [
            {
                "sheet": s.row.table.sheet,
                "row": s.row.row,
                "code": s.task.code,
                "title": s.task.title,
                "percent": s.fields["percent"],
                "reached": len(s.reached),
            }
            for s in check.saves[:LIMIT]
        ],
        "errors": _errors(check.errors),
    }
