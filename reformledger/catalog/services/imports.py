"""Importing departments' lists into a draft edition, all or nothing.

The workbook is read first (`documents.read_lists`); any error refuses it whole and
nothing is written. Each department's part the file holds then replaces that part of
the edition, unless its rows are the ones already there (compared field by field,
in their folded form), in which case nothing at all is written for it: importing the
same file twice changes nothing the second time, not even the audit trail. A part
written again waits for the office's review again.

Through the pages the import is an import job (`exchange.jobs`): upload, a preview of
what each department's part becomes, the clerk's confirmation, then the write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.catalog import permissions
from reformledger.catalog.choices import ListKind, PartStatus
from reformledger.catalog.compare import text_key
from reformledger.catalog.documents import (
    ROW_FIELDS,
    ListCheck,
    PartRows,
    RowItem,
    fingerprint_of,
    read_lists,
)
from reformledger.catalog.models import Edition, Item, Part
from reformledger.core.clock import business_now
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.jobs import JobKind, Progress, ReviewAgain
from reformledger.exchange.models import ImportJob
from reformledger.orgs.models import Unit

__all__ = ["LISTS_JOB", "ImportResult", "job_kind", "lists_check", "lists_import"]

#: The kind of import job of a department's lists.
LISTS_JOB = "catalog_lists"
#: How many rows of each kind a preview shows.
LIMIT = 200


@dataclass
class PartPlan:
    """What importing does to one department's part: write it (new or changed) or
    leave it (unchanged)."""

    rows: PartRows
    part: Part | None
    unchanged: bool
    before: int = 0  # main items in the part now
    added: list[str] = field(default_factory=list)  # codes/names not in the part now
    removed: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    parts_written: int = 0
    parts_unchanged: int = 0
    items: int = 0
    sub_items: int = 0

    def as_dict(self) -> dict:
        return {
            "parts_written": self.parts_written,
            "parts_unchanged": self.parts_unchanged,
            "items": self.items,
            "sub_items": self.sub_items,
        }


def _db_canonical(items: list[Item]) -> list:
    """The part's items in the form `RowItem.canonical` gives the file's rows."""
    subs: dict[int, list[Item]] = {}
    for item in items:
        if item.parent_id:
            subs.setdefault(item.parent_id, []).append(item)

    def one(item: Item) -> list:
        values = []
        for name in ROW_FIELDS[ListKind(item.list_kind)]:
            if name == "item_type":
                values.append(item.item_type.code if item.item_type_id else "")
            else:
                values.append(text_key(getattr(item, name)))
        return values

    return [
        [one(item), [[one(s), []] for s in subs.get(item.pk, [])]]
        for item in items
        if item.parent_id is None
    ]


def _label(values: list) -> str:
    return " ".join(str(v) for v in values[:2] if v)


def plan(check: ListCheck) -> list[PartPlan]:
    """Compare each part the file holds with the edition's (three queries)."""
    edition = check.edition
    parts = {
        (p.department_id, p.list_kind): p
        for p in Part.objects.filter(edition=edition).select_related("department")
    }
    items: dict[int, list[Item]] = {}
    for item in (
        Item.objects.filter(edition=edition).select_related("item_type").order_by("position", "pk")
    ):
        items.setdefault(item.part_id, []).append(item)
    plans = []
    for rows in check.parts:
        part = parts.get((rows.department.pk, rows.list_kind))
        now = _db_canonical(items.get(part.pk, [])) if part else []
        new = [i.canonical() for i in rows.items]
        unchanged = part is not None and fingerprint_of(now) == fingerprint_of(new)
        old_keys = {_label(c[0]) for c in now}
        new_keys = {_label(c[0]) for c in new}
        plans.append(
            PartPlan(
                rows=rows,
                part=part,
                unchanged=unchanged,
                before=len(now),
                added=sorted(new_keys - old_keys),
                removed=sorted(old_keys - new_keys),
            )
        )
    return plans


