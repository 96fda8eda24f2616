"""The request a service is running for, so the audit trail can name its address.

Set by `RequestContextMiddleware`; commands and tests run without one.
"""

from contextvars import ContextVar

client_address: ContextVar[str] = ContextVar("client_address", default="")
