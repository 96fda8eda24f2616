"""Reading cells the way real government sheets write them.

A sheet may have a title row above its headers, headers merged over two rows
(a group such as 时间安排 over 开始日期 and 完成时限), Chinese or English headers
with stray spaces or full-width parentheses, blank rows, full-width digits
(２０１６), and dates written 2016年6月30日, 2016/6/30, 2016.6.30, 2016-06-30 or
stored as Excel dates (a date cell, or a bare serial number). The readers here
turn each into one value or say, in the reader's language, what is wrong.
"""

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

#: How many rows from the top are searched for the header row(s).
HEADER_SCAN_ROWS = 12

_SPACE = re.compile(r"\s+")
_PARENS = re.compile(r"\([^)]*\)|【[^】]*】|\[[^\]]*\]")
# Marks of a column that must or may be filled: 完成时限（必填）, *牵头单位, 备注【选填】.
_FILL_MARK = re.compile(r"[(【\[](?:必填项?|选填项?|可选|非必填|required|optional)[)】\]]|[*※★]")
# Zero-width spaces pasted from web pages, and the carriage return some writers store
# as the literal text _x000D_.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]|_x000D_", re.IGNORECASE)
_DATE = re.compile(
    r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_LIST_SEP = re.compile(r"[、,，;；/\n\r]+")
# Excel serial numbers of 1950-01-01 and 2199-12-31: a bare number outside is no date.
_SERIAL_RANGE = (18264, 109574)

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "重点", "key"}
_FALSE = {"否", "n", "no", "false", "0", "×", "x", "✗", "-", "—", "非重点", "一般"}


class CellValueError(ValueError):
    """A cell's value cannot be read as what its column holds; the message says why."""


