"""Drafting the task list from the year's work points: a document as the office
receives it — numbered items under headings, units in brackets or on lines of their
own, a table, traditional characters — is read into drafts a clerk recognises, what
it cannot place is listed, the clerk's answers shape the drafts, and confirming
writes the tasks with their basis once; the same document again writes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.exchange import jobs, pdf
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.ledger.models import ProgrammeDocument, ReformArea, Task, WorkPoint
from reformledger.ledger.services import work_points
from reformledger.ledger.tests import work_points_documents as docs
from reformledger.ledger.tests.conftest import ledger_state
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import UnitAlias


@pytest.fixture
def city(world):
    """The units the documents name, besides the world's."""
    add = {
        "czj": ("HZ-CZJ", "市财政局", ""),
        "gzw": ("HZ-GZW", "惠州市人民政府国有资产监督管理委员会", "市国资委"),
        "swj": ("HZ-SWJ", "市水务局", ""),
        "sthj": ("HZ-STHJ", "市生态环境局", ""),
        "zsj": ("HZ-ZSJ", "市政务服务数据管理局", ""),
    }
    for name, (code, full, short) in add.items():
        unit = orgs.unit_create(
            by=None,
            code=code,
            name=full,
            short_name=short,
            kind=UnitKind.DEPARTMENT,
            parent=world.city,
        )
        setattr(world, name, unit)
    for name in (*add, "fgj", "huiyang", "boluo", "office", "city", "huiyang_town"):
        getattr(world, name).refresh_from_db()
    world.ecology = ReformArea.objects.create(code="ecology", name="生态文明体制改革", order=3)
    return world


def check(world, data, *, name="要点.docx", year=2022, decisions=None):
    return work_points.work_points_check(
        data=data,
        file_name=name,
        office=world.office,
        year=year,
        by=world.office_staff,
        decisions=decisions,
    )


def drafts_of(preview) -> dict[str, dict]:
    return {d["title"]: d for d in preview["drafts"]}


def test_a_heading_tree_three_levels_deep_gives_each_item_its_parts(city):
    preview = check(city, docs.docx(docs.TREE)).preview(city.office)

    drafts = drafts_of(preview)
    assert list(drafts) == [
        "深化国有企业改革",
        "推进投资审批制度改革",
        "地区生产总值增长6.2%左右，一般公共预算收入增长5%",
        "深化医药卫生体制改革",
    ]
    soe = drafts["深化国有企业改革"]
    assert soe["lead"] == ["市国资委"] and soe["helping"] == ["市财政局", "各县（区）政府"]
    assert soe["lead_unit"]["id"] == city.gzw.pk  # by its short name
    assert set(soe["helping_units"]) == {"市财政局", "惠阳区", "博罗县"}
    assert soe["deadline"]["date"] == "2022-12-31" and not soe["deadline"]["assumed"]
    assert [d["text"] for d in soe["deadlines"]] == ["2022年10月底前", "年底前"]
    assert soe["description"].startswith("完善国资监管体制，2022年10月底前编制并公布")
    assert "牵头" not in soe["description"]
    assert soe["heading"] == "经济体制改革 › 深化国资国企改革"
    assert soe["area"] == "经济体制改革"
    investment = drafts["推进投资审批制度改革"]
    assert investment["lead"] == ["市发展改革局", "市财政局"]
    assert investment["helping"] == ["市级各有关部门", "各县（区）政府"]
    assert investment["deadline"]["date"] == "2022-06-30"
    growth = drafts["地区生产总值增长6.2%左右，一般公共预算收入增长5%"]
    assert growth["lead"] == ["市发展改革局"] and growth["helping"] == ["市财政局"]
    assert growth["targets"] == ["地区生产总值增长6.2%左右", "一般公共预算收入增长5%"]
    assert growth["deadline"]["assumed"] and growth["deadline"]["date"] == "2022-12-31"
    health = drafts["深化医药卫生体制改革"]
    assert health["lead"] == ["惠阳区"] and health["deadline"]["date"] == "2022-09-30"
    assert health["area"] == "社会体制改革"
    # The marks: the parts of the paragraph, as the preview shows them beside the draft.
    marks = {seg["m"]: seg["t"] for seg in soe["source"][0] if seg["m"]}
    assert marks["title"] == "深化国有企业改革。" and marks["lead"] == "市国资委牵头"
    assert marks["helping"] == "市财政局、各县（区）政府配合"
    # The document's own data, and the headings' roles.
    assert preview["document"] == {
        "title": docs.TITLE,
        "document_no": "惠市改〔2022〕3号",
        "issued_on": "2022-03-15",
        "kind": "docx",
        "traditional": False,
        "paragraphs": len(docs.TREE),
    }
    roles = {h["name"]: h["role"] for h in preview["headings"]}
    assert roles == {
        "经济体制改革": "area",
        "深化国资国企改革": "group",
        "稳住经济大盘": "group",
        "社会体制改革": "area",
        "医药卫生": "group",
    }
    assert preview["errors"] == [] and preview["counts"]["create"] == 4
    assert [i["target"] for i in preview["indicators"]] == growth["targets"]


