"""The request a service is running for, so the audit trail can name its address.

Set by `RequestContextMiddleware`; commands and tests run without one.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

client_address: ContextVar[str] = ContextVar("client_address", default="")


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
