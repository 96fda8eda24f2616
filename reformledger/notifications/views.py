"""Notice pages: the user's notices, and staleness per unit for the office. Views
translate HTTP to services and selectors; they change nothing themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reformledger.notifications import selectors, services

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """The user's notices, newest first, unread ones highlighted (?unread=1: only those)."""
    notices = selectors.notifications_of(request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "only_unread": only_unread, "query": "unread=1" if only_unread else ""},
    )


def _back(request, default: str = "notifications:list"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notice read, then go back (or on to `next`, e.g. the task it names)."""
    notice = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.notification_read(notification=notice, by=request.user)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(by=request.user)
    if count:
        messages.success(request, _("%(count)s notices marked read.") % {"count": count})
    return _back(request)
