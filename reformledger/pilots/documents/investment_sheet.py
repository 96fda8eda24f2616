"""The investment sheet (子项目投资完成情况表): a host unit fills in, per period, the
investment each sub-project completed in it, and imports the sheet back.

The sheet goes out pre-filled with the pilot's sub-projects the unit reports on (code,
name, host unit, planned, completed before the period, and whatever it already
reported for the period). It comes back as offices keep it: a title row and a
"填报单位" line above the headers, headers merged over two rows (投资情况（万元） over
its columns), amounts written 1,200.5 or 1200万元 or in full-width digits, a 合计 row
and notes under the table. The reader (`investment_check`) reads every sheet that
carries the headers, skips the rows that are not data (`exchange.rows`), matches each
row on the sub-project's code (its name only when the code is left out and the name
is unambiguous, or made so by the host unit written beside it, abbreviated or not),
and compares the amounts with the reports already filed: a row whose amount is already
the one on file changes nothing, so the same file twice writes nothing the second time.
Every problem is named by sheet, row and column; a sheet with any error is refused
whole (`pilots.services.investment.investment_import`).
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from reformledger.exchange import writing
from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.parsing import (
    CellValueError,
    Column,
    Table,
    clean_code,
    clean_text,
    fold,
    header_keys,
    read_table,
)
from reformledger.exchange.rows import classify_row
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook
from reformledger.ledger.models import Period
from reformledger.orgs.matching import UnitMatcher
from reformledger.pilots import permissions
from reformledger.pilots.choices import RUNNING
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject
from reformledger.pilots.selectors.investment import (
    SubProjectRow,
    reportable_sub_projects,
    sheet_sub_projects,
    sub_project_rows,
)

# The sheet's own headers are Chinese, as offices write them; the other texts each
# column is recognised by follow (English ones too, for a sheet written in English).
COLUMNS = [
    Column("no", "序号", ("No.", "编号序号"), width=6),
    Column(
        "code",
        "项目编号",
        ("子项目编号", "项目代码", "项目编码", "编号", "代码", "Code", "Sub-project code"),
        width=12,
    ),
    Column("name", "项目名称", ("子项目名称", "子项目", "名称", "Sub-project", "Name"), width=36),
    Column(
        "host_unit",
        "实施单位",
        ("责任单位", "承担单位", "建设单位", "项目业主", "牵头单位", "Host unit"),
        width=16,
    ),
    Column(
        "planned",
        "计划投资（万元）",
        ("计划总投资", "总投资", "计划投资额", "Planned investment"),
        width=14,
    ),
    Column(
        "before",
        "此前累计完成（万元）",
        ("截至上期累计完成", "上期末累计完成", "累计完成投资", "已完成投资", "Completed before"),
        width=14,
    ),
    Column(
        "amount",
        "本期完成投资（万元）",
        (
            "本期完成",
            "本期完成投资额",
            "当期完成投资",
            "本月完成投资",
            "本季度完成投资",
            "本期投资",
            "Completed in this period",
        ),
        required=True,
        width=14,
    ),
    Column("note", "备注", ("说明", "情况说明", "Note"), width=24),
]
FIELDS = {c.field: c for c in COLUMNS}
KINDS = {"investment": COLUMNS}
SHEET_NAME = "子项目投资"
#: Columns the pages list for a sheet's preview.
_WIDTHS = [c.width for c in COLUMNS]


# --- amounts -------------------------------------------------------------------------

_UNITS = (
    ("亿元", Decimal(10000)),
    ("亿", Decimal(10000)),
    ("万元", Decimal(1)),
    ("万", Decimal(1)),
)
_EMPTY_MARKS = {"-", "—", "–", "/", "－", "——", "\\"}
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_MAX = Decimal("999999999999.99")
_CENT = Decimal("0.01")


def parse_amount(value: Any) -> Decimal | None:
    """An amount in 10,000 yuan (万元) as offices write it: a number cell, or text such
    as "1,200.5", "1200万元", "0.3亿元", full-width "１２００"; blank, "-" or "—" is no
    amount. Negative amounts and text that is no number are CellValueErrors."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(_("%(value)s is not an amount.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise CellValueError(_("%(value)s is not an amount.") % {"value": value}) from None
        return _checked(number, value)
    text = re.sub(r"\s+", "", fold(clean_text(value)))
    if not text or text in _EMPTY_MARKS:
        return None
    scale = Decimal(1)
    for suffix, factor in _UNITS:
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)], factor
            break
    else:
        if text.endswith("元"):
            raise CellValueError(
                _("%(value)s is in yuan; write the amount in 10,000 yuan (万元).")
                % {"value": clean_text(value)}
            )
    text = text.replace(",", "")
    if not _NUMBER.match(text):
        raise CellValueError(
            _("%(value)s is not an amount (write a number of 10,000 yuan, like 1200.5).")
            % {"value": clean_text(value)}
        )
    return _checked(Decimal(text) * scale, value)


