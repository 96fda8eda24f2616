"""Site-wide views: home, dashboard, health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from reformledger.core.clock import business_date
from reformledger.evaluation.permissions import sees_evaluations
from reformledger.ledger.selectors import next_acts
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of
from reformledger.web import dashboard as dashboard_selectors
from reformledger.web import health


def healthz(request):
    """Liveness and the state of the database, task queue, file storage and audit trail,
    as JSON, for load balancers and monitors: 503 when any probe fails (web/health.py)."""
    healthy, report = health.run()
    day = business_date()
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": report.pop("database"),
            "vendor": connection.vendor,
            # The day the ledger takes as today when RL_BUSINESS_DATE sets one, else null.
            "business_date": day.isoformat() if day else None,
            **report,
        },
        status=200 if healthy else 503,
    )


@login_required
def home(request):
    """The landing page: leaders start at the dashboard, office staff at the ledger, a
    unit's people at their work, an evaluation team at its evaluations."""
    scopes = scopes_of(request.user)
    if scopes.has(Role.OFFICE_LEADER, Role.CITY_LEADER):
        return redirect("web:dashboard")
    if scopes.has(Role.OFFICE_ADMIN):
        return redirect("ledger:ledger")
    if scopes.has(Role.UNIT_REPORTER, Role.UNIT_HEAD):
        return redirect("ledger:my_work")
    # An evaluation team's member (a third-party evaluator) works its evaluations.
    if sees_evaluations(request.user):
        return redirect("evaluation:list")
    # No role at all: a new account (one a directory sign-in created, say) waits for
    # the security administrator to grant one.
    return render(request, "web/home.html", {"no_role": not scopes.by_role})


@login_required
def dashboard(request):
    """The dashboard (领导驾驶舱): charts and tables over the tasks the user sees, per year."""
    data = dashboard_selectors.cached_dashboard(request.user, year=request.GET.get("year"))
    # Leaders land here: what waits for them, a few rows of each kind; the navigation's
    # count reads the same.
    request.next_acts = next_acts(request.user, limit=5)
    return render(request, "web/dashboard.html", {"dash": data, "next_acts": request.next_acts})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404: JSON under /api/, the site's page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """500: JSON under /api/, a static page elsewhere (no template logic that could fail)."""
    if _wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return render(request, "500.html", status=500)
