"""The request a service is running for, so the audit trail can name its address and
every log line its request id, user and path.

Set by `RequestContextMiddleware` and `RequestIdMiddleware`; commands and tests run
without one.
"""

import ipaddress
import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.utils.functional import LazyObject, empty

client_address: ContextVar[str] = ContextVar("client_address", default="")
# The request being served (for the log: its id, path and user), or None outside one.
current_request: ContextVar = ContextVar("current_request", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id must look like to be kept (nginx's $request_id is 32 hex digits);
# anything else could smuggle text into the log lines that carry it.
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.RL_TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The address of the user behind a request: `REMOTE_ADDR`, unless that is one of
    the reverse proxies in RL_TRUSTED_PROXIES — then the right-most address in
    `X-Forwarded-For` that is not a trusted proxy (a client can prepend anything to
    the header, but not what the proxies append). The audit trail and the lock-out
    both use it, so they name the same address."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not _trusted(remote):
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in chain if a]):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


def request_id_of(request) -> str:
    """The id of a request: the `X-Request-ID` a trusted reverse proxy (RL_TRUSTED_PROXIES)
    sent when it looks like a token, so the proxy's log and ours name the same request;
    otherwise a new one. A client's own header is never believed."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if (
        given
        and _trusted(request.META.get("REMOTE_ADDR", "") or "")
        and _REQUEST_ID.fullmatch(given)
    ):
        return given
    return uuid.uuid4().hex


def request_facts(request=None) -> tuple[str, int | None, str]:
    """(request id, user id, path) of `request`, else of the request being served, for a
    log line; empty outside a request. The user is named only once authentication has
    resolved it: a log line never makes the session or the database be read."""
    request = request if request is not None else current_request.get()
    if request is None:
        return "", None, ""
    attributes = getattr(request, "__dict__", {})
    user = attributes.get("_cached_user")
    if user is None:
        user = attributes.get("user")
        # AuthenticationMiddleware's lazy user not yet read: leave it unread.
        if isinstance(user, LazyObject):
            user = None if user._wrapped is empty else user._wrapped
    user_id = getattr(user, "pk", None) if user is not None else None
    return getattr(request, "request_id", ""), user_id, getattr(request, "path", "")
