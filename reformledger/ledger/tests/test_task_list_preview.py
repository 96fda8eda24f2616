"""Bringing an office's own ledger in: a sheet shaped the way offices keep it goes
through the preview — skipped rows and date readings shown, unknown names resolved
once, the year settled — and then imports all at once; the names resolved are
remembered, so the office's next file needs no answer, and re-importing changes
nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from reformledger.audit.models import AuditRecord
from reformledger.exchange import jobs
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ColumnChoice, ImportJob
from reformledger.exchange.testing import workbook
from reformledger.ledger.models import Task
from reformledger.ledger.services import imports
from reformledger.ledger.tests.conftest import ledger_state
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Person, UnitAlias

TITLE = "惠州市2016年全面深化改革重点项目工作台账"
HEAD_1 = ["序号", "改革任务", "责任单位", None, "责任领导", "完成时限", "进展情况", "备注"]
HEAD_2 = [None, None, "牵头单位", "配合单位", None, None, None, None]


def office_ledger(rows=None) -> bytes:
    """A city ledger as an office keeps it: a title, a "填报单位" line, headers merged
    over two rows, a heading per area, 小计 and 合计 rows and a note at the foot;
    no code, area, deliverable or start column; units abbreviated, leaders by title,
    deadlines as people write them, full-width digits."""
    body = rows or [
        ["一、经济体制改革（共3项）", None, None, None, None, None, None, None],
        [
            1,
            "深化国有企业改革",
            "市发改局",
            "市财政局、各县（区）政府",
            "李副市长",
            "2016年底前",
            "方案已起草",
            None,
        ],
        [2, "推进农村金融改革", "市金融局", "惠阳区", "张副市长", "2016.12", None, None],
        [3, "开展投资项目审批改革", "市发展改革局", None, None, "２０１６年１０月", None, None],
        ["小计", "共3项", None, None, None, None, None, None],
        ["二、生态文明体制改革（共2项）", None, None, None, None, None, None, None],
        [4, "推进水生态文明城市建设", "博罗县", "市直有关单位", "李副市长", "三季度末", None, None],
        [5, "建立河长制", "惠阳区", None, None, "6月底前", None, "试点先行"],
        ["小计", "共2项", None, None, None, None, None, None],
        ["合计", "共5项", None, None, None, None, None, None],
        ["注：1.完成时限以市委改革办文件为准；2.责任单位排名第一的为牵头单位。", *[None] * 7],
    ]
    sheet = [
        [TITLE, *[None] * 7],
        ["填报单位：市委改革办", None, None, None, None, "填报时间：2016年3月", None, None],
        HEAD_1,
        HEAD_2,
        *body,
    ]
    merges = ["A1:H1", "C3:D3", "A5:H5", "A10:H10", f"A{len(sheet)}:H{len(sheet)}"]
    for col in "ABEFGH":
        merges.append(f"{col}3:{col}4")
    return workbook({"2016年台账": sheet}, {"2016年台账": merges})


@pytest.fixture
def city(world):
    """The units and leaders the ledger names, besides the world's."""
    city = world.city
    world.jrj = orgs.unit_create(
        by=None,
        code="HZ-JRJ",
        name="惠州市人民政府金融工作局",
        short_name="市金融工作局",
        kind=UnitKind.DEPARTMENT,
        parent=city,
    )
    world.czj = orgs.unit_create(
        by=None, code="HZ-CZJ", name="市财政局", kind=UnitKind.DEPARTMENT, parent=city
    )
    for name in ("jrj", "czj", "fgj", "huiyang", "boluo", "office", "city"):
        getattr(world, name).refresh_from_db()
    world.li = orgs.person_create(by=None, name="李国强", title="副市长", unit=city)
    return world


def check(world, data, year=2016, decisions=None):
    return imports.task_list_check(
        data=data,
        file_name="台账.xlsx",
        office=world.office,
        year=year,
        by=world.office_staff,
        decisions=decisions,
    )


ANSWERS = {
    "year": 2016,
    "units": {},
    "leaders": {"张副市长": {"name": "张卫东", "title": "副市长"}},
}


def answers(world) -> dict:
    return ANSWERS | {"units": {"市发改局": world.fgj.pk, "市金融局": world.jrj.pk}}