def fold(text: Any) -> str:
    """Full-width letters, digits and brackets folded to ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def header_key(text: Any) -> str:
    """The one form a header is remembered by (a clerk's choice for a column): folded,
    without spaces or fill marks, lower case (see `header_keys`)."""
    key = _SPACE.sub("", _INVISIBLE.sub("", fold(text or ""))).lower()
    return _FILL_MARK.sub("", key).rstrip(":")


def header_keys(text: Any) -> frozenset[str]:
    """The forms a header is compared in: folded (full-width brackets too), without
    spaces or line breaks anywhere (牵 头 单 位, 完成\\n时限), without the marks of a
    required or optional column (（必填）, *) or a closing colon, lower case; and the
    same without any bracketed note ("完成时限（年月日）")."""
    if type(text) is str and len(text) <= _KEYS_CACHED_LENGTH:
        # Every cell of every row is asked whether it is a header again (`rows`):
        # the same short texts (units, 是/否, dates) come back thousands of times.
        return _cached_header_keys(text)
    return _header_keys(text)


#: Texts up to this long have their header keys remembered (`header_keys`).
_KEYS_CACHED_LENGTH = 64


def _header_keys(text: Any) -> frozenset[str]:
    key = header_key(text)
    return frozenset(k for k in (key, _PARENS.sub("", key).rstrip(":")) if k)


@functools.lru_cache(maxsize=1024)
def _cached_header_keys(text: str) -> frozenset[str]:
    return _header_keys(text)


def clean_text(value: Any) -> str:
    """A cell as text: None is empty, whole floats lose their ".0", spaces trimmed
    (ideographic spaces too); inner text is left exactly as written."""
    if type(value) is str:  # the usual cell, first
        return value.replace("\r\n", "\n").strip(_TRIM)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip(_TRIM)


#: What `clean_text` trims: spaces (ideographic and no-break too) and line breaks.
_TRIM = " \t\r\n\u3000\xa0"


def clean_code(value: Any) -> str:
    """A code (task, unit, area): folded to ASCII, no spaces anywhere."""
    return _SPACE.sub("", fold(clean_text(value)))


def excel_serial_date(number: float) -> dt.date:
    """The day an Excel serial number stands for. Only 1950-2199 are taken: a bare
    number outside (a count, a year, a code) is surely no date."""
    if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return from_excel(number).date()
    raise CellValueError(_("%(value)s is not a date.") % {"value": clean_text(number)})


def parse_date(value: Any) -> dt.date | None:
    """A date from a date cell, an Excel serial number or text in any usual style."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial_date(value)
    text = _SPACE.sub(" ", fold(value))
    if not text:
        return None
    match = _DATE.match(text) or _COMPACT_DATE.match(text.replace(" ", ""))
    if match is None and text.replace(".", "", 1).isdigit():
        return parse_date(float(text))
    if match is None:
        raise CellValueError(
            _("%(value)s is not a date (write it like 2016年6月30日 or 2016-06-30).")
            % {"value": clean_text(value)}
        )
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellValueError(
            _("%(value)s is not a date of the calendar.") % {"value": clean_text(value)}
        ) from None


def parse_int(value: Any) -> int | None:
    """A whole number, from a number cell or text ("４０", "40%", " 40 ")."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellValueError(_("%(value)s is not a whole number.") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellValueError(_("%(value)s is not a whole number.") % {"value": value})
    text = _SPACE.sub("", fold(value)).rstrip("%")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise CellValueError(
            _("%(value)s is not a whole number.") % {"value": clean_text(value)}
        ) from None
    if not number.is_integer():
        raise CellValueError(_("%(value)s is not a whole number.") % {"value": clean_text(value)})
    return int(number)


def parse_bool(value: Any) -> bool | None:
    """A yes/no flag: 是/否 (also Y/N, yes/no, true/false, 1/0, √/×); blank is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _SPACE.sub("", fold(clean_text(value))).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellValueError(_("Write 是 or 否, not %(value)s.") % {"value": clean_text(value)})


def split_list(value: Any) -> list[str]:
    """Several names in one cell, separated by 、 , ， ; ； / or line breaks."""
    return [part.strip(" \t\u3000") for part in _LIST_SEP.split(clean_text(value)) if part.strip()]


# --- sheets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A field a sheet carries: the header written on export (translated) and the
    other header texts accepted on import (the official Chinese terms, variants)."""

    field: str
    label: str | Promise
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: int = 14

    def accepted(self) -> frozenset[str]:
        """The header keys this column is recognised by (in English and Chinese, and
        its aliases); worked out once per column."""
        keys = self.__dict__.get("_accepted")
        if keys is None:
            found: set[str] = set()
            with override("en"):
                found |= header_keys(str(self.label))
            with override("zh-hans"):
                found |= header_keys(str(self.label))
            for alias in self.aliases:
                found |= header_keys(alias)
            # A frozen dataclass: kept beside the fields, not among them.
            keys = self.__dict__["_accepted"] = frozenset(found)
        return keys


@dataclass
class Table:
    """The rows of one sheet under its recognised headers.

    `unmapped` holds the header cells no column took (and those a clerk chose to
    ignore), {0-based column index: "进展情况 (H)"}, so an import can say which of the
    sheet's columns it does not take instead of dropping them without a word."""

    sheet: str
    columns: dict[str, int]  # field -> 0-based column index
    headers: dict[str, str]  # field -> header text as written, with its column letter
    first_row: int  # the spreadsheet row number of the first data row
    rows: list[tuple[int, tuple]] = field(default_factory=list)  # (row number, values)
    unmapped: dict[int, str] = field(default_factory=dict)
    # The text of the rows above the headers (the sheet's title, "填报单位：…" lines).
    title: str = ""
    # Every header cell of the sheet as written, {0-based column index: text}.
    header_cells: dict[int, str] = field(default_factory=dict)

    def letter(self, index: int) -> str:
        return get_column_letter(index + 1)

    def value(self, values: tuple, name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]

    def column(self, name: str) -> str:
        return self.headers.get(name, "")


def _match(row: tuple, lookup: dict[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(row):
        if cell is None or not isinstance(cell, str):
            continue
        for key in header_keys(cell):
            if key in lookup:
                found[index] = lookup[key]
                break
    return found


def find_header(
    head: list[tuple],
    columns: list[Column],
    *,
    overrides: dict[int, str] | None = None,
    remembered: dict[str, str] | None = None,
) -> tuple[dict[int, str], int] | None:
    """Where the headers are among the first rows: {column index: field} and the index
    (0-based) of the last header row; None when no row looks like these headers.

    The row naming most fields is the header row; the row just above or below joins
    it when it names fields in columns the header row leaves blank (headers merged
    over two rows: a group above its sub-headers, or a single header spanning both).
    `overrides` ({column index: field, or "" to ignore the column}) are what a clerk
    chose by hand in a preview: they win over the headers' text and count as
    recognised. `remembered` ({header key: field, or ""}) are the same choices made for
    an earlier file, found by the header's text instead of its column.
    """
    found = _find_header(head, columns, overrides or {}, remembered or {})
    if found is None:
        return None
    mapping, _first, last = found
    return mapping, last


def _find_header(
    head: list[tuple],
    columns: list[Column],
    overrides: dict[int, str],
    remembered: dict[str, str] | None = None,
) -> tuple[dict[int, str], int, int] | None:
    """`find_header`, also saying which row the headers start on."""
    fields = {col.field for col in columns}
    lookup = {key: col.field for col in columns for key in col.accepted()}
    # A header remembered from an earlier file counts as recognised (or as ignored).
    lookup |= {k: f for k, f in (remembered or {}).items() if f == "" or f in fields}
    # Overrides chosen for another kind of sheet say nothing about this one.
    chosen = {i: f for i, f in overrides.items() if f == "" or f in fields}
    matches = []
    for row in head:
        found = _match(row, lookup)
        for index, name in chosen.items():
            if _header_text(row, index):
                found[index] = name
        matches.append({i: f for i, f in found.items() if f})
    if not matches:
        return None
    best = max(range(len(matches)), key=lambda i: (len(set(matches[i].values())), -i))
    if len(set(matches[best].values())) < 2:
        return None
    mapping = dict(matches[best])
    first = last = best
    for neighbour in (best - 1, best + 1):
        if 0 <= neighbour < len(matches):
            extra = {
                i: f
                for i, f in matches[neighbour].items()
                if i not in mapping and f not in mapping.values()
            }
            if extra:
                mapping.update(extra)
                first, last = min(first, neighbour), max(last, neighbour)
    if first == last and _are_sub_headers(head, best, set(mapping)):
        last = best + 1
    # A field named twice keeps its first column.
    seen: dict[str, int] = {}
    for index in sorted(mapping):
        seen.setdefault(mapping[index], index)
    mapping = {i: f for f, i in seen.items()}
    for index, name in chosen.items():
        mapping = {i: f for i, f in mapping.items() if i != index and f != name}
        if name:
            mapping[index] = name
    return mapping, first, last


def _header_text(row: tuple, index: int) -> str:
    if index >= len(row) or row[index] is None:
        return ""
    return clean_text(row[index])


def _are_sub_headers(head: list[tuple], best: int, mapped: set[int]) -> bool:
    """Whether the row under the header row holds only sub-headers of groups no column
    took (进展情况 over 本月进展 and 存在问题): short texts, each under an unknown header
    cell or under the blank cells a merged one leaves to its right, none under a
    recognised column (those span both rows, so their lower cell is blank)."""
    if best + 1 >= len(head):
        return False
    header, below = head[best], head[best + 1]
    filled = [i for i in range(len(below)) if _header_text(below, i)]
    if not filled:
        return False
    for index in filled:
        if not isinstance(below[index], str) or len(_header_text(below, index)) > 30:
            return False
        group = next((i for i in range(index, -1, -1) if _header_text(header, i)), None)
        if group is None or group in mapped or index in mapped:
            return False
    return True


def read_table(
    ws,
    kinds: dict[str, list[Column]],
    *,
    progress: Callable[[int], None] | None = None,
    overrides: dict[int, str] | None = None,
) -> tuple[str, Table] | None:
    """Read a read-only worksheet as the kind of table whose headers it carries best
    (e.g. {"tasks": [...], "milestones": [...]}); None when it carries none of them.
    The rows are kept in `table.rows` (see `open_table` to stream them instead)."""
    opened = open_table(ws, kinds, progress=progress, overrides=overrides)
    if opened is None:
        return None
    kind, table, rows = opened
    table.rows = list(rows)
    return kind, table


def open_table(
    ws,
    kinds: dict[str, list[Column]],
    *,
    progress: Callable[[int], None] | None = None,
    overrides: dict[int, str] | None = None,
    remembered: dict[str, str] | None = None,
) -> tuple[str, Table, Iterator[tuple[int, tuple]]] | None:
    """Find a sheet's headers; return its kind, the Table (no rows) and an iterator of
    its data rows as (spreadsheet row number, values), blank rows skipped. Reading a
    row at a time keeps a big sheet out of memory. `overrides` are the columns a clerk
    assigned by hand (see `find_header`)."""
    rows = _rows(ws)
    head = []
    for values in rows:
        head.append(values)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    best: tuple[int, str, dict[int, str], int, int] | None = None
    for kind, columns in kinds.items():
        found = _find_header(head, columns, overrides or {}, remembered)
        if found is not None and (best is None or len(found[0]) > best[0]):
            best = (len(found[0]), kind, *found)
    if best is None:
        return None
    _n, kind, mapping, first, last = best
    columns = kinds[kind]
    header_rows = [head[last]] if first == last else [head[last], head[first]]
    header_text = {}
    for index, name in mapping.items():
        # The header cell that named the field (either of the merged rows); for a
        # column assigned by hand, whatever its header says.
        texts = [_header_text(r, index) for r in header_rows]
        text = next(
            (
                t
                for r, t in zip(header_rows, texts, strict=True)
                if t and name in _fields_of(r[index], columns)
            ),
            next((t for t in texts if t), name),
        )
        header_text[name] = f"{text} ({get_column_letter(index + 1)})"
    unmapped = {}
    for index in range(max(len(r) for r in header_rows)):
        # A sub-header says more than the group above it.
        text = next((t for r in header_rows if (t := _header_text(r, index))), "")
        if text and index not in mapping:
            unmapped[index] = f"{text} ({get_column_letter(index + 1)})"
    cells = {}
    for index in range(max(len(r) for r in header_rows)):
        if text := next((t for r in header_rows if (t := _header_text(r, index))), ""):
            cells[index] = text
    title = " ".join(
        " ".join(t for i in range(len(r)) if (t := _header_text(r, i)))
        for r in head[:first]
        if any(v is not None for v in r)
    )
    table = Table(
        sheet=ws.title,
        columns={f: i for i, f in mapping.items()},
        headers=header_text,
        first_row=last + 2,
        unmapped=unmapped,
        title=title.strip(),
        header_cells=cells,
    )

    def data_rows() -> Iterator[tuple[int, tuple]]:
        number = 0
        for number, values in enumerate(head[last + 1 :], start=last + 2):
            if _filled(values):
                yield number, values
        start = max(number, len(head)) + 1
        for row_number, values in enumerate(rows, start=start):
            if _filled(values):
                yield row_number, values
            if progress is not None and row_number % 500 == 0:
                progress(row_number)

    return kind, table, data_rows()


def _filled(values: tuple) -> bool:
    """Whether any cell of a row holds something (`clean_text` of it is not empty)."""
    return any(v is not None and (type(v) is not str or v.strip(_TRIM)) for v in values)


def _fields_of(cell: Any, columns: list[Column]) -> set[str]:
    keys = header_keys(cell)
    return {c.field for c in columns if keys & c.accepted()}


def _rows(ws) -> Iterator[tuple]:
    # Some writers record a wrong sheet size; reading without it reads every cell.
    reset = getattr(ws, "reset_dimensions", None)
    if reset is not None:
        reset()
    rows = ws.iter_rows(values_only=True)
    # A workbook opened by xlsx_safety.load_workbook counts its rows and cells as they
    # are read and stops at its budget (a sheet may lie about its size).
    budget = getattr(getattr(ws, "parent", None), "rl_budget", None)
    return budget.count(rows) if budget is not None else rows


def sheet_rows_estimate(ws) -> int:
    """The number of rows a sheet says it has (before reading it), 0 if it does not say."""
    try:
        return int(ws.max_row or 0)
    except (TypeError, ValueError):
        return 0
