"""The publications' pages: the list with a start form; a publication with its front
matter, narrative sections, highlights, versions and history; a section's editor; the
generation's progress; the downloads; the submission upward (报送), confirmed on a page
that shows what it rests on."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.audit.services import document_exported
from reformledger.core.clock import business_today
from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import DOCX, file_download
from reformledger.core.views import list_paging, posted_form_act, section_page
from reformledger.orgs.permissions import offices_worked
from reformledger.publications import permissions, selectors, services
from reformledger.publications.choices import PublicationKind
from reformledger.publications.content.data import year_counts
from reformledger.publications.forms import (
    FrontForm,
    HighlightsForm,
    NarrativeForm,
    StartForm,
    SubmitForm,
)
from reformledger.publications.kinds import KINDS

sees = section_page(permissions.sees_publications)
PDF = "application/pdf"


@sees
def publication_list(request):
    """The office's publications by year; office staff start one here."""
    user = request.user
    years = selectors.years_of(user)
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    kind = request.GET.get("kind", "")
    kind = kind if kind in PublicationKind.values else ""
    q = request.GET.get("q", "").strip()
    rows = selectors.publications(user, year=year, kind=kind, q=q).order_by("-year", "kind")
    offices = offices_worked(user)
    start = None
    if offices:
        start = StartForm(offices=offices, initial={"year": (years[0] if years else None)})
    context = {
        "years": years,
        "year": year,
        "kind": kind,
        "kinds": PublicationKind.choices,
        "q": q,
        "start": start,
        **list_paging(request, rows),
    }
    return render(request, "publications/list.html", context)


@sees
@require_POST
def publication_start(request):
    user = request.user
    offices = offices_worked(user)
    if not offices:
        raise PermissionDenied
    form = StartForm(request.POST, offices=offices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pub = services.publication_create(
                office=data["office"], year=data["year"], kind=data["kind"], by=user
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"period": "year"})
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect("publications:list")
        else:
            messages.success(
                request, _("The publication is started: write its sections, then generate it.")
            )
            return redirect("publications:detail", pub.pk)
    context = {"start": form, "years": [], "kinds": PublicationKind.choices, "page": [], "q": ""}
    return render(request, "publications/list.html", context, status=400)


def _writable(request, pk: int):
    pub = selectors.publication(request.user, pk)
    if not permissions.can(request.user, "write", pub):
        raise PermissionDenied
    return pub


@sees
def publication_detail(request, pk: int):
    user = request.user
    pub = selectors.publication(user, pk)
    narratives = services.current_narratives(pub)
    sections = [(s, narratives.get(s.key)) for s in services.sections_of(pub)]
    task_count, closed_count = year_counts(pub.office, pub.year, pub.period)
    renditions = list(selectors.renditions(pub))
    highlights = []
    if pub.kind == PublicationKind.REFORM_COMPENDIUM:
        highlights = list(pub.highlights.select_related("lead_unit").order_by("code"))
    context = {
        "pub": pub,
        "sections": sections,
        "renditions": renditions,
        "job": selectors.latest_job(pub),
        "highlights": highlights,
        "writes": permissions.can(user, "write", pub) and not pub.is_submitted,
        "submits": (
            permissions.can(user, "submit", pub)
            and not pub.is_submitted
            and KINDS[pub.kind].submitted_upward
            and bool(renditions)
        ),
        "highlighting": pub.kind == PublicationKind.REFORM_COMPENDIUM,
        "history": selectors.history(pub),
        "task_count": task_count,
        "closed_count": closed_count,
    }
    return render(request, "publications/detail.html", context)


@sees
def publication_edit(request, pk: int):
    pub = _writable(request, pk)
    initial = {
        "title": pub.title,
        "document_no": pub.document_no,
        "issued_on": pub.issued_on,
        "period": pub.period_id,
    }
    form = FrontForm(request.POST or None, publication=pub, initial=initial)
    if request.method == "POST":
        return posted_form_act(
            request,
            form,
            run=lambda d: services.publication_edit(publication=pub, by=request.user, **d),
            done=_("The front matter is saved."),
            back=reverse("publications:detail", args=[pub.pk]),
            refused=lambda f: render(
                request, "publications/edit.html", {"pub": pub, "form": f}, status=400
            ),
        )
    return render(request, "publications/edit.html", {"pub": pub, "form": form})


@sees
def narrative_edit(request, pk: int, key: str):
    user = request.user
    pub = selectors.publication(user, pk)
    sections = {s.key: s for s in services.sections_of(pub)}
    section = sections.get(key)
    if section is None:
        raise Http404
    current = services.current_narratives(pub).get(key)
    writes = permissions.can(user, "write", pub) and not pub.is_submitted
    form = NarrativeForm(request.POST or None, initial={"text": current.text if current else ""})
    context = {
        "pub": pub,
        "section": section,
        "form": form,
        "versions": selectors.narrative_versions(pub, key),
        "writes": writes,
    }
    if request.method == "POST":
        if not writes:
            raise PermissionDenied
        return posted_form_act(
            request,
            form,
            run=lambda d: services.narrative_write(
                publication=pub, key=key, text=d["text"], by=user
            ),
            done=_("The section is saved as a new version."),
            back=reverse("publications:detail", args=[pub.pk]),
            refused=lambda f: render(
                request, "publications/narrative.html", {**context, "form": f}, status=400
            ),
        )
    return render(request, "publications/narrative.html", context)