def test_the_preview_lists_skipped_rows_date_readings_and_the_questions(city):
    preview = check(city, office_ledger(), year=2026).preview(city.office)

    skipped = {(s["row"], s["kind"]) for s in preview["skipped"]}
    assert {(5, "section"), (9, "subtotal"), (10, "section"), (13, "subtotal")} <= skipped
    assert (14, "subtotal") in skipped and (15, "note") in skipped
    note = next(s for s in preview["skipped"] if s["kind"] == "note")
    assert note["label"].startswith("注：1.完成时限")
    # The year: the file speaks of 2016 (its title), the form said 2026.
    assert preview["year"] == {
        "year": 2026,
        "chosen": 2026,
        "file": 2016,
        "ask": True,
        "settled": False,
    }
    assert any("2016" in e["message"] and "2026" in e["message"] for e in preview["errors"])
    # Unknown names come with their closest candidates, best first.
    units = {(u["column"], u["text"]): u for u in preview["units"]}
    fgj = units[("lead_unit", "市发改局")]
    assert fgj["status"] == "unknown" and fgj["candidates"][0]["id"] == city.fgj.pk
    jrj = units[("lead_unit", "市金融局")]
    assert jrj["status"] == "unknown" and jrj["candidates"][0]["id"] == city.jrj.pk
    counties = units[("helping_units", "各县（区）政府")]
    assert counties["status"] == "collective"
    assert {u["id"] for u in counties["units"]} == {city.huiyang.pk, city.boluo.pk}
    assert units[("lead_unit", "市发展改革局")]["status"] == "found"
    leaders = {p["text"]: p for p in preview["leaders"]}
    assert leaders["李副市长"]["status"] == "found"
    assert leaders["李副市长"]["person"]["name"] == "李国强"
    assert leaders["张副市长"]["status"] == "unknown"
    # Columns the sheet lacks take defaults the clerk sees; 进展情况 is offered a home.
    assert set(preview["defaults"]) >= {"area", "deliverable_kind", "start_date", "source"}
    assert preview["defaults"]["start_date"]["value"] == "2026-01-01"
    columns = {c["header"]: c for c in preview["sheets"][0]["columns"]}
    assert columns["备注"]["status"] == "not_imported"
    assert columns["进展情况"]["status"] == "not_written"
    assert [o["key"] for o in preview["offers"]] == ["progress_drafts"]
    assert Task.objects.filter(year=2026).count() == 0


def test_each_date_is_read_as_offices_mean_it_and_the_preview_says_how(city):
    preview = check(city, office_ledger(), decisions=answers(city)).preview(city.office)

    read = {d["text"]: (d["date"], d["how"]) for d in preview["dates"]}
    assert read["2016年底前"][0] == "2016-12-31"
    assert read["2016.12"][0] == "2016-12-31"
    assert read["２０１６年１０月"][0] == "2016-10-31"
    assert read["三季度末"][0] == "2016-09-30"
    assert read["6月底前"][0] == "2016-06-30"
    assert all(how for _date, how in read.values())


def test_resolved_once_the_ledger_imports_all_at_once_and_the_names_are_kept(city):
    before = AuditRecord.objects.count()
    result = check(city, office_ledger(), year=2026, decisions=answers(city))
    assert result.errors == []

    counts = imports.task_list_import(
        data=office_ledger(),
        file_name="台账.xlsx",
        office=city.office,
        year=2026,
        by=city.office_staff,
        decisions=answers(city),
    )

    assert counts["created"] == 5 and counts["skipped"] == 6 and counts["aliases"] == 2
    tasks = {t.title: t for t in Task.objects.filter(office=city.office, year=2016)}
    soe = tasks["深化国有企业改革"]
    assert soe.code == "2016-005" and soe.lead_unit == city.fgj  # 2016-001…004 are taken
    assert soe.deadline == dt.date(2016, 12, 31) and soe.start_date == dt.date(2016, 1, 1)
    assert set(soe.helping_units.all()) == {city.czj, city.huiyang, city.boluo}
    assert soe.responsible_leader == city.li and soe.area == city.economy
    rural = tasks["推进农村金融改革"]
    assert rural.lead_unit == city.jrj and rural.responsible_leader.name == "张卫东"
    assert tasks["推进水生态文明城市建设"].deadline == dt.date(2016, 9, 30)
    assert tasks["建立河长制"].deadline == dt.date(2016, 6, 30)
    assert set(UnitAlias.objects.values_list("alias", "unit")) == {
        ("市发改局", city.fgj.pk),
        ("市金融局", city.jrj.pk),
    }
    assert Person.objects.filter(name="张卫东", title="副市长").count() == 1
    record = AuditRecord.objects.filter(verb="import.task_list").latest("id")
    assert record.changes["created"] == [None, 5]
    assert AuditRecord.objects.filter(id__gt=before, verb="unit_alias.added").count() == 2

    # The office's next file names the units the same way: nothing to answer.
    again = check(city, office_ledger(), decisions={"year": 2016})
    assert [e.message for e in again.errors if "unit" in e.message.lower()] == []
    assert {u.status for u in again.changes.units.values()} <= {"found", "collective"}

    # Importing the same file again changes nothing and writes nothing.
    state = ledger_state()
    counts = imports.task_list_import(
        data=office_ledger(),
        file_name="台账.xlsx",
        office=city.office,
        year=2016,
        by=city.office_staff,
        decisions={"year": 2016, "leaders": {"张副市长": "new"}},
    )
    assert counts["created"] == counts["updated"] == 0 and counts["unchanged"] == 5
    assert ledger_state() == state


