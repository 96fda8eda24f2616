"""Writing workbooks and CSV safely and in the office's layout.

Text that a spreadsheet would run as a formula (it begins with = + - @, their
full-width twins ＝ ＋ － ＠, which spreadsheet programs with East Asian input take
as the ASCII ones, a tab or a carriage return) is written as text: in a workbook
the cell is a string cell marked "quote prefix" (what Excel does when a user types
an apostrophe first), in CSV it gets a leading apostrophe. Workbooks are written
in openpyxl's write-only mode, row by row, so a ledger of any length costs the same
memory.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.compat.numbers import NUMERIC_TYPES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.xml.constants import XML_NS
from openpyxl.xml.functions import Element, SubElement

FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name="SimHei", size=16, bold=True)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def yes_no(value: bool) -> str:
    """A flag as a sheet writes it (是 / 否 in Chinese), and as the import reads it back."""
    return _("Yes") if value else _("No")


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def cell(ws, value: Any, *, style: str = "", fill: str | None = None) -> Any:
    """One cell for a write-only sheet; text that looks like a formula stays text.

    Each combination of styles is built once per workbook and copied onto later
    cells: assigning fonts and borders cell by cell makes openpyxl hash each style
    object again, which costs more than writing the ledger itself.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    c = WriteOnlyCell(ws, value=value)
    quote = isinstance(value, str) and value.startswith(FORMULA_START)
    if quote:
        c.data_type = "s"
    key = (style, fill, quote, isinstance(value, dt.date))
    if key == ("", None, False, False):
        return c
    cache = ws.parent.__dict__.setdefault("_rl_styles", {})
    template = cache.get(key)
    if template is None:
        _style(c, *key)
        cache[key] = copy(c._style)
    else:
        c._style = copy(template)
    return c


def plain_row(ws, values: Iterable[Any]) -> list[Any]:
    """A row without styles: plain values (fast), except text that needs protecting."""
    return [
        cell(ws, v) if isinstance(v, str) and (v.startswith(FORMULA_START) or _ILLEGAL(v)) else v
        for v in values
    ]


def _ILLEGAL(text: str) -> bool:
    return ILLEGAL_CHARACTERS_RE.search(text) is not None


def _style(c, style: str, fill: str | None, quote: bool, date: bool) -> None:
    if quote:
        c.quotePrefix = True
    if date:
        c.number_format = DATE_FORMAT
    if style == "title":
        c.font, c.alignment = TITLE_FONT, CENTRE
    elif style == "header":
        c.font, c.fill, c.alignment, c.border = HEADER_FONT, HEADER_FILL, CENTRE, BORDER
    elif style == "wrap":
        c.alignment, c.border = WRAP, BORDER
    elif style == "centre":
        c.alignment, c.border = CENTRE, BORDER
    elif style == "plain":
        c.border = BORDER
    if fill:
        c.fill = PatternFill("solid", fgColor=fill.lstrip("#").upper())
        c.font = Font(bold=True, color="FFFFFF")


