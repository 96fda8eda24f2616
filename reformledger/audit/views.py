"""The auditor's pages (审计管理员): the trail with search and filters, one record with
its hashes, the chain's verification, and the trail as Excel. Everyone else gets a
403 (which itself leaves an access.denied record)."""

import dataclasses
import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from reformledger.audit import export, selectors, services
from reformledger.audit.forms import TrailFilter, object_types, verb_choices
from reformledger.audit.models import AuditRecord
from reformledger.audit.permissions import can_read_trail
from reformledger.audit.published import HeadFileError, last_published_head, published_break
from reformledger.audit.verbs import describe

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Records verified per second on the reference machine (bench/bench_verify_audit.py),
#: for the page's estimate of how long a verification takes.
VERIFY_RATE = 40_000


def auditor_only(view):
    """Signed in, and holding the auditor role; anyone else is refused (403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_read_trail(request.user):
            raise PermissionDenied("audit_trail")
        return view(request, *args, **kwargs)

    return wrapped


def _query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@auditor_only
def trail(request):
    """The trail, newest first, searched and filtered, 50 records a page."""
    flt = TrailFilter(request.GET or None)
    records = selectors.trail(**flt.filters())
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "filter": flt,
            "page": page,
            "query": _query(request),
            "verbs": verb_choices(),
            "object_types": object_types(),
            "retention_days": settings.RL_AUDIT_RETENTION_DAYS,
        },
    )


@auditor_only
def record_detail(request, pk: int):
    """One record: every field, its changes, its hash and the previous hash, whether
    its own hash holds and whether it links to the record before it."""
    record = get_object_or_404(AuditRecord.objects.select_related("actor"), pk=pk)
    before, after = selectors.neighbours(record)
    links = record.prev_hash == (before.hash if before else services.GENESIS)
    return render(
        request,
        "audit/record.html",
        {
            "record": record,
            "words": describe(record.verb),
            "at_utc": record.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "before": before,
            "after": after,
            "holds": selectors.record_holds(record),
            "links": links,
        },
    )


@auditor_only
@require_http_methods(["GET", "POST"])
def verify(request):
    """Verify the whole chain (POST) and show the result: the count and the chain head,
    or the first broken record; like `verify_audit`, against the last head published
    outside the database (a head cut off or rewritten since is a break). The run is
    synchronous; the page says how long it should take. Each run is itself recorded
    (audit.verified)."""
    report = published = None
    published_error = ""
    if request.method == "POST":
        try:
            published = last_published_head()
        except HeadFileError as exc:
            published_error = str(exc)
        report = selectors.walk_chain()
        cut = published_break(published) if published is not None else None
        if cut is not None and report.broken is None:
            report = dataclasses.replace(report, broken=cut)
        services.chain_verified(
            by=request.user,
            records=report.count,
            broken_id=report.broken.id if report.broken else None,
            problem=report.broken.problem if report.broken else "",
            head=report.head,
        )
    head = selectors.chain_head()
    estimate = max(1, round(head.id / VERIFY_RATE)) if head else 0
    return render(
        request,
        "audit/verify.html",
        {
            "report": report,
            "head": head,
            "estimate": estimate,
            "published": published,
            "published_error": published_error,
        },
    )


@auditor_only
def trail_xlsx(request):
    """The filtered trail as Excel (at most `export.MAX_ROWS` records, newest first);
    the export is itself recorded (audit.exported)."""
    flt = TrailFilter(request.GET or None)
    filters = flt.filters()
    records = selectors.trail(**filters)
    data, rows = export.write_trail(records, total=records.count())
    asked = {k: v for k, v in request.GET.items() if k in flt.fields and v}
    services.trail_exported(by=request.user, filters=asked, rows=rows)
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = content_disposition_header(True, f"audit-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response
