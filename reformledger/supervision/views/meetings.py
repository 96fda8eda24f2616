"""Supervision meetings (督查推进专会): the list, recording one with the tasks it
discussed and its action items, and its page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.clock import business_today
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.forms import ActionRowForm, ActionRows, SupervisionMeetingForm
from reformledger.supervision.models import SupervisionMeeting
from reformledger.supervision.views.common import (
    chosen_office,
    offices_for,
    service_errors,
    supervision_page,
)


@supervision_page
def meeting_list(request):
    """The office's supervision meetings, newest first, with their action items' count."""
    rows = selectors.supervision_meetings(request.user).order_by("-held_on", "-id")
    page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/meeting_list.html",
        {"page": page, "query": "", "can_record": bool(offices_for(request.user, "record"))},
    )


@supervision_page
def meeting_new(request):
    """Record a supervision meeting: date, topic, attendees, minutes, the tasks it
    discussed and the action items it set (unit, demand, deadline)."""
    offices = offices_for(request.user, "record")
    office = chosen_office(request, offices)
    if office is None:
        raise PermissionDenied
    bound = request.method == "POST"
    form = SupervisionMeetingForm(
        request.POST if bound else None,
        offices=offices,
        office=office,
        initial={"held_on": business_today()},
    )
    formset = ActionRows(request.POST if bound else None, prefix="actions")
    if bound and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.supervision_meeting_record(
                office=data["office"],
                by=request.user,
                held_on=data["held_on"],
                topic=data["topic"],
                attendees=data["attendees"],
                minutes=data["minutes"],
                tasks=data["tasks"],
                actions=formset.rows(),
            )
        except ValidationError as exc:
            service_errors(form, formset, exc)
        else:
            messages.success(request, _("Supervision meeting recorded."))
            return redirect("supervision:meeting", pk=meeting.pk)
    return render(
        request,
        "supervision/meeting_form.html",
        {"form": form, "formset": formset},
        status=400 if bound else 200,
    )


def _meeting_or_404(request, pk: int) -> SupervisionMeeting:
    try:
        return selectors.supervision_meeting_detail(request.user, pk)
    except SupervisionMeeting.DoesNotExist as exc:
        raise Http404 from exc


@supervision_page
def meeting_detail(request, pk: int, item_form=None):
    """A supervision meeting with the tasks it discussed and its action items."""
    meeting = _meeting_or_404(request, pk)
    can_record = permissions.can_office(request.user, "record", meeting.office)
    items = list(meeting.action_items.all())
    selectors.mark_overdue(items)
    return render(
        request,
        "supervision/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "can_record": can_record,
            "item_form": item_form or ActionRowForm(prefix="item"),
        },
        status=400 if item_form is not None else 200,
    )


@supervision_page
@require_POST
def meeting_item_add(request, pk: int):
    """Set one more action item on a supervision meeting."""
    meeting = _meeting_or_404(request, pk)
    if not permissions.can_office(request.user, "record", meeting.office):
        raise PermissionDenied
    form = ActionRowForm(request.POST, prefix="item")
    if form.is_valid() and form.is_filled:
        data = form.cleaned_data
        try:
            services.action_item_add(
                by=request.user,
                unit=data["unit"],
                demand=data["demand"],
                deadline=data["deadline"],
                meeting=meeting,
            )
        except ValidationError as exc:
            service_errors(form, None, exc)
        else:
            messages.success(request, _("Action item set."))
            return redirect("supervision:meeting", pk=meeting.pk)
    elif form.is_valid():
        form.add_error("demand", _("Fill in the unit, the demand and the deadline."))
    return meeting_detail(request, pk, item_form=form)


urlpatterns = [
    path("meetings/", meeting_list, name="meetings"),
    path("meetings/new/", meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting"),
    path("meetings/<int:pk>/items/", meeting_item_add, name="meeting_item_add"),
]
