"""The official layout of party and government documents (公文, GB/T 9704-2012) for every
Word document the system writes: supervision orders and minutes, a pilot's summary,
the evaluation sheet, the card sheet, the published reports.

The page (../shared/OFFICIAL_LAYOUT.md has the standard's numbers):

- A4, margins top 37 mm (天头), left 28 mm (订口), right 26 mm, bottom 35 mm, which
  leaves the type area (版心) of 156 × 225 mm;
- 22 lines of 28 characters: the section's ``w:docGrid`` (type ``linesAndChars``)
  has a line pitch of `LINE_PITCH_PT` and a character pitch of 156 mm / 28, and the
  Normal style has the same exact line spacing, so Word and LibreOffice put 22 lines
  on a page whether or not they snap to the grid. 225 mm / 22 is 28.99 pt; offices'
  templates (and Word's grid dialogue) use 28.95 pt, a hair less, so rounding never
  pushes the 22nd line onto the next page;
- body text 3号 (16 pt) 仿宋, paragraphs indented two characters (`body`);
- the title 2号 (22 pt) 小标宋, centred (`title`); the document number (文号) centred
  (`document_number`); the issuing office above the date, right-indented four
  characters (`issuer_and_date`);
- headings (`heading`): level 1 (一、) 黑体 and level 2 （一） 楷体 are the paragraph
  styles "Heading 1" and "Heading 2" (outline levels 0 and 1), so Word's table of
  contents collects them (`contents` writes one, with a cached result that
  LibreOffice shows as it is); level 3 (1.) is 仿宋 bold and level 4 （1） 仿宋, as
  body paragraphs;
- page numbers "— 1 —" in 4号 (14 pt) 宋体 in the footer, about 7 mm below the type
  area: odd pages right-aligned one character in, even pages left-aligned one
  character in (``w:evenAndOddHeaders`` in the settings and an even-page footer).
  ``new_document(number_first_page=False)`` leaves the first page (a title page)
  without one.

Fonts. The document names the official faces; each is a setting, read when a
document is built (``getattr(settings, "RL_FONT_BODY", default)``), so an office whose
computers have other names sets them in the environment (.env.example,
docs/operations.md):

    RL_FONT_BODY="仿宋_GB2312"  RL_FONT_TITLE="方正小标宋简体"  RL_FONT_HEADING="黑体"
    RL_FONT_SUBHEADING="楷体_GB2312"  RL_FONT_PAGE_NUMBER="宋体"

`BODY_FONT`, `TITLE_FONT`, `HEADING_FONT`, `SUBHEADING_FONT` and `PAGE_NUMBER_FONT` are
those defaults; a caller passes them as ``font=`` and `run` writes the configured face
in their place. Latin text (digits, names) is set in Times New Roman, except the page
number, which is 宋体 throughout.

A trap (python-docx issue #154): python-docx sets a run's Latin font only, and Chinese
text then falls back to the theme's East Asian font. Every run and style here writes
``w:eastAsia`` explicitly and drops the theme attributes (``w:eastAsiaTheme`` would win
over ``w:eastAsia`` in the same element). Where the official faces are not installed
(a Debian server converting to PDF), exchange/fonts/fonts.conf aliases them to Noto
CJK (exchange.pdf).

`to_bytes` is deterministic: fixed core properties and a re-packed zip with fixed
dates, so the same document built twice is the same bytes (a stored copy can be
compared, and a test can say "nothing changed").
"""

import datetime as dt
import io
import zipfile

from django.conf import settings
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

__all__ = [
    "BODY_FONT",
    "HEADING_FONT",
    "LINE_PITCH_PT",
    "PAGE_NUMBER_FONT",
    "SUBHEADING_FONT",
    "TITLE_FONT",
    "body",
    "chinese_date",
    "chinese_number",
    "contents",
    "document_number",
    "figure",
    "font_of",
    "heading",
    "host_name",
    "issuer_and_date",
    "leading_group_of",
    "new_document",
    "page_break",
    "paragraph",
    "party_committee_office",
    "place_of",
    "red_rule",
    "run",
    "table",
    "title",
    "to_bytes",
]

RED = RGBColor(0xE0, 0x00, 0x00)

# --- fonts (each a setting; these are the defaults) --------------------------------
#: 仿宋 for the body, 小标宋 for the title, 黑体 for level-1 headings, 楷体 for level 2,
#: 宋体 for the page numbers (GB/T 9704-2012).
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
#: The setting that overrides each default face.
FONT_SETTINGS = {
    BODY_FONT: "RL_FONT_BODY",
    TITLE_FONT: "RL_FONT_TITLE",
    HEADING_FONT: "RL_FONT_HEADING",
    SUBHEADING_FONT: "RL_FONT_SUBHEADING",
    PAGE_NUMBER_FONT: "RL_FONT_PAGE_NUMBER",
}