@sees
def highlights_edit(request, pk: int):
    user = request.user
    pub = _writable(request, pk)
    if pub.kind != PublicationKind.REFORM_COMPENDIUM:
        raise Http404
    tasks = selectors.year_tasks(pub)
    choices = [(str(t.pk), f"{t.code} {t.title}（{t.lead_unit.name}）") for t in tasks]
    initial = {"tasks": [str(pk) for pk in pub.highlights.values_list("pk", flat=True)]}
    form = HighlightsForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST":
        return posted_form_act(
            request,
            form,
            run=lambda d: services.highlights_set(publication=pub, tasks=d["tasks"], by=user),
            done=_("The highlights are chosen."),
            back=reverse("publications:detail", args=[pub.pk]),
            refused=lambda f: render(
                request, "publications/highlights.html", {"pub": pub, "form": f}, status=400
            ),
        )
    return render(request, "publications/highlights.html", {"pub": pub, "form": form})


@sees
def generate(request, pk: int):
    """GET: what a generation rests on (the period, the sections written); POST: ask."""
    user = request.user
    pub = _writable(request, pk)
    if request.method == "POST":
        try:
            job = services.generation_request(
                publication=pub,
                by=user,
                make_pdf=request.POST.get("pdf") == "1",
                language=request.LANGUAGE_CODE,
            )
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect("publications:detail", pub.pk)
        return redirect("publications:job", job.pk)
    narratives = services.current_narratives(pub)
    sections = services.sections_of(pub)
    context = {
        "pub": pub,
        "written": [(s, narratives[s.key]) for s in sections if s.key in narratives],
        "unwritten": [s for s in sections if s.key not in narratives],
        "latest": selectors.renditions(pub).first(),
    }
    return render(request, "publications/generate.html", context)


@sees
def job_page(request, pk: int):
    job = selectors.job(request.user, pk)
    template = (
        "publications/_job.html" if request.headers.get("HX-Request") else "publications/job.html"
    )
    response = render(request, template, {"job": job, "pub": job.publication})
    if request.headers.get("HX-Request") and not job.is_working:
        response["HX-Refresh"] = "true"
    return response


def _filename(rendition, ext: str) -> str:
    return f"{rendition.publication.title}-v{rendition.number}.{ext}"


@sees
def download(request, pk: int, fmt: str):
    if fmt not in ("docx", "pdf"):
        raise Http404
    rendition = selectors.rendition(request.user, pk, files=(fmt,))
    data = rendition.docx if fmt == "docx" else rendition.pdf
    if data is None:
        raise Http404
    document_exported(
        by=request.user,
        document=rendition.publication.kind,
        fmt=fmt,
        rows=rendition.number,
        filters={"version": rendition.number, "period": rendition.period.label},
        obj=rendition.publication,
    )
    return file_download(bytes(data), DOCX if fmt == "docx" else PDF, _filename(rendition, fmt))


@sees
def submit(request, pk: int):
    """The submission upward: the page shows the version, its pages and period, the
    sections written, and asks to confirm."""
    user = request.user
    pub = selectors.publication(user, pk)
    if not permissions.can(user, "submit", pub) or not KINDS[pub.kind].submitted_upward:
        raise PermissionDenied
    renditions = list(selectors.renditions(pub))
    if not renditions:
        messages.warning(request, _("Generate the report before submitting it."))
        return redirect("publications:detail", pub.pk)
    form = SubmitForm(
        request.POST or None,
        renditions=renditions,
        initial={
            "rendition": renditions[0].pk,
            "document_no": pub.document_no,
            "submitted_on": business_today(),
        },
    )
    context = {"pub": pub, "form": form, "renditions": renditions, "latest": renditions[0]}
    if request.method == "POST":
        chosen = {str(r.pk): r for r in renditions}

        def run(d):
            services.publication_submit(
                publication=pub,
                rendition=chosen[d["rendition"]],
                document_no=d["document_no"],
                submitted_on=d["submitted_on"],
                by=user,
            )

        return posted_form_act(
            request,
            form,
            run=run,
            done=_("The report is recorded as submitted; the submitted version is frozen."),
            back=reverse("publications:detail", args=[pub.pk]),
            refused=lambda f: render(
                request, "publications/submit.html", {**context, "form": f}, status=400
            ),
        )
    return render(request, "publications/submit.html", context)


urlpatterns = [
    path("", publication_list, name="list"),
    path("start/", publication_start, name="start"),
    path("<int:pk>/", publication_detail, name="detail"),
    path("<int:pk>/edit/", publication_edit, name="edit"),
    path("<int:pk>/sections/<slug:key>/", narrative_edit, name="narrative"),
    path("<int:pk>/highlights/", highlights_edit, name="highlights"),
    path("<int:pk>/generate/", generate, name="generate"),
    path("<int:pk>/submit/", submit, name="submit"),
    path("jobs/<int:pk>/", job_page, name="job"),
    path("versions/<int:pk>/<str:fmt>/", download, name="download"),
]