def test_a_bad_row_still_refuses_the_whole_file_naming_sheet_row_and_column(city):
    rows = [
        ["任务编号", "改革任务", "牵头单位", "开始时间", "完成时限"],
        ["2016-01", "任务甲", "市发展改革局", "2016-03-01", "2016年底前"],
        ["2016-01", "任务乙", "惠阳区", "2016-03-01", "2016年6月"],
        ["2016-03", "任务丙", "博罗县", "2016-09-01", "2016年6月"],
    ]
    data = workbook({"任务": rows})
    state = ledger_state()

    with override("en"), pytest.raises(ImportRefused) as refused:
        imports.task_list_import(
            data=data, file_name="x.xlsx", office=city.office, year=2016, by=city.office_staff
        )

    where = {(e.sheet, e.row, e.column): e.message for e in refused.value.errors}
    assert ("任务", 3, "任务编号 (A)") in where
    assert "2016-01" in where[("任务", 3, "任务编号 (A)")]
    assert where[("任务", 4, "完成时限 (E)")] == "The deadline cannot be before the start date."
    assert ledger_state() == state


def test_rows_of_a_county_ledger_are_left_to_it(city):
    county_office = orgs.unit_create(
        by=None, code="HY-GGB", name="惠阳区委改革办", kind=UnitKind.OFFICE, parent=city.huiyang
    )
    county_office.refresh_from_db()
    Task.objects.filter(pk=city.task_huiyang.pk).update(office=county_office, code="HY-2016-01")
    rows = [
        ["任务编号", "改革任务", "牵头单位", "完成时限"],
        ["HY-2016-01", "惠阳区自己的任务", "惠阳区", "2016年底前"],
        ["2016-90", "市里的新任务", "市发展改革局", "2016年底前"],
    ]

    result = check(city, workbook({"任务": rows}))

    assert [(row.code, office.pk) for row, office in result.changes.other_ledger] == [
        ("HY-2016-01", county_office.pk)
    ]
    assert [c.fields["code"] for c in result.changes.creates] == ["2016-90"]


def test_a_column_mapped_by_hand_is_remembered_for_the_office_next_file(city):
    rows = [
        ["编号", "工作事项", "主抓单位", "完成时限"],
        ["2016-50", "新建一项机制", "惠阳区", "2016年底前"],
    ]
    data = workbook({"任务": rows})
    with override("en"):
        first = check(city, data)
    assert {e.message for e in first.errors} == {
        "The column Reform task is missing.",
        "The column Lead unit is missing.",
    }

    decisions = {"columns": {"任务": {"1": "title", "2": "lead_unit"}}}
    imports.task_list_import(
        data=data,
        file_name="a.xlsx",
        office=city.office,
        year=2016,
        by=city.office_staff,
        decisions=decisions,
    )

    assert set(ColumnChoice.objects.values_list("header", "field")) == {
        ("工作事项", "title"),
        ("主抓单位", "lead_unit"),
    }
    later = workbook({"任务": [rows[0], ["2016-51", "再建一项机制", "博罗县", "2016年底前"]]})
    assert check(city, later).errors == []