def test_units_on_lines_of_their_own_belong_to_the_item_above(city):
    preview = check(city, docs.docx(docs.LABELLED)).preview(city.office)

    drafts = drafts_of(preview)
    business = drafts["持续推进“放管服”改革"]
    assert business["lead"] == ["市发展改革局"]
    assert business["helping"] == ["博罗县", "各街道", "市直各部门"]
    assert business["description"] == "深化“一网通办”，打造一流营商环境。"
    assert business["deadline"]["assumed"]  # 持续推进: the year's end, said so
    digital = drafts["推进数字政府建设"]
    assert digital["lead"] == ["市政数局"] and digital["helping"] == ["市财政局"]
    assert digital["deadline"]["date"] == "2022-09-30"
    units = {u["text"]: u for u in preview["units"]}
    assert units["市政数局"]["status"] == "unknown"  # not a name the tree knows: asked
    assert units["各街道"]["status"] == "collective"


def test_a_table_in_the_document_is_read_like_a_task_list_sheet(city):
    data = docs.docx(docs.TABLE, tables={1: docs.TABLE_ROWS})

    preview = check(city, data).preview(city.office)

    drafts = drafts_of(preview)
    assert list(drafts) == ["建立生态保护补偿机制", "开展排污权有偿使用和交易试点", "推行河长制"]
    compensation = drafts["建立生态保护补偿机制"]
    assert compensation["lead"] == ["市财政局"]
    assert compensation["helping"] == ["市生态环境局", "惠阳区"]
    assert compensation["deadline"]["date"] == "2022-12-31"
    assert drafts["开展排污权有偿使用和交易试点"]["deadline"]["date"] == "2022-09-30"
    assert drafts["推行河长制"]["deadline"]["assumed"]
    assert compensation["area"] == "生态文明体制改革"
    assert preview["tables"][0]["columns"]["lead_unit"] == "牵头单位 (C)"
    assert preview["errors"] == []


def test_traditional_characters_are_matched_and_drafted_in_simplified_ones(city):
    preview = check(city, docs.docx(docs.TRADITIONAL)).preview(city.office)

    drafts = drafts_of(preview)
    assert list(drafts) == ["全面推行河长制", "健全生态环境监管体制"]
    river = drafts["全面推行河长制"]
    assert river["lead_unit"]["id"] == city.swj.pk
    assert set(river["helping_units"]) == {"惠阳区", "博罗县"}
    assert river["deadline"]["date"] == "2022-06-30"
    assert river["source"][0][0]["t"].startswith("1. ")  # the paragraph as written
    assert "河長制" in "".join(seg["t"] for seg in river["source"][0])
    assert drafts["健全生态环境监管体制"]["helping"] == ["市财政局"]
    assert preview["document"]["traditional"] and preview["notes"]
    assert preview["headings"][0]["role"] == "area"  # 生態文明體制改革 names the area
    assert preview["errors"] == []


