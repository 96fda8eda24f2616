"""Checks on an uploaded workbook before any spreadsheet code reads it.

Everything here looks at the zip's directory and the first bytes of its parts,
never at the whole content, so a hostile file is refused in milliseconds:

- the size of the upload (`RL_UPLOAD_MAX_BYTES`, default 10 MB);
- the name: only `.xlsx`; macro-enabled workbooks (`.xlsm`…) are refused by name
  and by content (a `vbaProject.bin` part, or a macro-enabled content type);
- the content: it must be a zip (a text file or an old `.xls` renamed `.xlsx` is
  not), unencrypted, with a workbook part;
- zip bombs: the total uncompressed size (the sum of the members' declared sizes)
  and the compression ratio have limits. Python's zipfile never inflates a member
  past its declared size (a member that lies fails its CRC), so the declared sizes
  are the real ceiling;
- too many rows or cells (`RL_IMPORT_MAX_ROWS`, `RL_IMPORT_MAX_CELLS`): each sheet's
  declared size (its `<dimension>`) is checked first; then its XML is streamed
  through the decompressor and its row and cell tags counted (C speed, no parsing,
  a few MB of memory), so a sheet that lies about its size is refused as fast; and
  `Budget` counts again as the rows are read, should anything slip through;
- XML bombs: a part that declares a DOCTYPE or an entity is refused. openpyxl
  parses with defusedxml as well (`openpyxl.DEFUSEDXML`), which refuses the same;
  if defusedxml were missing, uploads are refused rather than parsed unsafely.

The upload stays in memory from the request to the parser (`MemoryUploadHandler`),
so nothing is written to the temporary folder.
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string

from reformledger.exchange.errors import refused

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 100 * 1024 * 1024
DEFAULT_MAX_RATIO = 100
#: Below this much XML in total, the ratio is not checked: small parts compress well.
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 5000
#: How much of each XML part is searched for a DOCTYPE (it must come before the root).
XML_HEAD = 64 * 1024

_MACRO_NAMES = {".xlsm", ".xltm", ".xlam", ".xlsb", ".docm", ".pptm"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SHEET_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def max_rows() -> int:
    return int(getattr(settings, "RL_IMPORT_MAX_ROWS", 200_000))


def max_cells() -> int:
    return int(getattr(settings, "RL_IMPORT_MAX_CELLS", 5_000_000))


def max_upload_bytes() -> int:
    return int(getattr(settings, "RL_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _max_uncompressed() -> int:
    return int(getattr(settings, "RL_UPLOAD_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED))


def _max_ratio() -> int:
    return int(getattr(settings, "RL_UPLOAD_MAX_RATIO", DEFAULT_MAX_RATIO))


def check_xlsx(data: bytes, name: str) -> None:
    """Raise ImportRefused unless `data` is a plain .xlsx workbook safe to parse."""
    if not openpyxl.DEFUSEDXML:  # fail closed: never parse spreadsheets without defusedxml
        raise refused(_("The server cannot read workbooks safely (defusedxml is missing)."))
    suffix = PurePosixPath(name or "").suffix.lower()
    if suffix in _MACRO_NAMES:
        raise refused(_("Workbooks with macros (%(ext)s) are not accepted.") % {"ext": suffix})
    if suffix != ".xlsx":
        raise refused(_("Only Excel workbooks (.xlsx) are accepted."))
    limit = max_upload_bytes()
    if len(data) > limit:
        raise refused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if data.startswith(_OLE_MAGIC):
        raise refused(
            _(
                "This is an old .xls or a password-protected workbook; save it as .xlsx "
                "without a password."
            )
        )
    if not data.startswith(b"PK\x03\x04"):
        raise refused(_("The file is not an Excel workbook (.xlsx), whatever its name says."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused(
            _("The file is not an Excel workbook (.xlsx), whatever its name says.")
        ) from None
    with archive:
        _check_members(archive)


def _check_members(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refused(_("The workbook has too many parts to be a task list."))
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > _max_uncompressed():
        raise refused(
            _("The workbook unpacks to %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(total), "limit": filesizeformat(_max_uncompressed())}
        )
    if total > RATIO_FLOOR and total > _max_ratio() * max(packed, 1):
        raise refused(
            _("The workbook is compressed %(ratio)s to 1, more than a spreadsheet can be.")
            % {"ratio": total // max(packed, 1)}
        )
    names = {i.filename for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        raise refused(_("The workbook is encrypted; save it without a password."))
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise refused(_("Workbooks with macros are not accepted."))
    if "[Content_Types].xml" not in names:
        raise refused(_("The file is not an Excel workbook (.xlsx), whatever its name says."))
    types = archive.read("[Content_Types].xml")
    if b"macroenabled" in types.lower():
        raise refused(_("Workbooks with macros are not accepted."))
    if _SHEET_MAIN not in types:
        raise refused(_("The file is an Office document but not an Excel workbook."))
    rows = cells = 0
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                raw = part.read(XML_HEAD)
            head = raw.lower()
            if b"<!doctype" in head or b"<!entity" in head:
                raise refused(
                    _("The workbook contains XML entity declarations, which are not accepted.")
                )
            if info.filename.startswith("xl/worksheets/"):
                sheet_rows, sheet_cells = _declared_size(raw)
                rows, cells = rows + sheet_rows, cells + sheet_cells
    _within_budget(rows, cells, how="declared")
    rows = cells = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            sheet_rows, sheet_cells = _counted_size(archive, info)
            rows, cells = rows + sheet_rows, cells + sheet_cells
            _within_budget(rows, cells, how="counted")


#: How much decompressed XML is counted at a time.
_CHUNK = 1024 * 1024


def _counted_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The rows and cells a sheet really has: its `<row` and `<c` tags, counted in the
    decompressed stream a chunk at a time. Each chunk is cut after its last ">", so
    no tag's name is split between two chunks."""
    rows = cells = 0
    carry = b""
    tags: tuple[bytes, ...] | None = None
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            text = carry + chunk
            if not text:
                break
            if tags is None:
                # SpreadsheetML may carry a namespace prefix (<x:row>); find it once.
                found = re.search(rb"<(\w+:)?sheetData", text)
                p = (found.group(1) or b"") if found else b""
                tags = (b"<" + p + b"row ", b"<" + p + b"row>", b"<" + p + b"c ", b"<" + p + b"c>")
            end = text.rfind(b">") + 1 if chunk else len(text)
            if end <= 0:
                end = len(text)
            body, carry = text[:end], text[end:]
            rows += body.count(tags[0]) + body.count(tags[1])
            cells += body.count(tags[2]) + body.count(tags[3])
            if not chunk:
                break
    return rows, cells


