"""The pilot registry (改革试点): the list (filters, sort, pages), a pilot's page (its
particulars, tasks with ratings, sub-projects with investment and trend, reviews,
acceptance, files, history), registering and editing a pilot, each act of its life,
its files and its sub-projects. Every change goes through the services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError, StaleVersionError
from reformledger.core.forms import add_service_errors
from reformledger.core.http import stored_file_response
from reformledger.core.views import (
    list_paging,
    posted_act,
    posted_form_act,
    section_page,
)
from reformledger.orgs.permissions import offices_worked
from reformledger.pilots import permissions, services
from reformledger.pilots.choices import STATUS_ORDER, AcceptanceResult, PilotStatus
from reformledger.pilots.forms import (
    PilotAcceptanceForm,
    PilotApproveForm,
    PilotConcludeForm,
    PilotEndForm,
    PilotFileForm,
    PilotFilterForm,
    PilotForm,
    PilotNoteForm,
    PilotReviewForm,
    SubProjectForm,
)
from reformledger.pilots.models import Pilot, PilotFile, SubProject
from reformledger.pilots.selectors.pilots import (
    PILOT_SORTS,
    pilot_detail,
    pilot_history,
    pilot_list,
    pilot_totals,
)
from reformledger.pilots.services.pilots import PILOT_FIELDS, PILOT_M2M
from reformledger.pilots.services.sub_projects import may_edit_sub_projects

# --- what the pages share ------------------------------------------------------------


#: A page of the section: signed in, and working pilots in some role.
pilots_page = section_page(permissions.sees_pilots)


#: The reform offices whose registry the user manages (office staff and leaders).
managed_offices = offices_worked


def pilot_or_404(request, pk: int) -> Pilot:
    pilot = (
        permissions.visible_pilots(request.user)
        .select_related("office", "host_unit")
        .filter(pk=pk)
        .first()
    )
    if pilot is None:
        raise Http404
    return pilot


def _pilot_url(pilot: Pilot, anchor: str = "") -> str:
    url = reverse("pilots:pilot", args=[pilot.pk])
    return f"{url}#{anchor}" if anchor else url


# --- the list -------------------------------------------------------------------------


@pilots_page
def pilot_list_page(request):
    """The pilots the user sees: filter by level and status, search, sort, page; with
    each pilot's sub-projects, planned and completed investment and completion, and the
    totals of the pilots listed."""
    form = PilotFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    ordering = data.get("ordering") or ""
    rows = pilot_list(
        request.user,
        level=data.get("level") or None,
        status=data.get("status") or None,
        q=data.get("q") or None,
        order=ordering or "level",
    )
    if form.is_bound and not form.is_valid():
        rows = rows.none()
    return render(
        request,
        "pilots/pilot_list.html",
        {
            "filter": form,
            **list_paging(request, rows),
            "ordering": ordering if ordering.lstrip("-") in PILOT_SORTS else "",
            "totals": pilot_totals(rows),
            "can_register": bool(managed_offices(request.user)),
        },
    )


# --- one pilot ---------------------------------------------------------------------------


def _acts(user, detail) -> dict[str, bool]:
    pilot = detail.pilot
    manage = permissions.can(user, "manage", pilot)
    status = pilot.status
    accepted = detail.acceptance
    return {
        "edit": manage and status not in (PilotStatus.CONCLUDED, PilotStatus.ENDED),
        "approve": manage and status == PilotStatus.APPLIED,
        "start": manage and status == PilotStatus.APPROVED,
        "open_mid_term": manage and status == PilotStatus.UNDER_WAY,
        "review": manage and status == PilotStatus.MID_TERM,
        "open_acceptance": manage and status in (PilotStatus.UNDER_WAY, PilotStatus.MID_TERM),
        "record_acceptance": (
            status == PilotStatus.ACCEPTANCE
            and accepted is None
            and permissions.can(user, "accept", pilot)
        ),
        "conclude": (
            manage
            and status == PilotStatus.ACCEPTANCE
            and accepted is not None
            and accepted.result != AcceptanceResult.FAILED
        ),
        "end": manage and status not in (PilotStatus.CONCLUDED, PilotStatus.ENDED),
        "attach": manage or permissions.can(user, "report", pilot),
        "sub_projects": (
            status not in (PilotStatus.CONCLUDED, PilotStatus.ENDED)
            and may_edit_sub_projects(user, pilot)
        ),
    }


FORMS = {
    "approve_form": PilotApproveForm,
    "start_form": PilotNoteForm,
    "review_form": PilotReviewForm,
    "acceptance_form": PilotAcceptanceForm,
    "conclude_form": PilotConcludeForm,
    "end_form": PilotEndForm,
    "file_form": PilotFileForm,
    "sub_project_form": SubProjectForm,
}


def _auto_id(form_name: str) -> str:
    """Each act's form has ids of its own (several forms share field names on the page)."""
    return "id_" + form_name.removesuffix("_form") + "_%s"


