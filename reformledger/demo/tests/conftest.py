"""The demo as the tests of this folder read it."""

import pytest
from django.db import transaction
from django.test import override_settings

from reformledger.demo.loader import load_demo


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this folder's tests (its year of reports, ratings,
    supervision, pilots, evaluations and lists takes half a minute on SQLite and more on
    PostgreSQL) in a transaction rolled back after the folder's last test, on each test
    worker. Each test runs in a savepoint inside it, as with a Django TestCase's
    setUpTestData, so no test sees another's changes; a module's own set-up on top of
    the demo rolls back after the module (`module_savepoint`). Every test here reads
    the demo: the commands' tests, which need an empty database, live in
    `demo/management/tests/`. A fast hasher stands in for PBKDF2, which costs ~0.4 s a
    password by design; evidence files go to a temporary MEDIA_ROOT."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)
