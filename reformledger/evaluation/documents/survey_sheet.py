"""The satisfaction-survey sheet (满意度调查结果表) read back: one row per item surveyed
(a question or a unit), with respondents (样本数), the satisfied count (满意数) and the
satisfaction rate (满意率).

The sheet comes as offices keep it: a title row and a note row above the headers,
headers merged over two rows (调查结果 over 样本数/满意数/满意率), 小计/合计 rows,
full-width digits, rates written "85%", "85.0", "８５％" or as a percent-formatted
cell (0.85). Either the satisfied count or the rate may be left out: the other is
computed; both given must agree to within one point. The reader writes nothing; it
compares every row with what is on file, so the same sheet twice changes nothing.
Every problem is named by sheet, row and column."""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from reformledger.evaluation.models import Evaluation, SurveyResult
from reformledger.exchange.errors import CellError
from reformledger.exchange.parsing import (
    CellValueError,
    Column,
    Table,
    clean_text,
    fold,
    header_keys,
    parse_int,
    read_table,
)
from reformledger.exchange.rows import classify_row
from reformledger.exchange.xlsx_safety import check_xlsx, load_workbook

COLUMNS = [
    Column("no", "序号", ("No.",)),
    Column(
        "item",
        "调查项目",
        ("项目", "调查内容", "调查事项", "问题", "题目", "被调查单位", "单位", "Item surveyed"),
        required=True,
    ),
    Column(
        "respondents",
        "样本数",
        ("有效样本", "有效样本数", "调查人数", "受访人数", "样本量", "有效问卷", "Respondents"),
        required=True,
    ),
    Column(
        "satisfied", "满意数", ("满意人数", "满意（含基本满意）", "满意及基本满意", "Satisfied")
    ),
    Column("rate", "满意率", ("满意度", "满意率（%）", "满意率(%)", "Satisfaction rate")),
]
KINDS = {"survey": COLUMNS}
CENT = Decimal("0.01")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def parse_rate(value: Any) -> Decimal | None:
    """A satisfaction rate in percent: "85%", "85.0", "８５％", 85, or a percent cell 0.85."""
    if value is None or clean_text(value) in ("", "-", "—", "/"):
        return None
    if isinstance(value, bool):
        raise CellValueError(_("%(value)s is not a rate.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        # A cell formatted as a percentage holds 0.85 for 85%.
        if 0 < number <= 1 and not float(number).is_integer():
            number *= 100
    else:
        text = re.sub(r"\s+", "", fold(clean_text(value))).rstrip("%").rstrip("％")
        if not _NUMBER.match(text):
            raise CellValueError(
                _("%(value)s is not a rate (write 85%% or 85.0).") % {"value": clean_text(value)}
            )
        number = Decimal(text)
    if number < 0 or number > 100:
        raise CellValueError(
            _("%(value)s is not a rate between 0 and 100%%.") % {"value": clean_text(value)}
        )
    return number.quantize(CENT, ROUND_HALF_UP)


@dataclass
class SurveyRow:
    """A data row read and checked: the item, its figures, and what is on file."""

    sheet: str
    row: int
    item: str
    respondents: int
    satisfied: int
    rate: Decimal
    order: int
    old: SurveyResult | None = None

    @property
    def unchanged(self) -> bool:
        o = self.old
        return o is not None and (o.respondents, o.satisfied, o.rate, o.order) == (
            self.respondents,
            self.satisfied,
            self.rate,
            self.order,
        )


@dataclass
class SurveyCheck:
    """A sheet read and compared with the results on file."""

    evaluation: Evaluation
    saves: list[SurveyRow] = field(default_factory=list)
    unchanged: list[SurveyRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def survey_check(*, data: bytes, file_name: str, evaluation: Evaluation) -> SurveyCheck:
    """Read a survey sheet for `evaluation` and compare it with the results on file,
    writing nothing. Raises ImportRefused only when the file cannot be read at all."""
    check_xlsx(data, file_name)
    out = SurveyCheck(evaluation)
    wb = load_workbook(data)
    try:
        _read(wb, out)
    finally:
        wb.close()
    if not out.tables and not out.errors:
        out.errors.append(
            CellError(_("No sheet has the survey's headers (调查项目, 样本数, 满意数 or 满意率)."))
        )
    on_file = {r.item: r for r in SurveyResult.objects.filter(evaluation=evaluation)}
    seen: dict[str, SurveyRow] = {}
    rows = out.saves
    out.saves = []
    for r in rows:
        if r.item in seen:
            out.errors.append(
                CellError(
                    _("%(item)s is also on row %(row)s.")
                    % {"item": r.item, "row": seen[r.item].row},
                    r.sheet,
                    r.row,
                )
            )
            continue
        seen[r.item] = r
        r.old = on_file.get(r.item)
        (out.unchanged if r.unchanged else out.saves).append(r)
    return out


def _read(wb, out: SurveyCheck) -> None:
    order = 0
    for ws in wb.worksheets:
        found = read_table(ws, KINDS)
        if found is None:
            continue
        _kind, table = found
        if "item" not in table.columns:
            continue
        out.tables.append(table)
        if "respondents" not in table.columns or not ({"satisfied", "rate"} & set(table.columns)):
            out.errors.append(
                CellError(
                    _("The sheet needs the columns 样本数 and 满意数 or 满意率."), table.sheet
                )
            )
            continue
        keys = {k for text in table.header_cells.values() for k in header_keys(text)}
        for number, values in table.rows:
            kind = classify_row(values, header_keys=keys)
            if kind.kind != "data":
                if kind.kind != "blank":
                    out.skipped.append((table.sheet, number, kind.kind, kind.label))
                continue
            item = clean_text(table.value(values, "item"))
            if not item:
                out.errors.append(
                    CellError(
                        _("Give the item surveyed."), table.sheet, number, table.column("item")
                    )
                )
                continue

            def err(message: str, name: str, table=table, number=number) -> None:
                out.errors.append(CellError(message, table.sheet, number, table.column(name)))

            try:
                respondents = parse_int(table.value(values, "respondents"))
            except CellValueError as exc:
                err(str(exc), "respondents")
                continue
            if respondents is None or respondents <= 0:
                err(_("Give the number of respondents (above 0)."), "respondents")
                continue
            satisfied = rate = None
            bad = False
            try:
                satisfied = parse_int(table.value(values, "satisfied"))
            except CellValueError as exc:
                err(str(exc), "satisfied")
                bad = True
            try:
                rate = parse_rate(table.value(values, "rate"))
            except CellValueError as exc:
                err(str(exc), "rate")
                bad = True
            if satisfied is not None and (satisfied < 0 or satisfied > respondents):
                err(
                    _("%(n)s satisfied of %(of)s respondents is not possible.")
                    % {"n": satisfied, "of": respondents},
                    "satisfied",
                )
                bad = True
            if bad:
                continue
            if satisfied is None and rate is None:
                err(
                    _("Give the satisfied count or the rate."),
                    "satisfied" if "satisfied" in table.columns else "rate",
                )
                continue
            computed = (
                (Decimal(satisfied) * 100 / respondents).quantize(CENT, ROUND_HALF_UP)
                if satisfied is not None
                else None
            )
            if satisfied is None:
                satisfied = int((rate * respondents / 100).quantize(Decimal(1), ROUND_HALF_UP))
            elif rate is None:
                rate = computed
            elif abs(rate - computed) > 1:
                err(
                    _("The rate %(rate)s%% does not match %(n)s of %(of)s (%(computed)s%%).")
                    % {"rate": rate, "n": satisfied, "of": respondents, "computed": computed},
                    "rate",
                )
                continue
            order += 1
            out.saves.append(
                SurveyRow(table.sheet, number, item[:200], respondents, satisfied, rate, order)
            )
