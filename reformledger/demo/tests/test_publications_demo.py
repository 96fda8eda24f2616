"""The demo's 2016 evaluation report and compendiums (编印), generated from the ledger:
every figure of the report's tables equals the one recomputed from the rows, the PDF
shows them in Chinese with embedded CJK fonts, the Word file keeps the official layout,
a generation with nothing changed gives the same version, a changed section a new one,
and no narrative edit, through the page or the API, can change a figure."""

import io
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reformledger.demo.tests.savepoint import module_savepoint
from reformledger.evaluation.choices import EvaluationKind
from reformledger.evaluation.models import Evaluation
from reformledger.exchange import pdf as pdfs
from reformledger.exchange.testing import needs_poppler, needs_soffice
from reformledger.indicators.models import Indicator
from reformledger.ledger.choices import ClosingStatus, TaskStatus
from reformledger.ledger.models import ClosingRequest, Rating, Task
from reformledger.orgs.models import Unit
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject
from reformledger.publications import services
from reformledger.publications.choices import PdfStatus, PublicationKind
from reformledger.publications.content.common import cut
from reformledger.publications.models import Narrative, Publication, Rendition

pytestmark = pytest.mark.django_db
YEAR = 2016
#: Where the PDF's pages are rendered for a person to look at (a CI artifact folder).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "publications"


def _user(name):
    return get_user_model().objects.get(username=name)


def _office():
    return Unit.objects.get(code="HZ-GGB")


def _report():
    return Publication.objects.get(office__code="HZ-GGB", year=YEAR, kind="evaluation_report")


def _tables(content) -> dict[str, dict]:
    return {b["key"]: b for b in content["blocks"] if b["t"] == "table" and b.get("key")}


def _squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_demo_generated_its_three_publications_each_once(demo):
    pubs = Publication.objects.filter(year=YEAR).order_by("kind")
    assert {p.kind for p in pubs} == set(PublicationKind.values)
    assert {p.title for p in pubs} == {
        "惠州市2016年度改革全面评估报告",
        "惠州改革进行时·2016",
        "改革试点在惠州·2016",
    }
    for pub in pubs:
        assert pub.renditions.count() == 1
        assert pub.period.label == "2016-12"


