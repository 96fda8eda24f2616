"""Test set-up shared by every app's tests (the personas live in the root conftest.py)."""

import fcntl

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_setup):
    """Pages are rendered with the production static storage (hashed names from a
    manifest), so the tests collect the static files once, as a deployment does.
    Collecting every session keeps the manifest in step with edited sources; a lock
    keeps parallel workers (pytest -n) from collecting into the folder at once."""
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    with open(settings.STATIC_ROOT.parent / "collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
