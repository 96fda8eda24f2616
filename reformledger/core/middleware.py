"""Middleware that shares request facts with services without passing them down."""

from reformledger.core.context import (
    REQUEST_ID_HEADER,
    client_address,
    client_ip,
    current_request,
    request_id_of,
)


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


class RequestIdMiddleware:
    """Give each request an id (`request.request_id`: a trusted proxy's `X-Request-ID`,
    else a new one), answer it in the `X-Request-ID` header, and keep the request in the
    context so every log line written while it is served names its id, user and path
    (core/logging.py `RequestContextFilter`). First in MIDDLEWARE, so every answer has it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class ServerIdMiddleware:
    """`X-RL-Server: <RL_SERVER_ID>` on every response of this app server, so an operator
    (and the stack's tests) can tell which server of the pool behind nginx answered.
    Before WhiteNoise in MIDDLEWARE, so the static files an app server answers itself
    carry it too (those nginx serves do not); no header while the setting is empty."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if settings.RL_SERVER_ID:
            response["X-RL-Server"] = settings.RL_SERVER_ID
        return response
