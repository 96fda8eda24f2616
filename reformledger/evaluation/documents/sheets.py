"""Workbooks of evaluations, styled as the ledger's: one evaluation's criteria tree with
weights, maximums, scores, rolled-up scores and reasons (评估指标及评分表); and the list
of the evaluations a user sees (评估一览表). Rows come from the user's scoped reads."""

from openpyxl.utils import get_column_letter

from reformledger.evaluation.models import Evaluation
from reformledger.evaluation.selectors import EvaluationScores, with_totals
from reformledger.exchange import writing

SCORE_COLUMNS = [
    ("序号", 6, "centre"),
    ("评估指标", 30, "wrap"),
    ("层级", 6, "centre"),
    ("权重", 8, "centre"),
    ("满分", 8, "centre"),
    ("得分", 8, "centre"),
    ("折合百分制得分", 12, "centre"),
    ("评分标准", 36, "wrap"),
    ("评分理由", 36, "wrap"),
]
LIST_COLUMNS = [
    ("序号", 6, "centre"),
    ("评估名称", 36, "wrap"),
    ("评估类型", 10, "centre"),
    ("年度", 8, "centre"),
    ("评估组", 22, "wrap"),
    ("状态", 10, "centre"),
    ("总分", 8, "centre"),
    ("评估发现", 8, "centre"),
]


def _sheet(wb, name: str, title: str, columns) -> object:
    ws = wb.create_sheet(name)
    widths = [w for _h, w, _s in columns]
    writing.set_widths(ws, widths)
    ws.merged_cells.add(f"A1:{get_column_letter(len(columns))}1")
    ws.row_dimensions[1].height = 32
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.append([writing.cell(ws, title, style="title")])
    ws.append([writing.cell(ws, h, style="header") for h, _w, _s in columns])
    ws.freeze_panes = "C3"
    return ws


def write_scores(evaluation: Evaluation, scores: EvaluationScores) -> bytes:
    """One evaluation's criteria and scores as .xlsx bytes."""
    wb = writing.new_workbook()
    ws = _sheet(wb, "评估指标及评分", f"{evaluation.title}评估指标及评分表", SCORE_COLUMNS)
    styles = [s for _h, _w, s in SCORE_COLUMNS]
    for n, line in enumerate(scores.lines, start=1):
        c = line.criterion
        values = [
            n,
            ("　" * line.depth) + c.name,
            line.depth + 1,
            float(c.weight),
            float(c.max_score) if line.is_leaf else None,
            float(line.score.value) if line.score else None,
            float(line.rolled) if line.rolled is not None else None,
            c.guide,
            line.score.reason if line.score else "",
        ]
        ws.append([writing.cell(ws, v, style=s) for v, s in zip(values, styles, strict=True)])
    total = evaluation.total_score if evaluation.total_score is not None else scores.total
    ws.append(
        [
            writing.cell(ws, v, style="centre")
            for v in [
                "合计",
                "",
                "",
                100,
                None,
                None,
                float(total) if total is not None else None,
                "",
                "",
            ]
        ]
    )
    return writing.to_bytes(wb)


def write_list(evaluations) -> tuple[bytes, int]:
    """The evaluations (already scoped and prefetched) as .xlsx bytes, and their count."""
    wb = writing.new_workbook()
    ws = _sheet(wb, "评估一览", "改革评估一览表", LIST_COLUMNS)
    styles = [s for _h, _w, s in LIST_COLUMNS]
    rows = with_totals(evaluations)
    for n, e in enumerate(rows, start=1):
        values = [
            n,
            e.title,
            e.get_kind_display(),
            e.year,
            e.team.name if e.team_id else "",
            e.get_status_display(),
            float(e.total) if e.total is not None else None,
            e.findings_count,
        ]
        ws.append([writing.cell(ws, v, style=s) for v, s in zip(values, styles, strict=True)])
    return writing.to_bytes(wb), len(rows)
