"""Who may manage accounts, and who must sign in with a second factor."""

from django.core.exceptions import PermissionDenied

from reformledger.orgs.choices import ADMIN_ROLES, Role
from reformledger.orgs.permissions import scopes_of

#: Roles that sign in with a password and a TOTP code (双因素): office leaders and
#: the three administrators.
SECOND_FACTOR_ROLES = (Role.OFFICE_LEADER, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)


def can_manage_accounts(user) -> bool:
    """The security administrator (安全管理员) manages accounts, roles and the password
    policy; nobody else does."""
    return scopes_of(user).has(Role.SECURITY_ADMIN)


def require_account_manager(by) -> None:
    """Refuse an account act to anyone but the security administrator; commands pass
    None."""
    if by is not None and not can_manage_accounts(by):
        raise PermissionDenied("manage accounts")


def second_factor_required(user) -> bool:
    """True when one of `user`'s roles needs a TOTP code at sign-in."""
    return scopes_of(user).has(*SECOND_FACTOR_ROLES)


def signs_in_through_directory(user) -> bool:
    """True when the directory (LDAP) may sign `user` in: an active account without a
    usable local password that is none of the three administrators. The
    administrators, and every account with a local password, are local accounts only:
    a directory entry of the same name never signs in as them."""
    return (
        user.is_active
        and not user.has_usable_password()
        and not (user.is_staff or user.is_superuser)
        and not scopes_of(user).has(*ADMIN_ROLES)
    )