def test_the_pages_lead_through_preview_answers_and_confirmation(city, client_for):
    client = client_for(city.office_staff)
    upload = office_ledger()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("ledger:task_list_import"),
        {
            "office": city.office.pk,
            "year": 2016,
            "file": SimpleUploadedFile("台账.xlsx", upload),
        },
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.REVIEW
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert 'data-testid="preview-skipped"' in page and "注：1.完成时限" in page
    assert 'data-testid="confirm-import"' in page and "disabled" in page

    client.post(
        reverse("exchange:job_decide", args=[job.pk]),
        {
            "d|units|市发改局": city.fgj.pk,
            "d|units|市金融局": city.jrj.pk,
            "d|leaders|张副市长": "new",
            "d|new_leaders|张副市长|name": "张卫东",
            "d|new_leaders|张副市长|title": "副市长",
        },
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REVIEW and job.preview["errors"] == []
    assert Task.objects.filter(title="建立河长制").count() == 0  # nothing written yet

    client.post(reverse("exchange:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.summary["created"] == 5
    assert Task.objects.filter(office=city.office, year=2016, title="建立河长制").exists()
    assert job.payload is None


def test_a_preview_with_errors_cannot_be_confirmed(city):
    job = jobs.import_job_create(
        by=city.office_staff,
        kind=imports.TASK_LIST_JOB,
        **imports.task_list_job_params(office=city.office, year=2016),
        file_name="台账.xlsx",
        data=office_ledger(),
        language="en",
    )
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REVIEW and job.preview["errors"]

    with pytest.raises(jobs.JobStateError):
        jobs.import_job_confirm(job=job, by=city.office_staff)
    assert not Task.objects.filter(title="建立河长制").exists()


def test_another_system_imports_through_the_api_in_the_same_two_steps(city):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from reformledger.accounts import services as accounts

    _token, raw = accounts.token_create(by=city.office_staff, name="省平台", expires_at=None)
    system = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")

    created = system.post(
        "/api/v1/imports/task-list/",
        {
            "office": city.office.pk,
            "year": 2016,
            "file": SimpleUploadedFile("l.xlsx", office_ledger()),
        },
    )

    assert created.status_code == 201, created.content
    job = created.json()
    assert job["status"] == "review" and job["preview"]["errors"]
    unknown = {u["text"] for u in job["preview"]["units"] if u["status"] == "unknown"}
    assert unknown == {"市发改局", "市金融局"}
    assert system.post(f"/api/v1/import-jobs/{job['id']}/confirm/").status_code == 409

    decided = system.post(
        f"/api/v1/import-jobs/{job['id']}/decide/",
        {
            "decisions": {
                "units": {"市发改局": city.fgj.pk, "市金融局": city.jrj.pk},
                "leaders": {"张副市长": "new"},
                "new_leaders": {"张副市长": {"name": "张卫东", "title": "副市长"}},
            }
        },
        content_type="application/json",
    ).json()
    assert decided["status"] == "review" and decided["preview"]["errors"] == []
    assert decided["preview"]["counts"]["create"] == 5
    assert not Task.objects.filter(title="建立河长制").exists()

    done = system.post(f"/api/v1/import-jobs/{job['id']}/confirm/").json()

    assert done["status"] == "succeeded" and done["summary"]["created"] == 5
    assert Task.objects.filter(office=city.office, year=2016, title="建立河长制").exists()
    other = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert other.get(f"/api/v1/import-jobs/{job['id']}/").status_code == 200


def test_the_progress_column_becomes_report_drafts_when_the_clerk_takes_the_offer(city):
    from reformledger.ledger import services as ledger
    from reformledger.ledger.models import ProgressReport

    ledger.periods_ensure(office=city.office, year=2026, by=city.office_staff)
    rows = [
        ["任务编号", "改革任务", "牵头单位", "完成时限", "进展情况"],
        ["2026-01", "推进营商环境改革", "惠阳区", "年底前", "已出台实施方案，正在试点。"],
        ["2026-02", "推进数字政府改革", "博罗县", "年底前", None],
    ]
    data = workbook({"任务": rows})
    offer = check(city, data, year=2026).preview(city.office)["offers"][0]
    assert offer["key"] == "progress_drafts" and offer["available"]

    counts = imports.task_list_import(
        data=data,
        file_name="t.xlsx",
        office=city.office,
        year=2026,
        by=city.office_staff,
        decisions={"offers": {"progress_drafts": "1"}},
    )

    assert counts["drafts"] == 1
    report = ProgressReport.objects.get(task__code="2026-01")
    assert report.status == "draft" and report.done == "已出台实施方案，正在试点。"
    assert report.period.start <= timezone.localdate() <= report.period.end
    assert not ProgressReport.objects.filter(task__code="2026-02").exists()


def test_the_progress_sheet_preview_lists_skipped_rows_and_reads_dates(world, client_for):
    from reformledger.ledger import services as ledger
    from reformledger.ledger.documents.progress_sheet import progress_check
    from reformledger.ledger.models import Period

    ledger.periods_ensure(office=world.office, year=2016, by=world.office_staff)
    june = Period.objects.get(office=world.office, year=2016, number=6)
    rows = [
        ["2016年6月进展情况报表", None, None, None],
        ["任务编号", "改革任务", "本期完成情况", "完成进度(%)"],
        ["2016-001", "表格化捆绑式绩效考核改革", "制定考核方案", "３０"],
        ["合计", "共1项", None, None],
        ["注：进度按节点权重计算。", None, None, None],
    ]
    check_ = progress_check(
        data=workbook({"进展": rows}), file_name="p.xlsx", period=june, by=world.office_staff
    )
    from reformledger.ledger.documents.task_list_preview import progress_preview_of

    preview = progress_preview_of(check_)

    assert [(s["row"], s["kind"]) for s in preview["skipped"]] == [(4, "subtotal"), (5, "note")]
    assert preview["counts"]["save"] == 1 and preview["errors"] == []
    assert preview["changes"][0]["percent"] == 30
    assert preview["sheets"][0]["title"] == "2016年6月进展情况报表"


def _exported(world):
    from reformledger.ledger.documents.task_list import write_task_list

    tasks = Task.objects.filter(office=world.office, year=2016)
    return write_task_list(tasks, office=world.office, year=2016)


def _retitle(data: bytes, code: str, title: str) -> bytes:
    from reformledger.exchange.testing import edit_xlsx

    def edit(wb):
        ws = wb.worksheets[0]
        for row in ws.iter_rows(min_row=3):
            if row[0].value == code:
                row[1].value = title

    return edit_xlsx(data, edit)


def test_an_older_export_never_overwrites_a_newer_change_unseen(world, director):
    from reformledger.ledger import services as ledger

    task = world.task_huiyang
    old = _exported(world)
    ledger.task_update(
        task=task, by=world.office_staff, version=task.version, deadline=dt.date(2016, 11, 30)
    )
    stale = _retitle(old, task.code, "旧文件里改的标题")

    with override("en"):
        preview = check(world, stale).preview(world.office)

    assert [c["code"] for c in preview["conflicts"]] == [task.code]
    conflict = preview["conflicts"][0]
    assert (
        conflict["changed_by"] == "office" and conflict["ledger_version"] > conflict["file_version"]
    )
    fields = {f["field"]: (f["file"], f["ledger"]) for f in conflict["fields"]}
    assert fields["Reform task"] == ("旧文件里改的标题", task.title)
    assert fields["Deadline"] == ("2016-12-31", "2016-11-30")  # the file would roll it back
    assert any("changed in the ledger after this file" in e["message"] for e in preview["errors"])

    kept = check(world, stale, decisions={"conflicts": {task.code: "ledger"}})
    assert kept.errors == [] and kept.changes.kept == 1 and kept.changes.updates == []

    taken = check(world, stale, decisions={"conflicts": {task.code: "file"}})
    assert [u.task.code for u in taken.changes.updates] == [task.code]


def test_rows_of_a_closed_task_are_refused_unless_it_is_reopened(world):
    task = world.task_huiyang
    Task.objects.filter(pk=task.pk).update(status="closed")
    data = _retitle(_exported(world), task.code, "销账后又改的标题")

    with override("en"):
        result = check(world, data)

    assert any(e.row and "is closed" in e.message and task.code in e.message for e in result.errors)
    assert _exported(world) and check(world, _exported(world)).errors == []  # unchanged is fine


def test_rows_without_codes_are_matched_by_title_and_the_preview_counts_each(world):
    """A file without a code column: each row whose title is a task's of this ledger
    is that task (counted, one by one), the others get new codes."""
    data = workbook(
        {
            "任务": [
                ["改革任务", "牵头单位"],
                ["表格化捆绑式绩效考核改革", "惠阳区"],
                ["项目审批制度改革", "博罗县"],
                ["商事制度改革", "惠阳区"],
            ]
        }
    )

    counts = check(world, data).preview(world.office)["counts"]

    assert (counts["matched_by_title"], counts["generated_codes"]) == (2, 1)
