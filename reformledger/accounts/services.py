"""Changes to accounts, each with its audit record.

API tokens (their owner's); passwords and the password policy; accounts the
security administrator creates, resets, disables, enables and unlocks, and the
roles it grants; the TOTP second factor; and the record of every sign-in event.
No audit record ever holds a password, a token or a TOTP secret.
"""

import datetime as dt

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts import permissions
from reformledger.accounts.models import ApiToken, PasswordPolicy, User
from reformledger.accounts.passwords import set_by_service
from reformledger.accounts.tokens import PREFIX_LENGTH, hash_token, new_token
from reformledger.audit import services as audit
from reformledger.audit.models import Outcome
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import ADMIN_ROLES
from reformledger.orgs.models import Membership, Unit

# --- API tokens ---------------------------------------------------------------


@transaction.atomic
def token_create(
    *,
    by,
    name: str,
    expires_at: dt.datetime | None = None,
    elevated: bool = False,
    second_factor_verified: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token for `by` itself; returns the row and the raw token (shown once).

    Every token expires: without `expires_at` it lives the policy's default lifetime,
    and asking for more than the longest lifetime is refused. An `elevated` token (for
    the acts that need the second factor) is made only in a session verified with it.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token (the system that will use it).")})
    now = timezone.now()
    policy = PasswordPolicy.current()
    if expires_at is None:
        expires_at = now + dt.timedelta(days=policy.token_default_days)
    elif expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    elif expires_at > now + dt.timedelta(days=policy.token_max_days):
        raise ValidationError(
            {
                "expires_at": _(
                    "A token may live at most %(days)s days (the password policy); "
                    "choose an earlier expiry."
                )
                % {"days": policy.token_max_days}
            }
        )
    if elevated and not second_factor_verified:
        raise PermissionDenied("an elevated token without a session verified by the second factor")
    raw = new_token()
    token = ApiToken.objects.create(
        user=by,
        name=name,
        prefix=raw[: PREFIX_LENGTH + 3],
        key_hash=hash_token(raw),
        expires_at=expires_at,
        elevated=elevated,
    )
    audit.record(
        actor=by,
        verb="token.created",
        obj=token,
        ctx=by,
        changes={"expires_at": [None, expires_at.isoformat()], "elevated": [None, elevated]},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke a token; only its owner may. Revoking twice changes nothing more."""
    if token.user_id != by.pk:
        raise PermissionDenied("revoke another user's token")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=by, verb="token.revoked", obj=token, ctx=by)
    return token


# --- passwords ------------------------------------------------------------------

POLICY_FIELDS = (
    "min_length",
    "min_classes",
    "history_count",
    "max_age_days",
    "token_default_days",
    "token_max_days",
)


@transaction.atomic
def password_policy_update(
    *,
    by,
    min_length: int,
    min_classes: int,
    history_count: int,
    max_age_days: int,
    token_default_days: int | None = None,
    token_max_days: int | None = None,
) -> PasswordPolicy:
    """Set the password policy's numbers; they apply to the next password set (and the
    token lifetimes to the next token created). Token lifetimes left out are kept."""
    permissions.require_account_manager(by)
    policy = PasswordPolicy.objects.select_for_update().filter(pk=1).first()
    before = PasswordPolicy.from_settings() if policy is None else policy
    before_values = audit.snapshot(before, POLICY_FIELDS)
    policy = policy or PasswordPolicy.from_settings()
    policy.min_length = min_length
    policy.min_classes = min_classes
    policy.history_count = history_count
    policy.max_age_days = max_age_days
    if token_default_days is not None:
        policy.token_default_days = token_default_days
    if token_max_days is not None:
        policy.token_max_days = token_max_days
    policy.full_clean()
    policy.save()
    changes = audit.diff(before_values, audit.snapshot(policy, POLICY_FIELDS))
    if changes:
        audit.record(actor=by, verb="password_policy.updated", obj=policy, changes=changes)
    return policy


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    validate_password(password, user)
    with set_by_service():
        user.set_password(password)
        user.must_change_password = must_change
        # save() hands the new password to the validators' password_changed hook,
        # which keeps its hash in the history and restarts its age.
        user.save(update_fields=["password", "must_change_password"])


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    """The account's owner sets a new password (the old one was checked by the form)."""
    _set_password(user, new_password, must_change=False)
    audit.record(actor=user, verb="account.password_changed", obj=user)
    return user


# --- accounts (the security administrator's) -------------------------------------


def _not_own(by, user: User) -> None:
    # The security administrator manages other people's accounts; its own goes
    # through "my account" like everyone's, so it cannot widen its own reach.
    if by is not None and by.pk == user.pk:
        raise PermissionDenied("manage one's own account")


@transaction.atomic
def user_create(*, by, username: str, password: str, full_name: str = "", email: str = "") -> User:
    """Create an account with an initial password its owner must change at first sign-in."""
    permissions.require_account_manager(by)
    username = User.normalize_username(username.strip())
    if not username:
        raise ValidationError({"username": _("Give the account a user name.")})
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("The user name %(name)s is taken.") % {"name": username}}
        )
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    with set_by_service():
        user.set_password(password)
        user.must_change_password = True
        user.save()
    _record_created(by=by, user=user)
    return user


