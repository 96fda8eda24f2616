"""Site-wide views: home, health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import scopes_of


def healthz(request):
    """Liveness and database status, as JSON, for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # any database failure is reported, not raised
        db = f"error: {exc.__class__.__name__}"
    status = 200 if db == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": db, "vendor": connection.vendor},
        status=status,
    )


@login_required
def home(request):
    """The landing page: a unit's people start at their work, the office at its ledger."""
    scopes = scopes_of(request.user)
    if scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.CITY_LEADER):
        return redirect("ledger:ledger")
    if scopes.has(Role.UNIT_REPORTER, Role.UNIT_HEAD):
        return redirect("ledger:my_work")
    return render(request, "web/home.html")
