"""Errors services raise; views turn them into messages and status codes."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["ConflictError", "PermissionDenied", "ValidationError"]


class ConflictError(Exception):
    """The object changed since the caller read it (a stale version or a repeated act)."""
