"""The audit chain's head published outside the database (`publish_audit_head`, the
queue's job) and checked by default by `verify_audit` and the auditor's verification:
records cut off the end after a publication, with the triggers dropped and put back,
are found. On SQLite and on PostgreSQL alike."""

import datetime as dt
import io
import json
import socket
import stat

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils.translation import override
from huey.contrib.djhuey import HUEY

from reformledger.audit import services as audit
from reformledger.audit import tasks, triggers
from reformledger.audit.models import AuditRecord, Outcome
from reformledger.audit.published import last_published_head
from reformledger.audit.selectors import chain_head


@pytest.fixture
def head_file(tmp_path, settings):
    """The head file of this test (none yet); the system log off unless a test sets it."""
    path = tmp_path / "var" / "audit-heads.jsonl"
    settings.RL_AUDIT_HEAD_FILE = str(path)
    settings.RL_AUDIT_SYSLOG_ADDRESS = ""
    return path


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    with override("en"):
        call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def fails(command: str, *args: str) -> CommandError:
    with override("en"), pytest.raises(CommandError) as caught:
        call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO())
    return caught.value


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def cut_the_tail_behind_the_back(n: int) -> list[int]:
    """What someone with the database owner's account can do: drop the append-only
    triggers with raw SQL, delete the newest `n` records, and put the triggers back."""
    ids = list(AuditRecord.objects.order_by("-id").values_list("id", flat=True)[:n])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditrecord_no_delete")
            cursor.execute("DROP TRIGGER audit_auditrecord_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_auditrecord_no_change ON audit_auditrecord")
            cursor.execute("DROP TRIGGER audit_auditrecord_no_truncate ON audit_auditrecord")
        cursor.execute("DELETE FROM audit_auditrecord WHERE id >= %s", [min(ids)])
    triggers.install(connection)
    assert triggers.present(connection)
    return ids


# --- publishing -------------------------------------------------------------------


