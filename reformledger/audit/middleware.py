"""Every refused access of a signed-in user leaves one audit record.

A refusal is a 403: a view or a service raised PermissionDenied (Django turns it
into the 403 page), a view answered 403 itself, or the CSRF check refused a form.
The API's exception handler records its own refusals with DRF's reason and marks
the request, so the same refusal is not written twice.

Not recorded here, by decision (docs/decisions/0003-audit-in-the-database.md):
requests without a signed-in user (the login page and django-axes record failed
sign-ins; an anonymous request is sent to the login page or answered 401, and
writing a record for each would let anyone fill the trail), and 404s for objects
outside the user's scope (an object one may not see does not exist for one).
"""

from django.core.exceptions import PermissionDenied

from reformledger.audit import services

_RECORDED = "_rl_refusal_recorded"
_REASON = "_rl_refusal_reason"


def record_refusal(request, reason: str = "") -> None:
    """Write the refusal of `request` (a Django HttpRequest) once, if a user is signed in."""
    if getattr(request, _RECORDED, False):
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    setattr(request, _RECORDED, True)
    services.access_denied(
        user=user,
        method=request.method or "",
        path=request.get_full_path(),
        reason=reason or getattr(request, _REASON, ""),
    )


class RefusalAuditMiddleware:
    """Record each 403 answered to a signed-in user (access.denied, outcome denied).

    Sits after the authentication and request-context middleware, so the record
    names the user and the client address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            record_refusal(request)
        return response

    def process_exception(self, request, exception):
        # Keep the service's reason ("rate", "evidence") for the record; Django
        # still answers with its 403 page.
        if isinstance(exception, PermissionDenied):
            setattr(request, _REASON, str(exception)[:500])
        return None
