"""The Word documents of supervision: the order in its official layout, and the
minutes of a leading-group meeting prepared from the ranked candidates, opened in
LibreOffice and read back from the PDF it makes."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from reformledger.audit.models import AuditRecord
from reformledger.exchange import pdf
from reformledger.exchange.testing import needs_poppler, needs_soffice
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Rating
from reformledger.supervision import services
from reformledger.supervision.models import CollectiveReview, LeadingGroupMeeting

TODAY = timezone.localdate()
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
IN_A_WEEK = TODAY + dt.timedelta(days=7)


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_the_order_word_document_holds_its_number_addressee_and_demand(world, director, client_for):
    order = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="领导小组第1次会议要求",
        demand="请于一周内报送表格化考核实施方案",
        deadline=IN_A_WEEK,
        level="orange",
    )
    response = client_for(director).get(reverse("supervision:order_word", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        order.label in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )

    doc = Document(io.BytesIO(response.content))
    text = _text(doc)
    header = doc.paragraphs[0]
    assert header.text == "中共惠州市委全面深化改革领导小组办公室"
    assert (
        header.runs[0].font.color.rgb is not None and str(header.runs[0].font.color.rgb) == "E00000"
    )
    assert order.label in text and "惠阳区：" in text
    assert "请于一周内报送表格化考核实施方案" in text and "领导小组第1次会议要求" in text
    assert "督办单" in text and "橙色警示" in text
    assert f"{IN_A_WEEK.year}年{IN_A_WEEK.month}月{IN_A_WEEK.day}日" in text
    # Chinese runs name an East Asian font, so LibreOffice picks a CJK face.
    fonts = header.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia"))
    # The red rule under the number line.
    assert any(
        p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None for p in doc.paragraphs
    )
    assert AuditRecord.objects.filter(
        verb="export.created", obj_id=str(order.pk), actor=director
    ).exists()


def test_the_print_page_shows_the_official_layout(world, director, client_for):
    order = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_huiyang,
        basis="依据",
        demand="报送方案",
        deadline=IN_A_WEEK,
    )
    page = client_for(director).get(reverse("supervision:order_print", args=[order.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "中共惠州市委全面深化改革领导小组办公室" in text and order.label in text
    assert "惠阳区：" in text and "蓝色提醒" in text and "style=" not in text


# --- preparing a meeting and its minutes --------------------------------------------

REVIEWS = {
    "2016-002": ("投融资平台整合完成", "社会资本参与不足", "项目储备不充分", "三季度前推出PPP项目"),
    "2016-003": ("审批时限压缩一半", "并联审批未全覆盖", "部门系统未打通", "年底前建成审批平台"),
    "2016-001": ("考核方案已出台", "镇街推进不平衡", "考核指标过细", "十月底前修订指标"),
}


def _rate(world, task, letter: str, period):
    grade = ledger.scale_for(world.office, 2016).grades.get(letter=letter)
    Rating.objects.create(task=task, period=period, suggested=grade, computed_at=timezone.now())


@pytest.fixture
def ranked_world(world, office_staff, director):
    """Four key tasks: two rated D (one of them with an escalated order), one B, one
    never rated — and two reform documents awaiting review."""
    for task in (world.task_helped, world.task_boluo, world.task_town):
        ledger.task_update(task=task, by=office_staff, is_key=True)
    periods = ledger.periods_ensure(office=world.office, year=2016, by=office_staff)
    july = periods[6]
    _rate(world, world.task_huiyang, "B", july)
    _rate(world, world.task_boluo, "D", july)
    _rate(world, world.task_helped, "D", july)
    order = services.order_issue(
        office=world.office,
        by=director,
        task=world.task_helped,
        basis="第2次会议要求",
        demand="报送进展",
        deadline=IN_A_WEEK,
    )
    services.order_escalate(order=order, by=director, reason="进展滞后")
    world.documents = [
        services.document_register(
            office=world.office, by=office_staff, year=2016, title=title, drafting_unit=unit
        )
        for title, unit in (
            ("关于深化投融资体制改革的实施意见", world.fgj),
            ("惠阳区表格化捆绑式绩效考核办法", world.huiyang),
        )
    ]
    return world


def _review_post(task, texts, unit) -> dict:
    achievements, problems, causes, improvements = texts
    return {
        "task": task.pk,
        "reason": "",
        "achievements": achievements,
        "problems": problems,
        "causes": causes,
        "improvements": improvements,
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-unit": unit.pk,
        "actions-0-demand": improvements,
        "actions-0-deadline": IN_A_WEEK.isoformat(),
        "actions-1-unit": unit.pk,  # offered as it was: an empty row
    }


def _pdf_text(docx: bytes) -> str:
    made = pdf.docx_to_pdf(docx)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "supervision-minutes.pdf").write_bytes(made)
    return "".join(pdf.pdf_page_texts(made))


@needs_soffice
@needs_poppler
def test_a_prepared_meetings_minutes_open_in_libreoffice_with_the_four_parts(
    ranked_world, office_staff, client_for
):
    w = ranked_world
    client = client_for(office_staff)

    # 1. The candidates come out ranked by need, each with its reasons; three ticked.
    page = client.get(reverse("supervision:group_prepare") + "?year=2016")
    html = page.content.decode()
    order = re.findall(r'data-testid="candidate" data-task="([^"]+)"', html)
    assert order == ["2016-002", "2016-003", "2016-001", "2016-004"]
    assert "1" in html and "2016-07" in html  # the D of July and the escalated order
    assert html.count(" checked>") == 3

    # 2. The office records the meeting with the three tasks and both documents.
    picked = [w.task_helped, w.task_boluo, w.task_huiyang]
    response = client.post(
        reverse("supervision:group_prepare"),
        {
            "office": w.office.pk,
            "year": 2016,
            "number": 1,
            "held_on": "2016-08-10",
            "attendees": "周明德、陈志远及领导小组成员单位负责人",
            "summary": "会议审议改革文件并对重点改革任务进行集体会诊。",
            "tasks": [t.pk for t in picked],
            "documents": [d.pk for d in w.documents],
        },
    )
    meeting = LeadingGroupMeeting.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"?tasks={','.join(str(t.pk) for t in picked)}")
    assert meeting.documents.count() == 2

    # 3. One review per ticked task, each improvement an action item.
    for task in picked:
        texts = REVIEWS[task.code]
        url = reverse("supervision:review_add", args=[meeting.pk]) + f"?task={task.pk}"
        form = client.get(url)
        assert form.status_code == 200
        response = client.post(url, _review_post(task, texts, task.lead_unit))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert CollectiveReview.objects.filter(meeting=meeting).count() == 3
    assert meeting.reviews.get(task=w.task_helped).action_items.count() == 1

    # 4. The minutes, converted by LibreOffice, carry the four parts of every review.
    docx = client.get(reverse("supervision:minutes_word", args=[meeting.pk]))
    assert docx.status_code == 200
    text = re.sub(r"\s+", "", _pdf_text(docx.content))
    assert "惠州市全面深化改革领导小组2016年第一次会议纪要" in text
    assert "关于深化投融资体制改革的实施意见" in text
    for heading in ("肯定成绩", "指出问题", "分析原因", "督促改进"):
        assert text.count(heading) == 3
    for task in picked:
        assert task.code in text and task.title in text
        for part in REVIEWS[task.code]:
            assert part in text
    assert AuditRecord.objects.filter(verb="export.created", obj_id=str(meeting.pk)).exists()
