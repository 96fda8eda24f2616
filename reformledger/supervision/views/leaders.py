"""Leader links (挂钩联系): a leader's page of their linked key tasks, and the office's
list of links where staff link a key task to a director or deputy."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.supervision import permissions, selectors, services
from reformledger.supervision.forms import LinkForm, office_leaders
from reformledger.supervision.models import LeaderLink
from reformledger.supervision.views.common import (
    chosen_office,
    offices_for,
    supervision_page,
)


def _leader_or_404(request, user_id: int | None):
    """The leader whose page is asked for: the user themself, or (for the office's
    staff and leaders) a director or deputy of one of their offices."""
    if user_id is None or user_id == request.user.pk:
        return request.user
    leader = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if leader is None:
        raise Http404
    offices = offices_for(request.user, "record")
    if not any(permissions.is_office_leader(leader, office) for office in offices):
        raise Http404
    return leader


@supervision_page
def leader_desk(request, user_id: int | None = None):
    """A leader's linked key tasks: each with its current rating, the next milestone
    due, open orders and open action items."""
    leader = _leader_or_404(request, user_id)
    rows = selectors.leader_desk(leader)  # open matters marked overdue as of their year
    return render(
        request,
        "supervision/leader_desk.html",
        {
            "leader": leader,
            "rows": rows,
            "own": leader.pk == request.user.pk,
            "can_issue": bool(offices_for(request.user, "issue_order")),
        },
    )


@supervision_page
def link_list(request):
    """The office's leader links: who follows which key task, a form to link one,
    and each leader with the number of tasks they follow."""
    offices = offices_for(request.user, "record")
    office = chosen_office(request, offices)
    form = None
    if office is not None:
        leaders = office_leaders(office)
        form = LinkForm(
            request.POST if request.method == "POST" else None,
            offices=offices,
            office=office,
            leaders=leaders,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                link = services.leader_link_set(
                    task=data["task"], leader=data["leader"], by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(code)s is now followed by %(leader)s.")
                    % {"code": link.task.code, "leader": link.leader},
                )
                return redirect("supervision:links")
    elif request.method == "POST":
        raise PermissionDenied
    links = selectors.links(request.user).filter(ended_at__isnull=True).order_by("task__code")
    page = Paginator(links, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    leaders_summary = _leaders_with_counts(office) if office is not None else []
    return render(
        request,
        "supervision/link_list.html",
        {
            "form": form,
            "page": page,
            "query": "",
            "leaders": leaders_summary,
            "can_record": office is not None,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _leaders_with_counts(office) -> list:
    """The office's leaders, each with the number of key tasks linked to them now."""
    leaders = list(office_leaders(office))
    counts = dict(
        LeaderLink.objects.filter(ended_at__isnull=True, task__office=office, leader__in=leaders)
        .values_list("leader_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for leader in leaders:
        leader.n_links = counts.get(leader.pk, 0)
    return leaders


@supervision_page
@require_POST
def link_end(request, pk: int):
    """End a leader link (the task is followed by no one until linked again)."""
    link = selectors.links(request.user).filter(pk=pk).first()
    if link is None:
        raise Http404
    if not permissions.can_office(request.user, "record", link.task.office):
        raise PermissionDenied
    try:
        services.leader_link_end(link=link, by=request.user, reason=request.POST.get("reason", ""))
    except ConflictError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("The link of %(code)s has ended.") % {"code": link.task.code})
    return redirect("supervision:links")


urlpatterns = [
    path("leader/", leader_desk, name="leader_desk"),
    path("leader/<int:user_id>/", leader_desk, name="leader_desk_of"),
    path("links/", link_list, name="links"),
    path("links/<int:pk>/end/", link_end, name="link_end"),
]
