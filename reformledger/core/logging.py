"""Keep secrets and personal identifiers out of the logs (日志脱敏).

`MaskSecretsFilter` sits on the root handler (settings.LOGGING), so every line any
logger writes passes through it: the values of password-, token-, secret- and
authorization-like keys and Chinese resident identity numbers (居民身份证号) are
replaced before the line is written. The message is formatted once with its args
and the masked text replaces both, so a secret passed as an argument is caught too.

With RL_LOG_FORMAT=json every handler writes `JsonLinesFormatter` lines, which
`RequestContextFilter` gives the request id, user, path and server id
(docs/operations.md "Monitoring: health, metrics, logs").
"""

import datetime as dt
import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

MASK = "***"
ID_MASK = "[id-number]"

# A key whose name contains one of these words, followed by = or :, optionally quoted
# (query strings, form dumps, dict and JSON reprs): its value is masked.
_MASKED_NAMES = (
    "password|passwd|pwd|secret|token|api[_-]?key|authorization|credential|"
    "sessionid|session_key|cookie|otp|totp"
)
_KEY_VALUE = re.compile(
    rf"(?i)(?P<key>[\w-]*(?:{_MASKED_NAMES})[\w-]*)"
    r"(?P<sep>['\"]?\s*[:=]\s*(?P<quote>['\"]?))"
    r"(?P<value>(?:Bearer|Token|Basic)\s+[^\s'\",;&}]+|[^\s'\",;&}]+)"
)
_SECRET_NAME = re.compile(rf"(?i)[\w-]*(?:{_MASKED_NAMES})[\w-]*")
# An authorization scheme and its credential wherever it appears.
_SCHEME = re.compile(r"\b(Bearer|Token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
# A resident identity number: 6-digit area, birth date 18xx-20xx, 3-digit sequence,
# check digit. Not glued to other digits or letters (Chinese text around it is fine).
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)


def mask(text: str) -> str:
    """`text` with secrets and resident identity numbers replaced."""
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{MASK}", text)
    text = _SCHEME.sub(lambda m: f"{m[1]} {MASK}", text)
    return _ID_NUMBER.sub(ID_MASK, text)


_formatter = logging.Formatter()


class MaskSecretsFilter(logging.Filter):
    """Mask secrets in a record's message and args; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let logging report it as it would
            return True
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set, so the traceback is masked as well.
            record.exc_text = mask(_formatter.formatException(record.exc_info))
        return True


class RequestContextFilter(logging.Filter):
    """Add the request's id, user id and path, and this app server's id, to each record
    (`request_id`, `user_id`, `path`, `server_id`), so a JSON line names them.

    Read from the request being served (core/context.py), else from the `request` Django
    passes with its own request log lines (written after the middleware returned).
    A value the caller passed in `extra` is kept (gunicorn's access log passes its own).
    """

    def __init__(self, server_id: str | None = None):
        super().__init__()
        self._server_id = server_id

    def server_id(self) -> str:
        if self._server_id is not None:
            return self._server_id
        from django.conf import settings

        try:
            return getattr(settings, "RL_SERVER_ID", "")
        except Exception:  # settings not configured (a process without Django)
            return ""

    def filter(self, record: logging.LogRecord) -> bool:
        from reformledger.core.context import request_facts

        request_id, user_id, path = request_facts(getattr(record, "request", None))
        for name, value in (("request_id", request_id), ("user_id", user_id), ("path", path)):
            if getattr(record, name, None) in (None, ""):
                setattr(record, name, value)
        if not getattr(record, "server_id", None):
            record.server_id = self.server_id()
        return True


def _masked(value):
    """A log field's value with secrets masked; what JSON cannot hold, as masked text."""
    if isinstance(value, str):
        return mask(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return mask(str(value))


class JsonLinesFormatter(JsonFormatter):
    """One JSON object a line (RL_LOG_FORMAT=json): time (UTC, ISO 8601), level, logger,
    message, request_id, user_id, path, server_id, then any `extra` fields and the
    traceback (`exc_info`). Every text value passes `mask` again: `extra` fields and the
    traceback the JSON formatter renders itself never went through MaskSecretsFilter."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            [
                "asctime",
                "levelname",
                "name",
                "message",
                "request_id",
                "user_id",
                "path",
                "server_id",
            ],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            # Django passes the request object with its request log lines: never dumped.
            reserved_attrs=[*RESERVED_ATTRS, "request"],
            json_ensure_ascii=False,
        )

    def formatTime(self, record, datefmt=None):
        return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")

    def process_log_record(self, log_data):
        # An `extra` field named like a secret (`token=...`) has its whole value masked.
        return {
            key: MASK if _SECRET_NAME.fullmatch(key) and value else _masked(value)
            for key, value in log_data.items()
        }


LOG_FORMATS = ("text", "json")


def configure(config: dict, *, log_format: str) -> dict:
    """settings.LOGGING with the request filter on every handler and, for "json", every
    handler writing JSON lines; "text" keeps the plain lines as they were."""
    if log_format not in LOG_FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"RL_LOG_FORMAT={log_format!r}: use text or json.")
    config.setdefault("filters", {})["request_context"] = {
        "()": "reformledger.core.logging.RequestContextFilter"
    }
    if log_format == "json":
        config.setdefault("formatters", {})["json"] = {
            "()": "reformledger.core.logging.JsonLinesFormatter"
        }
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "request_context"]
        if log_format == "json":
            handler["formatter"] = "json"
    return config
