"""Turn the services' refusals into API errors that name the field."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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


def exception_handler(exc, context):
    """DRF's handler, plus: a Django ValidationError is a 400 naming its fields, a
    ConflictError a 409, a PermissionDenied a 403."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)