def lists_check(
    *,
    by,
    edition: Edition,
    data: bytes,
    file_name: str,
    department: Unit | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ListCheck, list[PartPlan]]:
    """Read the file and say what importing it would do; writes nothing."""
    edition = Edition.objects.select_related("office", "jurisdiction").get(pk=edition.pk)
    permissions.require(by, "view", edition)
    if not edition.is_draft:
        raise ImportRefused(
            [CellError(message=_("This edition is published: it no longer changes."))]
        )
    permissions.require(by, "manage", edition)
    check = read_lists(data, file_name, edition, department=department, progress=progress)
    _codes_elsewhere(check)
    return check, ([] if check.errors else plan(check))


def _codes_elsewhere(check: ListCheck) -> None:
    """A code the file gives must not belong to another department's part that the
    file does not replace."""
    replaced = {(p.department.pk, p.list_kind) for p in check.parts}
    wanted: dict[tuple[str, str], RowItem] = {}
    for part in check.parts:
        for item in part.items:
            for row in (item, *item.sub_items):
                if row.fields.get("code"):
                    wanted[(row.list_kind, row.fields["code"])] = row
    if not wanted:
        return
    taken = Item.objects.filter(
        edition=check.edition, code__in={code for _kind, code in wanted}
    ).values_list("list_kind", "code", "department_id", "department__name")
    for list_kind, code, department_id, department_name in taken:
        row = wanted.get((list_kind, code))
        if row is None or (department_id, list_kind) in replaced:
            continue
        check.errors.append(
            CellError(
                message=_("The code %(code)s is already an item of %(department)s in this edition.")
                % {"code": code, "department": department_name},
                sheet=row.sheet,
                row=row.row,
            )
        )


def _new_items(part: Part, rows: PartRows) -> tuple[int, int]:
    """Write a part's items: main items first (their ids are needed), then sub-items."""
    common = {
        "part": part,
        "edition_id": part.edition_id,
        "department_id": part.department_id,
        "list_kind": part.list_kind,
    }

    def build(row: RowItem, position: int, parent: Item | None = None) -> Item:
        values = {k: v for k, v in row.fields.items() if k in _ITEM_FIELDS}
        return Item(
            **common,
            **values,
            parent=parent,
            position=position,
            source_row=row.row,
        )

    mains = Item.objects.bulk_create(
        [build(row, position) for position, row in enumerate(rows.items, start=1)]
    )
    subs = [
        build(sub, position, parent=main)
        for main, row in zip(mains, rows.items, strict=True)
        for position, sub in enumerate(row.sub_items, start=1)
    ]
    Item.objects.bulk_create(subs)
    return len(mains), len(subs)


_ITEM_FIELDS = {f.name for f in Item._meta.get_fields()} - {"pk", "id"}


@transaction.atomic
def lists_apply(*, by, check: ListCheck, plans: list[PartPlan]) -> ImportResult:
    """Write the parts a checked file changes, each with its audit record."""
    edition = Edition.objects.select_for_update().get(pk=check.edition.pk)
    permissions.require(by, "manage", edition)
    if not edition.is_draft:
        raise ImportRefused(
            [CellError(message=_("This edition is published: it no longer changes."))]
        )
    result = ImportResult()
    now = business_now()
    for one in plans:
        if one.unchanged:
            result.parts_unchanged += 1
            continue
        part = one.part
        if part is None:
            part = Part.objects.create(
                edition=edition, department=one.rows.department, list_kind=one.rows.list_kind
            )
        else:
            part.items.all().delete()
        part.status = PartStatus.IMPORTED
        part.reviewed_by = None
        part.reviewed_at = None
        part.file_name = check.file_name[:255]
        part.file_hash = check.file_hash
        part.imported_at = now
        part.save()
        mains, subs = _new_items(part, one.rows)
        result.parts_written += 1
        result.items += mains
        result.sub_items += subs
        audit.record(
            actor=by,
            verb="catalog.part_imported",
            obj=part,
            ctx=edition,
            changes={
                "department": str(part.department),
                "list": part.list_kind,
                "file": check.file_name,
                "items": [one.before, mains],
                "sub_items": subs,
                "added": len(one.added),
                "removed": len(one.removed),
            },
        )
    return result


