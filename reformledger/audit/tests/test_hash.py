"""The chain's hash: SHA-256 by default, SM3 (GB/T 32905) when RL_AUDIT_HASH=sm3 and
the platform has it; each record names its own, so a chain verifies across a switch."""

import hashlib

import pytest

from reformledger.audit import services as audit
from reformledger.audit.selectors import verify_chain, walk_chain

needs_sm3 = pytest.mark.skipif(not audit.sm3_available(), reason="no SM3 in this OpenSSL")


@pytest.mark.django_db
def test_records_use_sha256_by_default():
    rec = audit.record(actor=None, verb="demo.generated")

    assert rec.algorithm == "sha256"
    assert rec.hash == hashlib.sha256(audit.canonical(rec)).hexdigest()


@needs_sm3
@pytest.mark.django_db
def test_records_use_sm3_when_the_setting_asks(settings):
    settings.RL_AUDIT_HASH = "sm3"

    rec = audit.record(actor=None, verb="demo.generated")

    assert rec.algorithm == "sm3"
    assert rec.hash == hashlib.new("sm3", audit.canonical(rec)).hexdigest()
    assert len(rec.hash) == 64


@pytest.mark.django_db
def test_sha256_is_used_where_the_platform_has_no_sm3(settings, monkeypatch):
    settings.RL_AUDIT_HASH = "sm3"
    monkeypatch.setattr(audit, "sm3_available", lambda: False)

    assert audit.record(actor=None, verb="demo.generated").algorithm == "sha256"


@needs_sm3
def test_a_chain_verifies_across_a_switch_of_hash(world, settings):
    """The world was written with SHA-256; what follows is written with SM3."""
    settings.RL_AUDIT_HASH = "sm3"
    audit.record(actor=None, verb="demo.generated", reason="after the switch")
    audit.record(actor=None, verb="demo.generated", reason="after the switch, again")

    settings.RL_AUDIT_HASH = "sha256"
    report = walk_chain()

    assert report.intact
    assert report.head.algorithm == "sm3"
    assert verify_chain() is None


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(ValueError, match="md5"):
        audit.digest(b"x", "md5")
