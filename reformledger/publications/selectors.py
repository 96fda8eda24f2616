"""Reads of the publications, scoped to what the user may see, in a fixed number of
queries whatever the number of rows; the files themselves are loaded only to be sent."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.ledger.models import Task
from reformledger.publications import permissions
from reformledger.publications.models import GenerationJob, Narrative, Publication, Rendition

#: A version's columns without its files and content (a list never loads them).
LIGHT = ("docx", "pdf", "content")


def publications(user, *, year: int | None = None, kind: str = "", q: str = "") -> QuerySet:
    latest = Rendition.objects.filter(publication=OuterRef("pk")).order_by("-number")
    rows = (
        permissions.visible_publications(user)
        .select_related("office", "period", "submitted_rendition")
        .annotate(
            versions=Count("renditions", distinct=True),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_pdf=Subquery(latest.values("pdf_status")[:1]),
        )
    )
    if year:
        rows = rows.filter(year=year)
    if kind:
        rows = rows.filter(kind=kind)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(document_no__icontains=q))
    return rows


def years_of(user) -> list[int]:
    return list(
        permissions.visible_publications(user)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def publication(user, pk: int) -> Publication:
    found = (
        permissions.visible_publications(user)
        .select_related("office", "period", "submitted_rendition", "submitted_by", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def renditions(pub: Publication) -> QuerySet[Rendition]:
    return (
        Rendition.objects.filter(publication=pub)
        .defer(*LIGHT)
        .select_related("period", "created_by")
        .order_by("-number")
    )


def rendition(user, pk: int, *, files: tuple[str, ...] = ()) -> Rendition:
    """A version the user may see, with the named files loaded (404 otherwise)."""
    visible = permissions.visible_publications(user)
    rows = Rendition.objects.filter(pk=pk, publication__in=visible).select_related(
        "publication__office", "period"
    )
    rows = rows.defer(*[f for f in LIGHT if f not in files])
    found = rows.first()
    if found is None:
        raise Http404
    return found


def year_tasks(pub: Publication) -> QuerySet[Task]:
    """The office's tasks of the publication's year (the highlights' choices)."""
    return (
        Task.objects.filter(office=pub.office, year=pub.year)
        .select_related("lead_unit")
        .order_by("code")
    )


def narrative_versions(pub: Publication, key: str) -> QuerySet[Narrative]:
    return (
        Narrative.objects.filter(publication=pub, key=key)
        .select_related("written_by")
        .order_by("-number")
    )


def latest_job(pub: Publication) -> GenerationJob | None:
    return (
        GenerationJob.objects.filter(publication=pub)
        .select_related("rendition")
        .defer(*[f"rendition__{f}" for f in LIGHT])
        .order_by("-requested_at", "-pk")
        .first()
    )


def job(user, pk: int) -> GenerationJob:
    visible = permissions.visible_publications(user)
    found = (
        GenerationJob.objects.filter(pk=pk, publication__in=visible)
        .select_related("publication", "rendition")
        .defer(*[f"rendition__{f}" for f in LIGHT])
        .first()
    )
    if found is None:
        raise Http404
    return found


def history(pub: Publication) -> QuerySet[AuditRecord]:
    return history_of(pub)
