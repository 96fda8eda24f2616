"""Incremental verification: `verify_audit --since ID:HASH` and `--incremental` check a
verified head and what was appended after it. A rewritten head or a record altered
after it is found; a record altered before it is not (only a whole walk, or a head kept
outside the database, finds that), as docs/operations.md says."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord, VerifiedHead
from reformledger.audit.selectors import chain_head, last_verified_head, walk_chain
from reformledger.audit.tests.conftest import a_middle_record, behind_the_back


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify_fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return caught.value


def append(n: int) -> list[AuditRecord]:
    return [audit.record(actor=None, verb="demo.generated", reason=f"新记录 {i}") for i in range(n)]


def test_a_whole_walk_with_save_head_keeps_the_head_and_records_the_check(world):
    head = chain_head()

    out = verify("--save-head")

    assert "intact" in out
    assert last_verified_head() == (head.id, head.hash)
    kept = VerifiedHead.objects.get()
    assert (kept.since_id, kept.records) == (None, AuditRecord.objects.count() - 1)
    last = AuditRecord.objects.order_by("id").last()
    assert last.verb == "audit.verified"
    assert last.changes["head"] == [None, f"{head.id}:{head.hash}"]


def test_an_incremental_check_reads_only_what_was_appended_since_the_head(world):
    verify("--save-head")
    start = last_verified_head()
    appended = append(3)

    out = verify("--incremental")

    # The head itself, the record of the first check, and the three appended.
    assert f"intact from verified head #{start[0]}: 5 records verified" in out
    assert f"Chain head: {appended[-1].pk} {appended[-1].hash}" in out
    assert last_verified_head() == (appended[-1].pk, appended[-1].hash)
    assert VerifiedHead.objects.order_by("-id").first().since_id == start[0]


def test_a_record_altered_after_the_head_is_found_by_the_incremental_check(world):
    verify("--save-head")
    victim = append(3)[1]
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写", victim.pk])

    error = verify_fails("--incremental")

    assert error.returncode == 1
    assert f"BROKEN at record #{victim.pk} " in str(error)
    assert "does not match its hash" in str(error)


def test_a_head_record_rewritten_with_a_new_hash_is_found(world):
    verify("--save-head")
    start = last_verified_head()
    append(2)
    forged = AuditRecord.objects.get(pk=start[0])
    forged.reason = "事后改写"
    forged.hash = audit.digest(audit.canonical(forged), forged.algorithm)
    behind_the_back(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        [forged.reason, forged.hash, forged.pk],
    )

    error = verify_fails("--incremental")

    assert f"BROKEN at record #{start[0]} " in str(error)
    assert "differs from the verified head" in str(error)


def test_a_head_record_altered_in_place_is_found(world):
    verify("--save-head")
    start = last_verified_head()
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写", start[0]])

    error = verify_fails("--since", f"{start[0]}:{start[1]}")

    assert f"BROKEN at record #{start[0]} " in str(error)
    assert "does not match its hash" in str(error)


def test_a_record_altered_before_the_head_is_missed_by_the_incremental_check_only(world):
    """The trade-off: records before the head are not read. A whole walk finds it."""
    victim = a_middle_record()
    verify("--save-head")
    append(2)
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写", victim.pk])

    assert "intact" in verify("--incremental")

    error = verify_fails()
    assert f"BROKEN at record #{victim.pk} " in str(error)


def test_since_reads_only_and_keeps_nothing(world):
    head = chain_head()
    append(2)
    records = AuditRecord.objects.count()

    out = verify("--since", f"{head.id}:{head.hash}")

    assert "3 records verified" in out
    assert "were not read" in out
    assert AuditRecord.objects.count() == records
    assert not VerifiedHead.objects.exists()


def test_a_verified_head_no_longer_in_the_chain_is_named(world):
    head = chain_head()
    behind_the_back("DELETE FROM {table} WHERE id = %s", [head.id])

    with override("en"):
        report = walk_chain(since=(head.id, head.hash))

    assert report.broken.id == head.id
    assert report.broken.problem == "the verified head to start from is no longer in the chain"


def test_incremental_without_a_kept_head_walks_the_whole_chain(world):
    out = verify("--incremental")

    assert "walking the whole chain" in out
    assert f"{AuditRecord.objects.count() - 1:,} records verified" in out
    assert VerifiedHead.objects.count() == 1


def test_a_head_kept_outside_before_the_start_is_still_checked(world):
    outside = a_middle_record()
    start = chain_head()
    behind_the_back("UPDATE {table} SET hash = %s WHERE id = %s", ["e" * 64, outside.pk])

    with override("en"):
        report = walk_chain(since=(start.id, start.hash), expected_head=(outside.pk, outside.hash))

    assert report.broken.id == outside.pk
    assert report.broken.problem == (
        "its hash differs from the chain head kept outside the database"
    )


def test_a_broken_chain_is_recorded_and_keeps_no_head(world):
    victim = a_middle_record()
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写", victim.pk])

    verify_fails("--save-head")

    assert not VerifiedHead.objects.exists()
    last = AuditRecord.objects.order_by("id").last()
    assert (last.verb, last.outcome) == ("audit.verified", "failure")
    assert last.changes["broken"] == [None, victim.pk]