def test_what_the_reader_cannot_place_is_listed_never_dropped(city):
    with override("en"):
        preview = check(city, docs.docx(docs.UNPLACED)).preview(city.office)

    unplaced = preview["unplaced"]
    assert [n["title"] for n in unplaced["no_lead"]] == ["推进要素市场化配置改革"]
    # A unit clause alone after an item that already named its units, and a sentence
    # with units and a deadline outside the numbering: both read like items.
    assert [s["text"] for s in unplaced["loose"]] == [
        "（市财政局牵头）",
        "另外，推进农村信用体系建设，2022年10月底前完成（市发展改革局负责）。",
    ]
    assert [u["text"] for u in unplaced["unread"]] == ["春节前完成清产核资"]
    assert [o["text"] for o in preview["others"]] == ["惠州市2022年改革工作要点"]
    assets = drafts_of(preview)["深化农村集体产权制度改革"]
    assert assets["deadline"]["assumed"] and assets["unread"][0]["text"] == "春节前完成清产核资"
    assert any("No lead unit" in e["message"] for e in preview["errors"])
    assert preview["counts"]["create"] == 2


def test_the_clerk_edits_merges_splits_drops_and_takes_a_paragraph(city):
    data = docs.docx(docs.TREE)
    first = check(city, data).preview(city.office)
    keys = {d["title"]: d["key"] for d in first["drafts"]}
    soe, investment = keys["深化国有企业改革"], keys["推进投资审批制度改革"]
    growth = keys["地区生产总值增长6.2%左右，一般公共预算收入增长5%"]
    health = keys["深化医药卫生体制改革"]

    answered = check(
        city,
        data,
        decisions={
            "items": {
                soe: {"title": "深化国企改革", "lead": str(city.czj.pk), "deadline": "2022-11-30"},
                growth: {"split": "2"},
                health: {"absorb": investment},
            },
            "drop": {f"{growth}+2": "1"},
        },
    ).preview(city.office)

    by_key = {d["key"]: d for d in answered["drafts"]}
    edited = by_key[soe]
    assert edited["title"] == "深化国企改革" and edited["lead_unit"]["id"] == city.czj.pk
    assert edited["deadline"]["date"] == "2022-11-30"
    assert by_key[growth]["title"] == "地区生产总值增长6.2%左右，一般公共预算收入增长5%"
    assert by_key[f"{growth}+2"]["status"] == "dropped"
    assert by_key[investment]["status"] == "merged"
    merged = by_key[health]
    assert merged["title"] == "深化医药卫生体制改革" and merged["merged"] == [investment]
    assert merged["lead"] == ["惠阳区"] and merged["helping"][:2] == ["市发展改革局", "市财政局"]
    assert merged["deadline"]["date"] == "2022-09-30"  # the later of 上半年 and 9月30日
    assert answered["counts"]["create"] == 3


def test_confirmed_once_the_tasks_keep_their_paragraph_and_the_document_and_again_nothing(
    city, client_for
):
    data = docs.docx(docs.TREE)
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0

    counts = work_points.work_points_import(
        data=data, file_name="要点.docx", office=city.office, year=2022, by=city.office_staff
    )

    assert counts["created"] == 4 and counts["points"] == 4
    tasks = {t.title: t for t in Task.objects.filter(office=city.office, year=2022)}
    soe = tasks["深化国有企业改革"]
    assert soe.lead_unit == city.gzw and soe.deadline == dt.date(2022, 12, 31)
    assert set(soe.helping_units.all()) == {city.czj, city.huiyang, city.boluo}
    assert soe.area == city.economy and soe.start_date == dt.date(2022, 1, 1)
    assert soe.work_point.text.startswith("1. 深化国有企业改革。完善国资监管体制")
    assert soe.work_point.heading == "经济体制改革 › 深化国资国企改革"
    programme = soe.work_point.programme
    assert (programme.title, programme.document_no, programme.issued_on) == (
        docs.TITLE,
        "惠市改〔2022〕3号",
        dt.date(2022, 3, 15),
    )
    document = soe.work_point.document
    assert document.original_name == "要点.docx" and document.file.read() == data
    growth = tasks["地区生产总值增长6.2%左右，一般公共预算收入增长5%"]
    assert "一般公共预算收入增长5%" in growth.title + growth.description
    verbs = list(AuditRecord.objects.filter(id__gt=before).values_list("verb", flat=True))
    assert verbs.count("task.created") == 4
    assert {"work_programme.created", "work_points.recorded", "import.work_points"} <= set(verbs)

    # The task's page shows its basis and offers the document to those who see the task.
    page = client_for(city.office_staff).get(reverse("ledger:task", args=[soe.pk]))
    html = page.content.decode()
    assert 'data-testid="basis-paragraph"' in html and "完善国资监管体制" in html
    url = reverse("ledger:work_point_document", args=[soe.pk, document.pk])
    assert url in html
    download = client_for(city.office_staff).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert AuditRecord.objects.filter(verb="work_points.document_downloaded").count() == 1

    # The same document again changes nothing and writes nothing.
    state = ledger_state()
    again = work_points.work_points_import(
        data=data, file_name="再次.docx", office=city.office, year=2022, by=city.office_staff
    )
    assert again["created"] == 0 and again["matched"] == 4
    assert ledger_state() == state
    assert WorkPoint.objects.count() == 4 and ProgrammeDocument.objects.count() == 1


