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
from collections.abc import Iterable
from copy import copy
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

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


def _display_width(text: str) -> int:
    # East Asian wide characters take two columns of a spreadsheet's width.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_row(ws, row: int, values: Iterable[Any], widths: list[int]) -> None:
    """Give row `row` (not yet written) the height its wrapped text needs: spreadsheet
    programs do not grow rows of a file by themselves, so long titles would overlap."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str) and value:
            usable = max(width - 1, 1)
            lines = max(
                lines, sum(-(-_display_width(part) // usable) or 1 for part in value.split("\n"))
            )
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines + 2


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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