def lists_import(
    *,
    by,
    edition: Edition,
    data: bytes,
    file_name: str,
    department: Unit | None = None,
) -> ImportResult:
    """Read and import a workbook in one go (the API, the demo): ImportRefused with
    every error when anything is wrong, and then nothing is written."""
    with transaction.atomic():
        check, plans = lists_check(
            by=by, edition=edition, data=data, file_name=file_name, department=department
        )
        if check.errors:
            raise ImportRefused(check.errors)
        return lists_apply(by=by, check=check, plans=plans)


# --- the import job ---------------------------------------------------------------


def job_params(*, edition: Edition, department: Unit | None) -> dict:
    return {
        "params": {"edition": edition.pk, "department": department.pk if department else None},
        "scope": f"catalog:{edition.pk}",
    }


def _job_check(job: ImportJob, data: bytes, progress: Progress):
    edition = Edition.objects.select_related("jurisdiction", "office").get(pk=job.params["edition"])
    department = (
        Unit.objects.get(pk=job.params["department"]) if job.params.get("department") else None
    )
    try:
        return lists_check(
            by=job.created_by,
            edition=edition,
            data=data,
            file_name=job.file_name,
            department=department,
            progress=progress,
        )
    except PermissionDenied:
        raise ImportRefused(
            [CellError(message=_("You may not import into this edition."))]
        ) from None


def preview_of(check: ListCheck, plans: list[PartPlan]) -> dict:
    why = {
        "subtotal": _("a total"),
        "note": _("a note"),
        "header": _("the headers again"),
        "blank": _("blank"),
    }
    return {
        "edition": {"id": check.edition.pk, "title": check.edition.title},
        "counts": {
            "parts": len(plans),
            "write": sum(1 for p in plans if not p.unchanged),
            "unchanged": sum(1 for p in plans if p.unchanged),
            "items": sum(p.rows.count for p in plans),
            "sub_items": sum(p.rows.sub_count for p in plans),
            "skipped": len(check.skipped),
            "errors": len(check.errors),
        },
        "sheets": check.sheets,
        "parts": [
            {
                "department": str(p.rows.department),
                "list": str(ListKind(p.rows.list_kind).label),
                "before": p.before,
                "after": p.rows.count,
                "sub_items": p.rows.sub_count,
                "unchanged": p.unchanged,
                "added": p.added[:20],
                "removed": p.removed[:20],
                "more_added": max(0, len(p.added) - 20),
                "more_removed": max(0, len(p.removed) - 20),
            }
            for p in plans
        ],
        "skipped": [
            {"sheet": s, "row": n, "why": str(why.get(kind, kind)), "label": label}
            for s, n, kind, label in check.skipped[:LIMIT]
        ],
        "errors": [e.as_dict() for e in check.errors[:LIMIT]],
    }


def _check(job: ImportJob, data: bytes, progress: Progress) -> dict:
    return preview_of(*_job_check(job, data, progress))


def _apply(job: ImportJob, data: bytes, progress: Progress, applying) -> dict:
    check, plans = _job_check(job, data, progress)
    if check.errors:
        raise ReviewAgain(preview_of(check, plans))
    applying()
    return lists_apply(by=job.created_by, check=check, plans=plans).as_dict()


def job_kind() -> JobKind:
    """The lists' import, registered with the job machinery in CatalogConfig.ready."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    return JobKind(
        key=LISTS_JOB,
        label=gettext_lazy("Power and service lists"),
        check=_check,
        apply=_apply,
        refused=audit.import_refused,
        preview_template="catalog/_import_preview.html",
        result_template="catalog/_import_result.html",
        again_url=lambda job: reverse("catalog:import", args=[job.params["edition"]]),
    )
