"""System checks of the audit trail's settings (`reformledger check`)."""

from django.conf import settings
from django.core import checks

#: The Cybersecurity Law (网络安全法) art. 21 asks network logs be kept six months at the
#: least; MLPS 2.0 (GB/T 22239-2019 8.1.4.3 c) asks the records be protected meanwhile.
MIN_RETENTION_DAYS = 180


@checks.register(checks.Tags.security)
def audit_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from reformledger.audit.services import ALGORITHMS, sm3_available

    errors: list[checks.CheckMessage] = []
    days = getattr(settings, "RL_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        errors.append(
            checks.Error(
                f"RL_AUDIT_RETENTION_DAYS is {days!r}; audit records must be kept at least "
                f"{MIN_RETENTION_DAYS} days.",
                hint=f"Set RL_AUDIT_RETENTION_DAYS to {MIN_RETENTION_DAYS} or more.",
                id="audit.E001",
            )
        )
    algorithm = str(getattr(settings, "RL_AUDIT_HASH", "sha256")).lower()
    if algorithm not in ALGORITHMS:
        errors.append(
            checks.Error(
                f"RL_AUDIT_HASH is {algorithm!r}; it must be one of {', '.join(ALGORITHMS)}.",
                id="audit.E002",
            )
        )
    elif algorithm == "sm3" and not sm3_available():
        errors.append(
            checks.Warning(
                "RL_AUDIT_HASH asks for SM3, which this platform's hashlib does not offer; "
                "the audit chain uses SHA-256.",
                hint="Install an OpenSSL with SM3, or set RL_AUDIT_HASH=sha256.",
                id="audit.W001",
            )
        )
    return errors
