"""The demo as the tests of this folder read it."""

import pytest
from django.db import transaction
from django.test import override_settings

from reformledger.demo.loader import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module that asks for it (its year of reports,
    ratings and supervision takes ten seconds or so) in a transaction rolled back after
    the module's last test. Each test runs in a savepoint inside it, as with a Django
    TestCase's setUpTestData, so no test sees another's changes. A fast hasher stands
    in for PBKDF2, which costs ~0.4 s a password by design; evidence files go to a
    temporary MEDIA_ROOT."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)
