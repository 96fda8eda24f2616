"""The official layout (GB/T 9704-2012) as a reader of the .docx finds it: the page, the
grid, the fonts of body, title and headings by their East Asian names, the page numbers
on odd and even pages, the table of contents, and the same bytes for the same document."""

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from reformledger.exchange import charts, docx_layout


def _build(stamp: dt.datetime | None = None) -> bytes:
    doc = docx_layout.new_document()
    docx_layout.title(doc, "关于全面深化改革工作情况的报告")
    docx_layout.document_number(doc, "惠改办〔2017〕3号")
    docx_layout.contents(
        doc, [(1, "一、总体情况", 2), (2, "（一）任务完成", 2), (1, "二、附录", None)]
    )
    docx_layout.page_break(doc)
    docx_layout.heading(doc, 1, "一、总体情况")
    docx_layout.body(doc, "全年改革任务按计划推进。" * 5)
    docx_layout.heading(doc, 2, "（一）任务完成")
    docx_layout.heading(doc, 3, "1.牵头单位")
    docx_layout.heading(doc, 4, "（1）市发展改革局")
    docx_layout.table(doc, ["单位", "任务"], [["市财政局", "3"]], [8, 4])
    docx_layout.figure(doc, _png(), width_mm=120, caption="图1 任务完成情况")
    docx_layout.issuer_and_date(doc, "中共惠州市委全面深化改革领导小组办公室", dt.date(2017, 3, 1))
    return docx_layout.to_bytes(doc, stamp=stamp)


def _png() -> bytes:
    return charts.pie_chart("绿黄牌", ["绿牌", "黄牌"], [3, 1])


@pytest.fixture(scope="module")
def built() -> bytes:
    return _build()


@pytest.fixture(scope="module")
def doc(built):
    return Document(io.BytesIO(built))


def _east_asian(rpr) -> str:
    return rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def _paragraph(doc, text: str):
    return next(p for p in doc.paragraphs if p.text == text)


def test_page_is_a4_with_the_standard_margins(doc):
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.right_margin.mm == pytest.approx(26, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.1)
    type_width = section.page_width.mm - section.left_margin.mm - section.right_margin.mm
    type_height = section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm
    assert (round(type_width), round(type_height)) == (156, 225)


def test_grid_is_22_lines_of_28_characters(doc):
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert int(grid.get(qn("w:linePitch"))) == round(docx_layout.LINE_PITCH_PT * 20) == 579
    # 225 mm hold 22 lines of that pitch (to the rounding of the offices' templates).
    lines_height = 22 * docx_layout.LINE_PITCH_PT
    assert lines_height == pytest.approx(225 / 25.4 * 72, abs=1)
    # The character pitch: 16 pt plus charSpace / 4096 pt, 28 of them in 156 mm.
    pitch = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert 28 * pitch == pytest.approx(156 / 25.4 * 72, abs=0.5)


def test_normal_is_16_pt_fangsong_with_the_exact_line_pitch(doc):
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.paragraph_format.line_spacing == Pt(docx_layout.LINE_PITCH_PT)
    assert _east_asian(normal.element.rPr) == "仿宋_GB2312"


def test_body_is_indented_two_characters_in_fangsong(doc):
    body = _paragraph(doc, "全年改革任务按计划推进。" * 5)
    assert body.paragraph_format.first_line_indent == Pt(32)
    assert _east_asian(body.runs[0]._r.rPr) == "仿宋_GB2312"


def test_title_is_22_pt_xiaobiaosong_centred(doc):
    title = _paragraph(doc, "关于全面深化改革工作情况的报告")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size == Pt(22)
    assert _east_asian(title.runs[0]._r.rPr) == "方正小标宋简体"


def test_headings_are_styles_with_outline_levels_and_their_fonts(doc):
    first = _paragraph(doc, "一、总体情况")
    second = _paragraph(doc, "（一）任务完成")
    assert first.style.name == "Heading 1"
    assert second.style.name == "Heading 2"
    for paragraph, level, font in ((first, "0", "黑体"), (second, "1", "楷体_GB2312")):
        style = paragraph.style
        assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == level
        assert _east_asian(style.element.rPr) == font
        assert style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme")) is None
        assert style.font.size == Pt(16)
        assert _east_asian(paragraph.runs[0]._r.rPr) == font
    third = _paragraph(doc, "1.牵头单位")
    fourth = _paragraph(doc, "（1）市发展改革局")
    assert third.runs[0].font.bold is True
    assert not fourth.runs[0].font.bold
    assert _east_asian(third.runs[0]._r.rPr) == _east_asian(fourth.runs[0]._r.rPr) == "仿宋_GB2312"


