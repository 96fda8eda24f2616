"""`reformledger check` refuses a retention below 180 days and an unknown hash."""

from reformledger.audit.checks import audit_settings


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_the_default_settings_pass():
    assert audit_settings() == []


def test_a_retention_below_180_days_is_an_error(settings):
    settings.RL_AUDIT_RETENTION_DAYS = 90

    errors = audit_settings()

    assert ids(errors) == {"audit.E001"}
    assert errors[0].is_serious()
    assert "180" in errors[0].msg


def test_a_longer_retention_passes(settings):
    settings.RL_AUDIT_RETENTION_DAYS = 3650

    assert audit_settings() == []


def test_an_unknown_hash_is_an_error(settings):
    settings.RL_AUDIT_HASH = "md5"

    assert ids(audit_settings()) == {"audit.E002"}


def test_sm3_asked_without_sm3_is_a_warning(settings, monkeypatch):
    from reformledger.audit import services

    settings.RL_AUDIT_HASH = "sm3"
    monkeypatch.setattr(services, "sm3_available", lambda: False)

    messages = audit_settings()
    assert ids(messages) == {"audit.W001"}
    assert not messages[0].is_serious()


def test_the_check_runs_with_the_projects_checks(settings):
    from django.core import checks

    settings.RL_AUDIT_RETENTION_DAYS = 30

    assert "audit.E001" in ids(checks.run_checks())