def test_the_document_is_served_only_to_those_who_may_see_the_task(
    city, client_for, boluo_liaison, outsider
):
    work_points.work_points_import(
        data=docs.docx(docs.TREE),
        file_name="要点.docx",
        office=city.office,
        year=2022,
        by=city.office_staff,
    )
    health = Task.objects.get(title="深化医药卫生体制改革")  # 惠阳区 leads it
    url = reverse("ledger:work_point_document", args=[health.pk, health.work_point.document_id])

    assert client_for(boluo_liaison).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    other = Task.objects.get(code="2016-003")  # no document of its own
    wrong = reverse("ledger:work_point_document", args=[other.pk, health.work_point.document_id])
    assert client_for(city.office_staff).get(wrong).status_code == 404


def test_an_unknown_unit_resolved_once_is_remembered_and_a_bad_draft_refuses_all(city):
    data = docs.docx(docs.LABELLED)
    state = ledger_state()
    with pytest.raises(ImportRefused):
        work_points.work_points_import(
            data=data, file_name="方案.docx", office=city.office, year=2022, by=city.office_staff
        )
    assert ledger_state() == state and not Task.objects.filter(year=2022).exists()

    counts = work_points.work_points_import(
        data=data,
        file_name="方案.docx",
        office=city.office,
        year=2022,
        by=city.office_staff,
        decisions={"units": {"市政数局": city.zsj.pk}},
    )

    assert counts["created"] == 2 and counts["aliases"] == 1
    assert UnitAlias.objects.filter(alias="市政数局", unit=city.zsj).exists()
    assert Task.objects.get(title="推进数字政府建设").lead_unit == city.zsj


def test_a_heading_taken_as_a_parent_task_gets_its_items_as_sub_tasks(city):
    data = docs.docx(docs.TREE)
    first = check(city, data).preview(city.office)
    heading = next(h for h in first["headings"] if h["name"] == "深化国资国企改革")

    counts = work_points.work_points_import(
        data=data,
        file_name="要点.docx",
        office=city.office,
        year=2022,
        by=city.office_staff,
        decisions={"headings": {heading["key"]: "parent"}},
    )

    assert counts["created"] == 5
    parent = Task.objects.get(title="深化国资国企改革")
    assert parent.lead_unit == city.gzw  # from its first item
    assert {t.title for t in parent.subtasks.all()} == {"深化国有企业改革", "推进投资审批制度改革"}


def test_a_pdf_and_pasted_text_read_as_the_word_file_does(city):

    text = "\n".join(p if isinstance(p, str) else "".join(p) for p in docs.TREE).encode()
    pasted = check(city, text, name="粘贴.txt").preview(city.office)
    assert [d["title"] for d in pasted["drafts"]] == [
        d["title"] for d in check(city, docs.docx(docs.TREE)).preview(city.office)["drafts"]
    ]
    if pdf.soffice_path() is None:
        pytest.skip("needs LibreOffice to make the PDF")
    made = pdf.docx_to_pdf(docs.docx(docs.TREE))
    preview = check(city, made, name="要点.pdf").preview(city.office)
    drafts = drafts_of(preview)
    assert set(drafts) == set(drafts_of(pasted))
    assert drafts["深化国有企业改革"]["lead"] == ["市国资委"]
    assert drafts["推进投资审批制度改革"]["helping"] == ["市级各有关部门", "各县（区）政府"]


def test_files_that_are_not_documents_are_refused_before_they_are_read(city):
    with pytest.raises(ImportRefused, match="Word"):
        check(city, b"PK\x03\x04 not a zip", name="要点.docx")
    with pytest.raises(ImportRefused):
        check(city, b"%PDF-1.4 broken", name="要点.pdf")
    with pytest.raises(ImportRefused):
        check(city, b"MZ\x90\x00", name="要点.exe")


