"""Accounts: one user per person who signs in, the password policy and its history."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account (账号) of one person; roles come from memberships in units.

    `password_changed_at` starts the password's age (the policy's maximum age counts
    from it); `must_change_password` is set on an initial or reset password, which
    its owner has to replace at the next sign-in. `enabled_at` is when a disabled
    account was enabled again (the inactivity rule counts from it too).
    """

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    enabled_at = models.DateTimeField(_("enabled again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(models.Model):
    """An API token (接口令牌) another system uses to call the API as its owner.

    Only its SHA-256 hash is stored; the owner sees the token once, at creation,
    and may revoke it at any time. Every token expires (the password policy's token
    lifetimes); only a signed-in session creates one. An `elevated` token was made in
    a session verified with the second factor and may do the writes of the roles
    that need one; any other token of such an account only reads.
    """

    user = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    elevated = models.BooleanField(
        _("for second-factor acts"),
        default=False,
        help_text=_(
            "Created in a session verified with the second factor, for the acts that need "
            "it (office leaders' and administrators' writes)."
        ),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


#: Bounds of each policy number: (lowest, highest).
POLICY_BOUNDS = {
    "min_length": (8, 128),
    "min_classes": (1, 4),
    "history_count": (0, 24),
    "max_age_days": (0, 3650),
    "token_default_days": (1, 3650),
    "token_max_days": (1, 3650),
}


def _bounded(name: str) -> list:
    low, high = POLICY_BOUNDS[name]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _token_default_days() -> int:
    return settings.RL_TOKEN_DEFAULT_DAYS


def _token_max_days() -> int:
    return settings.RL_TOKEN_MAX_DAYS


class PasswordPolicy(models.Model):
    """The password policy (口令策略): one row, kept by the security administrator.

    Until it is first saved, the numbers come from the settings (RL_PASSWORD_*,
    RL_TOKEN_*). A maximum age of 0 days means passwords do not expire. The API
    tokens' lifetimes live here too: a token asked for without an expiry lives the
    default number of days, and none may live longer than the maximum.
    """

    min_length = models.PositiveSmallIntegerField(
        _("minimum length"), validators=_bounded("min_length")
    )
    min_classes = models.PositiveSmallIntegerField(
        _("character classes required"),
        help_text=_("Of lower-case letters, upper-case letters, digits and other characters."),
        validators=_bounded("min_classes"),
    )
    history_count = models.PositiveSmallIntegerField(
        _("passwords remembered"),
        help_text=_("A new password may not be one of this many most recent passwords."),
        validators=_bounded("history_count"),
    )
    max_age_days = models.PositiveSmallIntegerField(
        _("maximum age in days"),
        help_text=_("0: passwords do not expire."),
        validators=_bounded("max_age_days"),
    )
    token_default_days = models.PositiveSmallIntegerField(
        _("API token lifetime in days"),
        help_text=_("A token created without an expiry lives this long."),
        default=_token_default_days,
        validators=_bounded("token_default_days"),
    )
    token_max_days = models.PositiveSmallIntegerField(
        _("longest API token lifetime in days"),
        help_text=_("No token may be created to live longer."),
        default=_token_max_days,
        validators=_bounded("token_max_days"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("password policy")
        verbose_name_plural = _("password policies")

    def __str__(self) -> str:
        return str(_("password policy"))

    def clean(self):
        if (
            self.token_default_days
            and self.token_max_days
            and self.token_default_days > self.token_max_days
        ):
            raise ValidationError(
                {"token_default_days": _("The default lifetime may not exceed the longest one.")}
            )

    @classmethod
    def from_settings(cls) -> "PasswordPolicy":
        """The policy the settings give (an unsaved row)."""
        return cls(
            pk=1,
            min_length=settings.RL_PASSWORD_MIN_LENGTH,
            min_classes=settings.RL_PASSWORD_MIN_CLASSES,
            history_count=settings.RL_PASSWORD_HISTORY,
            max_age_days=settings.RL_PASSWORD_MAX_AGE_DAYS,
            token_default_days=settings.RL_TOKEN_DEFAULT_DAYS,
            token_max_days=settings.RL_TOKEN_MAX_DAYS,
        )

    @classmethod
    def current(cls) -> "PasswordPolicy":
        """The policy in force: the saved row, or the settings' defaults."""
        return cls.objects.filter(pk=1).first() or cls.from_settings()


class PasswordHistory(models.Model):
    """A password an account has had (历史口令), kept as its hash only, so a new
    password cannot repeat one of the last few."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="pwhistory_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
