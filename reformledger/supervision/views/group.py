"""Leading-group meetings (领导小组会议): the list; preparing one (the candidate key
tasks ranked by need with their reasons, the documents to review); its page with
the documents and the collective reviews (集体会诊) in four parts; adding a review
with its action items; and the minutes as a Word document."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from reformledger.core.clock import business_today
from reformledger.ledger.models import Task
from reformledger.ledger.selectors import reference_dates, working_year
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.documents import minutes as minutes_document
from reformledger.supervision.forms import ActionRows, CollectiveReviewForm, LeadingGroupMeetingForm
from reformledger.supervision.models import LeadingGroupMeeting
from reformledger.supervision.views.common import (
    chosen_office,
    offices_for,
    service_errors,
    supervision_page,
    word_download,
)

#: How many candidates the preparation page proposes, and how many it ticks.
CANDIDATES = 10
TICKED = 3


def _ids(raw: str) -> list[int]:
    return [int(p) for p in (raw or "").split(",") if p.strip().isdigit()][:50]


def _default_year(request) -> int:
    """The working year, as on the ledger, the dashboard and the ratings board."""
    return working_year(request.user).year or business_today().year


@supervision_page
def group_list(request):
    """The leading-group meetings, newest first, with their documents and reviews."""
    rows = selectors.leading_group_meetings(request.user).order_by("-year", "-number")
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/group_list.html",
        {"page": page, "query": "", "can_record": bool(offices_for(request.user, "record"))},
    )


@supervision_page
def group_prepare(request):
    """Prepare a leading-group meeting: the key tasks most in need of review, ranked
    with the reasons (the top three ticked), the documents awaiting review, the
    number, date, attendees and summary. Recording it leads to its page, where the
    ticked tasks' reviews are written one by one."""
    offices = offices_for(request.user, "record")
    office = chosen_office(request, offices)
    if office is None:
        raise PermissionDenied
    raw_year = request.POST.get("year") or request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    year = year or _default_year(request)
    candidates = selectors.review_candidates(office, year, limit=CANDIDATES)
    last = LeadingGroupMeeting.objects.filter(office=office, year=year).aggregate(n=Max("number"))
    form = LeadingGroupMeetingForm(
        request.POST if request.method == "POST" else None,
        offices=offices,
        office=office,
        candidates=candidates,
        initial={
            "year": year,
            "number": (last["n"] or 0) + 1,
            "held_on": business_today(),
            "tasks": [c.task.pk for c in candidates[:TICKED]],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.leading_group_meeting_record(
                office=data["office"],
                by=request.user,
                year=year,
                held_on=data["held_on"],
                attendees=data["attendees"],
                summary=data["summary"],
                documents=data["documents"],
                number=data["number"],
            )
        except ValidationError as exc:
            service_errors(form, None, exc)
        else:
            rank = {c.task.pk: n for n, c in enumerate(candidates)}
            ticked = sorted((t.pk for t in data["tasks"]), key=lambda pk: rank.get(pk, 99))
            messages.success(
                request,
                _("%(meeting)s recorded. Now write the collective review of each task.")
                % {"meeting": meeting},
            )
            url = reverse("supervision:group_meeting", args=[meeting.pk])
            return redirect(f"{url}?tasks={','.join(map(str, ticked))}" if ticked else url)
    ticked = {str(v) for v in (form["tasks"].value() or [])}
    picked_docs = {str(v) for v in (form["documents"].value() or [])}
    return render(
        request,
        "supervision/group_prepare.html",
        {
            "form": form,
            "office": office,
            "offices": offices,
            "year": year,
            "candidates": candidates,
            "ticked": ticked,
            "picked_docs": picked_docs,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _meeting_or_404(request, pk: int) -> LeadingGroupMeeting:
    try:
        return selectors.leading_group_meeting_detail(request.user, pk)
    except LeadingGroupMeeting.DoesNotExist as exc:
        raise Http404 from exc


@supervision_page
def group_detail(request, pk: int):
    """A leading-group meeting: documents reviewed, collective reviews in four parts
    with their action items, and the tasks still to be reviewed (`?tasks=`)."""
    meeting = _meeting_or_404(request, pk)
    reviews = list(meeting.reviews.all())
    reviewed = {r.task_id for r in reviews}
    wanted = [pk for pk in _ids(request.GET.get("tasks", "")) if pk not in reviewed]
    by_pk = Task.objects.filter(pk__in=wanted, office=meeting.office).in_bulk()
    to_review = [by_pk[pk] for pk in wanted if pk in by_pk]
    dates = reference_dates()
    for review in reviews:
        selectors.mark_overdue(review.action_items.all(), dates)
    return render(
        request,
        "supervision/group_detail.html",
        {
            "meeting": meeting,
            "documents": list(meeting.documents.all()),
            "reviews": reviews,
            "to_review": to_review,
            "remaining": ",".join(str(t.pk) for t in to_review),
            "can_record": permissions.can_office(request.user, "record", meeting.office),
        },
    )


@supervision_page
def review_add(request, pk: int):
    """Put one key task to collective review at the meeting: the four parts, and the
    required improvements as action items (unit, demand, deadline)."""
    meeting = _meeting_or_404(request, pk)
    if not permissions.can_office(request.user, "record", meeting.office):
        raise PermissionDenied
    raw_task = request.POST.get("task") or request.GET.get("task") or ""
    task = (
        Task.objects.filter(pk=int(raw_task), office=meeting.office)
        .select_related("lead_unit")
        .first()
        if raw_task.isdigit()
        else None
    )
    remaining = [
        t
        for t in _ids(request.POST.get("tasks") or request.GET.get("tasks", ""))
        if task is None or t != task.pk
    ]
    initial = {}
    if task is not None:
        initial["task"] = task.pk
        found = next(
            (
                c
                for c in selectors.review_candidates(meeting.office, meeting.year, limit=10_000)
                if c.task.pk == task.pk
            ),
            None,
        )
        if found is not None:
            initial["reason"] = "；".join(str(r) for r in found.reasons)
    bound = request.method == "POST"
    form = CollectiveReviewForm(
        request.POST if bound else None, office=meeting.office, initial=initial
    )
    formset = ActionRows(
        request.POST if bound else None,
        prefix="actions",
        form_kwargs={"default_unit": task.lead_unit if task else None},
    )
    if bound and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            review = services.collective_review_add(
                meeting=meeting,
                by=request.user,
                task=data["task"],
                reason=data["reason"],
                achievements=data["achievements"],
                problems=data["problems"],
                causes=data["causes"],
                improvements=data["improvements"],
                actions=formset.rows(),
            )
        except ValidationError as exc:
            service_errors(form, formset, exc)
        else:
            messages.success(
                request, _("Collective review of %(code)s recorded.") % {"code": review.task.code}
            )
            url = reverse("supervision:group_meeting", args=[meeting.pk])
            left = [t for t in remaining if t != review.task_id]
            return redirect(f"{url}?tasks={','.join(map(str, left))}" if left else url)
    return render(
        request,
        "supervision/review_form.html",
        {
            "meeting": meeting,
            "task": task,
            "form": form,
            "formset": formset,
            "remaining": ",".join(map(str, remaining)),
        },
        status=400 if bound else 200,
    )


@supervision_page
def minutes_word(request, pk: int):
    """The meeting's minutes as a Word document (the download is audited)."""
    meeting = _meeting_or_404(request, pk)
    data = minutes_document.minutes_document_export(meeting=meeting, by=request.user)
    return word_download(data, f"{minutes_document.minutes_title(meeting)}.docx")


urlpatterns = [
    path("group-meetings/", group_list, name="group_meetings"),
    path("group-meetings/prepare/", group_prepare, name="group_prepare"),
    path("group-meetings/<int:pk>/", group_detail, name="group_meeting"),
    path("group-meetings/<int:pk>/review/", review_add, name="review_add"),
    path("group-meetings/<int:pk>/minutes/", minutes_word, name="minutes_word"),
]
