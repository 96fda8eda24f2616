"""The preview of a work-points document: each draft task beside its source paragraph
with the parts the reader recognised marked, the headings and the role each plays,
the units as written and what they were found to be (the task list's table, the
same answers), and what the reader could not place. Values only, kept as JSON on
the job and returned by the API as they are.
"""

from typing import Any

from django.utils.translation import gettext as _

from reformledger.ledger.documents.task_list_preview import (
    _choices,
    _defaults,
    _errors,
    _leaders,
    _units,
)

#: At most this many drafts are kept in a preview; the counts say how many there are.
LIMIT = 1000
#: Marks that win where two overlap (a deadline inside the title is shown as a deadline).
_PRIORITY = ("title", "target", "deadline", "unread", "lead", "helping", "leader", "label")
_PRIORITY += ("number",)


def segments(line_text: str, spans, line: int) -> list[dict[str, str]]:
    """A line cut into runs of text, each with what it was read as ("" for none)."""
    marks = [""] * len(line_text)
    for kind in _PRIORITY:
        for span in spans:
            if span.line == line and span.kind == kind:
                for i in range(max(span.start, 0), min(span.end, len(marks))):
                    marks[i] = kind
    out: list[dict[str, str]] = []
    for char, mark in zip(line_text, marks, strict=True):
        if out and out[-1]["m"] == mark:
            out[-1]["t"] += char
        else:
            out.append({"t": char, "m": mark})
    return out


def _source(item) -> list[list[dict[str, str]]]:
    return [segments(line.shown, item.spans, i) for i, line in enumerate(item.lines)]


def _draft(draft, check) -> dict[str, Any]:
    item = draft.item
    create = draft.row
    resolved = _resolved(draft, check)
    reading = item.deadline
    return {
        "key": item.key,
        "where": item.where,
        "row": item.row,
        "number": item.number,
        "kind": item.kind,
        "status": draft.status,
        "code": draft.matched.code if draft.matched is not None else draft.code,
        "matched": (
            {
                "by": draft.matched_by,
                "code": draft.matched.code if draft.matched else "",
                "title": draft.matched.title if draft.matched else "",
                "id": draft.matched.pk if draft.matched else None,
            }
            if draft.status == "matched"
            else None
        ),
        "merged_into": draft.merged_into,
        "merged": list(item.merged),
        "split_from": item.edits.get("split_from", ""),
        "edited": sorted(k for k in item.edits if k != "split_from"),
        "heading": draft.heading,
        "parent": draft.parent,
        "area": draft.area.name if draft.area is not None else "",
        "source": _source(item),
        "traditional": item.traditional,
        "title": item.title,
        "description": create.values.get("description", "") if create else item.description,
        "lead": list(item.lead),
        "helping": list(item.helping),
        "units_from": item.units_from,
        "lead_unit": resolved["lead"],
        "helping_units": resolved["helping"],
        "leader": item.leader,
        "deadline": (
            {
                "date": reading.date.isoformat(),
                "how": reading.how,
                "assumed": reading.assumed,
                "text": reading.text,
            }
            if reading is not None
            else None
        ),
        "deadlines": [
            {"text": d.text, "date": d.date.isoformat(), "how": d.how} for d in item.deadlines
        ],
        "unread": [{"text": t, "why": why} for t, why in item.unread],
        "targets": list(item.targets),
        "sentences": item.sentences() if draft.status == "new" else [],
        "errors": [
            e.message
            for e in check.errors
            if e.sheet == item.where and e.row == item.row and draft.status == "new"
        ],
    }


def _resolved(draft, check) -> dict[str, Any]:
    """The units the draft's names were found to be (a name not settled is None)."""
    if draft.status != "new" or draft.row is None:
        return {"lead": None, "helping": []}
    names = check.changes.units
    lead = None
    if draft.lead_chosen is not None:
        lead = {"id": draft.lead_chosen.pk, "name": draft.lead_chosen.name, "chosen": True}
    else:
        for text in draft.row.values["lead_unit"][:1]:
            name = names.get(("lead_unit", text))
            if name is not None and len(name.units) == 1 and name.status != "collective":
                lead = {"id": name.units[0].pk, "name": name.units[0].name, "chosen": False}
    helping = []
    for column, texts in (
        ("lead_unit", draft.row.values["lead_unit"][1:]),
        ("helping_units", draft.row.values["helping_units"]),
    ):
        for text in texts:
            name = names.get((column, text))
            for unit in name.units if name is not None else []:
                if lead is None or unit.pk != lead["id"]:
                    helping.append(unit.name)
    return {"lead": lead, "helping": list(dict.fromkeys(helping))}


