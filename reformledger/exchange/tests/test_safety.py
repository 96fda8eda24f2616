"""Hostile and mistaken uploads are refused before any spreadsheet code reads them,
with a reason, and the ledger is left exactly as it was."""

import io
import os
import tempfile
import zipfile

import openpyxl
import pytest
from django.urls import reverse
from django.utils.translation import override

from reformledger.exchange import jobs
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.exchange.testing import workbook
from reformledger.exchange.xlsx_safety import check_xlsx
from reformledger.ledger.services import imports
from reformledger.ledger.services import imports as services
from reformledger.ledger.tests.conftest import ledger_state

HEADER = ["任务编号", "改革任务", "改革领域", "牵头单位", "成果形式", "开始日期", "完成时限"]
ROW = ["2016-050", "某改革", "经济体制改革", "惠阳区", "政策文件", "2016-01-01", "2016-12-31"]

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def good_xlsx() -> bytes:
    return workbook({"任务": [HEADER, ROW]})


def repacked(data: bytes, replace: dict[str, bytes] | None = None, add=None) -> bytes:
    """The same workbook with some parts replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
        for name, body in (add or {}).items():
            dst.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def refusal(data: bytes, world, user, name="tasks.xlsx") -> str:
    with override("en"), pytest.raises(ImportRefused) as caught:
        services.task_list_import(
            data=data, file_name=name, office=world.office, year=2016, by=user
        )
    assert len(caught.value.errors) == 1
    error = caught.value.errors[0]
    assert (error.sheet, error.row, error.column) == ("", None, "")  # about the whole file
    return error.message


@pytest.fixture
def unchanged(world):
    """Asserts after the test that the ledger is exactly as before it."""
    before = ledger_state()
    yield
    assert ledger_state() == before


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_zip_bomb_is_refused_by_its_compression_ratio(world, office_staff, unchanged):
    bomb = repacked(good_xlsx(), add={"xl/media/image1.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024  # small on the wire

    message = refusal(bomb, world, office_staff)

    assert "compressed" in message


def test_a_workbook_unpacking_past_the_limit_is_refused(world, office_staff, unchanged, settings):
    settings.RL_UPLOAD_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    big = repacked(good_xlsx(), add={"xl/media/image1.bin": os.urandom(2 * 1024 * 1024)})

    message = refusal(big, world, office_staff)

    assert "unpacks to" in message


def test_a_billion_laughs_in_the_sheet_xml_is_refused(world, office_staff, unchanged):
    bomb = repacked(good_xlsx(), replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})

    message = refusal(bomb, world, office_staff)

    assert "entity" in message


def test_defusedxml_refuses_the_billion_laughs_even_past_the_first_check():
    """The second line of defence: openpyxl itself, parsing with defusedxml."""
    from defusedxml.common import DefusedXmlException

    bomb = repacked(good_xlsx(), replace={"xl/worksheets/sheet1.xml": BILLION_LAUGHS})

    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(bomb))

    cause = caught.value.__cause__ or caught.value.__context__
    assert isinstance(cause, DefusedXmlException)


def test_a_text_file_renamed_xlsx_is_refused(world, office_staff, unchanged):
    message = refusal("任务编号,改革任务\n2016-050,某改革\n".encode(), world, office_staff)

    assert "not an Excel workbook" in message


def test_a_macro_workbook_is_refused_by_its_name(world, office_staff, unchanged):
    message = refusal(good_xlsx(), world, office_staff, name="tasks.xlsm")

    assert "macros" in message


def test_macros_inside_a_file_named_xlsx_are_refused(world, office_staff, unchanged):
    with_vba = repacked(good_xlsx(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"x" * 64})
    macro_type = repacked(
        good_xlsx(),
        replace={
            "[Content_Types].xml": zipfile.ZipFile(io.BytesIO(good_xlsx()))
            .read("[Content_Types].xml")
            .replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        },
    )

    assert "macros" in refusal(with_vba, world, office_staff)
    assert "macros" in refusal(macro_type, world, office_staff)


def test_an_old_xls_or_encrypted_workbook_is_refused(world, office_staff, unchanged):
    message = refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, world, office_staff)

    assert ".xls" in message


def test_a_file_over_the_size_limit_is_refused(world, office_staff, unchanged, settings):
    settings.RL_UPLOAD_MAX_BYTES = 1000

    message = refusal(good_xlsx(), world, office_staff)

    assert "limit" in message


def test_a_good_workbook_passes_the_checks():
    """The checks accept a plain workbook as it is and leave it readable, cell for cell;
    the same bytes are refused as soon as one thing about them is wrong, so the pass
    is the checks' verdict, not a check that never ran."""
    data = good_xlsx()

    assert check_xlsx(data, "tasks.xlsx") is None

    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["任务"]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [HEADER, ROW]
    for bad_name, bad_data in (
        ("tasks.xlsm", data),
        ("tasks.xls", data),
        ("tasks.xlsx", data[:-20]),
    ):
        with pytest.raises(ImportRefused):
            check_xlsx(bad_data, bad_name)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch, settings):
    """A temporary folder of this test's own (other processes write to /tmp too),
    used by Python's tempfile, Django's upload handlers and openpyxl alike."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def test_an_upload_leaves_no_temporary_file(world, office_staff, client_for, settings, private_tmp):
    settings.RL_IMPORT_INLINE_BYTES = 0  # the background path (the queue, immediate here)
    # Larger than Django's in-memory upload size, so its default would use a temp file.
    data = repacked(good_xlsx(), add={"xl/media/image1.bin": os.urandom(3 * 1024 * 1024)})
    upload = io.BytesIO(data)
    upload.name = "tasks.xlsx"
    response = client_for(office_staff).post(
        reverse("ledger:task_list_import"),
        {"office": world.office.pk, "year": 2016, "file": upload},
    )

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REVIEW  # read, waiting for the clerk's check
    assert list(private_tmp.iterdir()) == []
    client_for(office_staff).post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.summary["created"] == 1
    assert job.payload is None  # the file is not kept once imported
    assert list(private_tmp.iterdir()) == []


def test_an_upload_over_the_limit_is_stopped_and_nothing_is_queued(
    world, office_staff, client_for, settings
):
    settings.RL_UPLOAD_MAX_BYTES = 2000
    upload = io.BytesIO(good_xlsx() + b"\0" * 4000)
    upload.name = "tasks.xlsx"
    before = ledger_state()

    with override("en"):
        response = client_for(office_staff).post(
            reverse("ledger:task_list_import"),
            {"office": world.office.pk, "year": 2016, "file": upload},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert ledger_state() == before


def test_an_export_leaves_no_temporary_file(world, office_staff, client_for, private_tmp):
    """openpyxl's write-only mode spools each sheet to a temporary file until saved."""
    response = client_for(office_staff).get(reverse("ledger:ledger_xlsx") + "?by=area")

    assert response.status_code == 200
    assert list(private_tmp.iterdir()) == []