# --- the page (GB/T 9704-2012 §5) ------------------------------------------------------
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 37, 35
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 28, 26
TYPE_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
TYPE_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_SIZE_PT, TITLE_SIZE_PT, PAGE_NUMBER_SIZE_PT = 16, 22, 14
#: One line of the grid: 225 mm / 22 lines (28.99 pt), as the offices' templates round it.
LINE_PITCH_PT = 28.95
#: One character of the grid: 156 mm / 28 characters (15.79 pt).
CHAR_PITCH_PT = TYPE_WIDTH_MM / 25.4 * 72 / CHARS_PER_LINE
#: w:docGrid's numbers: the line pitch in twentieths of a point, and the character
#: pitch as the difference from the body size in 4096ths of a point.
GRID_LINE_PITCH = round(LINE_PITCH_PT * 20)  # 579
GRID_CHAR_SPACE = round((CHAR_PITCH_PT - BODY_SIZE_PT) * 4096)  # -841
#: The footer's distance from the page's lower edge: the page number's line (14 pt,
#: about 5 mm) has its dashes about 7 mm below the type area.
FOOTER_DISTANCE_MM = 25.5
#: Two characters of body text (the first-line indent), four (the date's right indent).
INDENT_PT = 2 * BODY_SIZE_PT
DATE_RIGHT_INDENT_PT = 4 * BODY_SIZE_PT

#: What `to_bytes` stamps on a document when it is given no time, and on the zip's entries.
FIXED_STAMP = dt.datetime(2000, 1, 1)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
AUTHOR = "Reform Ledger"

_DIGITS = "零一二三四五六七八九"
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --- words ---------------------------------------------------------------------------
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


# --- fonts -----------------------------------------------------------------------------
def font_of(name: str) -> str:
    """The face to write for `name`: the configured one for a default (BODY_FONT ->
    settings.RL_FONT_BODY), any other name as it is."""
    setting = FONT_SETTINGS.get(name)
    return getattr(settings, setting, name) if setting else name


def _set_fonts(rpr, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the East Asian face (resolved by `font_of`) and the Latin one in `rpr`."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    latin = font_of(latin)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), font_of(east_asian))
    fonts.set(qn("w:cs"), latin)


# Kept for callers of the earlier helper.
def _east_asian(rpr, font: str) -> None:
    _set_fonts(rpr, font)


def _lang_zh(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


# --- the document ----------------------------------------------------------------------
def new_document(*, number_first_page: bool = True) -> Document:
    """An empty document in the official layout: A4 and its margins, the 22 × 28 grid,
    Normal (仿宋 16 pt, exact line pitch), the heading styles and the page numbers.
    `number_first_page=False` leaves the first page (a title page) without a number."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    section.gutter = 0
    _doc_grid(section)
    _styles(doc)
    _page_numbers(doc, section, number_first_page=number_first_page)
    return doc


def _doc_grid(section) -> None:
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(GRID_LINE_PITCH))
    grid.set(qn("w:charSpace"), str(GRID_CHAR_SPACE))


def _reset_rpr(style):
    """The style's run properties, emptied (no theme fonts, colours, sizes left)."""
    rpr = style.element.get_or_add_rPr()
    for child in list(rpr):
        rpr.remove(child)
    return rpr


def _styles(doc) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(default_rpr, BODY_FONT)
    _lang_zh(default_rpr)

    normal = doc.styles["Normal"]
    _reset_rpr(normal)
    normal.font.size = Pt(BODY_SIZE_PT)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    _lang_zh(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.widow_control = False  # 公文 fill every line; Word would leave one empty

    for name, font, level in (("Heading 1", HEADING_FONT, 0), ("Heading 2", SUBHEADING_FONT, 1)):
        style = doc.styles[name]
        _reset_rpr(style)
        style.font.size = Pt(BODY_SIZE_PT)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element.get_or_add_rPr(), font)
        fmt = style.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(INDENT_PT)
        fmt.keep_with_next = True
        ppr = style.element.get_or_add_pPr()
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is None:
            outline = OxmlElement("w:outlineLvl")
            ppr.append(outline)
        outline.set(qn("w:val"), str(level))


def _page_numbers(doc, section, *, number_first_page: bool) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, odd=True)
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.even_page_footer, odd=False)
    if not number_first_page:
        section.different_first_page_header_footer = True
        section.first_page_footer.is_linked_to_previous = False


