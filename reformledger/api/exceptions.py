"""Turn the services' refusals into API errors that name the field."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reformledger.audit.middleware import record_refusal
from reformledger.core.exceptions import ConflictError


class Conflict(exceptions.APIException):
    """The object changed since the caller read it: 409, nothing was changed."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """If-Match named a version that is no longer current: 412, nothing was changed."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "precondition failed"
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """A change of a versioned object that does not say which version it read: 428,
    nothing was changed (a blind write would overwrite changes it never saw)."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = _lazy(
        "Say which version you read: send the ETag you read as If-Match, or the "
        "`version` you read in the body. Nothing was changed."
    )
    default_code = "precondition_required"


def exception_handler(exc, context):
    """DRF's handler, plus: a Django ValidationError is a 400 naming its fields, a
    ConflictError a 409, a PermissionDenied a 403 that leaves an audit record, and a
    Django Http404 (`get_object_or_404`) DRF's "Not found." in the request's language
    (Django words it in English, naming the model)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    original = exc
    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.PermissionDenied) and response is not None:
        # A refusal of a signed-in user is audited (access.denied); 401s are not:
        # see reformledger/audit/middleware.py.
        request = context.get("request")
        if request is not None:
            reason = str(original) if original is not exc else str(exc.detail)
            record_refusal(request._request, reason=reason or str(exc.detail))
    return response
