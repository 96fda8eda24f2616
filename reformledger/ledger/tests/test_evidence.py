"""Evidence files (佐证材料): what is accepted, what is refused and why, where it is
stored, and who may download it."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from reformledger.ledger.evidence import check_upload
from reformledger.ledger.models import Evidence
from tests.files import JPEG, PDF, PNG

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

_MAIN = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def office_file(kind: str, *, macros: bool = False) -> bytes:
    """A minimal OOXML package of `kind` (docx, xlsx, docm) as Office writes it."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/content-types"><Override PartName="/main.xml" ContentType="{_MAIN[kind]}"/>'
        "</Types>"
    )
    members = {"[Content_Types].xml": types.encode(), "main.xml": b"<doc/>"}
    if macros:
        members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macro"
    return _zip(members)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(name: str = "实施方案.pdf"):
    return upload(name, PDF, "application/pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploaded files go to a temporary MEDIA_ROOT, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def refusal(data_upload) -> str:
    with override("en"), pytest.raises(ValidationError) as refused:
        check_upload(data_upload)
    assert list(refused.value.message_dict) == ["file"]
    return " ".join(refused.value.message_dict["file"])


# --- what is accepted ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("文件.pdf", PDF, "application/pdf"),
        ("现场照片.PNG", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("方案.docx", office_file("docx"), None),
        ("台账.xlsx", office_file("xlsx"), None),
        ("公文.ofd", _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<d/>"}), None),
        ("说明.txt", "完成了试点工作。\n".encode(), "text/plain; charset=utf-8"),
        ("数据.csv", "\ufeff单位,数量\n惠阳,3\n".encode(), "text/csv; charset=utf-8"),
    ],
)
def test_allowed_types_are_accepted_with_their_hash(name, data, content_type):
    checked = check_upload(upload(name, data))

    assert checked.name == name
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    if content_type:
        assert checked.content_type == content_type


def test_a_path_in_the_file_name_is_dropped():
    checked = check_upload(upload("..\\..\\windows\\系统/报告.pdf", PDF))
    assert checked.name == "报告.pdf"


# --- what is refused -----------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_naming_file(settings):
    settings.RL_EVIDENCE_MAX_BYTES = 1024
    words = refusal(upload("大文件.pdf", PDF + b"0" * 2000))
    assert "大文件.pdf" in words and "1.0" in words  # the limit, in KB


def test_an_exe_renamed_pdf_is_refused_as_a_program():
    words = refusal(upload("通知.pdf", EXE, "application/pdf"))
    assert "program" in words


def test_an_exe_is_refused_by_its_extension():
    assert "program" in refusal(upload("setup.exe", EXE))


def test_a_docm_is_refused_for_its_macros():
    assert "macros" in refusal(upload("方案.docm", office_file("docm", macros=True)))


def test_a_docm_renamed_docx_is_refused_for_its_macros():
    assert "macros" in refusal(upload("方案.docx", office_file("docm", macros=True)))


def test_a_pdf_that_is_not_a_pdf_is_refused_as_a_mismatch():
    words = refusal(upload("报告.pdf", b"just some text pretending"))
    assert "is named .pdf but its content is not" in words


def test_a_spreadsheet_named_docx_is_a_mismatch():
    assert "not a .docx" in refusal(upload("方案.docx", office_file("xlsx")))


def test_an_unlisted_type_is_refused_with_the_list():
    assert ".pdf" in refusal(upload("drawing.bmp", b"BM\x00\x00"))


def test_text_not_in_utf8_is_refused():
    assert "UTF-8" in refusal(upload("说明.txt", "完成了试点工作".encode("gbk")))


def test_an_empty_file_is_refused():
    assert "empty" in refusal(upload("空.pdf", b""))


# --- a hostile corpus: parsed by type, not judged by the first bytes ---------------


def _zip_bomb(members: dict[str, bytes] | None = None, *, size: int = 64 * 1024 * 1024) -> bytes:
    """A small zip that unpacks to `size` bytes of zeros (plus `members`)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in (members or {}).items():
            zf.writestr(name, data)
        with zf.open("bomb.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _n in range(size // len(block)):
                part.write(block)
    return buf.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge picture (its data is a few bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _broken_crc(data: bytes) -> bytes:
    """The zip `data` with one byte of its first member's stored content changed."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf,
        zipfile.ZipFile(io.BytesIO(data)) as src,
    ):
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info), compress_type=zipfile.ZIP_STORED)
    raw = bytearray(buf.getvalue())
    start = raw.index(b"<?xml")  # the first member's content (its content types)
    raw[start + 10] ^= 0x01
    return bytes(raw)


