"""The publications on a small ledger: a publication reads a closed period only (the
refusal names it); starting, writing, generating and submitting through the pages and
the API, each act with its audit record; who may see and do what; the lists in a fixed
number of queries whatever their length; the contents' pages read from a laid-out PDF."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reformledger.audit.models import AuditRecord
from reformledger.core.clock import business_today
from reformledger.ledger.models import Period
from reformledger.ledger.services.periods import periods_ensure
from reformledger.publications import services
from reformledger.publications.choices import JobStatus, PdfStatus
from reformledger.publications.models import Narrative, Publication, Rendition

pytestmark = pytest.mark.django_db
YEAR = 2016


@pytest.fixture
def closed(world):
    periods_ensure(office=world.office, year=YEAR)
    Period.objects.filter(office=world.office, year=YEAR).update(status="closed")
    return world


def _start(world, kind="evaluation_report", year=YEAR):
    return services.publication_create(
        office=world.office, year=year, kind=kind, by=world.office_staff
    )


def test_an_open_period_is_refused_by_name(world):
    periods_ensure(office=world.office, year=YEAR)
    with pytest.raises(ValidationError) as refused:
        _start(world)
    assert "2016-12" in str(refused.value) and "period" in refused.value.message_dict
    assert not Publication.objects.exists()


def test_start_write_generate_through_the_pages(closed, client_for):
    client = client_for(closed.office_staff)
    started = client.post(
        "/publications/start/",
        {"office": closed.office.pk, "year": YEAR, "kind": "evaluation_report"},
    )
    pub = Publication.objects.get()
    assert started.status_code == 302 and started["Location"] == f"/publications/{pub.pk}/"
    assert pub.title == "惠州市2016年度改革全面评估报告"
    assert pub.period.label == "2016-12"

    page = client.get(f"/publications/{pub.pk}/")
    assert page.status_code == 200
    assert "overview" in page.content.decode()  # the sections listed, by key
    saved = client.post(f"/publications/{pub.pk}/sections/overview/", {"text": "总体良好。"})
    assert saved.status_code == 302
    same = client.post(f"/publications/{pub.pk}/sections/overview/", {"text": "总体良好。"})
    assert same.status_code == 302
    assert Narrative.objects.filter(publication=pub, key="overview").count() == 1

    confirm = client.get(f"/publications/{pub.pk}/generate/")
    assert "2016-12" in confirm.content.decode()
    asked = client.post(f"/publications/{pub.pk}/generate/")  # the PDF box left unticked
    rendition = Rendition.objects.get(publication=pub)
    assert asked.status_code == 302
    job_page = client.get(asked["Location"])
    assert job_page.status_code == 200 and 'data-status="done"' in job_page.content.decode()
    assert rendition.number == 1 and rendition.pdf_status == PdfStatus.NONE
    assert rendition.docx[:2] == b"PK"
    download = client.get(f"/publications/versions/{rendition.pk}/docx/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    verbs = set(AuditRecord.objects.filter(ctx_id=str(pub.pk)).values_list("verb", flat=True))
    assert {
        "publication.created",
        "publication.narrative_written",
        "publication.generation_requested",
        "publication.generated",
        "export.created",
    } <= verbs


def test_the_api_starts_writes_and_generates(closed, client_for):
    client = client_for(closed.office_staff)
    made = client.post(
        "/api/v1/publications/",
        {"office": closed.office.pk, "year": YEAR, "kind": "pilot_compendium"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    twice = client.post(
        "/api/v1/publications/",
        {"office": closed.office.pk, "year": YEAR, "kind": "pilot_compendium"},
        content_type="application/json",
    )
    assert twice.status_code == 409
    wrote = client.post(
        f"/api/v1/publications/{pk}/narratives/",
        {"key": "preface", "text": "前言。"},
        content_type="application/json",
    )
    assert wrote.status_code == 200
    assert next(s for s in wrote.json()["sections"] if s["key"] == "preface")["number"] == 1
    job = client.post(
        f"/api/v1/publications/{pk}/generate/", {"pdf": False}, content_type="application/json"
    )
    assert job.status_code == 202 and job.json()["status"] == JobStatus.DONE
    progress = client.get(f"/api/v1/publication-jobs/{job.json()['id']}/")
    assert progress.json()["rendition"] is not None
    versions = client.get(f"/api/v1/publication-versions/?publication={pk}")
    assert versions.json()["count"] == 1
    docx = client.get(f"/api/v1/publication-versions/{versions.json()['results'][0]['id']}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_who_may_do_what(closed, client_for, city_leader, huiyang_liaison, evaluator, director):
    pub = _start(closed)
    leader = client_for(city_leader)
    assert leader.get(f"/publications/{pub.pk}/").status_code == 200
    assert leader.post(f"/publications/{pub.pk}/generate/").status_code == 403
    assert (
        leader.post(
            f"/api/v1/publications/{pub.pk}/narratives/",
            {"key": "overview", "text": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert client_for(huiyang_liaison).get("/publications/").status_code == 403
    assert client_for(evaluator).get(f"/api/v1/publications/{pub.pk}/").status_code == 404
    staff = client_for(closed.office_staff)
    assert staff.get(f"/publications/{pub.pk}/submit/").status_code == 403  # leaders submit
    assert client_for(director).get(f"/publications/{pub.pk}/submit/").status_code == 302


def _many(world, n):
    kinds = ["evaluation_report", "reform_compendium", "pilot_compendium"]
    for i in range(Publication.objects.filter(year__lt=YEAR).count(), n):
        year = 2000 + i // 3
        periods_ensure(office=world.office, year=year)
        Period.objects.filter(office=world.office, year=year).update(status="closed")
        _start(world, kinds[i % 3], year)


def test_the_list_page_and_api_run_a_fixed_number_of_queries(closed, client_for):
    client = client_for(closed.office_staff)
    counts = []
    for n in (3, 30):
        _many(closed, n)
        with CaptureQueriesContext(connection) as page:
            assert client.get("/publications/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/v1/publications/").status_code == 200
        counts.append((len(page), len(api)))
    assert counts[0] == counts[1]


def test_the_contents_pages_are_read_after_the_contents():
    content = {
        "blocks": [
            {"t": "h", "level": 1, "text": "一、总体情况"},
            {"t": "p", "text": "正文"},
            {"t": "h", "level": 2, "text": "（一）经济体制改革领域"},
            {"t": "h", "level": 1, "text": "二、改革试点"},
        ]
    }
    pages = [
        "封面",
        "目 录\n一、总体情况....3\n（一）经济体制改革领域...4\n二、改革试点....5",
        "一、总体\n情况 正文",
        "（一）经济体制改革领域",
        "二、改革试点",
    ]
    assert services.heading_pages(content, pages) == {
        "一、总体情况": 3,
        "（一）经济体制改革领域": 4,
        "二、改革试点": 5,
    }


def test_the_director_is_led_to_submit_a_generated_report(closed, director, client_for):
    from reformledger.ledger.selectors import next_acts

    def waiting():
        return {g.kind: g for g in next_acts(director).groups}.get("report_to_submit")

    pub = _start(closed)
    assert waiting() is None  # nothing generated yet
    job = services.generation_request(
        publication=pub, by=closed.office_staff, make_pdf=False, inline=True
    )
    group = waiting()
    assert group.count == 1 and group.items[0].url == f"/publications/{pub.pk}/submit/"
    page = client_for(director).get(group.items[0].url).content.decode()
    assert f'value="{business_today().isoformat()}"' in page  # submitted today, by default
    services.publication_submit(
        publication=pub,
        rendition=job.rendition,
        document_no="惠市改办〔2017〕5号",
        submitted_on=dt.date(2017, 3, 1),
        by=director,
    )
    assert waiting() is None
    assert "report_to_submit" not in {g.kind for g in next_acts(closed.office_staff).groups}