def test_publishing_appends_the_head_as_one_json_line_readable_by_the_group(world, head_file):
    head = chain_head()

    out = run("publish_audit_head")

    assert f"Published head #{head.id} {head.hash} (sha256" in out
    assert f"appended to {head_file}" in out
    [line] = lines(head_file)
    assert line["id"] == head.id and line["hash"] == head.hash
    assert line["algorithm"] == head.algorithm
    assert line["at"] == head.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    published = dt.datetime.fromisoformat(line["published"])
    assert abs(published - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert stat.S_IMODE(head_file.stat().st_mode) == 0o640
    assert not AuditRecord.objects.filter(id__gt=head.id).exists()  # no record of it


def test_the_same_head_is_published_once_and_a_new_head_again(world, head_file, office_staff):
    run("publish_audit_head")

    again = run("publish_audit_head")

    assert "was already published" in again and "not written again" in again
    assert len(lines(head_file)) == 1
    audit.record(actor=office_staff, verb="task.updated", reason="一次修改")
    run("publish_audit_head")
    first, second = lines(head_file)
    assert second["id"] == chain_head().id > first["id"]


def test_publishing_appends_to_what_the_file_holds(world, head_file):
    """Opened for appending only: earlier lines stay, a line cut short by a crash is
    ended before the new one."""
    head_file.parent.mkdir(parents=True)
    head_file.write_text('{"id": 1, "hash": "' + "a" * 64 + '"}\n{"id": 2, "ha')

    run("publish_audit_head")

    text = head_file.read_text().splitlines()
    assert text[0].startswith('{"id": 1,') and text[1] == '{"id": 2, "ha'
    assert json.loads(text[2])["id"] == chain_head().id
    assert last_published_head().line == 3


def test_the_head_reaches_the_system_log(world, head_file, settings):
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(10)
    settings.RL_AUDIT_SYSLOG_ADDRESS = f"127.0.0.1:{receiver.getsockname()[1]}"
    head = chain_head()
    try:
        out = run("publish_audit_head")
        datagram = receiver.recv(4096)
    finally:
        receiver.close()

    assert "sent to the system log at 127.0.0.1:" in out
    # Facility auth (4), severity info (6): <38>.
    assert datagram.startswith(b"<38>reformledger-audit: {")
    body = json.loads(datagram.split(b": ", 1)[1].rstrip(b"\0"))
    assert body["id"] == head.id and body["hash"] == head.hash
    assert body == lines(head_file)[0]


def test_the_queue_publishes_every_quarter_of_an_hour(world, head_file, settings):
    job = tasks.publish_audit_head
    assert job.task_class in HUEY._registry._periodic_tasks
    settings.RL_AUDIT_PUBLISH_MINUTES = 15
    at = dt.datetime(2026, 12, 1, 10, 0)

    def runs_at(minute: int) -> bool:
        return job.task_class().validate_datetime(at.replace(minute=minute))

    assert [m for m in range(60) if runs_at(m)] == [0, 15, 30, 45]
    settings.RL_AUDIT_PUBLISH_MINUTES = 0
    assert not any(runs_at(m) for m in range(60))

    result = tasks.publish_audit_head.call_local()

    assert result == f"{chain_head().id}:{chain_head().hash}"
    assert lines(head_file)[0]["id"] == chain_head().id


# --- verify_audit against the published head ---------------------------------------


def test_records_removed_after_publication_break_the_default_verification(world, head_file):
    run("publish_audit_head")
    published = chain_head()
    removed = cut_the_tail_behind_the_back(3)
    assert published.id in removed
    end = chain_head()
    # Alone, the shorter chain holds: this is what passed before heads were published.
    alone = run("verify_audit", "--no-published-head")
    assert "Audit chain intact" in alone and "--no-published-head" in alone

    error = fails("verify_audit")

    assert error.returncode == 1
    message = str(error)
    assert f"published head #{published.id} ({published.hash[:16]}…, published at " in message
    assert (
        f"is missing: the chain ends at #{end.id} — records were removed after publication"
        in message
    )
    assert f"{head_file}, line 1" in message


def test_a_published_head_rewritten_afterwards_differs(world, head_file):
    run("publish_audit_head")
    last = AuditRecord.objects.order_by("-id").first()
    last.reason = "事后改写"
    forged = audit.digest(audit.canonical(last), last.algorithm)
    with triggers.lifted(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditrecord SET reason = %s, hash = %s WHERE id = %s",
            [last.reason, forged, last.pk],
        )

    error = fails("verify_audit")

    assert f"published head #{last.pk} (" in str(error)
    assert f"differs: the chain's record #{last.pk} has the hash {forged[:16]}…" in str(error)


def test_a_chain_that_grew_after_publication_verifies_against_it(world, head_file, office_staff):
    run("publish_audit_head")
    published = chain_head()
    audit.record(actor=office_staff, verb="task.updated", reason="之后的修改")

    out = run("verify_audit")

    assert "Audit chain intact" in out
    assert f"Published head #{published.id} (published at " in out
    assert "is in the chain, unchanged" in out


def test_without_a_published_head_verification_says_so(world, head_file):
    assert "No published head to check against yet" in run("verify_audit")


def test_a_garbled_head_file_is_an_error_naming_the_file_and_line(world, head_file):
    run("publish_audit_head")
    with head_file.open("a") as fh:
        fh.write("not json\n")

    error = fails("verify_audit")

    assert error.returncode == 1
    assert f"The published head file {head_file}, line 2, is not a published head" in str(error)


def test_the_auditors_button_checks_against_the_published_head(
    world, head_file, auditor, client_for
):
    run("publish_audit_head")
    published = chain_head()
    cut_the_tail_behind_the_back(2)

    response = client_for(auditor).post(reverse("audit:verify"))

    assert 'data-intact="0"' in response.text
    # The page speaks the user's language (Chinese by default); the head is named either way.
    assert f"#{published.id}" in response.text
    assert f"{published.hash[:16]}…" in response.text
    rec = AuditRecord.objects.filter(verb="audit.verified").get()
    assert rec.outcome == Outcome.FAILURE and rec.changes["broken"] == [None, published.id]


def test_the_auditors_button_names_a_garbled_head_file(world, head_file, auditor, client_for):
    head_file.parent.mkdir(parents=True)
    head_file.write_text("{}\n")

    response = client_for(auditor).post(reverse("audit:verify"))

    assert 'data-testid="published-head-error"' in response.text
    assert f"{head_file}, line 1" in response.text
