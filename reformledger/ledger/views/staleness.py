"""Staleness per unit (督促): who has stopped reporting, worst first, sortable."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from reformledger.ledger import permissions
from reformledger.ledger.selectors import staleness as staleness_selectors

PAGE_SIZE = 30


@login_required
def staleness(request):
    """Staleness per unit (督促): who has stopped reporting, worst first, sortable."""
    if not permissions.can_see_staleness(request.user):
        raise PermissionDenied
    sort = request.GET.get("sort", "worst")
    rows = staleness_selectors.sort_staleness(
        staleness_selectors.staleness_by_unit(request.user), sort
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    staleness_selectors.attach_units(page.object_list)
    return render(
        request,
        "ledger/staleness.html",
        {
            "page": page,
            "sort": sort,
            "query": urlencode({"sort": sort}),
            "today": timezone.localdate(),
            "ignored_after": staleness_selectors.IGNORED_AFTER_DAYS,
        },
    )


urlpatterns = [path("staleness/", staleness, name="staleness")]
