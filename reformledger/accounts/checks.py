"""System checks of the directory sign-in's settings (`reformledger check`, run by
`migrate` too): a setting that would only fail at someone's sign-in fails here first."""

import importlib.util
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

GROUP_TYPES = ("groupOfNames", "groupOfUniqueNames")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@checks.register(checks.Tags.security)
def directory_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    uri = getattr(settings, "RL_LDAP_SERVER_URI", "")
    if not uri:
        return []
    errors: list[checks.CheckMessage] = []
    if importlib.util.find_spec("django_auth_ldap") is None:
        errors.append(
            checks.Error(
                "RL_LDAP_SERVER_URI is set but django-auth-ldap is not installed.",
                hint="Run `make install-ldap` (Debian: apt-get install libldap2-dev "
                "libsasl2-dev first), or unset RL_LDAP_SERVER_URI.",
                id="accounts.E001",
            )
        )
    if not settings.RL_LDAP_USER_SEARCH_BASE:
        errors.append(
            checks.Error(
                "RL_LDAP_USER_SEARCH_BASE is empty: nobody could be found in the directory.",
                hint="Set it to the branch of the people, e.g. ou=people,dc=example,dc=gov,dc=cn.",
                id="accounts.E002",
            )
        )
    if settings.RL_LDAP_GROUP_TYPE not in GROUP_TYPES:
        errors.append(
            checks.Error(
                f"RL_LDAP_GROUP_TYPE is {settings.RL_LDAP_GROUP_TYPE!r}; it must be one of "
                f"{', '.join(GROUP_TYPES)}.",
                id="accounts.E003",
            )
        )
    path = settings.RL_LDAP_BIND_PASSWORD_FILE
    if path and not os.access(path, os.R_OK):
        errors.append(
            checks.Error(
                f"RL_LDAP_BIND_PASSWORD_FILE {path} cannot be read.",
                id="accounts.E004",
            )
        )
    parts = urlsplit(uri)
    if parts.scheme == "ldap" and not settings.RL_LDAP_START_TLS and parts.hostname not in LOOPBACK:
        errors.append(
            checks.Warning(
                f"RL_LDAP_SERVER_URI {uri} is plain LDAP without StartTLS: directory "
                "passwords would cross the network readable.",
                hint="Use ldaps://, or set RL_LDAP_START_TLS=1.",
                id="accounts.W001",
            )
        )
    return errors
