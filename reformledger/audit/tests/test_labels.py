"""Histories in plain words: the task's history tab, an order's, the auditor's trail and
record page and the trail's Excel show statuses by their labels, fields by their names,
files by name and size, the system as 系统 — never the codes the records keep."""

import io

import openpyxl
from django.urls import reverse

from reformledger.audit import labels
from reformledger.audit import services as audit
from reformledger.audit.models import AuditRecord


def _records(world, office_staff):
    task = world.task_boluo
    audit.record(
        actor=office_staff,
        verb="task.status",
        obj=task,
        changes={"status": ["in_progress", "carried_over"]},
    )
    audit.record(
        actor=None,
        verb="notification.sent",
        obj=task,
        changes={"recipient": [None, "office"], "kind": [None, "notice"]},
    )
    audit.record(
        actor=office_staff,
        verb="evidence.added",
        obj=task,
        changes={"file": [None, "成果.pdf"], "size": [None, 2048], "sha256": [None, "ab" * 32]},
    )
    audit.record(
        actor=None,
        verb="reminders.sent",
        changes={"report_due": [None, 3]},
        reason="reminders of 2016-04-03",
    )
    return task


def test_a_task_history_reads_in_words(world, office_staff, client_for):
    task = _records(world, office_staff)

    page = client_for(office_staff).get(reverse("ledger:task_history", args=[task.pk])).text

    assert "状态：推进中 → 已结转" in page
    assert "<strong>系统</strong> 发送了提醒" in page
    assert "接收人：office" in page and "类型：通知" in page
    assert "文件：成果.pdf (2.0" in page
    assert "ab" * 32 not in page and "sha256" not in page
    assert "in_progress" not in page and "carried_over" not in page


def test_the_trail_and_a_record_show_acts_objects_and_changes_in_words(
    world, office_staff, auditor, client_for
):
    _records(world, office_staff)
    client = client_for(auditor)
    evidence = AuditRecord.objects.get(verb="evidence.added")

    trail = client.get(reverse("audit:trail"), {"verb": "reminders."}).text
    record = client.get(reverse("audit:record", args=[evidence.pk])).text

    assert ">reminders.sent<" not in trail and "发送了到期提醒" in trail
    assert "2016-04-03的到期提醒" in trail
    assert "文件校验值（SHA-256）" in record and "ab" * 32 in record
    assert ">ledger.task<" not in record and "改革任务" in record


def test_the_trail_export_holds_words_and_the_code_last(world, office_staff, auditor, client_for):
    _records(world, office_staff)

    response = client_for(auditor).get(reverse("audit:trail_xlsx"), {"verb": "task.status"})

    row = next(
        openpyxl.load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(min_row=3, values_only=True)
    )
    assert row[6] == "变更了状态" and row[13] == "task.status"
    assert row[8] == "改革任务" and row[10] == "状态：推进中 → 已结转"


def test_keys_values_and_the_system_read_in_english_on_english_pages(world, office_staff):
    from django.utils import translation

    _records(world, office_staff)
    rec = AuditRecord.objects.get(verb="task.status")
    system = AuditRecord.objects.get(verb="notification.sent")

    with translation.override("en"):
        line = str(labels.lines(rec)[0])
        who = labels.actor(system)

    assert line == "Status: In progress → Carried over"
    assert who == "System"
