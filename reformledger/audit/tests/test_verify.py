"""`verify_audit` walks the whole chain and names the first broken record; `audit_head`
prints the head to keep outside the database. Edits are made with the triggers lifted
(conftest.behind_the_back), on SQLite and on PostgreSQL alike."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import chain_head, walk_chain
from reformledger.audit.tests.conftest import a_middle_record, behind_the_back, the_next


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def verify_fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return caught.value


def test_an_intact_chain_prints_its_count_and_head(world):
    last = AuditRecord.objects.order_by("id").last()

    out = verify()

    assert f"Audit chain intact: {AuditRecord.objects.count():,} records" in out
    assert f"Chain head: {last.pk} {last.hash}" in out


def test_small_batches_walk_the_same_chain(world):
    """Records are read a batch at a time; the batch size changes nothing but memory."""
    whole = walk_chain()
    batched = walk_chain(batch=3)

    assert batched.intact and batched.count == whole.count == AuditRecord.objects.count()
    assert batched.head == whole.head == chain_head()


def test_an_altered_record_is_named_with_its_time_act_and_problem(world):
    victim = a_middle_record()
    behind_the_back("UPDATE {table} SET reason = %s WHERE id = %s", ["事后补写", victim.pk])

    error = verify_fails()

    assert error.returncode == 1
    message = str(error)
    assert f"BROKEN at record #{victim.pk} (" in message
    assert victim.verb in message
    assert victim.at.astimezone(dt.UTC).isoformat(timespec="seconds") in message
    assert "does not match its hash" in message
    before = AuditRecord.objects.filter(id__lt=victim.pk).count()
    assert f"Records verified before it: {before:,}" in message


def test_a_deleted_record_is_named_at_the_next_one_with_the_missing_ids(world):
    victim = a_middle_record()
    following = the_next(victim)
    behind_the_back("DELETE FROM {table} WHERE id = %s", [victim.pk])

    error = verify_fails()

    assert f"BROKEN at record #{following.pk} " in str(error)
    assert f"records {victim.pk}–{victim.pk}" in str(error)
    assert "missing" in str(error)


def test_a_deleted_first_record_is_found(world):
    first = AuditRecord.objects.order_by("id").first()
    behind_the_back("DELETE FROM {table} WHERE id = %s", [first.pk])

    with override("en"):
        report = walk_chain()

    assert report.broken.id == the_next(first).pk
    assert "first record" in report.broken.problem


def test_a_record_rehashed_after_editing_breaks_the_next_link(world):
    victim = a_middle_record()
    victim.reason = "伪造"
    victim.hash = audit.digest(audit.canonical(victim), victim.algorithm)
    behind_the_back(
        "UPDATE {table} SET reason = %s, hash = %s WHERE id = %s",
        [victim.reason, victim.hash, victim.pk],
    )

    report = walk_chain()

    assert report.broken.id == the_next(victim).pk
    assert f"#{victim.pk}" in report.broken.problem


def test_a_cut_tail_is_found_against_the_head_kept_outside(world):
    """Removing the last records leaves a chain that holds by itself; the head kept
    outside the database (audit_head) shows the cut."""
    out = io.StringIO()
    call_command("audit_head", stdout=out)
    kept = out.getvalue().strip()
    last = AuditRecord.objects.order_by("id").last()
    assert kept.startswith(f"{last.pk} {last.hash} ")

    behind_the_back("DELETE FROM {table} WHERE id = %s", [last.pk])
    assert verify()  # alone, the shorter chain holds

    error = verify_fails("--head", kept)
    assert f"record #{last.pk}" in str(error)
    assert "no longer in the chain" in str(error)


def test_a_rewritten_head_is_found(world):
    last = AuditRecord.objects.order_by("id").last()
    kept = f"{last.pk}:{last.hash}"
    forged = "f" * 64
    behind_the_back("UPDATE {table} SET hash = %s WHERE id = %s", [forged, last.pk])

    error = verify_fails("--head", kept)

    assert f"record #{last.pk}" in str(error)


def test_the_head_kept_outside_matches_an_untouched_chain(world):
    head = chain_head()

    assert "intact" in verify("--head", f"{head.id}:{head.hash}")


def test_missing_triggers_fail_the_verification(world):
    from django.db import connection

    from reformledger.audit import triggers

    triggers.remove(connection)
    try:
        error = verify_fails()
    finally:
        triggers.install(connection)

    assert "not protected by its triggers" in str(error)


def test_audit_head_prints_json(world):
    head = chain_head()
    out = io.StringIO()

    call_command("audit_head", "--json", stdout=out)

    body = json.loads(out.getvalue())
    assert body["id"] == head.id and body["hash"] == head.hash
    assert body["at"].endswith("+00:00")


@pytest.mark.django_db
def test_an_empty_trail_verifies_and_has_no_head():
    assert "empty" in verify()
    assert chain_head() is None


def test_a_malformed_head_is_refused(world):
    error = verify_fails("--head", "12:abc")

    assert "--head" in str(error)
