"""Every act on the year's publications: starting one, writing its narrative sections,
choosing its highlights, generating it (on the queue: figures → Word → PDF, with its
progress) and submitting the report upward (报送).

Each act checks the permission first, refuses what the publication's state does not
allow (ConflictError, nothing changed) and writes its audit record in the same
transaction. A generation that finds the content unchanged gives the same version back;
new content is a new version, never an overwrite; a submitted publication is frozen.
"""

import datetime as dt
import hashlib
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.audit import services as audit
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.exchange import pdf as pdfs
from reformledger.exchange.docx_layout import place_of
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period, Task
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.publications import permissions
from reformledger.publications.choices import JobStatus, PdfStatus, PublicationStatus
from reformledger.publications.content import data
from reformledger.publications.content.blocks import content_hash, headings
from reformledger.publications.content.render import fingerprint, render
from reformledger.publications.kinds import KINDS
from reformledger.publications.models import GenerationJob, Narrative, Publication, Rendition

logger = logging.getLogger(__name__)

__all__ = [
    "current_narratives",
    "frozen_period",
    "generation_request",
    "generation_run",
    "highlights_set",
    "narrative_write",
    "publication_create",
    "publication_edit",
    "publication_submit",
    "sections_of",
]

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_NARRATIVE = 20_000


def _record(*, changes: dict | None = None, **fields) -> None:
    audit.record(changes={**(changes or {}), "acted_on": business_today().isoformat()}, **fields)


def _check_open(publication: Publication) -> None:
    if publication.status == PublicationStatus.SUBMITTED:
        raise ConflictError(
            _("%(title)s was submitted on %(day)s: the submitted version is frozen.")
            % {"title": publication.title, "day": publication.submitted_on}
        )


def frozen_period(office: Unit, year: int, period: Period | None = None) -> Period:
    """`period` (of the office's `year`), or the year's last period; it must be closed
    (frozen), since the figures are read as of it. A ValidationError names it otherwise."""
    if period is None:
        period = Period.objects.filter(office=office, year=year).order_by("-number").first()
        if period is None:
            raise ValidationError(
                {"period": _("The office has no reporting period in %(year)s.") % {"year": year}}
            )
    elif period.office_id != office.pk or period.year != year:
        raise ValidationError(
            {
                "period": _("The period %(period)s is not one of the office's %(year)s.")
                % {"period": period.label, "year": year}
            }
        )
    if period.status != PeriodStatus.CLOSED:
        raise ValidationError(
            {
                "period": _(
                    "The period %(period)s is not closed yet: the figures are read as of a "
                    "closed (frozen) period."
                )
                % {"period": period.label}
            }
        )
    return period


def sections_of(publication: Publication):
    """The narrative sections the publication has (the report has one per reform area
    of the year's tasks; one query)."""
    areas = data.year_areas(publication.office, publication.year)
    return KINDS[publication.kind].sections(areas)


def current_narratives(publication: Publication) -> dict[str, Narrative]:
    """The newest version of each narrative section (one query)."""
    out: dict[str, Narrative] = {}
    for n in Narrative.objects.filter(publication=publication).order_by("key", "-number"):
        out.setdefault(n.key, n)
    return out


@transaction.atomic
def publication_create(
    *,
    office: Unit,
    year: int,
    kind: str,
    by,
    period: Period | None = None,
    title: str = "",
    document_no: str = "",
    issued_on: dt.date | None = None,
) -> Publication:
    """Start the office's publication of `kind` for `year`, its figures as of `period`
    (the year's last period by default, which must be closed)."""
    permissions.require_office(by, "write", office)
    if office.kind != UnitKind.OFFICE:
        raise ValidationError({"office": _("Publications are made by a reform office.")})
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose a kind of publication.")})
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {"year": _("Give a year from %(a)s to %(b)s.") % {"a": FIRST_YEAR, "b": LAST_YEAR}}
        )
    if Publication.objects.filter(office=office, year=year, kind=kind).exists():
        raise ConflictError(
            _("The office already has this publication for %(year)s.") % {"year": year}
        )
    period = frozen_period(office, year, period)
    title = (title or "").strip()[:200] or KINDS[kind].title(place_of(office), year)
    publication = Publication.objects.create(
        office=office,
        year=year,
        kind=kind,
        title=title,
        period=period,
        document_no=(document_no or "").strip()[:100],
        issued_on=issued_on,
        created_by=by,
    )
    _record(
        actor=by,
        verb="publication.created",
        obj=publication,
        changes={"title": [None, title], "kind": [None, kind], "period": [None, period.label]},
    )
    return publication