def _declared_size(head: bytes) -> tuple[int, int]:
    """The rows and cells a sheet says it has (`<dimension ref="A1:H120"/>`), 0 if it
    does not say."""
    found = _DIMENSION.search(head)
    if found is None or not found.group(4):
        return 0, 0
    first_col, first_row, last_col, last_row = (g.decode() if g else "" for g in found.groups())
    rows = int(last_row) - int(first_row or 1) + 1
    columns = column_index_from_string(last_col) - column_index_from_string(first_col or "A") + 1
    return max(rows, 0), max(rows, 0) * max(columns, 0)


def _within_budget(rows: int, cells: int, *, how: str) -> None:
    """Refuse a workbook past the row or cell budget; `how` says how its size is known:
    "declared" by its sheets, "counted" in its XML, or "read" so far."""
    if rows <= max_rows() and cells <= max_cells():
        return
    if how == "declared":
        message = _(
            "The workbook declares %(rows)s rows and %(cells)s cells; the limit is "
            "%(max_rows)s rows and %(max_cells)s cells. Import it in parts."
        )
    elif how == "counted":
        message = _(
            "The workbook has %(rows)s rows and %(cells)s cells; the limit is "
            "%(max_rows)s rows and %(max_cells)s cells. Import it in parts."
        )
    else:
        message = _(
            "The workbook has more than %(max_rows)s rows or %(max_cells)s cells (it "
            "was stopped there, at %(rows)s rows). Import it in parts."
        )
    raise refused(
        message % {"rows": rows, "cells": cells, "max_rows": max_rows(), "max_cells": max_cells()}
    )


class Budget:
    """Rows and cells read so far from one workbook, stopped at the limits: a sheet
    whose declared size lies is caught while it is read (all sheets count together)."""

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0

    def count(self, rows: Iterable[tuple]) -> Iterator[tuple]:
        for values in rows:
            self.rows += 1
            self.cells += len(values)
            if self.rows > max_rows() or self.cells > max_cells():
                _within_budget(self.rows, self.cells, how="read")
            yield values


def load_workbook(data: bytes):
    """Open checked bytes with openpyxl, read-only, values not formulas. The workbook
    carries a `Budget` (`wb.rl_budget`) that every sheet read through
    `parsing.open_table` counts against."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        wb.rl_budget = Budget()
        return wb
    except Exception as exc:  # defusedxml, zipfile, openpyxl and XML errors alike
        raise refused(
            _("The workbook could not be read (%(reason)s).") % {"reason": type(exc).__name__}
        ) from exc


class MemoryUploadHandler(FileUploadHandler):
    """Keep the uploaded file in memory, up to `limit` bytes; past that the upload is
    stopped and discarded (`too_large`), so nothing touches the disk."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit if limit is not None else max_upload_bytes()
        self.too_large = False
        self.size = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
