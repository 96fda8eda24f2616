"""What the chain's hash covers, pinned: the canonical form of a fixed record and its
hash as fixed values (so writing and verifying cannot drift apart together), every
field of the form tampered with in turn (the list comes from the form itself, so a
new field cannot be forgotten), the head kept outside the database, and the ids a
chain may skip."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from reformledger.audit import services as audit
from reformledger.audit import triggers
from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.selectors import (
    Head,
    chain_head,
    record_holds,
    verify_chain,
    walk_chain,
)
from reformledger.audit.tests.conftest import behind_the_back, the_next

BEIJING = dt.timezone(dt.timedelta(hours=8))
#: A record as `values()` reads it: every field of the form with a value of its own.
ROW = {
    "at": dt.datetime(2016, 3, 31, 17, 30, 15, 123456, tzinfo=BEIJING),
    "actor_id": 7,
    "actor_label": "office",
    "address": "10.3.2.1",
    "verb": "task.updated",
    "outcome": "failure",
    "obj_type": "ledger.task",
    "obj_id": "12",
    "obj_repr": "2016-001 表格化捆绑式绩效考核改革",
    "ctx_type": "ledger.plan",
    "ctx_id": "3",
    "changes": {"title": ["旧", "新"], "weight": [40, 60]},
    "reason": "依据市委文件",
    "prev_hash": audit.GENESIS,
}
CANONICAL = (
    '{"actor": 7, "actor_label": "office", "address": "10.3.2.1", '
    '"at": "2016-03-31T09:30:15.123456+00:00", '
    '"changes": {"title": ["旧", "新"], "weight": [40, 60]}, "ctx": ["ledger.plan", "3"], '
    '"obj": ["ledger.task", "12", "2016-001 表格化捆绑式绩效考核改革"], "outcome": "failure", '
    f'"prev": "{"0" * 64}", "reason": "依据市委文件", "verb": "task.updated"}}'
).encode()
SHA256 = "bdce55efaf69397a1df7dd2132bcde907934a66421df9daa333ad7477a81a800"
SM3 = "2693b631957d37f5b9fdbe061600a26010f7230247f92b378558c68d12ddda93"

needs_sm3 = pytest.mark.skipif(not audit.sm3_available(), reason="no SM3 in this OpenSSL")


# --- the canonical form ------------------------------------------------------------


def test_the_form_covers_every_column_but_the_id_and_the_hash_itself():
    columns = {f.attname for f in AuditRecord._meta.concrete_fields}
    assert columns - set(audit.HASHED_FIELDS) == {"id", "hash", "algorithm"}
    assert set(audit.HASHED_FIELDS) <= columns


def test_a_fixed_record_has_a_fixed_canonical_form_and_hash():
    """Written as bytes: a change of the form, of its order or of its encoding shows
    here before it reaches a chain written under the old one."""
    assert audit.canonical_row(ROW) == CANONICAL
    assert audit.digest(CANONICAL, "sha256") == SHA256
    record = AuditRecord(**ROW)
    assert audit.canonical(record) == CANONICAL


@needs_sm3
def test_the_same_record_under_sm3_has_its_fixed_hash():
    assert audit.digest(CANONICAL, "sm3") == SM3 == hashlib.new("sm3", CANONICAL).hexdigest()


def test_the_time_is_hashed_in_utc_whatever_zone_it_was_read_in():
    in_utc = dict(ROW, at=ROW["at"].astimezone(dt.UTC))
    assert audit.canonical_row(in_utc) == CANONICAL


@pytest.mark.parametrize("field", audit.HASHED_FIELDS)
def test_every_field_of_the_form_changes_the_bytes_hashed(field):
    # Compared with the form of the unaltered row, not with CANONICAL: a field left out
    # of the form would still differ from the fixed bytes, but not from its own row.
    altered_row = dict(ROW, **{field: altered(field, ROW[field])})
    assert audit.canonical_row(altered_row) != audit.canonical_row(ROW)


def test_the_default_algorithm_is_sha256(settings):
    settings.RL_AUDIT_HASH = "SHA256"
    assert audit.chain_algorithm() == "sha256"
    assert audit.digest(CANONICAL) == SHA256
    settings.RL_AUDIT_HASH = "md5"
    assert audit.chain_algorithm() == "sha256"


def test_without_the_setting_the_chain_uses_sha256(settings):
    del settings.RL_AUDIT_HASH
    assert audit.chain_algorithm() == "sha256"


@needs_sm3
def test_sm3_is_asked_for_in_any_case(settings):
    settings.RL_AUDIT_HASH = "SM3"
    assert audit.chain_algorithm() == "sm3"
    assert audit.digest(CANONICAL) == SM3


def test_sm3_is_available_exactly_when_openssl_offers_it(monkeypatch):
    assert audit.sm3_available() == ("sm3" in hashlib.algorithms_available)
    monkeypatch.setattr(hashlib, "algorithms_available", {"sha256"})
    assert audit.sm3_available() is False
    monkeypatch.setattr(hashlib, "algorithms_available", {"sha256", "sm3"})
    assert audit.sm3_available() is True


@pytest.mark.django_db
def test_a_record_written_at_a_fixed_moment_has_a_fixed_hash(monkeypatch):
    """The writing side, pinned apart from the verifying side: the first record of an
    empty trail, written by the system at a fixed moment."""
    monkeypatch.setattr(timezone, "now", lambda: ROW["at"])

    rec = audit.record(
        actor=None,
        verb="demo.generated",
        changes={"rows": [None, 3]},
        reason="固定",
        address="127.0.0.1",
    )

    assert rec.prev_hash == audit.GENESIS
    assert rec.hash == "adf54c5edc53328b5ab5b3c3efab94468fed16c808ffc7acaf8793be58c6e355"
    assert verify_chain() is None


# --- every field of the form, tampered with in the database -------------------------


def altered(field: str, value):
    """Another value of the same kind, as someone editing the row would write."""
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=1)
    if isinstance(value, dict):
        return {**value, "added": [None, "事后"]}
    if isinstance(value, int):
        return value + 1
    if field == "outcome":
        return Outcome.SUCCESS if value != Outcome.SUCCESS else Outcome.DENIED
    if value:
        return value[:-1] + ("0" if value[-1] != "0" else "1")
    return "改"


@pytest.fixture
def victim(world, office_staff, director):
    """A record with every field of the form filled, in the middle of the chain."""
    rec = audit.record(
        actor=office_staff,
        verb="task.updated",
        obj=world.task_huiyang,
        ctx=world.task_boluo,
        changes={"title": ["旧", "新"]},
        reason="依据市委文件",
        outcome=Outcome.FAILURE,
        address="10.3.2.1",
    )
    audit.record(actor=director, verb="task.updated", obj=world.task_boluo)
    values = AuditRecord.objects.values(*audit.HASHED_FIELDS).get(pk=rec.pk)
    assert all(v not in (None, "", {}) for v in values.values()), values
    return rec


@pytest.mark.parametrize("field", audit.HASHED_FIELDS)
def test_a_change_to_any_field_of_the_form_is_found_at_its_record(field, victim, director):
    before = AuditRecord.objects.values_list(field, flat=True).get(pk=victim.pk)
    new = director.pk if field == "actor_id" else altered(field, before)
    with triggers.lifted(connection):
        AuditRecord.objects.filter(pk=victim.pk).update(**{field: new})

    assert verify_chain() == victim.pk
    assert not record_holds(AuditRecord.objects.get(pk=victim.pk))


def test_a_record_holds_until_it_is_changed(victim):
    assert record_holds(victim)
    victim.reason = "改过"
    assert not record_holds(victim)
    victim.reason, victim.algorithm = "依据市委文件", "md5"
    assert not record_holds(victim)


def test_a_record_naming_an_unknown_algorithm_breaks_the_chain(victim):
    behind_the_back("UPDATE {table} SET algorithm = %s WHERE id = %s", ["md5", victim.pk])

    with override("en"):
        report = walk_chain()

    assert report.broken.id == victim.pk
    assert report.broken.problem == "unknown hash algorithm md5"


# --- the head kept outside the database ----------------------------------------------


def test_a_last_record_rewritten_with_a_matching_hash_is_found_only_by_the_head(world):
    """Content and hash rewritten together hold by themselves, and nothing follows the
    last record to name its old hash: only the head kept outside shows it."""
    kept = chain_head()
    last = AuditRecord.objects.get(pk=kept.id)
    last.reason = "事后改写"
    last.hash = audit.digest(audit.canonical(last), last.algorithm)
    behind_the_back(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        [last.reason, last.hash, last.pk],
    )
    assert walk_chain().intact

    with override("en"):
        report = walk_chain(expected_head=(kept.id, kept.hash))

    assert (report.broken.id, report.broken.at, report.broken.verb) == (kept.id, last.at, last.verb)
    assert report.broken.problem == "its hash differs from the chain head kept outside the database"
    assert report.count == AuditRecord.objects.filter(id__lt=kept.id).count()


def test_a_kept_head_followed_by_newer_records_still_verifies(world):
    kept = chain_head()
    audit.record(actor=None, verb="demo.generated", reason="after the head was kept")

    report = walk_chain(expected_head=(kept.id, kept.hash))

    assert report.intact
    assert report.head == chain_head() != kept


def test_a_kept_head_no_longer_in_the_chain_is_named(world):
    kept = chain_head()
    behind_the_back("DELETE FROM {table} WHERE id = %s", [kept.id])

    with override("en"):
        report = walk_chain(expected_head=(kept.id, kept.hash))

    assert (report.broken.id, report.broken.at, report.broken.verb) == (kept.id, None, "")
    assert report.broken.problem == (
        "the chain head kept outside the database is no longer in the chain"
    )


def test_the_head_prints_as_id_hash_and_utc_time():
    at = dt.datetime(2016, 3, 31, 17, 30, tzinfo=BEIJING)
    head = Head(12, "ab" * 32, at, "sha256")
    assert str(head) == f"12 {'ab' * 32} 2016-03-31T09:30:00+00:00"


def test_the_walk_reports_its_progress_per_batch(world):
    seen: list[int] = []
    total = AuditRecord.objects.count()

    report = walk_chain(batch=4, progress=seen.append)

    assert report.count == total
    assert seen == [*range(4, total + 1, 4), *([total] if total % 4 else [])]
    last = AuditRecord.objects.order_by("id").last()
    assert report.head == Head(last.pk, last.hash, last.at, last.algorithm)
    assert report.triggers_present


# --- ids skipped ------------------------------------------------------------------


def test_ids_skipped_by_the_database_are_counted_and_every_link_holds(world):
    """Ids a chain skips where an insert was rolled back (as PostgreSQL's sequences do):
    here, the last records removed before any other was written."""
    assert walk_chain().gaps == 0
    last_three = list(AuditRecord.objects.order_by("-id").values_list("id", flat=True)[:3])
    behind_the_back("DELETE FROM {table} WHERE id >= %s", [min(last_three)])
    audit.record(actor=None, verb="demo.generated", reason="after the rollback")
    kept = chain_head()

    report = walk_chain()

    assert report.intact
    assert report.gaps == 3
    assert kept.id == max(last_three) + 1
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "Ids skipped: 3 " in out.getvalue()


def test_a_missing_middle_record_is_a_break_not_a_gap(world):
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    victim = AuditRecord.objects.get(pk=ids[len(ids) // 2])
    behind_the_back("DELETE FROM {table} WHERE id = %s", [victim.pk])

    with override("en"):
        report = walk_chain()

    following = the_next(victim)
    assert report.broken.id == following.pk
    assert report.broken.problem == (
        "its link to the previous record does not match: records "
        f"{victim.pk}–{victim.pk} before it are missing"
    )
    assert report.gaps == 0


def test_ids_skipped_in_two_places_are_all_counted(world):
    """One id skipped here, two there: three in all, a single skipped id included."""

    def write(reason: str) -> int:
        return audit.record(actor=None, verb="demo.generated", reason=reason).pk

    behind_the_back("DELETE FROM {table} WHERE id = %s", [chain_head().id])
    write("after one id was rolled back")
    skipped = [write("rolled back"), write("rolled back")]
    behind_the_back("DELETE FROM {table} WHERE id >= %s", [min(skipped)])
    write("after two ids were rolled back")

    report = walk_chain()

    assert report.intact
    assert report.gaps == 3
    assert report.count == AuditRecord.objects.count()


# --- what the auditor reads of a break ------------------------------------------------


def test_a_record_altered_in_place_is_named_as_altered(victim):
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后改写", victim.pk])

    with override("en"):
        report = walk_chain()

    assert report.broken.id == victim.pk
    assert report.broken.problem == "its content does not match its hash (the record was altered)"


def test_a_record_rewritten_with_its_hash_is_named_by_the_next_one(victim):
    """Content and hash rewritten together hold by themselves; the next record's link
    to the old hash names the record before it."""
    victim.reason = "事后改写"
    victim.hash = audit.digest(audit.canonical(victim), victim.algorithm)
    behind_the_back(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        [victim.reason, victim.hash, victim.pk],
    )

    with override("en"):
        report = walk_chain()

    following = the_next(victim)
    assert report.broken.id == following.pk
    assert report.broken.problem == (
        f"its link does not match the previous record #{victim.pk} (that record was altered "
        "or removed)"
    )


def test_a_chain_whose_first_records_are_removed_says_so(world):
    first = AuditRecord.objects.order_by("id").first()
    behind_the_back("DELETE FROM {table} WHERE id = %s", [first.pk])

    with override("en"):
        report = walk_chain()

    assert report.broken.id == the_next(first).pk
    assert report.broken.problem == (
        "the first record does not start the chain: records before it are missing"
    )
