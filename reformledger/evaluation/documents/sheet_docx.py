"""One evaluation as a Word sheet in the official layout (评估情况表, GB/T 9704 via
`exchange.docx_layout`): its title; the basic facts (kind, year, scope, team, units,
period); the criteria with weights and scores and the total; the self-assessments in
brief; the findings and recommendations; the satisfaction survey; the conclusion."""

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from reformledger.core.clock import business_today
from reformledger.evaluation.selectors import EvaluationDetail
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

KINDS = {"comprehensive": "全面评估", "special": "专项评估", "third_party": "第三方评估"}
STATUSES = {
    "draft": "起草中",
    "self_assessment": "自评阶段",
    "scoring": "评分阶段",
    "review": "审核中",
    "closed": "已办结",
}
SIZE = 14


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _heading(doc, text: str) -> None:
    p = paragraph(doc, space_after=2, indent=True, size=SIZE)
    p.paragraph_format.space_before = Pt(4)
    run(p, text, size=SIZE, font=HEADING_FONT)


def _line(doc, label: str, text: str) -> None:
    p = paragraph(doc, indent=True, size=SIZE, space_after=0)
    run(p, f"{label}：", size=SIZE, font=HEADING_FONT)
    run(p, text or "—", size=SIZE)


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def evaluation_docx(detail: EvaluationDetail) -> bytes:
    """The evaluation's sheet as .docx bytes (the caller read `detail` for a user who
    reads the evaluation in full)."""
    e = detail.evaluation
    doc = new_document()
    paragraph(
        doc,
        e.title,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=22,
        font=TITLE_FONT,
        bold=True,
        space_after=2,
    )
    paragraph(
        doc,
        "评估情况表",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        size=16,
        font=HEADING_FONT,
        space_after=8,
    )
    _heading(doc, "一、基本情况")
    _line(
        doc,
        "评估类型",
        f"{KINDS.get(e.kind, e.kind)}（{e.year}年度，{STATUSES.get(e.status, '')}）",
    )
    scope = "；".join(
        part
        for part in (
            "、".join(a.name for a in detail.areas),
            "、".join(f"{t.code} {t.title}" for t in detail.tasks),
            "、".join(p.name for p in detail.pilots),
        )
        if part
    )
    _line(doc, "评估范围", _cut(scope, 160))
    team = e.team.name + (f"（{e.team.organisation}）" if e.team and e.team.organisation else "")
    _line(doc, "评估组", team if e.team else "")
    _line(doc, "被评估单位", "、".join(u.name for u in detail.units))
    _line(doc, "数据截至", e.period.label if e.period else "")

    _heading(doc, "二、评估指标及得分")
    rows = [
        [
            ("　" * line.depth) + line.criterion.name,
            _number(line.criterion.weight),
            _number(line.criterion.max_score) if line.is_leaf else "",
            _number(line.score.value) if line.score else "",
            str(line.rolled) if line.rolled is not None else "—",
        ]
        for line in detail.scores.lines
    ]
    rows.append(["合计", "100", "", "", str(detail.total) if detail.total is not None else "—"])
    table(doc, ["评估指标", "权重", "满分", "得分", "百分制"], rows, [7.0, 2.0, 2.0, 2.0, 2.6])

    _heading(doc, "三、自评情况")
    if detail.self_assessments:
        for sa in detail.self_assessments:
            _line(doc, sa.unit.name, _cut(sa.text, 120))
    else:
        paragraph(doc, "无。", indent=True, size=SIZE)

    _heading(doc, "四、评估发现及建议")
    if detail.findings:
        for n, f in enumerate(detail.findings, start=1):
            about = f"（{f.unit.name}）" if f.unit_id else ""
            p = paragraph(doc, indent=True, size=SIZE)
            run(p, f"{n}. {f.text}{about}", size=SIZE)
            if f.recommendation:
                _line(doc, "建议", f.recommendation)
    else:
        paragraph(doc, "无。", indent=True, size=SIZE)

    if detail.survey:
        _heading(doc, "五、满意度调查")
        table(
            doc,
            ["调查项目", "样本数", "满意数", "满意率"],
            [
                [r.item, str(r.respondents), str(r.satisfied), f"{_number(r.rate)}%"]
                for r in detail.survey
            ],
            [7.0, 2.6, 2.6, 2.6],
        )
    if e.conclusion:
        _heading(doc, "六、评估结论" if detail.survey else "五、评估结论")
        paragraph(doc, e.conclusion, indent=True, size=SIZE)

    paragraph(doc, "", size=SIZE)
    paragraph(doc, party_committee_office(e.office), align=WD_ALIGN_PARAGRAPH.RIGHT, size=SIZE)
    day = e.closed_at.date() if e.closed_at else business_today()
    paragraph(doc, chinese_date(day), align=WD_ALIGN_PARAGRAPH.RIGHT, size=SIZE)
    return to_bytes(doc)
