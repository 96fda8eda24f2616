"""Staleness per unit (督促): who has stopped reporting, worst first, sortable."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from reformledger.ledger import permissions, selectors
from reformledger.ledger.selectors import staleness as staleness_selectors

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
        },
    )


urlpatterns = [path("staleness/", staleness, name="staleness")]
