"""Unit pages: the tree, and one unit with its names, people and the tasks it leads or
helps on (the ledger's selector; the unit tree itself knows nothing of tasks)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from reformledger.ledger import selectors as ledger_selectors
from reformledger.notifications.permissions import can_manage_messengers
from reformledger.orgs import selectors
from reformledger.orgs.models import Unit


@login_required
def unit_list(request):
    return render(request, "web/units/unit_list.html", {"units": selectors.unit_tree(request.user)})


@login_required
def unit_detail(request, pk: int):
    """A unit: its names over time, people, sub-units, and the tasks it leads or helps."""
    try:
        unit = selectors.unit_detail(request.user, pk)
    except Unit.DoesNotExist as exc:
        raise Http404 from exc
    led, helped = ledger_selectors.unit_tasks(request.user, unit)
    return render(
        request,
        "web/units/unit_detail.html",
        {
            "unit": unit,
            "children": selectors.unit_children(unit),
            "people": selectors.unit_people(unit),
            "led": led[:500],
            "helped": helped[:500],
            "manages_messengers": can_manage_messengers(request.user, unit),
        },
    )
