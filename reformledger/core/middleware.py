"""Middleware that shares request facts with services without passing them down."""

from reformledger.core.context import client_address, client_ip


class RequestContextMiddleware:
    """Remember the client address of the current request for audit records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_address.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user (pages, API,
    downloads), so no browser or proxy keeps a copy of personal data.

    Static files never reach this middleware (WhiteNoise answers them first) and keep
    their long cache lifetimes. The user is read after the view, so a request signed
    in by an API token counts as signed in too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
