"""Workbooks for tests, built and edited in memory (no binary file is committed), and
the marks of tests that need LibreOffice or poppler (a skip fails CI: conftest)."""

import io
import shutil

import openpyxl
import pytest

from reformledger.exchange.pdf import soffice_path

needs_soffice = pytest.mark.skipif(
    soffice_path() is None, reason="LibreOffice (soffice) is not installed"
)
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm")),
    reason="poppler-utils (pdffonts, pdftotext, pdftoppm) is not installed",
)


def workbook(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with the given sheets (rows of values) and merged ranges, in memory."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def edit_xlsx(data: bytes, edit) -> bytes:
    """Open an exported workbook, let `edit(wb)` change cells, and save it again."""
    wb = open_xlsx(data)
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
