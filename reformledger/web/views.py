"""Site-wide views: home, health check."""

from django.db import connection
from django.http import JsonResponse


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
