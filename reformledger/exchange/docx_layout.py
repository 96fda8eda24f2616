"""Small python-docx helpers for the office's Word documents (公文 layout): runs with
East Asian fonts, red header lines, bordered paragraphs, Chinese dates.

Every run names its East Asian font (w:eastAsia) as well as the Latin one, so Word
and LibreOffice pick a Chinese face (SimSun/SimHei, or Noto CJK where those are
missing) instead of a Latin font without the glyphs.
"""

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

RED = RGBColor(0xE0, 0x00, 0x00)
#: 仿宋 for the body, 黑体 for headings, 宋体 for titles (GB/T 9704 usage).
BODY_FONT = "FangSong"
HEADING_FONT = "SimHei"
TITLE_FONT = "SimSun"
LATIN_FONT = "Times New Roman"

_DIGITS = "零一二三四五六七八九"


def chinese_date(day: dt.date | None) -> str:
    """2016年7月1日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 23 -> 二十三 (up to 99)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _DIGITS[tens]
        return f"{head}十{_DIGITS[ones] if ones else ''}"
    return str(n)


def host_name(office) -> str:
    """The name of the unit hosting a reform office (惠州市 for 市委改革办), or ""."""
    if office.depth <= 1:
        return ""
    parent = type(office).objects.get_parent(office)  # the unit tree's own lookup
    return parent.name if parent is not None else ""


def place_of(office) -> str:
    """The place a ledger is of: the office's host unit (惠州市), else the office."""
    return host_name(office) or office.name


def party_committee_office(office) -> str:
    """The office's official name from its host unit: 惠州市 ->
    中共惠州市委全面深化改革领导小组办公室."""
    host = host_name(office)
    return f"中共{host}委全面深化改革领导小组办公室" if host else office.name


def leading_group_of(office) -> str:
    """惠州市 -> 惠州市全面深化改革领导小组."""
    return f"{host_name(office) or office.name}全面深化改革领导小组"


def new_document() -> Document:
    """An A4 document with the usual margins and a Chinese body font."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    _east_asian(normal.element.get_or_add_rPr(), BODY_FONT)
    return doc


def _east_asian(rpr, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), font)


def run(
    paragraph,
    text: str,
    *,
    size: float = 16,
    bold: bool = False,
    colour=None,
    font: str = BODY_FONT,
):
    """Add `text` to `paragraph` in `font` (East Asian) at `size` points."""
    r = paragraph.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    r.font.name = LATIN_FONT
    if colour is not None:
        r.font.color.rgb = colour
    _east_asian(r._element.get_or_add_rPr(), font)
    return r


def paragraph(
    doc_or_cell,
    text: str = "",
    *,
    align=None,
    size: float = 16,
    bold=False,
    colour=None,
    font: str = BODY_FONT,
    indent: bool = False,
    space_after: float = 0,
):
    """One paragraph of one run; `indent` gives the first line two characters."""
    p = doc_or_cell.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run(p, text, size=size, bold=bold, colour=colour, font=font)
    return p


def red_rule(p, *, size: int = 18) -> None:
    """A red line under paragraph `p` (its bottom border): the header's separator."""
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "E00000")
    borders.append(bottom)
    ppr.append(borders)


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float]):
    """A plain bordered table with a bold header row, in 五号 (10.5 pt) type."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        run(cell.paragraphs[0], text, size=10.5, bold=True, font=HEADING_FONT)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            run(cell.paragraphs[0], str(text), size=10.5)
    # LibreOffice lays a table out by its grid columns, Word by the cells: set both.
    t.autofit = False
    for column, width in zip(t.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return t


def to_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
