"""Word to PDF with LibreOffice: a short document in the official layout converts, its
PDF embeds a Chinese face (Noto CJK where the official fonts are absent), its text holds
the Chinese and the page numbers "— 1 —"; a missing LibreOffice is a named error."""

import datetime as dt
import re

import pytest
from django.utils import translation

from reformledger.exchange import docx_layout, pdf
from reformledger.exchange.testing import needs_poppler, needs_soffice


def _official_docx() -> bytes:
    doc = docx_layout.new_document()
    docx_layout.title(doc, "关于全面深化改革工作情况的报告")
    docx_layout.heading(doc, 1, "一、总体情况")
    docx_layout.body(doc, "全年改革任务按计划推进，督查督办有力有效。" * 20)
    docx_layout.heading(doc, 2, "（一）任务完成")
    docx_layout.body(doc, "各牵头单位按时报送进展。" * 40)
    docx_layout.issuer_and_date(doc, "中共惠州市委全面深化改革领导小组办公室", dt.date(2017, 3, 1))
    return docx_layout.to_bytes(doc)


@pytest.fixture(scope="module")
def converted() -> bytes:
    if pdf.soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return pdf.docx_to_pdf(_official_docx(), timeout=180)


@needs_soffice
def test_official_docx_converts_to_pdf(converted):
    assert converted.startswith(b"%PDF-")


@needs_soffice
@needs_poppler
def test_pdf_embeds_a_chinese_face(converted):
    fonts = pdf.pdf_fonts(converted)
    assert fonts and all({"name", "type", "embedded", "subset"} <= set(f) for f in fonts)
    assert pdf.pdf_has_cjk(converted)
    assert any("CJK" in f["name"] and f["embedded"] for f in fonts)


@needs_soffice
@needs_poppler
def test_pdf_text_holds_the_chinese_and_the_page_numbers(converted):
    pages = pdf.pdf_page_texts(converted)
    assert len(pages) >= 2
    text = "".join("".join(page.split()) for page in pages)
    assert "关于全面深化改革工作情况的报告" in text
    assert "中共惠州市委全面深化改革领导小组办公室" in text
    assert "2017年3月1日" in text
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"—\s*{number}\s*—", page), page[-80:]


@needs_soffice
@needs_poppler
def test_lines_hold_28_characters(converted):
    """LibreOffice keeps Word's 28-character line (docx_to_pdf mends the grid)."""
    lines = [line.strip() for line in pdf.pdf_page_texts(converted)[0].splitlines()]
    longest = max(len("".join(line.split())) for line in lines if line)
    assert longest == 28


@needs_soffice
@needs_poppler
def test_pages_render_as_pngs(converted, tmp_path):
    pngs = pdf.pdf_to_pngs(converted, tmp_path, dpi=30)
    assert [p.name for p in pngs[:1]] == ["page-1.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


def test_missing_libreoffice_is_a_named_error(settings):
    settings.RL_SOFFICE = "/nonexistent/soffice"
    assert pdf.soffice_path() is None
    with pytest.raises(pdf.ConversionError, match="LibreOffice"):
        pdf.docx_to_pdf(_official_docx())


@needs_soffice
def test_a_conversion_past_its_time_limit_is_a_named_error():
    with (
        translation.override("en"),
        pytest.raises(pdf.ConversionError, match="longer than 0 seconds"),
    ):
        pdf.docx_to_pdf(_official_docx(), timeout=0)


def test_fonts_conf_ships_with_the_package_and_aliases_the_official_faces():
    conf = pdf.FONTS_CONF.read_text(encoding="utf-8")
    assert "/etc/fonts/fonts.conf" in conf
    for name in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", "SimSun", "KaiTi"):
        assert f"<family>{name}</family>" in conf