SMALL_ZIP = _zip({"readme.txt": b"hello"})
#: case -> (file name, a function that makes its content)
HOSTILE = {
    "a PDF header glued to a zip": ("报告.pdf", lambda: b"%PDF-1.7\n" + SMALL_ZIP),
    "a whole PDF with a zip appended": ("报告.pdf", lambda: PDF + SMALL_ZIP),
    "a PDF with no page": (
        "报告.pdf",
        lambda: (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        ),
    ),
    "a PDF header on random bytes": ("报告.pdf", lambda: b"%PDF-1.4\n" + bytes(range(256)) * 8),
    "a JPEG header on HTML": (
        "照片.jpg",
        lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<html><script>alert(1)</script></html>",
    ),
    "a JPEG with a zip appended": ("照片.jpg", lambda: JPEG + SMALL_ZIP),
    "a truncated JPEG": ("照片.jpg", lambda: JPEG[: len(JPEG) // 2]),
    "a PNG signature on text": ("照片.png", lambda: b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>"),
    "a truncated PNG": ("照片.png", lambda: PNG[: len(PNG) - 20]),
    "a PNG named .jpg": ("照片.jpg", lambda: PNG),
    "a PNG that claims 100000 × 100000 pixels": (
        "照片.png",
        lambda: _png_claiming(100_000, 100_000),
    ),
    "a zip bomb renamed .pdf": ("方案.pdf", lambda: _zip_bomb()),
    "a zip bomb dressed as a .docx": (
        "方案.docx",
        lambda: _zip_bomb({"[Content_Types].xml": b"<Types/>"}),
    ),
    "a .docx whose checksum fails": ("方案.docx", lambda: _broken_crc(office_file("docx"))),
    "a zip archive": ("材料.zip", lambda: SMALL_ZIP),
    "a 7z archive": ("材料.7z", lambda: b"7z\xbc\xaf\x27\x1c\x00\x04"),
    "HTML named .txt with a zip inside": ("说明.txt", lambda: b"<html>" + SMALL_ZIP),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_each_file_of_a_hostile_corpus_is_refused(case):
    name, make = HOSTILE[case]
    words = refusal(upload(name, make()))
    assert name in words or "compressed" in words or "pixels" in words


def test_the_good_files_of_each_type_are_accepted_after_parsing():
    for name, data in [
        ("方案.pdf", PDF),
        ("照片.png", PNG),
        ("照片.jpg", JPEG),
        ("方案.docx", office_file("docx")),
        ("台账.xlsx", office_file("xlsx")),
    ]:
        assert check_upload(upload(name, data)).size == len(data)


def test_a_polyglot_is_refused_for_the_archive_it_hides():
    assert "holds a zip archive" in refusal(upload("报告.pdf", PDF + SMALL_ZIP))


def _pdf_with_script(where: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert(1);"),
            }
        )
    )
    if where == "names":
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("a"), action])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)}
        )
    else:
        writer._root_object[NameObject("/OpenAction")] = action
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("where", ["names", "open action"])
def test_a_pdf_that_carries_javascript_is_refused(where):
    assert "JavaScript" in refusal(upload("报告.pdf", _pdf_with_script(where)))


def test_a_zip_bomb_office_file_is_refused_by_its_ratio_before_it_is_unpacked():
    bomb = _zip_bomb({"[Content_Types].xml": b"<Types/>"})
    words = refusal(upload("方案.docx", bomb))
    assert "compressed" in words and "to 1" in words


def test_an_image_too_large_in_pixels_is_refused_before_decoding():
    assert "pixels" in refusal(upload("照片.png", _png_claiming(100_000, 100_000)))


# --- storing -------------------------------------------------------------------


def test_evidence_add_stores_the_file_outside_the_web_root_with_its_hash(
    world, huiyang_liaison, media
):
    evidence = services.evidence_add(task=world.task_huiyang, by=huiyang_liaison, upload=pdf())

    row = Evidence.objects.get(pk=evidence.pk)
    stored = Path(row.file.path)
    assert stored.is_file() and stored.read_bytes() == PDF
    assert media in stored.parents
    assert stored.name != "实施方案.pdf"  # a random name on disk; the real one in the row
    assert row.original_name == "实施方案.pdf"
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert row.content_type == "application/pdf"
    record = AuditRecord.objects.get(verb="evidence.added", obj_id=str(row.pk))
    assert record.ctx_id == str(world.task_huiyang.pk)
    assert record.changes["sha256"] == [None, row.sha256]


def test_a_refused_upload_writes_nothing(world, huiyang_liaison, media):
    with pytest.raises(ValidationError) as refused:
        services.evidence_add(
            task=world.task_huiyang, by=huiyang_liaison, upload=upload("x.pdf", EXE)
        )
    assert "file" in refused.value.message_dict
    assert not Evidence.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_helping_unit_cannot_add_evidence_to_the_lead_units_task(world, fgj_liaison):
    with pytest.raises(PermissionDenied):
        services.evidence_add(task=world.task_huiyang, by=fgj_liaison, upload=pdf())


# --- downloading ---------------------------------------------------------------


@pytest.fixture
def evidence(world, huiyang_liaison):
    return services.evidence_add(
        task=world.task_huiyang, by=huiyang_liaison, upload=pdf("惠阳区绩效考核实施方案.pdf")
    )


def test_download_is_an_attachment_with_the_chinese_name_and_nosniff(
    evidence, huiyang_head, client_for
):
    response = client_for(huiyang_head).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "%E6%83%A0%E9%98%B3" in disposition  # 惠阳, RFC 5987-encoded
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    record = AuditRecord.objects.get(verb="evidence.downloaded")
    assert record.actor == huiyang_head
    assert record.ctx_id == str(evidence.task_id)


def test_another_units_evidence_file_is_a_404(evidence, boluo_liaison, client_for):
    response = client_for(boluo_liaison).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 404
    assert not AuditRecord.objects.filter(verb="evidence.downloaded").exists()


@pytest.mark.parametrize("persona", ["office_staff", "city_leader"])
def test_the_office_and_city_leaders_may_download(request, evidence, client_for, persona):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    record = AuditRecord.objects.get(verb="evidence.downloaded")
    assert record.actor == user
    assert (record.obj_id, record.ctx_id) == (str(evidence.pk), str(evidence.task_id))


def test_a_missing_file_on_disk_is_a_404_not_a_crash(evidence, office_staff, client_for):
    Path(evidence.file.path).unlink()
    response = client_for(office_staff).get(reverse("ledger:evidence", args=[evidence.pk]))
    assert response.status_code == 404