def _detail_page(request, pk: int, status: int = 200, **forms):
    try:
        detail = pilot_detail(request.user, pk)
    except Pilot.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "detail": detail,
        "pilot": detail.pilot,
        "acts": _acts(request.user, detail),
        "history": list(pilot_history(detail.pilot)),
        "chart": {
            "chart": detail.chart(),
            "is_empty": not detail.investment.trend,
            "empty_reason": _("No investment reported on its sub-projects yet."),
        },
        "open_form": next(iter(forms), ""),
        "steps": [(s, PilotStatus(s).label) for s in STATUS_ORDER],
    }
    for name, form_class in FORMS.items():
        extra = {}
        if form_class is SubProjectForm:
            extra = {"user": request.user, "pilot": detail.pilot}
        context[name] = forms.get(name) or form_class(auto_id=_auto_id(name), **extra)
    return render(request, "pilots/pilot_detail.html", context, status=status)


@pilots_page
def pilot_detail_page(request, pk: int):
    """A pilot: its particulars, tasks with their latest ratings, sub-projects with
    planned and completed investment and the trend per period, mid-term reviews,
    acceptance, files, history in plain words, and the acts the user may do."""
    return _detail_page(request, pk)


def _act(request, pk: int, *, act: str, run, done: str, form_name: str = "", anchor: str = ""):
    """Do one act on a pilot from its page: the permission first (403), then the form
    (`form_name`, if the act has one); a service's refusal comes back onto the form
    (400), a state conflict as a warning. `run(pilot, data)`; `data` is the form's
    cleaned data, or empty for an act without a form."""
    pilot = pilot_or_404(request, pk)
    if not permissions.can(request.user, act, pilot):
        raise PermissionDenied
    back = _pilot_url(pilot, anchor)
    if not form_name:
        return posted_act(request, run=lambda: run(pilot, {}), done=done, back=back)
    return posted_form_act(
        request,
        FORMS[form_name](request.POST, request.FILES, auto_id=_auto_id(form_name)),
        run=lambda data: run(pilot, data),
        done=done,
        back=back,
        refused=lambda form: _detail_page(request, pk, status=400, **{form_name: form}),
        renames={"file": "files"},
    )


@pilots_page
@require_POST
def pilot_approve(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_name="approve_form",
        run=lambda p, d: services.pilot_approve(pilot=p, by=request.user, **d),
        done=_("The approval is recorded: the pilot is approved."),
    )


@pilots_page
@require_POST
def pilot_start(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_name="start_form",
        run=lambda p, d: services.pilot_start(pilot=p, by=request.user, note=d["note"]),
        done=_("The pilot is under way."),
    )


@pilots_page
@require_POST
def pilot_open_mid_term(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        run=lambda p, d: services.pilot_open_mid_term(pilot=p, by=request.user),
        done=_("The mid-term review is open."),
    )


@pilots_page
@require_POST
def pilot_review(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_name="review_form",
        run=lambda p, d: services.pilot_review(pilot=p, by=request.user, **d),
        done=_("The mid-term review is recorded."),
        anchor="reviews",
    )


@pilots_page
@require_POST
def pilot_open_acceptance(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        run=lambda p, d: services.pilot_open_acceptance(pilot=p, by=request.user),
        done=_("The acceptance is open."),
    )


@pilots_page
@require_POST
def pilot_record_acceptance(request, pk: int):
    return _act(
        request,
        pk,
        act="accept",
        form_name="acceptance_form",
        run=lambda p, d: services.pilot_record_acceptance(pilot=p, by=request.user, **d),
        done=_("The acceptance is recorded."),
        anchor="acceptance",
    )


@pilots_page
@require_POST
def pilot_conclude(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_name="conclude_form",
        run=lambda p, d: services.pilot_conclude(pilot=p, by=request.user, **d),
        done=_("The pilot is concluded and its experience written up."),
    )


@pilots_page
@require_POST
def pilot_end(request, pk: int):
    return _act(
        request,
        pk,
        act="manage",
        form_name="end_form",
        run=lambda p, d: services.pilot_end(pilot=p, by=request.user, **d),
        done=_("The pilot is ended early."),
    )


def _attach(pilot, data, by):
    for upload in data["files"]:
        services.pilot_attach(pilot=pilot, by=by, kind=data["kind"], upload=upload)


@pilots_page
@require_POST
def pilot_attach(request, pk: int):
    pilot = pilot_or_404(request, pk)
    act = "manage" if permissions.can(request.user, "manage", pilot) else "report"
    return _act(
        request,
        pk,
        act=act,
        form_name="file_form",
        run=lambda p, d: _attach(p, d, request.user),
        done=_("The files are kept with the pilot."),
        anchor="files",
    )


@pilots_page
def pilot_file(request, pk: int):
    """A pilot's file, for those who may see the pilot; the download is audited."""
    stored = PilotFile.objects.filter(pk=pk).first()
    if stored is None:
        raise Http404
    stored.pilot = pilot_or_404(request, stored.pilot_id)
    try:
        handle = services.pilot_file_open(stored=stored, by=request.user)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return stored_file_response(handle, stored)


# --- registering and editing ---------------------------------------------------------------


def _pilot_fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k in PILOT_FIELDS or k in PILOT_M2M}


