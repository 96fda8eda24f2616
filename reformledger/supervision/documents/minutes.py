"""The minutes (会议纪要) of a leading-group meeting as a Word document: title, date and
attendees, the reform documents reviewed, each key task's collective review in its
four parts (肯定成绩 / 指出问题 / 分析原因 / 督促改进) and the action items set."""

from django.db import transaction
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from reformledger.audit import services as audit
from reformledger.exchange.docx_layout import (
    HEADING_FONT,
    TITLE_FONT,
    chinese_date,
    chinese_number,
    leading_group_of,
    new_document,
    paragraph,
    party_committee_office,
    run,
    table,
    to_bytes,
)
from reformledger.supervision.models import LeadingGroupMeeting

#: The four parts of a collective review, with the field holding each.
FOUR_PARTS = (
    ("肯定成绩", "achievements"),
    ("指出问题", "problems"),
    ("分析原因", "causes"),
    ("督促改进", "improvements"),
)
DOCUMENT_STATUS = {
    "draft": "起草中",
    "submitted": "提请审议",
    "reviewed": "已审议",
    "issued": "已印发",
}


def minutes_title(meeting: LeadingGroupMeeting) -> str:
    """惠州市全面深化改革领导小组2016年第一次会议纪要."""
    group = leading_group_of(meeting.office)
    return f"{group}{meeting.year}年第{chinese_number(meeting.number)}次会议纪要"


def _heading(doc, text: str, size: float = 16, indent: bool = False) -> None:
    p = paragraph(doc, space_after=4, indent=indent)
    p.paragraph_format.space_before = Pt(6)
    run(p, text, size=size, font=HEADING_FONT, bold=True)


def minutes_docx(meeting: LeadingGroupMeeting) -> bytes:
    """The minutes' .docx bytes; `meeting` comes from selectors.leading_group_meeting_detail."""
    doc = new_document()
    paragraph(
        doc,
        minutes_title(meeting),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        font=TITLE_FONT,
        bold=True,
        space_after=12,
    )
    paragraph(doc, chinese_date(meeting.held_on), align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    attendees = paragraph(doc, indent=True, space_after=6)
    run(attendees, "出席：", font=HEADING_FONT)
    run(attendees, meeting.attendees)
    if meeting.summary:
        paragraph(doc, meeting.summary, indent=True, space_after=6)

    documents = list(meeting.documents.all())
    _heading(doc, "一、审议的改革文件")
    if documents:
        table(
            doc,
            ["序号", "文件名称", "起草单位", "状态/文号"],
            [
                [
                    str(n),
                    f"《{d.title}》",
                    d.drafting_unit.name,
                    d.document_no or DOCUMENT_STATUS.get(d.status, d.status),
                ]
                for n, d in enumerate(documents, start=1)
            ],
            [1.4, 7.6, 3.6, 3.0],
        )
    else:
        paragraph(doc, "本次会议未审议改革文件。", indent=True)

    reviews = list(meeting.reviews.all())
    _heading(doc, "二、重点改革任务集体会诊")
    if not reviews:
        paragraph(doc, "本次会议未开展集体会诊。", indent=True)
    items = []
    for n, review in enumerate(reviews, start=1):
        task = review.task
        _heading(doc, f"（{chinese_number(n)}）{task.code} {task.title}")
        paragraph(doc, f"牵头单位：{task.lead_unit.name}", indent=True)
        if review.reason:
            paragraph(doc, f"列入会诊的原因：{review.reason}", indent=True)
        for m, (title, field) in enumerate(FOUR_PARTS, start=1):
            _heading(doc, f"{m}. {title}", indent=True)
            for line in getattr(review, field).splitlines() or [""]:
                if line.strip():
                    paragraph(doc, line.strip(), indent=True)
        items.extend((task, item) for item in review.action_items.all())

    _heading(doc, "三、督办事项")
    if items:
        table(
            doc,
            ["序号", "任务", "责任单位", "督办要求", "完成时限"],
            [
                [str(n), task.code, item.unit.name, item.demand, chinese_date(item.deadline)]
                for n, (task, item) in enumerate(items, start=1)
            ],
            [1.4, 2.4, 3.0, 5.4, 3.4],
        )
    else:
        paragraph(doc, "无。", indent=True)
    paragraph(doc, space_after=18)
    paragraph(doc, party_committee_office(meeting.office), align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph(doc, chinese_date(meeting.held_on), align=WD_ALIGN_PARAGRAPH.RIGHT)
    return to_bytes(doc)


@transaction.atomic
def minutes_document_export(*, meeting: LeadingGroupMeeting, by) -> bytes:
    """The minutes' Word document for `by`, with the download in the audit trail."""
    data = minutes_docx(meeting)
    audit.record(
        actor=by,
        verb="export.created",
        obj=meeting,
        changes={"document": [None, "leading_group_minutes"], "format": [None, "docx"]},
    )
    return data
