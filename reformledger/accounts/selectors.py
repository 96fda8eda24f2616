"""Reads of the account pages: the security administrator's list and detail, and the
owner's own account. Each list runs a fixed number of queries."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts.models import User
from reformledger.orgs.models import Membership


def _active_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role"),
        to_attr="active_memberships",
    )


def users_for_admin(*, q: str = "", state: str = "") -> QuerySet:
    """Accounts matching a search of user name, full name or e-mail, with their active
    roles and whether they have a second factor."""
    users = User.objects.all()
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(email__icontains=q)
        )
    if state == "active":
        users = users.filter(is_active=True)
    elif state == "disabled":
        users = users.filter(is_active=False)
    elif state == "must_change":
        users = users.filter(must_change_password=True)
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        users.annotate(has_otp=Exists(confirmed))
        .prefetch_related(_active_memberships())
        .order_by("username")
    )


def locked_usernames(usernames) -> set[str]:
    """Which of `usernames` are locked out now (from any address)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            attempt_time__gte=since,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        ).values_list("username", flat=True)
    )


def user_for_admin(pk: int) -> User:
    """One account with its roles (active and ended) for the security administrator."""
    return (
        users_for_admin()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by(
                    "-is_active", "unit__path", "role"
                ),
                to_attr="all_memberships",
            )
        )
        .get(pk=pk)
    )


def otp_device_of(user, *, confirmed: bool = True) -> TOTPDevice | None:
    """The account's authenticator key (confirmed, or the one being enrolled)."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def own_memberships(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