def _recomputed() -> dict:
    """The report's figures counted again from the rows, without the report's code."""
    office = _office()
    tasks = Task.objects.filter(office=office, year=YEAR).exclude(status=TaskStatus.CANCELLED)
    last: dict[int, str] = {}
    for r in (
        Rating.objects.filter(task__in=tasks, period__year=YEAR)
        .select_related("final", "suggested")
        .order_by("period__start")
    ):
        last[r.task_id] = (r.final or r.suggested).letter
    closed = (
        ClosingRequest.objects.filter(task__in=tasks, status=ClosingStatus.APPROVED)
        .values("task")
        .distinct()
        .count()
    )
    levels = dict(Pilot.objects.filter(office=office).values_list("level").annotate(n=Count("pk")))
    kinds = dict(
        Evaluation.objects.filter(office=office, year=YEAR)
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    water = Pilot.objects.get(office=office, name__contains="水生态文明")
    return {
        "tasks": tasks.count(),
        "letters": Counter(last.values()),
        "closed": closed,
        "levels": levels,
        "kinds": kinds,
        "water_projects": SubProject.objects.filter(pilot=water).count(),
        "water_completed": sum(
            r.amount for r in InvestmentReport.objects.filter(sub_project__pilot=water)
        ),
        "water_name": water.name,
    }


@pytest.fixture(scope="module")
def generated(demo, django_db_blocker):
    """The demo's report generated with its PDF (LibreOffice), once for the module."""
    with module_savepoint(django_db_blocker):
        if pdfs.soffice_path() is None:
            yield None
            return
        job = services.generation_request(
            publication=_report(), by=_user("office"), make_pdf=True, inline=True
        )
        rendition = Rendition.objects.get(pk=job.rendition_id)
        assert rendition.pdf_status == PdfStatus.READY, rendition.pdf_error
        yield rendition


def test_every_figure_of_the_report_equals_the_ledger_recomputed(demo):
    rendition = _report().renditions.get(number=1)
    figures = _recomputed()
    tables = _tables(rendition.content)

    total = tables["ratings_by_area"]["rows"][-1]
    header = tables["ratings_by_area"]["header"]
    assert total[0] == "合计" and int(total[1]) == figures["tasks"]
    for letter, n in figures["letters"].items():
        assert int(total[header.index(f"{letter}级")]) == n
    assert int(total[-1]) == figures["closed"]
    completion = dict(tables["completion"]["rows"])
    assert int(completion["改革任务"]) == figures["tasks"]
    assert int(completion["已销账"]) == figures["closed"]
    annex = tables["annex"]["rows"]
    assert len(annex) == figures["tasks"]
    assert Counter(r[6] for r in annex if r[6] != "—") == figures["letters"]

    levels = {r[0]: int(r[1]) for r in tables["pilots_by_level"]["rows"]}
    assert levels["国家级"] == figures["levels"]["national"] == 18
    assert levels["省级"] == figures["levels"]["provincial"] == 44
    kinds = {r[0]: int(r[1]) for r in tables["evaluations_by_kind"]["rows"]}
    with translation.override("zh-hans"):
        special, third = str(EvaluationKind.SPECIAL.label), str(EvaluationKind.THIRD_PARTY.label)
    assert kinds[special] == figures["kinds"]["special"] == 17
    assert kinds[third] == figures["kinds"]["third_party"] == 3

    indicators = {r[0]: r for r in tables["indicators"]["rows"]}
    by_code = {i.code: i.name for i in Indicator.objects.filter(office=_office())}
    assert indicators[by_code["GQ-02"]][3] == "336"
    assert indicators[by_code["GQ-03"]][3] == "74"
    assert indicators[by_code["JR-01"]][3] == "66"
    assert indicators[by_code["JR-02"]][3] == "35000"  # 万元: 3.5亿元

    water = next(r for r in tables["investment"]["rows"] if r[0] == cut(figures["water_name"], 30))
    assert int(water[1]) == figures["water_projects"] == 64
    assert int(water[3]) == figures["water_completed"] == 300_000  # 万元: 30亿元


def test_the_word_file_shows_the_tables_as_generated(demo):
    rendition = _report().renditions.get(number=1)
    doc = Document(io.BytesIO(bytes(rendition.docx)))
    shown = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    for block in _tables(rendition.content).values():
        assert [block["header"], *block["rows"]] in shown, block["key"]


@needs_soffice
@needs_poppler
def test_the_pdf_shows_the_figures_in_chinese_with_embedded_cjk_fonts(generated):
    pdf = bytes(generated.pdf)
    pages = pdfs.pdf_page_texts(pdf)
    text = _squeeze("".join(pages))
    figures = _recomputed()

    assert pdfs.pdf_has_cjk(pdf)
    assert all(f["embedded"] for f in pdfs.pdf_fonts(pdf))
    assert "惠州市2016年度改革全面评估报告" in text
    assert f"共推进改革任务{figures['tasks']}项" in text
    assert f"已销账{figures['closed']}项" in text
    assert "其中国家级18项、省级44项" in text
    assert "专项评估17项、第三方评估3项" in text
    assert f"{figures['water_name']}：64个子项目，累计完成投资30亿元" in text
    assert "—1—" not in _squeeze(pages[0])  # no number on the cover
    assert "—2—" in _squeeze(pages[1])
    # The contents give each chapter its page: "一、总体情况 ... 3" and the chapter is there.
    contents = _squeeze(pages[1])
    chapter = contents.split("一、总体情况")[1].lstrip(".…·")
    page = int("".join(ch for ch in chapter[:3] if ch.isdigit()))
    assert "一、总体情况" in _squeeze(pages[page - 1])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pngs = pdfs.pdf_to_pngs(pdf, ARTIFACTS, dpi=40)
    assert len(pngs) == len(pages) == generated.pdf_pages


def test_the_word_file_keeps_the_official_layout(demo):
    doc = Document(io.BytesIO(bytes(_report().renditions.get(number=1).docx)))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(1)
    assert abs(section.left_margin - Mm(28)) < Mm(1)
    assert abs(section.right_margin - Mm(26)) < Mm(1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(1)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert abs(normal.paragraph_format.line_spacing - Pt(28.95)) < Pt(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    title = next(p for p in doc.paragraphs if p.text == "惠州市2016年度改革全面评估报告")
    assert title.runs[0].font.size == Pt(22)
    fonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    footer = "".join(t.text for t in section.footer._element.iter(qn("w:t")))
    instr = "".join(t.text for t in section.footer._element.iter(qn("w:instrText")))
    assert footer.startswith("—") and footer.rstrip().endswith("—") and "PAGE" in instr


def test_the_same_period_twice_gives_the_same_file_and_a_new_section_a_new_version(demo):
    pub, office = _report(), _user("office")
    first = pub.renditions.get(number=1)

    again = services.generation_request(publication=pub, by=office, make_pdf=False, inline=True)
    assert again.unchanged and again.rendition_id == first.pk
    rebuilt = services.assemble(pub)
    from reformledger.publications.content.render import render

    assert render(rebuilt) == bytes(first.docx)  # byte-identical, stamps included

    services.narrative_write(publication=pub, key="problems", text="新的问题表述。", by=office)
    job = services.generation_request(publication=pub, by=office, make_pdf=False, inline=True)
    assert not job.unchanged and job.rendition.number == 2
    assert Rendition.objects.get(pk=first.pk).docx_hash == first.docx_hash  # kept as it was
    assert pub.narratives.filter(key="problems").count() == 2


def test_a_narrative_edit_cannot_change_a_generated_figure(demo, client_for):
    pub = _report()
    client = client_for(_user("office"))
    before = _tables(services.assemble(pub))

    page = client.post(
        f"/publications/{pub.pk}/sections/ratings_by_area/", {"text": "合计 999 999"}
    )
    assert page.status_code == 404
    api = client.post(
        f"/api/v1/publications/{pub.pk}/narratives/",
        {"key": "annex", "text": "改革任务 999 项"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "key" in str(api.json()), api.json()
    patched = client.patch(
        f"/api/v1/publications/{pub.pk}/",
        {"title": "x", "content": {"blocks": []}},
        content_type="application/json",
    )
    assert patched.status_code == 405
    # A section that claims other numbers leaves every table as the ledger gives it.
    ok = client.post(
        f"/publications/{pub.pk}/sections/overview/", {"text": "全年改革任务999项，销账999项。"}
    )
    assert ok.status_code == 302
    after = services.assemble(pub)
    assert _tables(after) == before
    assert any("999" in b["text"] for b in after["blocks"] if b["t"] == "n")
    assert not Narrative.objects.filter(publication=pub, key__in=["ratings_by_area", "annex"])


def test_a_submitted_report_is_frozen(demo, client_for):
    pub = _report()
    director = client_for(_user("director"))
    rendition = pub.renditions.get(number=1)
    page = director.get(f"/publications/{pub.pk}/submit/")
    assert page.status_code == 200 and "2016-12" in page.content.decode()
    done = director.post(
        f"/publications/{pub.pk}/submit/",
        {
            "rendition": rendition.pk,
            "document_no": "惠市改办〔2017〕5号",
            "submitted_on": "2017-03-01",
        },
    )
    assert done.status_code == 302
    pub.refresh_from_db()
    assert pub.is_submitted and pub.submitted_rendition == rendition

    office = client_for(_user("office"))
    refused = office.post(
        f"/api/v1/publications/{pub.pk}/narratives/",
        {"key": "overview", "text": "改写"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    again = office.post(
        f"/api/v1/publications/{pub.pk}/generate/", {}, content_type="application/json"
    )
    assert again.status_code == 409
    assert pub.renditions.count() == 1


def test_the_compendiums_hold_the_closed_tasks_and_every_pilot(demo):
    reform = Publication.objects.get(year=YEAR, kind="reform_compendium")
    pilots = Publication.objects.get(year=YEAR, kind="pilot_compendium")
    reform_text = "".join(b.get("text", "") for b in reform.renditions.get().content["blocks"])
    closed = Task.objects.filter(
        office=_office(), year=YEAR, closings__status=ClosingStatus.APPROVED
    ).distinct()
    for task in closed:
        assert task.title in reform_text
    assert reform.highlights.exists()
    pilot_text = "".join(b.get("text", "") for b in pilots.renditions.get().content["blocks"])
    for pilot in Pilot.objects.filter(office=_office()):
        assert pilot.name in pilot_text
    brands = _tables(pilots.renditions.get().content)["brands"]["rows"]
    assert len(brands) == 7


def test_who_sees_the_publications(demo, client_for):
    pub = _report()
    assert client_for(_user("leader")).get(f"/publications/{pub.pk}/").status_code == 200
    assert client_for(_user("huiyang")).get(f"/publications/{pub.pk}/").status_code == 403
    assert client_for(_user("evaluator")).get(f"/api/v1/publications/{pub.pk}/").status_code == 404
    leader = client_for(_user("leader"))
    assert leader.post(f"/publications/{pub.pk}/generate/").status_code == 403