def preview_of(check, *, office) -> dict[str, Any]:
    """The preview of a work-points document (`services.work_points.WorkPointsCheck`)."""
    read, changes, drafts = check.read, check.changes, check.drafts
    chosen_codes = {d.lead_chosen.code for d in drafts if d.lead_chosen is not None}
    units = [
        u
        for u in _units(changes)
        if not (u["column"] == "lead_unit" and u["text"] in chosen_codes and u["how"] == "code")
    ]
    counts = {status: sum(1 for d in drafts if d.status == status) for status in _STATUSES}
    taken = check.answers.take
    loose = [
        {
            "key": s.key,
            "row": s.row,
            "text": s.text,
            "under": read.headings[s.under].name if s.under in read.headings else "",
            "taken": s.key in taken,
        }
        for s in read.strays
        if s.looks or s.key in taken
    ]
    no_lead = [
        {"key": d.item.key, "row": d.item.row, "where": d.item.where, "title": d.item.title}
        for d in drafts
        if d.status == "new" and not d.item.lead and d.lead_chosen is None
    ]
    unread = [
        {"key": d.item.key, "row": d.item.row, "text": text, "why": why}
        for d in drafts
        for text, why in d.item.unread
    ]
    indicators = [
        {"key": d.item.key, "row": d.item.row, "title": d.item.title, "target": target}
        for d in drafts
        if d.status == "new"
        for target in d.item.targets
    ]
    return {
        "kind": "work_points",
        "document": {
            "title": read.title,
            "document_no": read.document_no,
            "issued_on": read.issued_on.isoformat() if read.issued_on else "",
            "kind": read.kind,
            "traditional": read.traditional,
            "paragraphs": read.blocks,
        },
        "programme": (
            {"exists": True, "id": check.programme.pk, "title": check.programme.title}
            if check.programme is not None
            else {"exists": False, "id": None, "title": read.title}
        ),
        "year": {
            "year": check.year,
            "chosen": check.chosen_year,
            "file": check.file_year,
            "ask": check.file_year is not None and check.file_year != check.chosen_year,
            "settled": check.answers.base.year is not None,
        },
        "counts": {
            "items": len(read.items),
            "create": counts["new"],
            "matched": counts["matched"],
            "dropped": counts["dropped"],
            "merged": counts["merged"],
            "headings": len(read.headings),
            "loose": len(loose),
            "no_lead": len(no_lead),
            "unread": len(unread),
            "indicators": len(indicators),
            "errors": len(changes.errors),
        },
        "headings": _headings(check),
        "drafts": [_draft(d, check) for d in drafts[:LIMIT]],
        "units": units,
        "leaders": _leaders(changes),
        "choices": _choices(office),
        "defaults": {k: v for k, v in _defaults(changes).items() if k != "deadline"},
        "unplaced": {"no_lead": no_lead, "loose": loose, "unread": unread},
        "others": [
            {"row": s.row, "text": s.text[:200]}
            for s in read.strays
            if not (s.looks or s.key in taken)
        ][:LIMIT],
        "indicators": indicators[:LIMIT],
        "tables": read.tables,
        "errors": _errors(changes.errors),
        "notes": _notes(check),
    }


_STATUSES = ("new", "matched", "dropped", "merged")


def _headings(check) -> list[dict[str, Any]]:
    out = []
    for key, heading in check.read.headings.items():
        role, area = check.roles[key]
        out.append(
            {
                "key": key,
                "row": heading.row,
                "number": heading.number,
                "name": heading.name,
                "level": heading.level,
                "depth": len(heading.path),
                "role": role,
                "value": f"area:{area.pk}" if area is not None else role,
                "area": area.name if area is not None else "",
                "area_id": area.pk if area is not None else None,
                "items": len(heading.children),
                "units": "、".join(heading.units.settled()[0]),
            }
        )
    return out


def _notes(check) -> list[str]:
    notes = []
    if check.read.traditional:
        notes.append(
            _(
                "The document is written in traditional characters: it was read in simplified "
                "ones, and the drafts are written in simplified characters."
            )
        )
    return notes