def _page_number(footer, *, odd: bool) -> None:
    """ "— 1 —" with a PAGE field: odd pages right, one character in; even pages left."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    _plain_lines(p, PAGE_NUMBER_SIZE_PT)
    fmt = p.paragraph_format
    if odd:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(PAGE_NUMBER_SIZE_PT)
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(PAGE_NUMBER_SIZE_PT)

    def piece(text: str = ""):
        return run(p, text, size=PAGE_NUMBER_SIZE_PT, font=PAGE_NUMBER_FONT, latin=PAGE_NUMBER_FONT)

    piece("— ")
    _field(piece, "PAGE", "1")
    piece(" —")


def _field_char(r, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    r._r.append(char)


def _instruction(r, code: str) -> None:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    r._r.append(instr)


def _field(piece, code: str, result: str) -> None:
    """A complex field in one paragraph: begin, the code, separate, its cached result, end."""
    _field_char(piece(), "begin")
    _instruction(piece(), code)
    _field_char(piece(), "separate")
    piece(result)
    _field_char(piece(), "end")


def _plain_lines(p, size: float) -> None:
    """Single line spacing off the grid: tables, pictures, captions, footers."""
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    ppr = p._p.get_or_add_pPr()
    if ppr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        # w:snapToGrid comes early in w:pPr (after pStyle … pBdr, shd, tabs, suppressAutoHyphens…)
        ppr.insert_element_before(
            snap,
            "w:spacing",
            "w:ind",
            "w:contextualSpacing",
            "w:mirrorIndents",
            "w:suppressOverlap",
            "w:jc",
            "w:textDirection",
            "w:textAlignment",
            "w:textboxTightWrap",
            "w:outlineLvl",
            "w:divId",
            "w:cnfStyle",
            "w:rPr",
            "w:sectPr",
            "w:pPrChange",
        )


# --- runs and paragraphs ---------------------------------------------------------------
def run(
    paragraph,
    text: str,
    *,
    size: float = BODY_SIZE_PT,
    bold: bool = False,
    colour=None,
    font: str = BODY_FONT,
    latin: str = LATIN_FONT,
):
    """Add `text` to `paragraph` in `font` (East Asian, resolved by `font_of`) at
    `size` points."""
    r = paragraph.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    if colour is not None:
        r.font.color.rgb = colour
    _set_fonts(r._element.get_or_add_rPr(), font, latin)
    return r


def paragraph(
    doc_or_cell,
    text: str = "",
    *,
    align=None,
    size: float = BODY_SIZE_PT,
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


def title(doc, text: str):
    """The title: 2号 (22 pt) 小标宋, centred, one blank line below it."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(LINE_PITCH_PT)
    p.paragraph_format.keep_with_next = True
    run(p, text, size=TITLE_SIZE_PT, font=TITLE_FONT)
    return p


def document_number(doc, text: str):
    """The document number (发文字号, 惠改办〔2017〕3号): 3号 仿宋, centred."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(p, text)
    return p


def heading(doc, level: int, text: str):
    """A heading of `level` 1 (一、 黑体, style "Heading 1"), 2 (（一） 楷体, "Heading 2"),
    3 (1. 仿宋 bold) or 4 (（1） 仿宋); `text` carries its own number."""
    if level in (1, 2):
        p = doc.add_paragraph(style=f"Heading {level}")
        run(p, text, font=HEADING_FONT if level == 1 else SUBHEADING_FONT)
        return p
    if level in (3, 4):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Pt(INDENT_PT)
        p.paragraph_format.keep_with_next = True
        run(p, text, bold=level == 3)
        return p
    raise ValueError(f"heading level {level} is not 1 to 4")


def body(doc, text: str):
    """One body paragraph: 3号 仿宋, justified, the first line indented two characters."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Pt(INDENT_PT)
    run(p, text)
    return p


