"""Test set-up shared by every app's tests (the personas live in the root conftest.py)."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_setup):
    """Pages are rendered with the production static storage (hashed names from a
    manifest), so the tests collect the static files once, as a deployment does.
    Collecting every session keeps the manifest in step with edited sources."""
    call_command("collectstatic", interactive=False, verbosity=0)
