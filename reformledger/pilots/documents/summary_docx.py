"""A pilot's one-page summary (试点情况简介) as a Word document in the official layout
(GB/T 9704 via `exchange.docx_layout`): the title; the basic facts (level, granting
body and approval, host and helping units, period); its goals; its ledger tasks with
their latest ratings; its investment (planned, completed and the completion rate,
summed from the sub-projects); the mid-term findings; the acceptance result and rank;
the experience written up. Long texts are cut so the summary stays on one page, set
in 四号 (the longest case was rendered through LibreOffice to check it).
"""

from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from reformledger.core.clock import business_today
from reformledger.exchange.docx_layout import (
    HEADING_FONT,
    TITLE_FONT,
    chinese_date,
    new_document,
    paragraph,
    party_committee_office,
    run,
    table,
    to_bytes,
)
from reformledger.pilots.models import Acceptance, MidTermReview, Pilot
from reformledger.pilots.selectors.investment import (
    InvestmentTotals,
    TaskRating,
    pilot_investment,
    pilot_task_ratings,
)

#: The most characters a free text keeps on the one page, and the most tasks listed.
_GOALS, _FINDINGS, _EXPERIENCE, _TASKS = 90, 70, 100, 4
#: A one-page summary (简介) is set in 四号 (14 pt), not the 3号 of a full document:
#: at 3号 its eight parts do not fit one page.
SIZE = 14

LEVELS = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
STATUSES = {
    "applied": "申报中",
    "approved": "已批复",
    "under_way": "实施中",
    "mid_term": "中期评估",
    "acceptance": "验收中",
    "concluded": "已总结推广",
    "ended": "已终止",
}
RESULTS = {"passed": "通过验收", "conditional": "有条件通过验收", "failed": "未通过验收"}


@dataclass
class SummaryFacts:
    """What the summary says, read once (a fixed number of queries)."""

    pilot: Pilot
    totals: InvestmentTotals
    tasks: list[TaskRating]
    review: MidTermReview | None
    acceptance: Acceptance | None


def summary_facts(pilot: Pilot) -> SummaryFacts:
    pilot = (
        Pilot.objects.select_related("office", "host_unit", "leader")
        .prefetch_related("helping_units")
        .get(pk=pilot.pk)
    )
    return SummaryFacts(
        pilot=pilot,
        totals=pilot_investment(pilot),
        tasks=pilot_task_ratings(pilot),
        review=pilot.reviews.order_by("-reviewed_on", "-id").first(),
        acceptance=Acceptance.objects.filter(pilot=pilot).first(),
    )


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _money(value) -> str:
    return f"{value:,.2f}"


def rank_text(acceptance: Acceptance) -> str:
    """The rank as the accepting body wrote it, else from its structured fields."""
    if acceptance.rank_text:
        return acceptance.rank_text
    parts = []
    if acceptance.group_rank:
        parts.append(f"组内第{acceptance.group_rank}名")
    if acceptance.region_rank:
        parts.append(f"{acceptance.region}第{acceptance.region_rank}名")
    return "，".join(parts)


def _heading(doc, text: str) -> None:
    """一、 headings in 黑体 (GB/T 9704), at the summary's 四号."""
    p = paragraph(doc, space_after=2, indent=True, size=SIZE)
    p.paragraph_format.space_before = Pt(4)
    run(p, text, size=SIZE, font=HEADING_FONT)


def _line(doc, label: str, text: str) -> None:
    """A body paragraph in 仿宋 led by its label in 黑体."""
    p = paragraph(doc, indent=True, size=SIZE, space_after=0)
    run(p, f"{label}：", size=SIZE, font=HEADING_FONT)
    run(p, text or "—", size=SIZE)


def summary_docx(pilot: Pilot) -> bytes:
    """The pilot's one-page summary as .docx bytes."""
    facts = summary_facts(pilot)
    pilot, totals = facts.pilot, facts.totals
    doc = new_document()
    paragraph(
        doc,
        pilot.name,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        font=TITLE_FONT,
        bold=True,
        space_after=2,
    )
    paragraph(
        doc,
        "试点情况简介",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=16,
        font=HEADING_FONT,
        space_after=8,
    )

    _heading(doc, "一、基本情况")
    approval = "，".join(
        part
        for part in (
            pilot.granting_body,
            pilot.approval_no,
            chinese_date(pilot.approved_on) if pilot.approved_on else "",
        )
        if part
    )
    level = LEVELS.get(pilot.level, pilot.level)
    _line(doc, "级别与批准", f"{level}（{approval}）")
    helping = "、".join(u.name for u in pilot.helping_units.all())
    units = pilot.host_unit.name + (f"；配合单位：{helping}" if helping else "")
    _line(doc, "牵头单位", units)
    leader = f"；责任领导：{pilot.leader.name}" if pilot.leader_id else ""
    status = STATUSES.get(pilot.status, pilot.status)
    period = f"{chinese_date(pilot.start)}至{chinese_date(pilot.end)}"
    _line(doc, "试点期限", f"{period}（{status}）{leader}")
    _line(doc, "试点目标", _cut(pilot.goals, _GOALS))

    _heading(doc, "二、改革任务推进情况")
    if facts.tasks:
        rows = [
            [
                t.task.code,
                _cut(t.task.title, 28),
                t.task.lead_unit.name,
                f"{t.grade.letter}（{t.period.label}）" if t.grade else "未评价",
            ]
            for t in facts.tasks[:_TASKS]
        ]
        table(doc, ["编号", "改革任务", "牵头单位", "最新评价"], rows, [2.4, 6.4, 3.4, 3.4])
        if len(facts.tasks) > _TASKS:
            paragraph(doc, f"另有{len(facts.tasks) - _TASKS}项任务，详见台账。", size=10.5)
    else:
        paragraph(doc, "未关联台账任务。", indent=True, size=SIZE)

    _heading(doc, "三、子项目投资情况")
    rate = f"{totals.rate}%" if totals.rate is not None else "—"
    table(
        doc,
        ["子项目数", "计划投资（万元）", "完成投资（万元）", "完成率"],
        [[str(totals.sub_projects), _money(totals.planned), _money(totals.completed), rate]],
        [3.0, 4.6, 4.6, 3.4],
    )

    _heading(doc, "四、中期评估与验收")
    if facts.review is not None:
        review = facts.review
        _line(
            doc,
            "中期评估",
            f"{chinese_date(review.reviewed_on)}，{review.reviewer}："
            f"{_cut(review.findings, _FINDINGS)}",
        )
    else:
        _line(doc, "中期评估", "尚未开展")
    if facts.acceptance is not None:
        acc = facts.acceptance
        result = RESULTS.get(acc.result, acc.result)
        score = f"，得分{acc.score}" if acc.score is not None else ""
        rank = rank_text(acc)
        _line(
            doc,
            "验收结论",
            f"{chinese_date(acc.accepted_on)}经{acc.accepting_body}验收，{result}{score}"
            + (f"，{rank}" if rank else ""),
        )
    else:
        _line(doc, "验收结论", "尚未验收")

    _heading(doc, "五、经验做法")
    paragraph(doc, _cut(pilot.experience, _EXPERIENCE) or "尚未总结。", indent=True, size=SIZE)

    office = party_committee_office(pilot.office)
    signed = paragraph(doc, office, align=WD_ALIGN_PARAGRAPH.RIGHT, size=SIZE)
    signed.paragraph_format.space_before = Pt(10)
    paragraph(doc, chinese_date(business_today()), align=WD_ALIGN_PARAGRAPH.RIGHT, size=SIZE)
    return to_bytes(doc)
