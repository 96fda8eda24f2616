"""Middleware that shares request facts with services without passing them down."""

from reformledger.core.context import client_address


class RequestContextMiddleware:
    """Remember the client address of the current request for audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(request.META.get("REMOTE_ADDR", ""))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
