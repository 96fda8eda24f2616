"""The county brands page (一县区一品牌): every county and zone beside its municipal
pilot — its state, the latest ratings of its tasks and what it produced."""

from django.shortcuts import render
from django.urls import path

from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.pilots import permissions
from reformledger.pilots.selectors.pilots import county_brands
from reformledger.pilots.views.registry import pilots_page


def _offices(user) -> list[Unit]:
    """The reform offices whose brands the user reads: those its office and leader roles
    reach, else the offices above its own unit (a county reads its city's brands)."""
    scopes = scopes_of(user)
    paths = scopes.paths(*permissions.READERS)
    offices = Unit.objects.filter(kind="office", is_active=True).order_by("path")
    if paths:
        found = list(offices.filter(under_any("", paths)))
        if found:
            return found
    step = Unit.steplen
    above = {p[:i] for p in scopes.paths(*permissions.UNIT) for i in range(step, len(p) + 1, step)}
    if not above:
        return []
    return [o for o in offices if o.path[:-step] in above]


@pilots_page
def brand_list(request):
    """Every county and zone with its brand, side by side, for one office's registry."""
    offices = _offices(request.user)
    wanted = request.GET.get("office", "")
    office = next((o for o in offices if str(o.pk) == wanted), offices[0] if offices else None)
    rows = county_brands(request.user, office) if office is not None else []
    return render(
        request,
        "pilots/brand_list.html",
        {"rows": rows, "office": office, "offices": offices},
    )


urlpatterns = [path("brands/", brand_list, name="brands")]
