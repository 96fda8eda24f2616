"""The documents: an evaluation's criteria and scores and the list as workbooks, and
its sheet in the official layout as Word, opened and read back."""

import io

from django.urls import reverse
from docx import Document

from reformledger.audit.models import AuditRecord
from reformledger.evaluation import services
from reformledger.exchange.testing import open_xlsx

from .conftest import score_all


def _closed(ev, scoring, evaluator, office_staff):
    score_all(scoring, evaluator, 80)
    services.finding_add(
        evaluation=scoring, by=evaluator, text_="考核表格仍偏多", recommendation="进一步精简"
    )
    services.evaluation_submit(evaluation=scoring, by=evaluator)
    services.evaluation_close(evaluation=scoring, by=office_staff, conclusion="成效明显")
    return scoring


def test_scores_workbook(ev, scoring, evaluator, office_staff, client_for):
    e = _closed(ev, scoring, evaluator, office_staff)
    response = client_for(evaluator).get(reverse("evaluation:export_sheet", args=[e.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    ws = open_xlsx(data).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert "评估指标及评分表" in values[0][0]
    names = [row[1].strip("　") for row in values[2:] if row[1]]
    assert "目标完成" in names and "任务完成率" in names
    assert values[-1][0] == "合计" and values[-1][6] == 80.0
    assert AuditRecord.objects.filter(verb="export.created", obj_id=str(e.pk)).exists()


def test_list_workbook_holds_only_what_the_user_sees(ev, evaluator, client_for):
    response = client_for(evaluator).get(reverse("evaluation:export_list"))
    ws = open_xlsx(response.content).worksheets[0]
    titles = [row[1].value for row in ws.iter_rows(min_row=3)]
    assert titles == [ev.special.title]


def test_word_sheet_in_the_official_layout(ev, scoring, evaluator, office_staff, client_for):
    e = _closed(ev, scoring, evaluator, office_staff)
    response = client_for(office_staff).get(reverse("evaluation:export_docx", args=[e.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert e.title in text and "评估情况表" in text
    assert "考核表格仍偏多" in text and "建议：进一步精简" in text
    table = doc.tables[0]
    assert table.rows[0].cells[0].text == "评估指标"
    assert table.rows[-1].cells[-1].text == "80.00"
