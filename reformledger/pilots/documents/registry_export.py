"""The pilot registry (改革试点台账) as a workbook, styled as the ledger's: a title row, one
header row, one row per pilot the user may see (level, code, name, granting body,
approval, host and helping units, leader, period, status, sub-projects and their
investment summed from the reports, completion rate, acceptance result and rank).

The rows start from the user's scoped pilots, so a file holds only what its user may
see; the investment figures come from `selectors.investment.investment_totals` (sums of
the sub-projects, never typed on the pilot). Written in write-only mode, at a fixed
number of queries whatever the number of pilots.
"""

from django.db.models import Case, Prefetch, QuerySet, Value, When
from openpyxl.utils import get_column_letter

from reformledger.exchange import writing
from reformledger.exchange.docx_layout import place_of
from reformledger.orgs.models import Unit
from reformledger.pilots.choices import PilotLevel
from reformledger.pilots.models import Pilot
from reformledger.pilots.selectors.investment import InvestmentTotals, investment_totals

#: (header as offices write it, width, style) in sheet order.
COLUMNS = [
    ("序号", 6, "centre"),
    ("级别", 8, "centre"),
    ("编号", 12, "centre"),
    ("试点名称", 32, "wrap"),
    ("批准单位", 20, "wrap"),
    ("批复文号", 18, "wrap"),
    ("批复日期", 12, "centre"),
    ("牵头单位", 16, "wrap"),
    ("配合单位", 22, "wrap"),
    ("责任领导", 10, "centre"),
    ("试点期限", 22, "centre"),
    ("状态", 10, "centre"),
    ("子项目数", 8, "centre"),
    ("计划投资（万元）", 14, "centre"),
    ("完成投资（万元）", 14, "centre"),
    ("完成率", 9, "centre"),
    ("验收结论", 12, "centre"),
    ("验收排名", 26, "wrap"),
]
_WIDTHS = [w for _h, w, _s in COLUMNS]
_PERCENT = "0.0%"
_MONEY = "#,##0.00"


def registry_rows(pilots: QuerySet[Pilot]) -> QuerySet[Pilot]:
    """The pilots joined for the sheet (units, leader, acceptance, helping units), national
    first, then provincial, then municipal, each by code."""
    rank = Case(
        *(When(level=level, then=Value(n)) for n, level in enumerate(PilotLevel.values)),
        default=Value(len(PilotLevel.values)),
    )
    return (
        pilots.select_related("host_unit", "leader", "office", "acceptance")
        .prefetch_related(Prefetch("helping_units", queryset=Unit.objects.order_by("path")))
        .order_by(rank, "code", "pk")
    )


def registry_title(pilots: QuerySet[Pilot]) -> str:
    offices = list(pilots.order_by().values_list("office", flat=True).distinct()[:2])
    place = place_of(Unit.objects.get(pk=offices[0])) if len(offices) == 1 else ""
    return f"{place}改革试点台账"


def _acceptance(pilot: Pilot) -> tuple[str, str]:
    try:
        acceptance = pilot.acceptance
    except Pilot.acceptance.RelatedObjectDoesNotExist:
        return "", ""
    rank = acceptance.rank_text
    if not rank:
        parts = []
        if acceptance.group_rank:
            parts.append(f"组内第{acceptance.group_rank}名")
        if acceptance.region_rank:
            parts.append(f"{acceptance.region or ''}第{acceptance.region_rank}名")
        rank = "，".join(parts)
    return acceptance.get_result_display(), rank


def _values(n: int, pilot: Pilot, totals: InvestmentTotals) -> list:
    result, rank = _acceptance(pilot)
    rate = totals.rate
    return [
        n,
        pilot.get_level_display(),
        pilot.code,
        pilot.name,
        pilot.granting_body,
        pilot.approval_no,
        pilot.approved_on,
        pilot.host_unit.name,
        "、".join(u.name for u in pilot.helping_units.all()),
        pilot.leader.name if pilot.leader_id else "",
        f"{pilot.start:%Y.%m.%d}—{pilot.end:%Y.%m.%d}",
        pilot.get_status_display(),
        totals.sub_projects,
        totals.planned,
        totals.completed,
        float(rate) / 100 if rate is not None else None,
        result,
        rank,
    ]


def write_registry(pilots: QuerySet[Pilot], *, title: str | None = None) -> tuple[bytes, int]:
    """The registry workbook and its number of pilot rows."""
    wb = writing.new_workbook()
    ws = wb.create_sheet("改革试点")
    writing.set_widths(ws, _WIDTHS)
    ws.merged_cells.add(f"A1:{get_column_letter(len(COLUMNS))}1")
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "E3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.append([writing.cell(ws, title or registry_title(pilots), style="title")])
    ws.append([writing.cell(ws, h, style="header") for h, _w, _s in COLUMNS])
    rows = registry_rows(pilots)
    totals = investment_totals(pilots)
    count = 0
    for pilot in rows:
        count += 1
        values = _values(count, pilot, totals.get(pilot.pk, InvestmentTotals()))
        writing.fit_row(ws, count + 2, values, _WIDTHS)
        cells = []
        for (_h, _w, style), value in zip(COLUMNS, values, strict=True):
            c = writing.cell(ws, value, style=style)
            cells.append(c)
        cells[13].number_format = cells[14].number_format = _MONEY
        cells[15].number_format = _PERCENT
        ws.append(cells)
    return writing.to_bytes(wb), count