@transaction.atomic
def user_password_reset(*, by, user: User, password: str, reason: str = "") -> User:
    """Give an account a new password its owner must change at the next sign-in."""
    permissions.require_account_manager(by)
    _not_own(by, user)
    try:
        _set_password(user, password, must_change=True)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    audit.record(actor=by, verb="account.password_reset", obj=user, reason=reason)
    return user


@transaction.atomic
def user_disable(*, by, user: User, reason: str = "") -> User:
    """Disable an account: its sessions end at their next request, its API tokens stop."""
    permissions.require_account_manager(by)
    _not_own(by, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            actor=by,
            verb="account.disabled",
            obj=user,
            changes={"is_active": [True, False]},
            reason=reason,
        )
    return user


@transaction.atomic
def user_enable(*, by, user: User, reason: str = "") -> User:
    """Enable a disabled account; it counts as fresh for the inactivity rule."""
    permissions.require_account_manager(by)
    _not_own(by, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.enabled_at = timezone.now()
        user.save(update_fields=["is_active", "enabled_at"])
        audit.record(
            actor=by,
            verb="account.enabled",
            obj=user,
            changes={"is_active": [False, True]},
            reason=reason,
        )
    return user


@transaction.atomic
def user_unlock(*, by, user: User) -> int:
    """End a lock-out after failed sign-ins (from every address); returns the number
    of failure records removed."""
    permissions.require_account_manager(by)
    removed = axes_reset(username=user.get_username())
    audit.record(actor=by, verb="account.unlocked", obj=user, changes={"failures": [removed, 0]})
    return removed


@transaction.atomic
def role_grant(*, by, user: User, unit: Unit, role: str, title: str = "") -> Membership:
    """Give an account a role in a unit (the membership service writes the record)."""
    permissions.require_account_manager(by)
    _not_own(by, user)
    if role in ADMIN_ROLES and not user.has_usable_password():
        # The administrators sign in with a local password only (never through the
        # directory); an account without one could not sign in as one.
        raise ValidationError(
            {
                "role": _(
                    "The three administrators are local accounts: this account signs in "
                    "through the directory. Create a local account for the role."
                )
            }
        )
    return orgs.membership_grant(by=by, user=user, unit=unit, role=role, title=title)


@transaction.atomic
def role_revoke(*, by, membership: Membership, reason: str = "") -> Membership:
    """End an account's role (the membership service writes the record)."""
    permissions.require_account_manager(by)
    _not_own(by, membership.user)
    return orgs.membership_revoke(by=by, membership=membership, reason=reason)


def inactive_users(now: dt.datetime | None = None):
    """Active accounts unused for RL_ACCOUNT_INACTIVE_DAYS: no sign-in, no API call,
    and not created or enabled since."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.RL_ACCOUNT_INACTIVE_DAYS)
    return (
        User.objects.filter(is_active=True, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .filter(Q(enabled_at__isnull=True) | Q(enabled_at__lt=cutoff))
        .exclude(Exists(ApiToken.objects.filter(user=OuterRef("pk"), last_used_at__gte=cutoff)))
        .order_by("username")
    )


@transaction.atomic
def users_disable_inactive(*, now: dt.datetime | None = None) -> list[str]:
    """Disable every account unused for RL_ACCOUNT_INACTIVE_DAYS, each with its record;
    returns their user names."""
    days = settings.RL_ACCOUNT_INACTIVE_DAYS
    done = []
    for user in inactive_users(now).select_for_update(of=("self",)):
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            actor=None,
            verb="account.disabled",
            obj=user,
            changes={"is_active": [True, False]},
            reason=f"unused for {days} days",
        )
        done.append(user.username)
    return done


# --- accounts of the directory (LDAP) --------------------------------------------

#: The reason the records of the directory's accounts give.
FROM_DIRECTORY = "from the directory"


def _record_created(*, by, user: User, reason: str = "") -> None:
    """The record of a new account: its name, full name and e-mail."""
    audit.record(
        actor=by,
        verb="account.created",
        obj=user,
        changes={
            "username": [None, user.username],
            "full_name": [None, user.full_name],
            "email": [None, user.email],
        },
        reason=reason,
    )


@transaction.atomic
def directory_account_sync(*, username: str, full_name: str = "", email: str = "") -> User | None:
    """The local account of a directory user who has just signed in (accounts.ldap).

    At the first sign-in it is created with no role (the security administrator grants
    them on the account pages) and no usable local password; later sign-ins bring its
    name and e-mail up to date from the directory. Each creation and change has its
    record. None when the account of that name is local-only
    (`permissions.signs_in_through_directory`): an administrator, an account with a
    local password, or one disabled here, whatever the directory says.
    """
    username = User.normalize_username(username.strip()).lower()
    full_name = full_name.strip()[: User._meta.get_field("full_name").max_length]
    email = email.strip()[: User._meta.get_field("email").max_length]
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, email=email)
        user.set_unusable_password()
        user.save()
        _record_created(by=None, user=user, reason=FROM_DIRECTORY)
        return user
    if not permissions.signs_in_through_directory(user):
        return None
    before = audit.snapshot(user, ("full_name", "email"))
    # A value the directory does not give keeps the account's own.
    user.full_name = full_name or user.full_name
    user.email = email or user.email
    changes = audit.diff(before, audit.snapshot(user, ("full_name", "email")))
    if changes:
        user.save(update_fields=list(changes))
        audit.record(
            actor=None,
            verb="account.directory_updated",
            obj=user,
            changes=changes,
            reason=FROM_DIRECTORY,
        )
    return user


# --- the second factor (TOTP) --------------------------------------------------


@transaction.atomic
def otp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator key for `user` (shown on the enrolment page);
    an earlier unconfirmed one is dropped. It counts once a code from it is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def otp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with a code from the new key, which then replaces any
    earlier key. A wrong code is recorded and changes nothing else (False)."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("confirm another device")
    if not verify_token(user, device.persistent_id, token.strip()):
        audit.record(
            actor=user, verb="auth.otp_failed", obj=user, outcome=Outcome.FAILURE, reason="enrol"
        )
        return False
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit.record(actor=user, verb="account.otp_enrolled", obj=user)
    return True


@transaction.atomic
def otp_device_install(*, by, user: User, key: str, name: str) -> TOTPDevice:
    """Give `user` a confirmed key that is known beforehand (the demo's published
    ones); commands pass by=None."""
    permissions.require_account_manager(by)
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True)
    audit.record(actor=by, verb="account.otp_enrolled", obj=user, reason=name)
    return device


@transaction.atomic
def otp_device_remove(*, by, user: User, reason: str = "") -> int:
    """Remove an account's second factor (a lost phone): its owner enrols again at the
    next sign-in if a role needs one. The owner may remove its own only when no role
    needs it."""
    if by is not None and by.pk == user.pk:
        if permissions.second_factor_required(user):
            raise PermissionDenied("remove a required second factor")
    else:
        permissions.require_account_manager(by)
    removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        audit.record(actor=by, verb="account.otp_removed", obj=user, reason=reason)
    return removed


@transaction.atomic
def otp_verify(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Check a sign-in's TOTP code; success and failure are both recorded."""
    ok = verify_token(user, device.persistent_id, token.strip()) is not None
    audit.record(
        actor=user,
        verb="auth.otp_verified" if ok else "auth.otp_failed",
        obj=user,
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
    )
    return ok


# --- sign-in events ---------------------------------------------------------------


#: Where a sign-in's password was checked: the local account's, or the directory's.
SOURCE_LOCAL = "local"
SOURCE_DIRECTORY = "directory"
#: The reason a failed sign-in's record gives when the directory could not be asked.
DIRECTORY_UNAVAILABLE_REASON = "directory unavailable"


@transaction.atomic
def login_record(*, user: User, source: str = SOURCE_LOCAL) -> None:
    """A password sign-in succeeded (the second factor, if needed, follows); the record
    names where the password was checked (`source`: local or the directory)."""
    audit.record(actor=user, verb="auth.login", obj=user, changes={"source": source})


@transaction.atomic
def logout_record(*, user: User) -> None:
    """The user signed out."""
    audit.record(actor=user, verb="auth.logout", obj=user)


@transaction.atomic
def login_failure_record(*, username: str, address: str | None = None, reason: str = "") -> None:
    """A sign-in failed: unknown user, wrong password, disabled or locked account, or
    the directory could not be asked (`reason`). The record names the user name tried
    (never the password)."""
    user = User.objects.filter(username=username).first() if username else None
    audit.record(
        actor=user or (username or "")[:150] or None,
        verb="auth.login_failed",
        obj=user,
        outcome=Outcome.FAILURE,
        changes={"username": username or ""},
        address=address,
        reason=reason,
    )


@transaction.atomic
def lockout_record(*, username: str, address: str | None = None, by_address: bool = False) -> None:
    """Sign-in refused because of repeated failures (the lock-out): of this user name
    from the address, or (`by_address`) of any user names from the address."""
    user = User.objects.filter(username=username).first() if username else None
    if by_address:
        reason = f"{settings.RL_LOGIN_ADDRESS_FAILURE_LIMIT} failed sign-ins from the address"
    else:
        reason = f"{settings.AXES_FAILURE_LIMIT} failed sign-ins"
    audit.record(
        actor=user or (username or "")[:150] or None,
        verb="auth.locked_out",
        obj=user,
        outcome=Outcome.DENIED,
        changes={"username": username or ""},
        address=address,
        reason=reason,
    )


@transaction.atomic
def session_expiry_record(*, user: User, reason: str) -> None:
    """A session ended by time-out (idle or absolute)."""
    audit.record(actor=user, verb="auth.session_expired", obj=user, reason=reason)