def _checked(number: Decimal, written: Any) -> Decimal:
    if not number.is_finite():
        raise CellValueError(_("%(value)s is not an amount.") % {"value": clean_text(written)})
    if number < 0:
        raise CellValueError(
            _("%(value)s is negative; investment completed cannot be negative.")
            % {"value": clean_text(written)}
        )
    number = number.quantize(_CENT, rounding=ROUND_HALF_UP)
    if number > _MAX:
        raise CellValueError(_("%(value)s is too large.") % {"value": clean_text(written)})
    return number


def amount_text(value: Decimal | None) -> str:
    """An amount for a message: 1200.50 -> 1200.5, 3.00 -> 3."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- writing the sheet -----------------------------------------------------------------


def sheet_title(pilot: Pilot, period: Period) -> str:
    return f"{pilot.name}子项目投资完成情况表（{period.label}）"


def write_investment_sheet(pilot: Pilot, rows: list[SubProjectRow], *, period: Period) -> bytes:
    """The sheet of one pilot for one period: a title, a line for the unit to sign, the
    headers, one row per sub-project (its amount for the period when already reported),
    a 合计 row and a note on how to fill it in."""
    wb = writing.new_workbook()
    ws = wb.create_sheet(SHEET_NAME)
    writing.set_widths(ws, _WIDTHS)
    last = get_column_letter(len(COLUMNS))
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{last}2")
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "C4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.append([writing.cell(ws, sheet_title(pilot, period), style="title")])
    ws.append(
        [
            writing.cell(
                ws,
                f"试点：{pilot.code} {pilot.name}　　报告期：{period.label}　　填报单位（盖章）：",
            )
        ]
    )
    ws.append([writing.cell(ws, c.label, style="header") for c in COLUMNS])
    planned = before = done = Decimal(0)
    for n, row in enumerate(rows, start=1):
        sub = row.sub_project
        values = [
            n,
            sub.code,
            sub.name,
            sub.host_unit.name,
            sub.planned_investment,
            row.before,
            row.in_period,
            row.note,
        ]
        planned += sub.planned_investment
        before += row.before
        done += row.in_period or 0
        writing.fit_row(ws, n + 3, values, _WIDTHS)
        ws.append(
            [
                writing.cell(ws, v, style="wrap" if i in (2, 7) else "centre")
                for i, v in enumerate(values)
            ]
        )
    total = ["合计", "", f"共{len(rows)}个项目", "", planned, before, done or None, ""]
    ws.append([writing.cell(ws, v, style="centre") for v in total])
    ws.append(
        [
            writing.cell(
                ws,
                "注：金额单位为万元。请只填写“本期完成投资”（本报告期内完成的投资额，不是累计数）"
                "和“备注”两列；项目编号请勿改动。同一报告期再次导入时，以新填数额为准。",
            )
        ]
    )
    ws.merged_cells.add(f"A{len(rows) + 5}:{last}{len(rows) + 5}")
    return writing.to_bytes(wb)


# --- reading it back ---------------------------------------------------------------------


@dataclass
class InvestmentRow:
    """A data row of a sheet, matched to its sub-project: the amount it reports for the
    period (and its note when the sheet has the column, else None: left as it is)."""

    sheet: str
    row: int
    sub_project: SubProject
    amount: Decimal
    note: str | None
    old: Decimal | None = None  # the amount on file for the period, if any
    columns: dict[str, str] = field(default_factory=dict)  # field -> "本期完成投资 (G)"

    def column(self, name: str) -> str:
        return self.columns.get(name, "")


@dataclass
class InvestmentCheck:
    """A sheet read and compared with the reports on file: what the preview shows and what
    an import writes (`saves`), all or nothing."""

    pilot: Pilot
    period: Period
    saves: list[InvestmentRow] = field(default_factory=list)
    unchanged: list[InvestmentRow] = field(default_factory=list)
    not_filled: int = 0
    errors: list[CellError] = field(default_factory=list)
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _name_key(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_text(text)))


def investment_check(
    *,
    data: bytes,
    file_name: str,
    pilot: Pilot,
    period: Period,
    by,
    progress: Callable[[int, int], None] | None = None,
) -> InvestmentCheck:
    """Read an investment sheet for `pilot` and `period` and compare it with the reports
    on file, writing nothing. Raises ImportRefused only when the file cannot be read at
    all (not a workbook, a closed period); every other problem is in `errors`."""
    if not may_import(by, pilot):
        raise PermissionDenied("investment_import")
    check_xlsx(data, file_name)
    if period.office_id != pilot.office_id:
        raise ImportRefused(
            [
                CellError(
                    _("The period %(period)s is not of this pilot's office.")
                    % {"period": period.label}
                )
            ]
        )
    if period.is_frozen:
        raise ImportRefused(
            [CellError(_("The period %(period)s is closed.") % {"period": period.label})]
        )
    if pilot.status not in RUNNING:
        raise ImportRefused(
            [
                CellError(
                    _(
                        "The pilot %(pilot)s is %(status)s; investment is reported only while "
                        "it runs."
                    )
                    % {"pilot": pilot.name, "status": pilot.get_status_display()}
                )
            ]
        )
    out = InvestmentCheck(pilot, period)
    wb = load_workbook(data)
    try:
        raw = _read(wb, (lambda n: progress(n, 0)) if progress else None, out)
    finally:
        wb.close()
    _compare(raw, out, by)
    return out


@dataclass
class _Raw:
    table: Table
    row: int
    code: str
    name: str
    amount: Decimal | None
    note: str | None
    host_unit: str = ""


def _of_host(
    subs: list[SubProject], text: str, pilot: Pilot, matcher: list[UnitMatcher]
) -> list[SubProject]:
    """The sub-projects of a shared name hosted by the unit the row names, as offices
    write it (淡水 for 淡水街道, a code, an alias): the host unit settles the name."""
    if not matcher:
        office = pilot.office
        host = type(office).objects.get_parent(office) if office.depth > 1 else None
        matcher.append(UnitMatcher.load(within=host))
    unit = matcher[0].match(text).unit
    if unit is not None:
        return [s for s in subs if s.host_unit_id == unit.pk]
    # Not a name the unit tree knows: an abbreviation of one of these few host units.
    key = _name_key(text)
    return [
        s
        for s in subs
        if any(
            n and _name_key(n).startswith(key) for n in (s.host_unit.name, s.host_unit.short_name)
        )
    ]


def _read(wb, progress, out: InvestmentCheck) -> list[_Raw]:
    rows: list[_Raw] = []
    for ws in wb.worksheets:
        found = read_table(ws, KINDS, progress=progress)
        if found is None:
            continue
        _kind, table = found
        if "amount" not in table.columns and not ({"code", "name"} & set(table.columns)):
            continue  # some other table of the workbook
        out.tables.append(table)
        missing = []
        if "amount" not in table.columns:
            missing.append(FIELDS["amount"].label)
        if "code" not in table.columns and "name" not in table.columns:
            missing.append(FIELDS["code"].label)
        for label in missing:
            out.errors.append(
                CellError(_("The column %(column)s is missing.") % {"column": label}, table.sheet)
            )
        if missing:
            continue
        keys = {k for text in table.header_cells.values() for k in header_keys(text)}
        for number, values in table.rows:
            kind = classify_row(values, header_keys=keys)
            if kind.kind != "data":
                if kind.kind != "blank":
                    out.skipped.append((table.sheet, number, kind.kind, kind.label))
                continue
            try:
                amount = parse_amount(table.value(values, "amount"))
            except CellValueError as exc:
                out.errors.append(CellError(str(exc), table.sheet, number, table.column("amount")))
                amount = None
                failed = True
            else:
                failed = False
            code = clean_code(table.value(values, "code")) if "code" in table.columns else ""
            name = clean_text(table.value(values, "name")) if "name" in table.columns else ""
            note = clean_text(table.value(values, "note")) if "note" in table.columns else None
            host = clean_text(table.value(values, "host_unit"))
            if failed or amount is not None:
                rows.append(_Raw(table, number, code, name, amount, note, host))
            elif code or name:
                out.not_filled += 1
    if not out.tables and not out.errors:
        out.errors.append(
            CellError(
                _(
                    "No sheet has the investment sheet's headers (项目编号, 本期完成投资); "
                    "download the sheet of this pilot and fill it in."
                )
            )
        )
    return rows


def _compare(raw: list[_Raw], out: InvestmentCheck, by) -> None:
    subs = list(SubProject.objects.filter(pilot=out.pilot).select_related("host_unit", "pilot"))
    by_code = {clean_code(s.code): s for s in subs}
    by_name: dict[str, list[SubProject]] = defaultdict(list)
    for s in subs:
        by_name[_name_key(s.name)].append(s)
    mine = set(reportable_sub_projects(by, out.pilot).values_list("pk", flat=True))
    on_file = {
        r.sub_project_id: r
        for r in InvestmentReport.objects.filter(sub_project__pilot=out.pilot, period=out.period)
    }
    seen: dict[int, _Raw] = {}
    matcher: list[UnitMatcher] = []  # loaded once, only if a name needs its host unit
    for r in raw:
        table = r.table

        def err(message: str, name: str = "", r=r, table=table) -> None:
            out.errors.append(
                CellError(message, table.sheet, r.row, table.column(name) if name else "")
            )

        if r.code:
            sub = by_code.get(r.code)
            if sub is None:
                err(
                    _("%(pilot)s has no sub-project with the code %(code)s.")
                    % {"pilot": out.pilot.name, "code": r.code},
                    "code",
                )
                continue
        elif r.name:
            found = shared = by_name.get(_name_key(r.name), [])
            if len(found) > 1 and r.host_unit:
                found = _of_host(found, r.host_unit, out.pilot, matcher)
            if len(found) != 1:
                message = (
                    _("%(pilot)s has no sub-project named %(name)s; write its code.")
                    if not shared
                    else _("Several sub-projects are named %(name)s; write the code of this one.")
                )
                err(message % {"pilot": out.pilot.name, "name": r.name}, "name")
                continue
            sub = found[0]
        else:
            err(_("The row has an amount but neither a code nor a name."), "code")
            continue
        if r.amount is None:
            continue  # the amount's own error is already listed
        where = "code" if "code" in table.columns else "name"
        if sub.pk in seen:
            err(
                _("The sub-project %(code)s is already on row %(row)s.")
                % {"code": sub.code, "row": seen[sub.pk].row},
                where,
            )
            continue
        seen[sub.pk] = r
        if sub.pk not in mine:
            err(
                _("You may not report on the sub-project %(code)s (hosted by %(unit)s).")
                % {"code": sub.code, "unit": sub.host_unit.name},
                where,
            )
            continue
        report = on_file.get(sub.pk)
        columns = {name: table.column(name) for name in table.columns}
        row = InvestmentRow(
            table.sheet,
            r.row,
            sub,
            r.amount,
            r.note,
            old=report.amount if report else None,
            columns=columns,
        )
        if (
            report is not None
            and report.amount == r.amount
            and (r.note is None or r.note == report.note)
        ):
            out.unchanged.append(row)
        else:
            out.saves.append(row)


def may_import(user, pilot: Pilot) -> bool:
    """Whether `user` may import a sheet into `pilot`: it reports on one of its
    sub-projects at least."""
    return permissions.can(user, "view", pilot) and reportable_sub_projects(user, pilot).exists()


def rows_for_sheet(user, pilot: Pilot, period: Period) -> list[SubProjectRow]:
    """The rows of `user`'s sheet of `pilot` for `period`."""
    return sub_project_rows(sheet_sub_projects(user, pilot), period)
