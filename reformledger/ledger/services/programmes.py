"""The year's work programme (年度工作要点): the programme, the documents it was read
from, and its points. Each act checks permission and writes its audit record in
the same transaction; the tasks broken out of the points are made by `task_create`.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from reformledger.audit import services as audit
from reformledger.ledger import permissions
from reformledger.ledger.evidence import CONTENT_TYPES, clean_name
from reformledger.ledger.models import ProgrammeDocument, WorkPoint, WorkProgramme
from reformledger.orgs.models import Unit


@dataclass(frozen=True)
class PointDraft:
    """A point to record: its paragraph as written, the headings above it, and the
    hash a later upload of the same document finds it by."""

    text: str
    heading: str
    source_hash: str


def _require_office(by, office: Unit) -> None:
    if not permissions.can_create_task(by, office):
        raise PermissionDenied("work_programme")


@transaction.atomic
def work_programme_create(
    *, by, office: Unit, year: int, title: str, document_no: str = "", issued_on=None
) -> WorkProgramme:
    """Start an office's work programme for a year (one per office and year)."""
    _require_office(by, office)
    programme = WorkProgramme.objects.create(
        office=office,
        year=year,
        title=title[:200],
        document_no=document_no[:60],
        issued_on=issued_on,
    )
    audit.record(
        actor=by,
        verb="work_programme.created",
        obj=programme,
        changes={
            "title": [None, programme.title],
            "document_no": [None, programme.document_no],
            "issued_on": [None, str(issued_on or "")],
            "year": [None, year],
        },
    )
    return programme


@transaction.atomic
def programme_document_store(
    *,
    by,
    programme: WorkProgramme,
    data: bytes,
    file_name: str,
    title: str = "",
    document_no: str = "",
    issued_on=None,
) -> tuple[ProgrammeDocument, bool]:
    """Keep an uploaded work-points document (under MEDIA_ROOT, a random name) so the
    tasks drafted from it can offer it; the same bytes again are the same document.
    Returns (document, created)."""
    _require_office(by, programme.office)
    digest = hashlib.sha256(data).hexdigest()
    existing = ProgrammeDocument.objects.filter(programme=programme, sha256=digest).first()
    if existing is not None:
        return existing, False
    name = clean_name(file_name) or "document.txt"
    suffix = PurePosixPath(name).suffix.lower()
    document = ProgrammeDocument(
        programme=programme,
        title=title[:200],
        document_no=document_no[:60],
        issued_on=issued_on,
        original_name=name,
        size=len(data),
        content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"),
        sha256=digest,
        uploaded_by=by,
    )
    document.file.save(name, ContentFile(data), save=False)
    try:
        document.save()
        audit.record(
            actor=by,
            verb="work_points.document_stored",
            obj=document,
            ctx=programme,
            changes={
                "file": [None, name],
                "size": [None, len(data)],
                "sha256": [None, digest],
            },
        )
    except Exception:
        document.file.delete(save=False)  # the row failed: leave no file behind
        raise
    return document, True


@transaction.atomic
def work_points_add(
    *,
    by,
    programme: WorkProgramme,
    document: ProgrammeDocument | None,
    points: Iterable[PointDraft],
) -> list[WorkPoint]:
    """Record points of the programme, numbered after those it has."""
    _require_office(by, programme.office)
    points = list(points)
    if not points:
        return []
    last = programme.points.aggregate(last=Max("number"))["last"] or 0
    rows = WorkPoint.objects.bulk_create(
        WorkPoint(
            programme=programme,
            number=last + i,
            text=p.text,
            heading=p.heading[:300],
            document=document,
            source_hash=p.source_hash,
        )
        for i, p in enumerate(points, start=1)
    )
    if not all(row.pk for row in rows):  # databases that give no ids back on bulk insert
        rows = list(programme.points.filter(number__gt=last).order_by("number"))
    audit.record(
        actor=by,
        verb="work_points.recorded",
        obj=programme,
        changes={
            "points": [None, len(rows)],
            "numbers": [None, f"{last + 1}–{last + len(rows)}"],
            "document": [None, document.original_name if document else ""],
        },
    )
    return rows


def programme_document_open(*, document: ProgrammeDocument, task, by) -> File:
    """Open a work-points document for download by someone who may see `task`, a task
    drafted from it, recording the download in that task's history."""
    if task.work_point is None or task.work_point.document_id != document.pk:
        raise PermissionDenied("work_points_document")
    if not permissions.can(by, "view", task):
        raise PermissionDenied("work_points_document")
    handle = document.file.open("rb")
    audit.record(
        actor=by,
        verb="work_points.document_downloaded",
        obj=document,
        ctx=task,
        changes={"sha256": [None, document.sha256]},
    )
    return handle
