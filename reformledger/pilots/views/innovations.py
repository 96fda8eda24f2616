"""Grassroots innovation pages (基层创新): the list, each innovation's page with its
evidence, the units that adopted it and its history in plain words, and the acts —
propose, revise when returned, accept (turned into a pilot or a task), return,
decline, declare replicable, adopt (推广), add evidence. Every act goes through its
service; an act its state no longer allows comes back as a message, changing nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.core.views import list_paging, posted_form_act, section_page
from reformledger.orgs.models import Unit
from reformledger.pilots import permissions
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.forms import (
    INNOVATION_SORTS,
    InnovationAcceptForm,
    InnovationAdoptForm,
    InnovationDeclareForm,
    InnovationFileForm,
    InnovationFilterForm,
    InnovationProposeForm,
    InnovationReasonForm,
    InnovationReviseForm,
)
from reformledger.pilots.models import Innovation, InnovationFile
from reformledger.pilots.selectors import innovations as selectors
from reformledger.pilots.services import innovations as services

#: A sort key of the list -> the fields it orders by.
_SORTS = {
    "year": ("year", "pk"),
    "title": ("title", "pk"),
    "unit": ("unit__path", "pk"),
    "status": ("status", "pk"),
    "adoptions": ("adoption_count", "pk"),
    "proposed_at": ("proposed_at", "pk"),
}
#: A service's field -> the form's, where they differ.
_RENAMES = {"file": "files"}


#: A page of the section: signed in, and working pilots and innovations in some role
#: (the office, city leaders, a unit's liaison or head).
innovation_page = section_page(permissions.sees_pilots)


def _url(innovation: Innovation) -> str:
    return reverse("pilots:innovation", args=[innovation.pk])


def _innovation_or_404(request, pk: int) -> Innovation:
    try:
        return selectors.innovation_detail(request.user, pk)
    except Innovation.DoesNotExist as exc:
        raise Http404 from exc


def _ordered(rows, ordering: str):
    key = ordering.lstrip("-")
    if key not in _SORTS:
        return rows
    fields = _SORTS[key]
    return rows.order_by(*(f"-{f}" for f in fields) if ordering.startswith("-") else fields)


# --- the list --------------------------------------------------------------------------


@innovation_page
def innovation_list(request):
    """The innovations the user may see: filter by year, status and proposing unit,
    search the title, texts or unit, sort by column, page; each row with how many
    units adopted it."""
    flt = InnovationFilterForm(request.GET or None, user=request.user)
    data = flt.cleaned_data if flt.is_bound and flt.is_valid() else {}
    if flt.is_bound and flt.errors:
        rows = Innovation.objects.none()
    else:
        rows = selectors.innovation_list(
            request.user,
            status=data.get("status") or None,
            unit=data.get("unit"),
            year=data.get("year"),
            q=data.get("q"),
        )
    ordering = data.get("ordering") or ""
    rows = _ordered(rows, ordering)
    return render(
        request,
        "pilots/innovations/list.html",
        {
            "filter": flt,
            **list_paging(request, rows),
            "ordering": ordering,
            "sorts": INNOVATION_SORTS,
            "can_propose": selectors.proposing_units(request.user).exists(),
        },
    )


@innovation_page
def innovation_spread(request):
    """How far each replicable experience (可复制推广经验) of an office has spread: the
    units that adopted it, when, and with what result — most widely adopted first."""
    offices = list(
        Unit.objects.filter(
            pk__in=selectors.innovations(request.user)
            .filter(status=InnovationStatus.REPLICABLE)
            .values("office")
        ).order_by("path")
    )
    wanted = request.GET.get("office", "")
    office = next((o for o in offices if str(o.pk) == wanted), offices[0] if offices else None)
    rows = list(selectors.experience_spread(request.user, office)) if office else []
    return render(
        request,
        "pilots/innovations/spread.html",
        {"offices": offices, "office": office, "rows": rows},
    )


# --- proposing -------------------------------------------------------------------------


@innovation_page
def innovation_propose(request):
    """A unit's liaison or head proposes an innovation of their unit, with evidence."""
    user = request.user
    if (
        not selectors.proposal_offices(user).exists()
        or not selectors.proposing_units(user).exists()
    ):
        raise PermissionDenied
    form = InnovationProposeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            innovation = services.innovation_propose(
                office=data["office"],
                unit=data["unit"],
                by=request.user,
                year=data["year"],
                title=data["title"],
                problem=data["problem"],
                actions=data["actions"],
                results=data["results"],
                files=data["files"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, _RENAMES)
        else:
            messages.success(
                request, _("Innovation proposed: the reform office has been told of it.")
            )
            return redirect(_url(innovation))
    return render(
        request,
        "pilots/innovations/form.html",
        {"form": form, "heading": _("Propose a grassroots innovation")},
        status=400 if form.is_bound and form.errors else 200,
    )


@innovation_page
def innovation_revise(request, pk: int):
    """The proposing unit revises a returned innovation and proposes it again."""
    innovation = _innovation_or_404(request, pk)
    if not permissions.can(request.user, "revise", innovation):
        raise PermissionDenied
    if innovation.status != InnovationStatus.RETURNED:
        messages.warning(request, _("Only a returned innovation is revised."))
        return redirect(_url(innovation))
    initial = {name: getattr(innovation, name) for name in services.INNOVATION_FIELDS}
    initial["version"] = innovation.version
    form = InnovationReviseForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.innovation_revise(
                innovation=innovation,
                by=request.user,
                version=data.pop("version"),
                files=data.pop("files"),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, _RENAMES)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_url(innovation))
        else:
            messages.success(
                request, _("Innovation revised and proposed again: the office has been told.")
            )
            return redirect(_url(innovation))
    return render(
        request,
        "pilots/innovations/form.html",
        {
            "form": form,
            "innovation": innovation,
            "heading": _("Revise the innovation"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- one innovation's page -------------------------------------------------------------


def _adopting_units(request, innovation: Innovation):
    """The user's units that may still record adopting the innovation."""
    done = [a.unit_id for a in innovation.adoptions.all()]
    return selectors.proposing_units(request.user).exclude(pk__in=[*done, innovation.unit_id])


def _page(request, innovation: Innovation, status: int = 200, **forms):
    user = request.user
    state = innovation.status
    may_decide = permissions.can(user, "decide", innovation)
    may_revise = permissions.can(user, "revise", innovation)
    adopting = (
        _adopting_units(request, innovation)
        if permissions.can(user, "adopt", innovation)
        else Unit.objects.none()
    )
    acts = {
        "decide": may_decide and state == InnovationStatus.PROPOSED,
        "declare": may_decide and state == InnovationStatus.ACCEPTED,
        "revise": may_revise and state == InnovationStatus.RETURNED,
        "attach": may_revise and state != InnovationStatus.DECLINED,
        "adopt": adopting.exists(),
    }
    context = {
        "innovation": innovation,
        "acts": acts,
        "evidence": innovation.evidence,
        "adoptions": list(innovation.adoptions.all()),
        "history": list(selectors.innovation_history(innovation)),
        "accept_form": forms.get("accept_form") or InnovationAcceptForm(office=innovation.office),
        "return_form": forms.get("return_form") or InnovationReasonForm(prefix="return"),
        "decline_form": forms.get("decline_form") or InnovationReasonForm(prefix="decline"),
        "declare_form": forms.get("declare_form") or InnovationDeclareForm(),
        "adopt_form": forms.get("adopt_form") or InnovationAdoptForm(units=adopting),
        "file_form": forms.get("file_form") or InnovationFileForm(),
        "open_form": next(iter(forms), ""),
    }
    return render(request, "pilots/innovations/detail.html", context, status=status)


@innovation_page
def innovation_detail(request, pk: int):
    """An innovation: what its unit proposed, the evidence, the office's decision and
    what it was turned into, the experience summary, the units that adopted it with
    their results, its history, and the acts the user may do."""
    return _page(request, _innovation_or_404(request, pk))


def _act(request, pk: int, *, act: str, form_name: str, make_form, run, done: str):
    """An act posted from the innovation's page: permission first (403), then the form;
    a refused value comes back on the page (400), a state that no longer allows the act
    as a message (nothing changed)."""
    innovation = _innovation_or_404(request, pk)
    if not permissions.can(request.user, act, innovation):
        raise PermissionDenied
    return posted_form_act(
        request,
        make_form(innovation),
        run=lambda data: run(innovation, data),
        done=done,
        back=_url(innovation),
        refused=lambda form: _page(request, innovation, status=400, **{form_name: form}),
        renames=_RENAMES,
    )


@innovation_page
@require_POST
def innovation_accept(request, pk: int):
    """The office accepts the innovation, optionally turned into a pilot or a task."""
    return _act(
        request,
        pk,
        act="decide",
        form_name="accept_form",
        make_form=lambda i: InnovationAcceptForm(request.POST, office=i.office),
        run=lambda i, d: services.innovation_accept(
            innovation=i, by=request.user, reason=d["reason"], pilot=d["pilot"], task=d["task"]
        ),
        done=_("Innovation accepted: the unit has been told."),
    )


@innovation_page
@require_POST
def innovation_return(request, pk: int):
    """The office returns the innovation to its unit with the reason."""
    return _act(
        request,
        pk,
        act="decide",
        form_name="return_form",
        make_form=lambda i: InnovationReasonForm(request.POST, prefix="return"),
        run=lambda i, d: services.innovation_return(
            innovation=i, by=request.user, reason=d["reason"]
        ),
        done=_("Innovation returned to the unit with the reason."),
    )


@innovation_page
@require_POST
def innovation_decline(request, pk: int):
    """The office declines the innovation with the reason."""
    return _act(
        request,
        pk,
        act="decide",
        form_name="decline_form",
        make_form=lambda i: InnovationReasonForm(request.POST, prefix="decline"),
        run=lambda i, d: services.innovation_decline(
            innovation=i, by=request.user, reason=d["reason"]
        ),
        done=_("Innovation declined: the unit has been told why."),
    )


@innovation_page
@require_POST
def innovation_declare(request, pk: int):
    """The office declares the accepted innovation a replicable experience."""
    return _act(
        request,
        pk,
        act="decide",
        form_name="declare_form",
        make_form=lambda i: InnovationDeclareForm(request.POST),
        run=lambda i, d: services.innovation_declare(
            innovation=i, by=request.user, experience=d["experience"]
        ),
        done=_("Declared a replicable experience: other units may now adopt it."),
    )


@innovation_page
@require_POST
def innovation_adopt(request, pk: int):
    """One of the user's units records that it adopted the experience."""
    return _act(
        request,
        pk,
        act="adopt",
        form_name="adopt_form",
        make_form=lambda i: InnovationAdoptForm(
            request.POST, request.FILES, units=_adopting_units(request, i)
        ),
        run=lambda i, d: services.innovation_adopt(
            innovation=i,
            unit=d["unit"],
            by=request.user,
            adopted_on=d["adopted_on"],
            result=d["result"],
            files=d["files"],
        ),
        done=_("Adoption recorded: the office sees how far the experience has spread."),
    )


@innovation_page
@require_POST
def innovation_attach(request, pk: int):
    """The proposing unit adds evidence files to its innovation."""

    def run(innovation, data):
        for upload in data["files"]:
            services.innovation_attach(innovation=innovation, by=request.user, upload=upload)

    return _act(
        request,
        pk,
        act="revise",
        form_name="file_form",
        make_form=lambda i: InnovationFileForm(request.POST, request.FILES),
        run=run,
        done=_("Evidence added."),
    )


@innovation_page
def innovation_file(request, pk: int):
    """An evidence file, for those who see its innovation; the download is audited."""
    try:
        stored = selectors.innovation_file(request.user, pk)
    except InnovationFile.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = services.innovation_file_open(stored=stored, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, stored)


urlpatterns = [
    path("innovations/", innovation_list, name="innovations"),
    path("innovations/new/", innovation_propose, name="innovation_propose"),
    path("innovations/spread/", innovation_spread, name="innovation_spread"),
    path("innovations/<int:pk>/", innovation_detail, name="innovation"),
    path("innovations/<int:pk>/revise/", innovation_revise, name="innovation_revise"),
    path("innovations/<int:pk>/accept/", innovation_accept, name="innovation_accept"),
    path("innovations/<int:pk>/return/", innovation_return, name="innovation_return"),
    path("innovations/<int:pk>/decline/", innovation_decline, name="innovation_decline"),
    path("innovations/<int:pk>/declare/", innovation_declare, name="innovation_declare"),
    path("innovations/<int:pk>/adopt/", innovation_adopt, name="innovation_adopt"),
    path("innovations/<int:pk>/files/", innovation_attach, name="innovation_attach"),
    path("innovations/files/<int:pk>/", innovation_file, name="innovation_file"),
]