def test_every_run_names_its_east_asian_font(built):
    with zipfile.ZipFile(io.BytesIO(built)) as docx:
        for name in ("word/document.xml", "word/footer1.xml", "word/footer2.xml"):
            xml = docx.read(name).decode()
            runs = re.findall(r"<w:r>.*?</w:r>|<w:r .*?</w:r>", xml, flags=re.DOTALL)
            assert runs
            assert all('w:eastAsia="' in r for r in runs), name


def _footer_text(footer) -> str:
    p = footer.paragraphs[0]._p
    return "".join(node.text or "" for node in p.iter(qn("w:t"), qn("w:instrText")))


def test_page_numbers_odd_right_even_left_with_dashes(doc):
    section = doc.sections[0]
    odd, even = section.footer, section.even_page_footer
    for footer in (odd, even):
        assert re.fullmatch(r"— \s*PAGE\s*1 —", _footer_text(footer))
        first_run = footer.paragraphs[0].runs[0]
        assert first_run.font.size == Pt(14)
        assert _east_asian(first_run._r.rPr) == "宋体"
    assert odd.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert odd.paragraphs[0].paragraph_format.right_indent == Pt(14)
    assert even.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert even.paragraphs[0].paragraph_format.left_indent == Pt(14)
    assert doc.settings.odd_and_even_pages_header_footer is True
    assert section.footer_distance.mm == pytest.approx(docx_layout.FOOTER_DISTANCE_MM, abs=0.1)


def test_first_page_can_go_without_a_number():
    doc = Document(
        io.BytesIO(docx_layout.to_bytes(docx_layout.new_document(number_first_page=False)))
    )
    section = doc.sections[0]
    assert section.different_first_page_header_footer is True
    assert "PAGE" not in _footer_text(section.first_page_footer)
    assert "PAGE" in _footer_text(section.footer)


def test_contents_is_a_toc_field_with_its_cached_entries(built, doc):
    xml = zipfile.ZipFile(io.BytesIO(built)).read("word/document.xml").decode()
    assert 'TOC \\o "1-2" \\h \\z \\u' in xml
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"')
    entries = [p for p in doc.paragraphs if "\t" in p.text]
    assert [p.text for p in entries] == ["一、总体情况\t2", "（一）任务完成\t2", "二、附录\t"]
    assert entries[1].paragraph_format.left_indent > entries[0].paragraph_format.left_indent
    settings = doc.settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    assert _paragraph(doc, "目  录").alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_issuer_over_the_date_right_indented_four_characters(doc):
    dated = _paragraph(doc, "2017年3月1日")
    signed = _paragraph(doc, "中共惠州市委全面深化改革领导小组办公室")
    assert dated.alignment == signed.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert dated.paragraph_format.right_indent == Pt(64)
    assert signed.paragraph_format.right_indent >= Pt(64)


def test_figure_is_a_centred_picture_with_its_caption(doc):
    assert len(doc.inline_shapes) == 1
    assert round(doc.inline_shapes[0].width.mm) == 120
    caption = _paragraph(doc, "图1 任务完成情况")
    assert caption.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_configured_fonts_are_written(settings):
    settings.RL_FONT_BODY = "仿宋"
    settings.RL_FONT_TITLE = "华文中宋"
    doc = docx_layout.new_document()
    docx_layout.title(doc, "标题")
    docx_layout.body(doc, "正文")
    read = Document(io.BytesIO(docx_layout.to_bytes(doc)))
    assert _east_asian(read.styles["Normal"].element.rPr) == "仿宋"
    assert _east_asian(_paragraph(read, "标题").runs[0]._r.rPr) == "华文中宋"
    assert _east_asian(_paragraph(read, "正文").runs[0]._r.rPr) == "仿宋"


def test_the_same_document_built_twice_is_the_same_bytes(built):
    assert _build() == built
    with zipfile.ZipFile(io.BytesIO(built)) as docx:
        assert docx.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in docx.infolist()} == {docx_layout.ZIP_DATE}
    core = Document(io.BytesIO(built)).core_properties
    assert (
        core.created == core.modified == core.last_printed == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    )
    assert core.revision == 1
    assert core.author == core.last_modified_by == "Reform Ledger"


def test_the_stamp_is_the_documents_time():
    stamp = dt.datetime(2017, 3, 1, 9, 30, tzinfo=dt.UTC)
    core = Document(io.BytesIO(_build(stamp))).core_properties
    assert core.created == core.modified == stamp
    assert _build(stamp) == _build(stamp) != _build()


def test_heading_level_out_of_range_is_refused():
    with pytest.raises(ValueError, match="heading level 5"):
        docx_layout.heading(docx_layout.new_document(), 5, "五")
