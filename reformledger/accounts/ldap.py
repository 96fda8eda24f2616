"""Sign-in through the government's LDAP directory (单点登录), with django-auth-ldap.

Listed in AUTHENTICATION_BACKENDS (after django-axes', before Django's own) only when
RL_LDAP_SERVER_URI is set, so python-ldap and django-auth-ldap are imported only then:
`make run` works without them (docs/decisions/0020-single-sign-on-django-auth-ldap.md).

What this backend adds to django-auth-ldap's:
- its settings come from the RL_LDAP_* values of `config/settings.py` (no AUTH_LDAP_*);
- local-only accounts are never asked of the directory: the three administrators, any
  account with a usable local password, and any account disabled here (the directory's
  "yes" does not enable it) — they sign in (or are refused) by Django's own backend;
- the local account of a directory user is created and updated by
  `accounts.services.directory_account_sync`, which writes the audit records; it holds
  no role until the security administrator grants one;
- a directory that cannot be reached is marked on the request (`DIRECTORY_UNAVAILABLE`),
  so the sign-in page says so instead of "wrong password", and the failure's record
  names it.
"""

import logging

import ldap
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django_auth_ldap.backend import LDAPBackend, ldap_error
from django_auth_ldap.config import (
    GroupOfNamesType,
    GroupOfUniqueNamesType,
    LDAPSearch,
    LDAPSettings,
)

from reformledger.accounts import permissions, services, signals
from reformledger.accounts.models import User

logger = logging.getLogger(__name__)

#: Set on the request when the directory could not be asked (down, too slow, or the
#: service account refused).
DIRECTORY_UNAVAILABLE = signals.DIRECTORY_UNAVAILABLE

GROUP_TYPES = {
    "groupOfNames": GroupOfNamesType,
    "groupOfUniqueNames": GroupOfUniqueNamesType,
}


def _bind_password() -> str:
    path = django_settings.RL_LDAP_BIND_PASSWORD_FILE
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return django_settings.RL_LDAP_BIND_PASSWORD


def _parent(dn: str) -> str:
    parts = ldap.dn.explode_dn(dn)
    return ",".join(parts[1:])


def directory_settings() -> dict:
    """django-auth-ldap's settings, built from the RL_LDAP_* values."""
    s = django_settings
    timeout = s.RL_LDAP_TIMEOUT
    options = {
        ldap.OPT_REFERRALS: 0,
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
    }
    if s.RL_LDAP_CA_FILE:
        options[ldap.OPT_X_TLS_CACERTFILE] = s.RL_LDAP_CA_FILE
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        # A new TLS context takes the options above; it must be the last one set.
        options[ldap.OPT_X_TLS_NEWCTX] = 0
    values = {
        "SERVER_URI": s.RL_LDAP_SERVER_URI,
        "START_TLS": s.RL_LDAP_START_TLS,
        "CONNECTION_OPTIONS": options,
        "BIND_DN": s.RL_LDAP_BIND_DN,
        "BIND_PASSWORD": _bind_password(),
        "USER_SEARCH": LDAPSearch(
            s.RL_LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE, s.RL_LDAP_USER_FILTER
        ),
        # The account is written by `services.directory_account_sync`, never by
        # django-auth-ldap itself (so every write has its audit record).
        "ALWAYS_UPDATE_USER": False,
        "USER_ATTR_MAP": {},
        "FIND_GROUP_PERMS": False,
        "MIRROR_GROUPS": None,
        "CACHE_TIMEOUT": 0,
    }
    groups = [g for g in (s.RL_LDAP_DENY_GROUP, s.RL_LDAP_REQUIRE_GROUP) if g]
    if groups:
        base = s.RL_LDAP_GROUP_SEARCH_BASE or _parent(groups[0])
        group_type = GROUP_TYPES[s.RL_LDAP_GROUP_TYPE]
        values |= {
            "GROUP_TYPE": group_type(),
            "GROUP_SEARCH": LDAPSearch(
                base, ldap.SCOPE_SUBTREE, f"(objectClass={s.RL_LDAP_GROUP_TYPE})"
            ),
            "DENY_GROUP": s.RL_LDAP_DENY_GROUP or None,
            "REQUIRE_GROUP": s.RL_LDAP_REQUIRE_GROUP or None,
        }
    return values


def _first(attrs: dict | None, name: str) -> str:
    values = (attrs or {}).get(name) or [""]
    return str(values[0])


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, for directory users only (see the module's text)."""

    @property
    def settings(self):
        if self._settings is None:
            self._settings = LDAPSettings(self.settings_prefix, directory_settings())
        return self._settings

    @settings.setter
    def settings(self, value):
        self._settings = value

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        local = User.objects.filter(username__iexact=username.strip()).first()
        if local is not None and not permissions.signs_in_through_directory(local):
            # Administrators, local passwords and disabled accounts: Django's backend
            # answers, and the directory is not asked at all.
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        """The local account of a directory user who has just proved its password:
        created with no role, or brought up to date (name, e-mail)."""
        try:
            User.username_validator(username)
        except ValidationError as exc:
            raise ldap_user.AuthenticationFailed(f"user name {username!r}: {exc}") from exc
        user = services.directory_account_sync(
            username=username,
            full_name=_first(ldap_user.attrs, django_settings.RL_LDAP_ATTR_FULL_NAME),
            email=_first(ldap_user.attrs, django_settings.RL_LDAP_ATTR_EMAIL),
        )
        if user is None:
            raise ldap_user.AuthenticationFailed("a local-only account")
        return user, False

    def get_group_permissions(self, user, obj=None):
        # Rights come from memberships granted here, never from directory groups; and
        # Django's permission checks (the admin's) then never touch the directory.
        return set()

    def get_user(self, user_id):
        # As Django's backend: a disabled account's session ends at its next request.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _directory_unavailable(sender, context, user, request, exception, **kwargs):
    if request is not None:
        setattr(request, DIRECTORY_UNAVAILABLE, True)
    logger.warning("The directory could not be asked (%s): %s", context, type(exception).__name__)


ldap_error.connect(_directory_unavailable, sender=DirectoryBackend, dispatch_uid="rl_ldap_error")