@pilots_page
def pilot_register(request):
    """Register a pilot in one of the offices the user manages (office staff)."""
    offices = managed_offices(request.user)
    if not offices:
        raise PermissionDenied
    wanted = request.POST.get("office") or request.GET.get("office")
    office = next((o for o in offices if str(o.pk) == str(wanted)), offices[0])
    form = PilotForm(request.POST or None, offices=offices, office=office)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            pilot = services.pilot_register(by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(code)s is registered.") % {"code": pilot.code})
            return redirect(_pilot_url(pilot))
    return render(
        request,
        "pilots/pilot_form.html",
        {"form": form, "office": office, "pilot": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@pilots_page
def pilot_edit(request, pk: int):
    """Change a pilot's particulars; the version read travels with the form, so a change
    made meanwhile by someone else is not overwritten."""
    pilot = pilot_or_404(request, pk)
    if not permissions.can(request.user, "manage", pilot):
        raise PermissionDenied
    offices = [pilot.office]
    initial = {name: getattr(pilot, name) for name in PILOT_FIELDS}
    initial.update(
        office=pilot.office_id,
        helping_units=list(pilot.helping_units.all()),
        tasks=list(pilot.tasks.all()),
        version=pilot.version,
    )
    form = PilotForm(request.POST or None, offices=offices, office=pilot.office, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        data.pop("office", None)
        try:
            services.pilot_update(
                pilot=pilot, by=request.user, version=version, **_pilot_fields(data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except StaleVersionError as exc:
            form.add_error(None, str(exc))
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_pilot_url(pilot))
        else:
            messages.success(request, _("The pilot is changed."))
            return redirect(_pilot_url(pilot))
    return render(
        request,
        "pilots/pilot_form.html",
        {"form": form, "office": pilot.office, "pilot": pilot},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- sub-projects --------------------------------------------------------------------------


@pilots_page
@require_POST
def sub_project_new(request, pk: int):
    """Add a sub-project from the pilot's page (the office or the host unit)."""
    pilot = pilot_or_404(request, pk)
    if not may_edit_sub_projects(request.user, pilot):
        raise PermissionDenied
    form = SubProjectForm(
        request.POST, auto_id=_auto_id("sub_project_form"), user=request.user, pilot=pilot
    )

    def run(data):
        data = dict(data)
        data.pop("version", None)
        services.sub_project_create(pilot=pilot, by=request.user, **data)

    return posted_form_act(
        request,
        form,
        run=run,
        done=_("The sub-project is added."),
        back=_pilot_url(pilot, "sub-projects"),
        refused=lambda form: _detail_page(request, pk, status=400, sub_project_form=form),
    )


@pilots_page
def sub_project_edit(request, pk: int, sub: int):
    """Change a sub-project, with the version read."""
    pilot = pilot_or_404(request, pk)
    sub_project = SubProject.objects.filter(pilot=pilot, pk=sub).select_related("pilot").first()
    if sub_project is None:
        raise Http404
    if not may_edit_sub_projects(request.user, pilot):
        raise PermissionDenied
    initial = {
        "code": sub_project.code,
        "name": sub_project.name,
        "host_unit": sub_project.host_unit_id,
        "planned_investment": sub_project.planned_investment,
        "version": sub_project.version,
    }
    form = SubProjectForm(request.POST or None, initial=initial, user=request.user, pilot=pilot)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            services.sub_project_update(
                sub_project=sub_project, by=request.user, version=version, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except StaleVersionError as exc:
            form.add_error(None, str(exc))
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(_pilot_url(pilot, "sub-projects"))
        else:
            messages.success(request, _("The sub-project is changed."))
            return redirect(_pilot_url(pilot, "sub-projects"))
    return render(
        request,
        "pilots/sub_project_form.html",
        {"form": form, "pilot": pilot, "sub_project": sub_project},
        status=400 if form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("", pilot_list_page, name="pilots"),
    path("new/", pilot_register, name="pilot_new"),
    path("<int:pk>/", pilot_detail_page, name="pilot"),
    path("<int:pk>/edit/", pilot_edit, name="pilot_edit"),
    path("<int:pk>/approve/", pilot_approve, name="pilot_approve"),
    path("<int:pk>/start/", pilot_start, name="pilot_start"),
    path("<int:pk>/mid-term/", pilot_open_mid_term, name="pilot_open_mid_term"),
    path("<int:pk>/review/", pilot_review, name="pilot_review"),
    path("<int:pk>/acceptance/open/", pilot_open_acceptance, name="pilot_open_acceptance"),
    path("<int:pk>/acceptance/", pilot_record_acceptance, name="pilot_record_acceptance"),
    path("<int:pk>/conclude/", pilot_conclude, name="pilot_conclude"),
    path("<int:pk>/end/", pilot_end, name="pilot_end"),
    path("<int:pk>/files/", pilot_attach, name="pilot_attach"),
    path("<int:pk>/sub-projects/new/", sub_project_new, name="sub_project_new"),
    path("<int:pk>/sub-projects/<int:sub>/edit/", sub_project_edit, name="sub_project_edit"),
    path("files/<int:pk>/", pilot_file, name="pilot_file"),
]
