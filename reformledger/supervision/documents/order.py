"""A supervision order (督办单) as a Word document in the usual official layout: the
red header line of the office, its number and date, a red rule, the title with the
level, the addressee, the body (basis, demand, deadline), signature and date, and
the unit's receipt (签收人、签收时间) — or blank lines to fill in by hand while the
order is not signed for.

`OrderText` holds the words once, so the printable page and the Word file say the
same thing.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm

from reformledger.audit import services as audit
from reformledger.exchange.docx_layout import (
    HEADING_FONT,
    RED,
    TITLE_FONT,
    chinese_date,
    new_document,
    paragraph,
    party_committee_office,
    red_rule,
    run,
    to_bytes,
)
from reformledger.supervision.models import SupervisionOrder

#: The level as an official document names it, whatever the reader's language.
LEVEL_TITLES = {"blue": "蓝色提醒", "orange": "橙色警示", "red": "红色督办"}
#: Lines left to be filled in by hand on an order not yet signed for.
BLANK_NAME = "＿" * 8
BLANK_TIME = "＿＿＿＿年＿＿月＿＿日＿＿时＿＿分"


@dataclass(frozen=True)
class OrderText:
    """The words of an order's official document."""

    header: str
    label: str
    date: str
    title: str
    level: str
    addressee: str
    subject: str
    basis: str
    demand: str
    deadline: str
    signature: str
    received_by: str
    received_at: str

    @classmethod
    def of(cls, order: SupervisionOrder) -> "OrderText":
        if order.action_item_id:
            item = order.action_item
            subject = f"督办事项：{item.demand}"
            if order.task_id:
                subject = f"{subject}（{order.task.code} {order.task.title}）"
        else:
            subject = f"{order.task.code} {order.task.title}"
        header = party_committee_office(order.office)
        if order.received_at is not None:
            moment = timezone.localtime(order.received_at)
            received_by = str(order.received_by)
            received_at = f"{chinese_date(moment.date())} {moment:%H:%M}"
        else:
            received_by, received_at = BLANK_NAME, BLANK_TIME
        return cls(
            header=header,
            label=order.label,
            date=chinese_date(order.issued_at.date()),
            title="督办单",
            level=LEVEL_TITLES.get(order.level, order.level),
            addressee=f"{order.unit.name}：",
            subject=subject,
            basis=order.basis,
            demand=order.demand,
            deadline=f"请于{chinese_date(order.deadline)}前将办理情况及佐证材料书面报送我办。",
            signature=header,
            received_by=received_by,
            received_at=received_at,
        )

    @property
    def receipt(self) -> str:
        """The receipt line: 签收人：… 签收时间：…"""
        return f"签收人：{self.received_by}　　签收时间：{self.received_at}"


def order_docx(order: SupervisionOrder) -> bytes:
    """The order's .docx bytes."""
    text = OrderText.of(order)
    doc = new_document()
    paragraph(
        doc,
        text.header,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        colour=RED,
        font=TITLE_FONT,
        bold=True,
        space_after=12,
    )
    line = paragraph(doc, space_after=6)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    run(line, text.label)
    run(line, "\t" + text.date)
    red_rule(line)
    paragraph(doc, space_after=6)
    title = paragraph(doc, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    run(title, text.title, size=22, font=TITLE_FONT, bold=True)
    run(title, f"（{text.level}）", size=16, font=HEADING_FONT)
    paragraph(doc, text.addressee, space_after=6)
    for heading, body in (
        ("督办事项", text.subject),
        ("督办依据", text.basis),
        ("督办要求", text.demand),
        ("办理时限", text.deadline),
    ):
        p = paragraph(doc, indent=True, space_after=6)
        run(p, f"{heading}：", font=HEADING_FONT)
        run(p, body)
    paragraph(doc, space_after=24)
    paragraph(doc, text.signature, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(doc, text.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(doc, space_after=12)
    receipt = paragraph(doc, space_after=6)
    run(receipt, "签收人：", font=HEADING_FONT)
    run(receipt, text.received_by)
    run(receipt, "　　签收时间：", font=HEADING_FONT)
    run(receipt, text.received_at)
    return to_bytes(doc)


@transaction.atomic
def order_document_export(*, order: SupervisionOrder, by) -> bytes:
    """The order's Word document for `by`, with the download in the audit trail."""
    data = order_docx(order)
    audit.record(
        actor=by,
        verb="export.created",
        obj=order,
        changes={"document": [None, "supervision_order"], "format": [None, "docx"]},
    )
    return data
