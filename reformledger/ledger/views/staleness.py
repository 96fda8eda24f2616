"""Staleness per unit (督促): who has stopped reporting, worst first, sortable."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reformledger.ledger import permissions, selectors
from reformledger.ledger.selectors import staleness as staleness_selectors
from reformledger.ledger.services.reminders import staleness_remind

PAGE_SIZE = 30


@login_required
def staleness(request):
    """Staleness per unit (督促) in one year (the working year unless `?year=`): who has
    stopped reporting, worst first, sortable; counted to the year's reference date."""
    if not permissions.can_see_staleness(request.user):
        raise PermissionDenied
    raw = request.GET.get("year", "")
    dates = selectors.reference_dates()
    shown = selectors.working_year(
        request.user, year=int(raw) if raw.isdigit() else None, dates=dates
    )
    sort = request.GET.get("sort", "worst")
    rows = staleness_selectors.sort_staleness(
        staleness_selectors.staleness_by_unit(request.user, year=shown.year, dates=dates), sort
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    staleness_selectors.attach_units(page.object_list)
    year = {"year": shown.year} if shown.year else {}
    return render(
        request,
        "ledger/staleness.html",
        {
            "page": page,
            "sort": sort,
            "shown": shown,
            "year_query": urlencode(year),
            "query": urlencode({"sort": sort, **year}),
            "ignored_after": staleness_selectors.IGNORED_AFTER_DAYS,
            "can_remind": permissions.can_remind_units(request.user),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def remind(request):
    """Remind the units ticked on the staleness page, one reminder each (office staff
    and leaders), and say how many were sent."""
    if not permissions.can_remind_units(request.user):
        raise PermissionDenied
    raw = request.POST.get("year", "")
    units = [u for u in request.POST.getlist("unit") if u.isdigit()]
    try:
        run = staleness_remind(
            units=units, by=request.user, year=int(raw) if raw.isdigit() else None
        )
    except ValidationError as exc:
        for errs in exc.message_dict.values():
            for msg in errs:
                messages.error(request, msg)
    else:
        _tell(request, run)
    target = request.POST.get("next", "")
    if not target.startswith(reverse("ledger:staleness")):
        target = reverse("ledger:staleness")
    return redirect(target)


def _tell(request, run) -> None:
    """The message after reminding: how many units were reminded, and who was not."""
    n = len(run.reminded)
    messages.success(
        request,
        ngettext(
            "Reminder sent to %(n)s unit (%(people)s notices).",
            "Reminders sent to %(n)s units (%(people)s notices).",
            n,
        )
        % {"n": n, "people": run.notices},
    )
    if run.already:
        messages.info(
            request,
            _("Already reminded today, not again: %(units)s.")
            % {"units": "、".join(u.name for u in run.already)},
        )
    if run.nobody:
        messages.warning(
            request,
            _("Nobody to remind (no liaison or head): %(units)s.")
            % {"units": "、".join(u.name for u in run.nobody)},
        )


urlpatterns = [
    path("staleness/", staleness, name="staleness"),
    path("staleness/remind/", remind, name="staleness_remind"),
]