def _width_in_characters(text: str) -> float:
    """Full-width characters count one, ASCII (digits of a date) half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def issuer_and_date(doc, issuer: str, day: dt.date):
    """The issuing office (发文机关署名) over the date (成文日期, 2017年3月1日): one blank
    line below the body, the date right-indented four characters and the office centred
    over it (flush with it when the office's name is the longer)."""
    doc.add_paragraph()
    date = chinese_date(day)
    offset = max(0.0, (_width_in_characters(date) - _width_in_characters(issuer)) / 2)
    signed = doc.add_paragraph()
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signed.paragraph_format.right_indent = Pt(DATE_RIGHT_INDENT_PT + offset * BODY_SIZE_PT)
    signed.paragraph_format.keep_with_next = True
    run(signed, issuer)
    dated = doc.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.paragraph_format.right_indent = Pt(DATE_RIGHT_INDENT_PT)
    run(dated, date)
    return signed, dated


def page_break(doc):
    """Start a new page."""
    p = doc.add_paragraph()
    r = p.add_run()
    _set_fonts(r._element.get_or_add_rPr(), BODY_FONT)
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    r._r.append(br)
    return p


def contents(doc, entries: list[tuple[int, str, int | None]]):
    """A table of contents: the heading 目  录, then Word's TOC field over the level-1
    and level-2 headings. Its cached result is `entries` ((level, text, page or None)),
    one paragraph each, level 2 indented, dots to the page number at the right margin:
    LibreOffice shows it as written, Word refreshes it on opening (w:updateFields)."""
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.space_after = Pt(LINE_PITCH_PT)
    run(head, "目  录", font=HEADING_FONT)

    rows = entries or [(1, "", None)]
    paragraphs = []
    for index, (level, text, page) in enumerate(rows):
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.left_indent = Pt(INDENT_PT if level >= 2 else 0)
        fmt.tab_stops.add_tab_stop(Mm(TYPE_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

        def piece(value: str = "", p=p):
            return run(p, value)

        if index == 0:
            _field_char(piece(), "begin")
            _instruction(piece(), 'TOC \\o "1-2" \\h \\z \\u')
            _field_char(piece(), "separate")
        if text:
            piece(text)
            piece("\t" + ("" if page is None else str(page)))
        if index == len(rows) - 1:
            _field_char(piece(), "end")
        paragraphs.append(p)

    settings_element = doc.settings.element
    update = settings_element.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings_element.insert_element_before(
            update,
            "w:hdrShapeDefaults",
            "w:footnotePr",
            "w:endnotePr",
            "w:compat",
            "w:docVars",
            "w:rsids",
            "m:mathPr",
            "w:attachedSchema",
            "w:themeFontLang",
            "w:clrSchemeMapping",
            "w:doNotIncludeSubdocsInStats",
            "w:doNotAutoCompressPictures",
            "w:forceUpgrade",
            "w:captions",
            "w:readModeInkLockDown",
            "w:smartTagType",
            "sl:schemaLibrary",
            "w:shapeDefaults",
            "w:doNotEmbedSmartTags",
            "w:decimalSymbol",
            "w:listSeparator",
        )
    update.set(qn("w:val"), "true")
    return paragraphs


def figure(doc, png: bytes, *, width_mm: float = 150, caption: str = ""):
    """A picture (a chart's PNG) centred at `width_mm`, with its caption centred below
    in 4号 (14 pt) 仿宋. Both are off the grid, so the exact line pitch does not clip
    the picture."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _plain_lines(p, BODY_SIZE_PT)
    p.paragraph_format.keep_with_next = bool(caption)
    r = p.add_run()
    _set_fonts(r._element.get_or_add_rPr(), BODY_FONT)
    r.add_picture(io.BytesIO(png), width=Mm(width_mm))
    if caption:
        below = doc.add_paragraph()
        below.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _plain_lines(below, PAGE_NUMBER_SIZE_PT)
        below.paragraph_format.space_after = Pt(BODY_SIZE_PT / 2)
        run(below, caption, size=PAGE_NUMBER_SIZE_PT)
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
    ppr.insert_element_before(
        borders,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )


def table(doc, header: list[str], rows: list[list[str]], widths_cm: list[float]):
    """A plain bordered table with a bold header row, in 五号 (10.5 pt) type, its lines
    single-spaced off the page's grid."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _plain_lines(cell.paragraphs[0], 10.5)
        run(cell.paragraphs[0], text, size=10.5, bold=True, font=HEADING_FONT)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _plain_lines(cell.paragraphs[0], 10.5)
            run(cell.paragraphs[0], str(text), size=10.5)
    # LibreOffice lays a table out by its grid columns, Word by the cells: set both.
    t.autofit = False
    for column, width in zip(t.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in t.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return t


# --- bytes -----------------------------------------------------------------------------
def to_bytes(doc, *, stamp: dt.datetime | None = None) -> bytes:
    """The .docx bytes, the same for the same document: the core properties' times are
    `stamp` (else 2000-01-01), revision 1, author Reform Ledger, and the zip's entries
    have a fixed date and order."""
    moment = stamp or FIXED_STAMP
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    core = doc.core_properties
    core.created = core.modified = core.last_printed = moment
    core.revision = 1
    core.author = core.last_modified_by = AUTHOR
    raw = io.BytesIO()
    doc.save(raw)
    return _repack(raw.getvalue())


def _repack(data: bytes) -> bytes:
    """The zip again with fixed dates, attributes and order ([Content_Types].xml first)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != "[Content_Types].xml", name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