def test_a_refused_import_is_in_the_audit_trail_with_its_errors(world, office_staff):
    from reformledger.audit.models import AuditRecord, Outcome

    before = ledger_state()

    job = jobs.import_job_create(
        by=office_staff,
        kind=imports.TASK_LIST_JOB,
        **imports.task_list_job_params(office=world.office, year=2016),
        file_name="坏文件.xlsx",
        data=b"not a workbook",
        language="en",
    )
    jobs.import_job_run(job_id=job.pk)
    record = AuditRecord.objects.get(verb="import.refused")
    assert (record.actor, record.outcome) == (office_staff, Outcome.FAILURE)
    assert record.changes == {"kind": "task_list", "file": "坏文件.xlsx", "errors": 1}
    assert ledger_state() == before | {"audit": before["audit"] + 1}  # nothing else changed


# --- rows and cells: a budget, declared and counted --------------------------------


def _rows_workbook(n: int, *, dimension: str | None = None) -> bytes:
    """A task sheet of `n` rows; `dimension` rewrites the size the sheet declares
    (a writer that lies, or a hostile file)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("任务")
    ws.append(["任务编号", "改革任务", "牵头单位", "完成时限"])
    for i in range(n):
        ws.append([f"2016-{i:06d}", "某改革", "惠阳区", "2016年底前"])
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    if dimension is None:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    return repacked(data, replace={"xl/worksheets/sheet1.xml": _redim(sheet, dimension)})


def _redim(xml: bytes, ref: str) -> bytes:
    import re

    if b"<dimension" in xml:
        return re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml, count=1)
    return xml.replace(b"<sheetData", f'<dimension ref="{ref}"/><sheetData'.encode(), 1)


def test_a_workbook_declaring_too_many_rows_is_refused_before_it_is_read(settings):
    settings.RL_IMPORT_MAX_ROWS = 1000
    data = _rows_workbook(5, dimension="A1:D2000000")

    with override("en"), pytest.raises(ImportRefused) as refused:
        check_xlsx(data, "big.xlsx")

    assert "declares 2000000 rows" in str(refused.value.errors[0])


def test_a_sheet_lying_about_its_size_is_refused_on_its_counted_rows(world, office_staff, settings):
    import tracemalloc

    from reformledger.ledger.services.imports import task_list_import

    settings.RL_IMPORT_MAX_ROWS = 2000
    data = _rows_workbook(30_000, dimension="A1:D10")
    before = ledger_state()

    tracemalloc.start()
    try:
        with override("en"), pytest.raises(ImportRefused) as refused:
            task_list_import(
                data=data, file_name="liar.xlsx", office=world.office, year=2016, by=office_staff
            )
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Counted (the header and 30,000 rows), not declared (10).
    assert "has 30001 rows" in str(refused.value.errors[0])
    assert "the limit is 2000 rows" in str(refused.value.errors[0])
    assert peak < 20 * 1024 * 1024  # counted in the stream, never parsed
    assert ledger_state() == before


def test_the_rows_read_are_counted_against_the_budget_too(settings):
    from reformledger.exchange.parsing import open_table
    from reformledger.exchange.xlsx_safety import load_workbook
    from reformledger.ledger.documents.task_list import KINDS

    data = _rows_workbook(3000)
    check_xlsx(data, "ok.xlsx")  # within the budget when checked
    settings.RL_IMPORT_MAX_ROWS = 1000  # …and a second guard while reading
    wb = load_workbook(data)
    _kind, _table, rows = open_table(wb.worksheets[0], KINDS)

    with override("en"), pytest.raises(ImportRefused) as refused:
        for _row in rows:
            pass

    assert "more than 1000 rows" in str(refused.value.errors[0])
    assert wb.rl_budget.rows == 1001
