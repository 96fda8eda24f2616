"""Shared by the account tests."""

import pytest
from django.conf import settings as django_settings

from tests.factories import password_hash


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """New passwords are hashed with MD5 here: setting one at PBKDF2's real cost would
    make each test of the history take seconds. The factories' shared hash is made
    first with the real hasher (it is cached for the whole run), and the real
    hashers stay listed, so it is still checked as everywhere else."""
    password_hash()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *django_settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(scope="session")
def ldap_directory():
    """A real OpenLDAP server (slapd) on loopback for the whole run, with the people of
    `ldap_server.people_ldif`; it fails the tests that use it when slapd is missing."""
    from reformledger.accounts.tests.ldap_server import Directory

    directory = Directory().start()
    yield directory
    directory.stop()