@transaction.atomic
def publication_edit(
    *,
    publication: Publication,
    by,
    title: str,
    document_no: str,
    issued_on: dt.date | None,
    period: Period | None = None,
) -> Publication:
    """Change the front matter (title, document number, date) or the period the figures
    are read as of."""
    permissions.require(by, "write", publication)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    _check_open(publication)
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": _("Give the publication a title.")})
    new_period = frozen_period(publication.office, publication.year, period or publication.period)
    changes = {}
    for field, value in (
        ("title", title),
        ("document_no", (document_no or "").strip()[:100]),
        ("issued_on", issued_on),
    ):
        old = getattr(publication, field)
        if old != value:
            changes[field] = [str(old or ""), str(value or "")]
            setattr(publication, field, value)
    if new_period.pk != publication.period_id:
        changes["period"] = [publication.period.label, new_period.label]
        publication.period = new_period
    if changes:
        publication.version += 1
        publication.save()
        _record(actor=by, verb="publication.edited", obj=publication, changes=changes)
    return publication


@transaction.atomic
def narrative_write(*, publication: Publication, key: str, text: str, by) -> Narrative | None:
    """A new version of narrative section `key` (the newest is the one used); the same
    text as the newest version writes nothing. Only the narrative sections can be
    written: figures and tables are generated."""
    permissions.require(by, "write", publication)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    _check_open(publication)
    keys = {s.key: s for s in sections_of(publication)}
    if key not in keys:
        raise ValidationError(
            {
                "key": _(
                    "%(key)s is not a narrative section of this publication: figures and "
                    "tables are generated from the ledger and cannot be written."
                )
                % {"key": key}
            }
        )
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_NARRATIVE:
        raise ValidationError(
            {"text": _("Keep a section under %(n)s characters.") % {"n": MAX_NARRATIVE}}
        )
    newest = current_narratives(publication).get(key)
    if newest is not None and newest.text == text:
        return None
    number = (newest.number if newest else 0) + 1
    narrative = Narrative.objects.create(
        publication=publication, key=key, number=number, text=text, written_by=by
    )
    _record(
        actor=by,
        verb="publication.narrative_written",
        obj=publication,
        changes={
            "section": [None, keys[key].label],
            "number": [None, number],
            "length": [None, len(text)],
        },
    )
    return narrative


@transaction.atomic
def highlights_set(*, publication: Publication, tasks: list[int], by) -> list[Task]:
    """Choose the highlights (亮点) of a compendium among the year's tasks."""
    permissions.require(by, "write", publication)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    _check_open(publication)
    ids = sorted({int(t) for t in tasks})
    chosen = list(Task.objects.filter(office=publication.office, year=publication.year, pk__in=ids))
    missing = set(ids) - {t.pk for t in chosen}
    if missing:
        raise ValidationError(
            {
                "tasks": _("Not tasks of the office's year: %(ids)s")
                % {"ids": ", ".join(str(i) for i in sorted(missing))}
            }
        )
    before = sorted(publication.highlights.values_list("pk", flat=True))
    if before != ids:
        publication.highlights.set(chosen)
        _record(
            actor=by,
            verb="publication.highlights_set",
            obj=publication,
            changes={"highlights": [before, ids]},
        )
    return chosen


# --- generating ------------------------------------------------------------------------


