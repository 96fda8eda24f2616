"""Errors services raise; views turn them into messages and status codes."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "StaleVersionError", "ValidationError"]


class ConflictError(Exception):
    """The object changed since the caller read it (a stale version or a repeated act),
    or its state forbids the act (a closed task): nothing was changed."""


class StaleVersionError(ConflictError):
    """The version the caller read is no longer the current one: it would overwrite a
    change it has not seen. Compared on the locked row, so nothing was changed."""
