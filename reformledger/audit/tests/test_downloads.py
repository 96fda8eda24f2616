"""Every file taken out of the system leaves one audit record naming what was taken:
evidence files, Excel and CSV exports, the task-list template and the pre-filled
progress sheet; an import that changes the ledger leaves one as well."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.exchange.testing import edit_xlsx
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Period
from tests.files import PDF


def new_records(since: int):
    return AuditRecord.objects.filter(id__gt=since).exclude(verb="access.denied")


def last_id() -> int:
    return AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def evidence(world, huiyang_liaison):
    upload = SimpleUploadedFile("惠阳区实施方案.pdf", PDF, content_type="application/pdf")
    return ledger.evidence_add(task=world.task_huiyang, by=huiyang_liaison, upload=upload)


def test_an_evidence_download_writes_one_record(evidence, huiyang_head, client_for):
    client = client_for(huiyang_head)
    since = last_id()

    response = client.get(reverse("ledger:evidence", args=[evidence.pk]), REMOTE_ADDR="10.1.2.3")
    b"".join(response.streaming_content)

    assert response.status_code == 200
    rec = new_records(since).get()
    assert rec.verb == "evidence.downloaded"
    assert rec.actor == huiyang_head and rec.address == "10.1.2.3"
    assert rec.obj_type == "ledger.evidence" and rec.obj_id == str(evidence.pk)


@pytest.mark.parametrize(
    ("url", "document", "fmt"),
    [
        ("ledger:ledger_xlsx", "ledger", "xlsx"),
        ("ledger:ledger_csv", "ledger", "csv"),
        ("ledger:closed_xlsx", "closed_ledger", "xlsx"),
        ("ledger:task_list_export", "task_list", "xlsx"),
        ("ledger:task_list_template", "task_list_template", "xlsx"),
    ],
)
def test_each_ledger_download_writes_one_record(
    world, office_staff, client_for, url, document, fmt
):
    client = client_for(office_staff)
    since = last_id()

    response = client.get(reverse(url) + "?year=2016")

    assert response.status_code == 200
    rec = new_records(since).get()
    assert rec.verb == "export.ledger" and rec.actor == office_staff
    assert rec.changes["document"] == [None, document]
    assert rec.changes["format"] == [None, fmt]


def test_the_prefilled_progress_sheet_writes_one_record(world, huiyang_liaison, client_for):
    june = Period.objects.create(
        office=world.office,
        year=2016,
        number=6,
        start=dt.date(2016, 6, 1),
        end=dt.date(2016, 6, 30),
        report_due=dt.date(2016, 7, 5),
    )
    client = client_for(huiyang_liaison)
    since = last_id()

    response = client.get(reverse("ledger:reports_template") + f"?period={june.pk}")

    assert response.status_code == 200
    rec = new_records(since).get()
    assert rec.changes["document"] == [None, "progress_sheet"]
    assert rec.changes["rows"][1] >= 1  # 惠阳's own tasks are in the sheet


def test_an_import_that_changes_the_ledger_writes_its_record(world, office_staff, client_for):
    client = client_for(office_staff)
    template = client.get(reverse("ledger:task_list_template") + "?year=2016").content

    def fill(wb):
        row = ["2016-071", "人才发展体制改革", "economy", "HZ-FGJ", "", "", "否", "", "报告"]
        wb.worksheets[0].append([*row, "2016-03-01", "2016-11-30"])

    upload = io.BytesIO(edit_xlsx(template, fill))
    upload.name = "tasks.xlsx"
    since = last_id()

    response = client.post(
        reverse("ledger:task_list_import"),
        {"office": world.office.pk, "year": 2016, "file": upload},
    )

    assert response.status_code == 302
    assert not new_records(since).filter(verb="import.task_list").exists()  # a preview first
    job_page = response["Location"]  # /exchange/jobs/<pk>/
    client.post(job_page + "confirm/")
    imports = new_records(since).filter(verb="import.task_list")
    assert imports.count() == 1
    assert imports.get().reason == "tasks.xlsx"
    assert new_records(since).filter(verb="task.created").count() == 1