def test_the_check_costs_the_same_queries_for_ten_items_and_for_a_hundred(city):
    small, large = docs.many_items(10), docs.many_items(100)
    check(city, small)  # warm the caches that hold for the whole process
    with CaptureQueriesContext(connection) as ten:
        check(city, small).preview(city.office)
    with CaptureQueriesContext(connection) as hundred:
        check(city, large).preview(city.office)
    assert len(ten) == len(hundred)


def test_a_long_document_is_read_on_the_queue_with_the_progress_bar(city, client_for, monkeypatch):
    started = []
    monkeypatch.setattr(jobs, "HUEY", False)
    monkeypatch.setattr(
        jobs.threading, "Thread", lambda target, args, daemon: started.append(args) or _Idle()
    )
    client = client_for(city.office_staff)
    data = docs.many_items(300)
    assert len(data) > work_points.INLINE_BYTES

    response = client.post(
        reverse("ledger:work_points_import"),
        {"office": city.office.pk, "year": 2022, "file": SimpleUploadedFile("要点.docx", data)},
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and started == [(job.pk,)]
    assert job.status == ImportJob.Status.QUEUED  # the page did not wait for the reading
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-progress"' in page and "hx-trigger" in page

    seen = []
    read = work_points.read_work_points

    def reading(*args, progress, **kwargs):
        def recorded(done, total):
            seen.append(done)
            progress(done, total)

        return read(*args, progress=recorded, **kwargs)

    monkeypatch.setattr(work_points, "read_work_points", reading)
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REVIEW
    assert job.preview["counts"]["items"] == 300 and len(job.preview["drafts"]) == 300
    assert job.preview["errors"] == []
    # The bar moved while it read: paragraph by paragraph, up to the whole document.
    assert len(seen) > 5 and seen == sorted(seen) and job.total == seen[-1] > 300


class _Idle:
    def start(self):
        return None


def test_the_pages_and_the_api_lead_through_the_same_steps(city, client_for):
    from django.test import Client

    from reformledger.accounts import services as accounts

    _token, raw = accounts.token_create(by=city.office_staff, name="省平台", expires_at=None)
    system = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    created = system.post(
        "/api/v1/imports/work-points/",
        {"office": city.office.pk, "year": 2022, "text": "\n".join(docs.LABELLED)},
    )
    assert created.status_code == 201, created.content
    job = created.json()
    assert job["kind"] == "work_points" and job["status"] == "review"
    assert job["preview"]["counts"]["create"] == 2 and job["preview"]["errors"]
    assert system.post(f"/api/v1/import-jobs/{job['id']}/confirm/").status_code == 409
    decided = system.post(
        f"/api/v1/import-jobs/{job['id']}/decide/",
        {"decisions": {"units": {"市政数局": city.zsj.pk}}},
        content_type="application/json",
    ).json()
    assert decided["preview"]["errors"] == []
    done = system.post(f"/api/v1/import-jobs/{job['id']}/confirm/").json()
    assert done["status"] == "succeeded" and done["summary"]["created"] == 2
    assert (
        system.post(
            "/api/v1/imports/work-points/", {"office": city.office.pk, "year": 2022}
        ).status_code
        == 400
    )

    # The pages: the upload, the preview with each draft, and the page editing one.
    client = client_for(city.office_staff)
    response = client.post(
        reverse("ledger:work_points_import"),
        {"office": city.office.pk, "year": 2022, "text": "\n".join(docs.UNPLACED)},
    )
    page_job = ImportJob.objects.filter(kind="work_points").latest("pk")
    assert response.status_code == 302 and page_job.status == ImportJob.Status.REVIEW
    html = client.get(reverse("exchange:job", args=[page_job.pk])).content.decode()
    assert 'data-testid="preview-unplaced"' in html and "春节前完成清产核资" in html
    assert html.count('data-testid="draft-row"') == 2
    key = page_job.preview["drafts"][0]["key"]
    edit = client.get(reverse("ledger:work_points_draft", args=[page_job.pk, key]))
    assert edit.status_code == 200 and 'data-testid="draft-form"' in edit.content.decode()