class _Widths(dict):
    """Each character's width, looked up once (East Asian wide characters take two)."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_CHAR_WIDTHS = _Widths()


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def row_height(values: Iterable[Any], widths: Sequence[int]) -> float | None:
    """The height a row needs for its wrapped text, or None for one line: spreadsheet
    programs do not grow rows of a file by themselves, so long titles would overlap."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        # Text that fits even if every character were wide needs no measuring.
        if isinstance(value, str) and (2 * len(value) >= width or "\n" in value):
            usable = max(width - 1, 1)
            lines = max(
                lines, sum(-(-_display_width(part) // usable) or 1 for part in value.split("\n"))
            )
    return 15 * lines + 2 if lines > 1 else None


def fit_row(ws, row: int, values: Iterable[Any], widths: list[int]) -> None:
    """Give row `row` (not yet written) the height its wrapped text needs."""
    height = row_height(values, widths)
    if height is not None:
        ws.row_dimensions[row].height = height


def set_widths(ws, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", name).strip("'") or "Sheet"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f"({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


class StyledRow(tuple):
    """A row of plain values for a `StyledSheet`, with a style per column: a `cell()`
    style name, or (name, fill colour), or None for no style; and its height or None."""

    def __new__(cls, values: Iterable[Any], styles: Sequence[Any], height: float | None = None):
        row = super().__new__(cls, values)
        row.styles = styles
        row.height = height
        return row


class StyledSheet(WriteOnlyWorksheet):
    """A write-only sheet that also takes `StyledRow`s and writes them straight to the
    sheet's XML, each combination of styles registered once per workbook.

    openpyxl's own path makes, binds, hashes and writes one cell object per value (and
    raises and catches an exception inside for every ready-made cell), which made a
    styled ledger three times as slow as writing its bare values. The cells written
    here are those openpyxl writes for the same values and styles: text inline (a
    formula-like one marked "quote prefix"), numbers and booleans as values, dates as
    date serials in `DATE_FORMAT`, an empty styled cell kept for its border. Other
    rows (titles, merged headers) take openpyxl's ordinary path."""

    def _write_rows(self):
        # openpyxl's loop (WriteOnlyWorksheet._write_rows, 3.1), with StyledRow added.
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            row_idx = 1
            try:
                while True:
                    row = yield
                    if isinstance(row, StyledRow):
                        xf.write(self._styled_row(row, row_idx))
                    else:
                        self._writer.write_row(xf, self._values_to_row(row, row_idx), row_idx)
                    row_idx += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _styled_row(self, row: StyledRow, idx: int):
        attrs = {"r": str(idx)}
        if idx in self.row_dimensions:
            attrs.update(self.row_dimensions[idx])
        if row.height is not None:
            attrs.update(ht=safe_string(row.height), customHeight="1")
        el = Element("row", attrs)
        n = str(idx)
        for (letter, style, plain, dated), value in zip(
            self._columns(row.styles), row, strict=True
        ):
            kind = type(value)
            if kind is str:
                value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
                c = SubElement(el, "c", {"r": letter + n, "t": "inlineStr"})
                if value.startswith(FORMULA_START):
                    c.set("s", self._style_id(style, quote=True))
                elif plain is not None:
                    c.set("s", plain)
                if value:
                    t = SubElement(SubElement(c, "is"), "t")
                    if value[0].isspace() or value[-1].isspace():
                        t.set(_SPACE, "preserve")
                    t.text = value
                continue
            if value is None:
                if plain is not None:
                    SubElement(el, "c", {"r": letter + n, "s": plain})
                continue
            if kind is bool:
                c = SubElement(el, "c", {"r": letter + n, "t": "b"})
                text = "1" if value else "0"
            elif isinstance(value, NUMERIC_TYPES):
                c = SubElement(el, "c", {"r": letter + n, "t": "n"})
                text = safe_string(value)
            elif isinstance(value, dt.date):
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    raise TypeError("Excel does not support time zones in datetimes.")
                c = SubElement(el, "c", {"r": letter + n, "t": "n", "s": dated})
                SubElement(c, "v").text = safe_string(to_excel(value, self.parent.epoch))
                continue
            else:
                raise ValueError(f"Cannot convert {value!r} to Excel")
            if plain is not None:
                c.set("s", plain)
            SubElement(c, "v").text = text
        return el

    def _columns(self, styles: Sequence[Any]) -> list[tuple[str, Any, str | None, str]]:
        """Per column: its letter, style, the style id of a value and of a date."""
        cache = self.__dict__.setdefault("_rl_columns", {})
        found = cache.get(id(styles))
        if found is None or found[0] is not styles:
            if len(cache) > 64:  # rows styled alike should share one list
                cache.clear()
            columns = [
                (
                    letter,
                    style,
                    self._style_id(style) if style is not None else None,
                    self._style_id(style, date=True),
                )
                for letter, style in zip(_LETTERS, styles, strict=False)
            ]
            found = cache[id(styles)] = (styles, columns)
        return found[1]

    def _style_id(self, style: Any, *, quote: bool = False, date: bool = False) -> str:
        name, fill = style if isinstance(style, tuple) else (style, None)
        key = (name or "", fill, quote, date)
        ids = self.parent.__dict__.setdefault("_rl_style_ids", {})
        found = ids.get(key)
        if found is None:
            c = WriteOnlyCell(self)
            _style(c, *key)
            found = ids[key] = str(c.style_id)
        return found


_SPACE = f"{{{XML_NS}}}space"
_LETTERS = [get_column_letter(i) for i in range(1, 16385)]


def new_sheet(wb: Workbook, title: str) -> StyledSheet:
    """A sheet of a write-only workbook that also takes `StyledRow`s."""
    ws = StyledSheet(parent=wb, title=title)
    wb._add_sheet(ws)
    return ws


def save(wb: Workbook, out: BinaryIO) -> None:
    """Write the workbook to a binary file (a temporary file a download streams)."""
    wb.save(out)


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_safe(value: Any) -> str:
    """A value for a CSV cell: formula-like text gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    out = io.BytesIO()
    write_csv(rows, out)
    return out.getvalue()


def write_csv(
    rows: Iterable[Iterable[Any]], out: BinaryIO, *, text: Sequence[int] | None = None
) -> None:
    """The rows as CSV into a binary file, as `csv_bytes` makes them, row by row.

    `text` may name the columns that can hold text: the other columns are then written
    as they are (numbers, dates, empty for None: what `csv_safe` would make of them),
    and `rows` are lists, whose text is guarded in place."""
    stream = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        stream.write("\ufeff")
        writer = csv.writer(stream, lineterminator="\r\n")
        if text is None:
            writer.writerows(
                [
                    ("'" + v if v.startswith(FORMULA_START) else v)
                    if isinstance(v, str)
                    else csv_safe(v)
                    for v in row
                ]
                for row in rows
            )
        else:
            writer.writerows(_guarded(rows, text))
        stream.flush()
    finally:
        stream.detach()


def _guarded(rows: Iterable[list[Any]], text: Sequence[int]) -> Iterable[list[Any]]:
    for row in rows:
        for i in text:
            value = row[i]
            if value and value.startswith(FORMULA_START):
                row[i] = "'" + value
        yield row
