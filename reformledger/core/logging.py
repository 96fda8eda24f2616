"""Keep secrets and personal identifiers out of the logs (日志脱敏).

`MaskSecretsFilter` sits on the root handler (settings.LOGGING), so every line any
logger writes passes through it: the values of password-, token-, secret- and
authorization-like keys and Chinese resident identity numbers (居民身份证号) are
replaced before the line is written. The message is formatted once with its args
and the masked text replaces both, so a secret passed as an argument is caught too.
"""

import logging
import re

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