def assemble(publication: Publication) -> dict:
    """The publication's content as of its period, with the newest narrative versions:
    every figure drawn from the ledger now (see content/)."""
    year = data.year_facts(publication.office, publication.year, publication.period)
    narratives = {k: n.text for k, n in current_narratives(publication).items()}
    content = KINDS[publication.kind].build(publication, year, narratives).as_dict()
    content["fonts"] = fingerprint()
    return content


def generation_request(
    *,
    publication: Publication,
    by,
    make_pdf: bool = True,
    language: str = "zh-hans",
    inline: bool = False,
) -> GenerationJob:
    """Ask for the publication to be generated; it runs on the queue (the page shows its
    progress), or in this process when `inline` (a command such as the demo's). Returns
    the job, already run when the queue runs inline."""
    with transaction.atomic():
        permissions.require(by, "write", publication)
        _check_open(publication)
        running = GenerationJob.objects.filter(
            publication=publication, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
        ).first()
        if running is not None:
            return running
        job = GenerationJob.objects.create(
            publication=publication, requested_by=by, make_pdf=make_pdf, language=language
        )
        _record(
            actor=by,
            verb="publication.generation_requested",
            obj=publication,
            changes={"pdf": [None, make_pdf]},
        )
    if inline:
        generation_run(job_id=job.pk)
    else:
        from reformledger.publications.jobs import dispatch

        dispatch(job)
    job.refresh_from_db()
    return job


def _step(job: GenerationJob, step: str, progress: int) -> None:
    GenerationJob.objects.filter(pk=job.pk).update(step=step[:100], progress=progress)


