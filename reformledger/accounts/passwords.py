"""The password rules (口令复杂度与定期更换), as Django password validators.

Listed in AUTH_PASSWORD_VALIDATORS, they apply wherever Django sets a password: the
password-change page, the security administrator's account pages, Django admin and
`reformledger changepassword`. Their numbers come from the password policy the
security administrator keeps (`PasswordPolicy.current()`), so changing the policy
changes the rules at once, without a restart.

`PasswordHistoryValidator.password_changed` is Django's hook after a password was
saved: it keeps the hash in the history and restarts the password's age. A change
made outside the account services (Django admin, the `changepassword` command) gets
its audit record there too; the services write their own, naming who acted.
"""

import contextlib
import datetime as dt
from contextvars import ContextVar

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reformledger.accounts.models import POLICY_BOUNDS, PasswordHistory, PasswordPolicy

#: How many old hashes an account keeps at most (the policy may ask for fewer).
HISTORY_KEPT = POLICY_BOUNDS["history_count"][1]

_set_by_service: ContextVar[bool] = ContextVar("password_set_by_service", default=False)


@contextlib.contextmanager
def set_by_service():
    """Mark a password change as made (and audited) by an account service."""
    token = _set_by_service.set(True)
    try:
        yield
    finally:
        _set_by_service.reset(token)


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters `password` uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
        )
    )


def password_expires_at(user, policy: PasswordPolicy | None = None) -> dt.datetime | None:
    """When `user`'s password expires under the policy (None: it does not, or the
    account has no local password: it signs in through the directory)."""
    if not user.has_usable_password():
        return None
    policy = policy or PasswordPolicy.current()
    if not policy.max_age_days or user.password_changed_at is None:
        return None
    return user.password_changed_at + dt.timedelta(days=policy.max_age_days)


def password_expired(user, policy: PasswordPolicy | None = None) -> bool:
    """True when `user`'s password is older than the policy's maximum age."""
    expires = password_expires_at(user, policy)
    return expires is not None and expires <= timezone.now()


class MinimumLengthValidator:
    """At least the policy's number of characters (8 by default)."""

    def validate(self, password: str, user=None) -> None:
        length = PasswordPolicy.current().min_length
        if len(password) < length:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d "
                    "character.",
                    "This password is too short. It must contain at least %(min_length)d "
                    "characters.",
                    length,
                ),
                code="password_too_short",
                params={"min_length": length},
            )

    def get_help_text(self) -> str:
        length = PasswordPolicy.current().min_length
        return ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            length,
        ) % {"min_length": length}


class CharacterClassesValidator:
    """Characters of at least the policy's number of classes (3 of 4 by default)."""

    def validate(self, password: str, user=None) -> None:
        needed = PasswordPolicy.current().min_classes
        if character_classes(password) < needed:
            raise ValidationError(
                _(
                    "The password must mix at least %(classes)d of: lower-case letters, "
                    "upper-case letters, digits and other characters."
                ),
                code="password_too_simple",
                params={"classes": needed},
            )

    def get_help_text(self) -> str:
        return _(
            "Mix at least %(classes)d of: lower-case letters, upper-case letters, digits "
            "and other characters."
        ) % {"classes": PasswordPolicy.current().min_classes}


class NotUserNameValidator:
    """Not the user name, and not containing it (in any letter case)."""

    def validate(self, password: str, user=None) -> None:
        username = (user.get_username() if user is not None else "") or ""
        if username and username.casefold() in password.casefold():
            raise ValidationError(
                _("The password may not contain the user name."),
                code="password_contains_username",
            )

    def get_help_text(self) -> str:
        return _("Your password may not contain your user name.")


class PasswordHistoryValidator:
    """Not one of the account's last passwords (5 by default); keeps the history."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        count = PasswordPolicy.current().history_count
        if not count:
            return
        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[
                :count
            ]
        )
        # The password in use counts as one of the last, also when it was set
        # without the history (accounts created before it, or loaded as data).
        if user.password and user.password not in hashes:
            hashes = [user.password, *hashes[: count - 1]]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                ngettext(
                    "The password may not be the same as your last password.",
                    "The password may not be one of your last %(count)d passwords.",
                    count,
                ),
                code="password_reused",
                params={"count": count},
            )

    def get_help_text(self) -> str:
        count = PasswordPolicy.current().history_count
        if not count:
            return ""
        return ngettext(
            "Your password may not be the same as your last password.",
            "Your password may not be one of your last %(count)d passwords.",
            count,
        ) % {"count": count}

    def password_changed(self, password: str, user=None) -> None:
        """Keep the new hash and restart the password's age (never the password)."""
        if user is None or user.pk is None:
            return
        from reformledger.accounts.models import User
        from reformledger.audit import services as audit

        now = timezone.now()
        PasswordHistory.objects.create(user_id=user.pk, password=user.password, created_at=now)
        stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[
            HISTORY_KEPT:
        ]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now
        if not _set_by_service.get():
            audit.record(
                actor=None,
                verb="account.password_changed",
                obj=user,
                reason="set outside the account pages (Django admin or a command)",
            )
