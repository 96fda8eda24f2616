"""The assessment's documents: every card of a year as a workbook (one row a card, one
row a reason on the second sheet), and a unit's card sheet (考核结果通知单) as a Word
document in the official layout (GB/T 9704 via `exchange.docx_layout`)."""

from collections.abc import Iterable

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl.utils import get_column_letter

from reformledger.assessment.models import Card
from reformledger.core.clock import business_today
from reformledger.exchange import writing
from reformledger.exchange.docx_layout import (
    HEADING_FONT,
    TITLE_FONT,
    chinese_date,
    new_document,
    paragraph,
    party_committee_office,
    place_of,
    run,
    table,
    to_bytes,
)

COLOURS = {"green": "绿牌", "yellow": "黄牌"}
STATUSES = {"draft": "草稿", "reviewed": "已审核", "confirmed": "已确认", "published": "已发布"}
CARD_COLUMNS = [
    ("序号", 6, "centre"),
    ("单位", 22, "wrap"),
    ("类别", 12, "centre"),
    ("得分", 9, "centre"),
    ("评价", 8, "centre"),
    ("状态", 9, "centre"),
    ("版本", 6, "centre"),
    ("黄牌原因", 60, "wrap"),
]
REASON_COLUMNS = [
    ("单位", 22, "wrap"),
    ("依据", 70, "wrap"),
    ("分值", 9, "centre"),
    ("触发黄牌", 9, "centre"),
]
KINDS = {"county": "县区", "zone": "功能区", "department": "市直部门"}


def _sheet(wb, name: str, title: str, columns):
    ws = wb.create_sheet(name)
    widths = [w for _h, w, _s in columns]
    writing.set_widths(ws, widths)
    ws.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "C3"
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, h, style="header") for h, _w, _s in columns])
    return ws, widths


def cards_xlsx(cards: Iterable[Card], *, year: int, title: str = "") -> tuple[bytes, int]:
    """The cards (with their reasons prefetched) as a workbook, and how many rows."""
    cards = list(cards)
    place = place_of(cards[0].office) if cards else ""
    wb = writing.new_workbook()
    ws, widths = _sheet(
        wb, "考核结果", title or f"{place}{year}年度改革工作考核结果（绿黄牌）", CARD_COLUMNS
    )
    for n, card in enumerate(cards, start=1):
        reasons = list(card.reasons.all())
        values = [
            n,
            card.unit.name,
            KINDS.get(card.unit.kind, card.unit.get_kind_display()),
            float(card.score),
            COLOURS[card.colour],
            STATUSES[card.status],
            card.version,
            "；".join(r.text for r in reasons if r.triggers_yellow),
        ]
        writing.fit_row(ws, n + 2, values, widths)
        ws.append(
            [
                writing.cell(ws, v, style=s)
                for (_h, _w, s), v in zip(CARD_COLUMNS, values, strict=True)
            ]
        )
    rs, rwidths = _sheet(wb, "考核依据", f"{place}{year}年度考核依据", REASON_COLUMNS)
    row = 2
    for card in cards:
        for r in card.reasons.all():
            row += 1
            values = [card.unit.name, r.text, float(r.points), "是" if r.triggers_yellow else ""]
            writing.fit_row(rs, row, values, rwidths)
            rs.append(
                [
                    writing.cell(rs, v, style=s)
                    for (_h, _w, s), v in zip(REASON_COLUMNS, values, strict=True)
                ]
            )
    return writing.to_bytes(wb), len(cards)


def card_docx(card: Card) -> bytes:
    """A unit's card sheet (年度改革工作考核结果通知单): the unit, the year, the score and
    card, every reason with its points, and the office's name and date."""
    doc = new_document()
    paragraph(
        doc,
        f"{card.year}年度改革工作考核结果通知单",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        font=TITLE_FONT,
        space_after=12,
    )
    paragraph(doc, f"{card.unit.name}：", size=16)
    paragraph(
        doc,
        f"根据{card.year}年度改革工作考核规则，经改革办审核、领导确认，"
        f"你单位{card.year}年度改革工作考核得分{card.score}分，评价为{COLOURS[card.colour]}。"
        "考核依据如下：",
        indent=True,
        size=16,
        space_after=6,
    )
    rows = [
        [str(n), r.text, f"{r.points}", "是" if r.triggers_yellow else ""]
        for n, r in enumerate(card.reasons.all(), start=1)
    ]
    table(doc, ["序号", "考核依据", "分值", "触发黄牌"], rows, [1.4, 10.6, 2.0, 2.0])
    if card.change_reason:
        p = paragraph(doc, indent=True, size=16)
        run(p, "申诉复核：", size=16, font=HEADING_FONT)
        run(p, card.change_reason, size=16)
    days = card.rules.get("appeal_days")
    if days and card.is_current:
        paragraph(
            doc,
            f"如有异议，请于发布之日起{days}日内通过改革台账系统提出申诉，并附相关证明材料。",
            indent=True,
            size=16,
        )
    signed = paragraph(
        doc, party_committee_office(card.office), align=WD_ALIGN_PARAGRAPH.RIGHT, size=16
    )
    signed.paragraph_format.space_before = Pt(18)
    day = card.published_at.date() if card.published_at else business_today()
    paragraph(doc, chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, size=16)
    return to_bytes(doc)