def generation_run(*, job_id: int) -> GenerationJob | None:
    """Run a queued generation: the figures, the Word document (a new version unless the
    content is unchanged), then the PDF. A job already taken is not run twice."""
    claimed = GenerationJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING
    )
    if not claimed:
        return None
    job = GenerationJob.objects.select_related("publication__office", "requested_by").get(pk=job_id)
    publication = job.publication
    end: dict = {"status": JobStatus.DONE, "progress": 100}
    with override(job.language):
        try:
            _step(job, _("Drawing the figures from the ledger"), 10)
            content = assemble(publication)
            digest = content_hash(content)
            rendition = Rendition.objects.filter(
                publication=publication, content_hash=digest
            ).first()
            if rendition is not None:
                end["unchanged"] = True
            else:
                _step(job, _("Writing the Word document"), 40)
                rendition = _new_rendition(job, content, digest)
            end["rendition"] = rendition
            if job.make_pdf and rendition.pdf_status != PdfStatus.READY:
                _step(job, _("Laying out the pages and writing the PDF"), 60)
                _make_pdf(rendition, job)
        except Exception as exc:  # the job records what went wrong; the page says it
            logger.exception("generation %s failed", job.pk)
            end = {"status": JobStatus.FAILED, "error": _message(exc), "progress": 100}
    GenerationJob.objects.filter(pk=job.pk).update(**end, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    if isinstance(exc, (ConflictError, pdfs.ConversionError)):
        return str(exc)
    return _("The generation stopped on an unexpected error; nothing was changed.")


@transaction.atomic
def _new_rendition(job: GenerationJob, content: dict, digest: str) -> Rendition:
    publication = Publication.objects.select_for_update().get(pk=job.publication_id)
    _check_open(publication)
    docx = render(content)
    number = (
        Rendition.objects.filter(publication=publication).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    rendition = Rendition.objects.create(
        publication=publication,
        number=number,
        period=publication.period,
        content=content,
        content_hash=digest,
        docx=docx,
        docx_hash=hashlib.sha256(docx).hexdigest(),
        docx_size=len(docx),
        created_by=job.requested_by,
    )
    _record(
        actor=job.requested_by,
        verb="publication.generated",
        obj=publication,
        changes={
            "number": [None, number],
            "period": [None, publication.period.label],
            "content_hash": [None, digest],
        },
    )
    return rendition


def heading_pages(content: dict, pages: list[str]) -> dict[str, int]:
    """The page each contents entry falls on, read from a laid-out PDF's page texts: the
    contents list every heading, so the body starts after the page holding the last
    entry; each heading is then looked for from the page of the one before."""
    entries = headings(content)
    if not entries:
        return {}
    squeezed = ["".join(text.split()) for text in pages]

    def find(text: str, start: int) -> int | None:
        needle = "".join(text.split())
        for i in range(start, len(squeezed)):
            if needle in squeezed[i]:
                return i
        return None

    last_contents = find(entries[-1][1], 1)
    cursor = (last_contents or 0) + 1
    out: dict[str, int] = {}
    for _level, text in entries:
        found = find(text, cursor)
        if found is None:
            continue
        out[text] = found + 1
        cursor = found
    return out


def _make_pdf(rendition: Rendition, job: GenerationJob) -> None:
    """The PDF of a version, its contents paginated: a first layout counts the pages of
    the headings, the second writes them into the contents."""
    Rendition.objects.filter(pk=rendition.pk).update(pdf_status=PdfStatus.MAKING)
    if pdfs.soffice_path() is None:
        Rendition.objects.filter(pk=rendition.pk).update(
            pdf_status=PdfStatus.UNAVAILABLE,
            pdf_error=_("LibreOffice is not installed on the server: the PDF cannot be made."),
        )
        return
    try:
        first = pdfs.docx_to_pdf(bytes(rendition.docx))
        numbers = heading_pages(rendition.content, pdfs.pdf_page_texts(first))
        _step(job, _("Writing the PDF with the contents' page numbers"), 80)
        pdf = pdfs.docx_to_pdf(render(rendition.content, page_numbers=numbers))
        pages = len(pdfs.pdf_page_texts(pdf))
    except pdfs.ConversionError as exc:
        Rendition.objects.filter(pk=rendition.pk).update(
            pdf_status=PdfStatus.FAILED, pdf_error=str(exc)
        )
        return
    with transaction.atomic():
        Rendition.objects.filter(pk=rendition.pk).update(
            pdf=pdf, pdf_status=PdfStatus.READY, pdf_size=len(pdf), pdf_pages=pages, pdf_error=""
        )
        _record(
            actor=job.requested_by,
            verb="publication.pdf_made",
            obj=rendition.publication,
            changes={"number": [None, rendition.number], "pages": [None, pages]},
        )
    rendition.refresh_from_db()


# --- submitting ------------------------------------------------------------------------


@transaction.atomic
def publication_submit(
    *,
    publication: Publication,
    rendition: Rendition,
    document_no: str,
    submitted_on: dt.date,
    by,
) -> Publication:
    """Submit the report upward (报送) with its document number and date: the version
    submitted is frozen, and so is the publication (no new words, no new version)."""
    permissions.require(by, "submit", publication)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    _check_open(publication)
    if not KINDS[publication.kind].submitted_upward:
        raise ConflictError(_("Only the evaluation report is submitted upward."))
    if rendition.publication_id != publication.pk:
        raise ValidationError({"rendition": _("Choose a version of this publication.")})
    document_no = (document_no or "").strip()[:100]
    if not document_no:
        raise ValidationError({"document_no": _("Give the document number (文号) it went under.")})
    if submitted_on is None:
        raise ValidationError({"submitted_on": _("Give the date it was submitted.")})
    publication.status = PublicationStatus.SUBMITTED
    publication.submitted_rendition = rendition
    publication.submitted_no = document_no
    publication.submitted_on = submitted_on
    publication.submitted_by = by
    publication.version += 1
    publication.save()
    _record(
        actor=by,
        verb="publication.submitted",
        obj=publication,
        changes={
            "number": [None, rendition.number],
            "submitted_no": [None, document_no],
            "submitted_on": [None, submitted_on.isoformat()],
        },
    )
    return publication
