"""The two commands as an operator runs them: `load_demo` and `generate`."""

import io

import pytest
from django.core.management import CommandError, call_command

from reformledger.demo import data
from reformledger.ledger.models import Task
from reformledger.orgs.models import Unit

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_hasher(settings, tmp_path):
    """PBKDF2 costs ~0.4 s a password by design; the tests need no such cost. The
    demo's evidence files go to a temporary MEDIA_ROOT, never to var/media."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"


def test_load_demo_prints_the_logins_and_then_finds_it_loaded():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "Demo loaded" in text
    for username, *_rest in data.ACCOUNTS:
        assert username in text
    assert data.DEMO_PASSWORD in text
    for username, *_rest in data.UNIT_HEADS:
        assert username in text

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()


def test_load_demo_if_empty_leaves_a_ledger_with_tasks_alone():
    call_command("generate", tasks=5, units=3, stdout=io.StringIO())
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "not loaded" in out.getvalue()
    assert not Unit.objects.filter(code="HZ").exists()


def test_load_demo_if_empty_loads_an_empty_database():
    call_command("load_demo", "--if-empty", stdout=io.StringIO())
    assert Task.objects.filter(office__code=data.CITY_OFFICE).count() >= 60


def test_generate_reports_counts_and_refuses_bad_arguments():
    out = io.StringIO()
    call_command("generate", tasks=40, units=8, seed=5, stdout=out)
    assert "40 tasks" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate", tasks=10, units=2, prefix="OTHER")
    with pytest.raises(CommandError):
        call_command("generate", tasks=10, units=8)  # GEN is taken
