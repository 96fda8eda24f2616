"""The lists through the API: who sees which edition, the acts (publish, correct, remove,
review, import), the comparison and the Excel files, and the public part open without
a token."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from reformledger.audit.models import AuditRecord
from reformledger.catalog.choices import EditionStatus, ListKind, PartStatus
from reformledger.catalog.models import Edition, Item, Part
from reformledger.catalog.tests.conftest import make_edition
from reformledger.catalog.tests.sheets import workbook

JSON = "application/json"
NAMES = {i: f"事项{i}" for i in range(40)}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def two_editions(world):
    """2015 and 2016 editions of the city's lists, both published. Against 2015, 2016
    has lost the licensing item P-0001, renamed P-0002, rewritten P-0003's basis and
    added the service S-0003."""
    old = make_edition(world, year=2015, powers=4, services=2, names=NAMES)
    new = make_edition(
        world,
        year=2016,
        powers=4,
        services=3,
        previous=old,
        names={**NAMES, 1: "事项1（新名称）"},
    )
    Item.objects.filter(edition=new, code="P-0001").delete()
    Item.objects.filter(edition=new, code="P-0003").update(basis="《惠州市管理条例》（2016年修订）")
    return old, new


# --- who sees what ---------------------------------------------------------------------


def test_a_department_liaison_sees_only_the_editions_holding_its_part(
    world, fgj_liaison, office_staff, client_for
):
    city = make_edition(world, year=2016, published=False)
    county = make_edition(world, year=2016, jurisdiction=world.huiyang, published=False)
    Part.objects.filter(edition=county, department=world.fgj).delete()

    liaison = client_for(fgj_liaison)
    assert _ids(liaison.get("/api/v1/lists/editions/")) == {city.pk}
    assert liaison.get(f"/api/v1/lists/editions/{county.pk}/").status_code == 404
    items = liaison.get("/api/v1/lists/items/", {"edition": county.pk})
    assert _ids(items) == set()
    assert _ids(client_for(office_staff).get("/api/v1/lists/editions/")) == {city.pk, county.pk}


@pytest.mark.parametrize("persona", ["evaluator", "outsider", "huiyang_liaison"])
def test_an_evaluator_an_outsider_or_another_unit_sees_no_edition(
    request, world, client_for, persona
):
    edition = make_edition(world, year=2016)
    client = client_for(request.getfixturevalue(persona))
    assert _ids(client.get("/api/v1/lists/editions/")) == set()
    assert _ids(client.get("/api/v1/lists/items/")) == set()
    assert _ids(client.get("/api/v1/lists/parts/")) == set()
    for path in ("", "comparison/", "xlsx/"):
        assert client.get(f"/api/v1/lists/editions/{edition.pk}/{path}").status_code == 404


def test_anonymous_reads_the_public_part_only_and_never_a_draft(world):
    published = make_edition(world, year=2015, names=NAMES)
    draft = make_edition(world, year=2016, published=False)
    anonymous = Client()
    for path in ("lists/editions/", "lists/items/", f"lists/editions/{published.pk}/"):
        assert anonymous.get(f"/api/v1/{path}").status_code in (401, 403)

    editions = anonymous.get("/api/v1/public/lists/editions/")
    assert _ids(editions) == {published.pk}
    assert anonymous.get(f"/api/v1/public/lists/editions/{draft.pk}/").status_code == 404
    row = editions.json()["results"][0]
    assert row["jurisdiction"] == "惠州市" and row["power_items"] == 6
    # Names, never the ledger's ids of offices, departments, people or tasks.
    assert not {"office", "task", "published_by", "created_by", "version"} & set(row)

    items = anonymous.get("/api/v1/public/lists/items/", {"q": "事项1", "list_kind": "power"})
    found = items.json()["results"]
    assert [i["name"] for i in found] == ["事项1"]
    assert found[0]["department"] == "市市场监督管理局" and found[0]["item_type"] == "行政处罚"
    assert not {"part", "source_row", "version"} & set(found[0])
    drafts = anonymous.get("/api/v1/public/lists/items/", {"edition": draft.pk})
    assert _ids(drafts) == set()
    by_department = anonymous.get("/api/v1/public/lists/items/", {"department": "发展改革"})
    assert {i["department"] for i in by_department.json()["results"]} == {"市发展改革局"}
    licensing = anonymous.get("/api/v1/public/lists/items/", {"type": "licensing"})
    assert {i["item_type"] for i in licensing.json()["results"]} == {"行政许可"}


def test_the_public_part_is_rate_limited_per_address(world, settings):
    settings.RL_PUBLIC_RATE = "3/m"
    anonymous = Client()
    answers = [anonymous.get("/api/v1/public/lists/editions/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


# --- the acts -----------------------------------------------------------------------------


def test_an_office_leader_publishes_an_edition_and_the_act_is_audited(world, director, client_for):
    edition = make_edition(world, year=2016, published=False)
    answer = client_for(director).post(
        f"/api/v1/lists/editions/{edition.pk}/publish/",
        {"published_on": "2016-07-01", "document_no": "惠府〔2016〕35号", "version": 1},
        content_type=JSON,
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["document_no"], body["published_on"]) == (
        "published",
        "惠府〔2016〕35号",
        "2016-07-01",
    )
    assert answer["ETag"] == f'"{body["version"]}"'
    record = AuditRecord.objects.get(verb="catalog.edition_published")
    assert record.actor == director and record.obj_id == str(edition.pk)
    again = client_for(director).post(
        f"/api/v1/lists/editions/{edition.pk}/publish/",
        {"published_on": "2016-07-01", "document_no": "惠府〔2016〕35号"},
        content_type=JSON,
    )
    assert again.status_code == 409  # published: frozen, not a matter of role


def test_office_staff_may_not_publish(world, office_staff, client_for):
    edition = make_edition(world, year=2016, published=False)
    answer = client_for(office_staff).post(
        f"/api/v1/lists/editions/{edition.pk}/publish/", {}, content_type=JSON
    )
    assert answer.status_code == 403  # before the body is read
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.DRAFT
    assert AuditRecord.objects.filter(verb="access.denied", actor=office_staff).exists()


def test_publishing_with_a_part_awaiting_review_is_a_409_naming_it(world, director, client_for):
    edition = make_edition(world, year=2016, published=False)
    Part.objects.filter(edition=edition, department=world.fgj, list_kind=ListKind.POWER).update(
        status=PartStatus.IMPORTED
    )
    with translation.override("en"):
        answer = client_for(director).post(
            f"/api/v1/lists/editions/{edition.pk}/publish/",
            {"published_on": "2016-07-01", "document_no": "惠府〔2016〕35号"},
            content_type=JSON,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert answer.status_code == 409
    assert "市发展改革局" in answer.json()["detail"]
    assert Edition.objects.get(pk=edition.pk).status == EditionStatus.DRAFT


def test_an_item_correction_names_the_version_it_read(world, office_staff, client_for):
    edition = make_edition(world, year=2016, published=False)
    item = Item.objects.get(edition=edition, code="P-0001")
    client = client_for(office_staff)
    url = f"/api/v1/lists/items/{item.pk}/"
    read = client.get(url)
    assert read["ETag"] == '"1"'

    fixed = client.patch(url, {"name": "企业投资项目核准", "version": 1}, content_type=JSON)
    assert fixed.status_code == 200, fixed.content
    assert (fixed.json()["name"], fixed.json()["version"], fixed["ETag"]) == (
        "企业投资项目核准",
        2,
        '"2"',
    )
    assert Part.objects.get(pk=item.part_id).status == PartStatus.IMPORTED  # to review again

    stale = client.patch(url, {"name": "旧的改法", "version": 1}, content_type=JSON)
    assert stale.status_code == 409
    stale_header = client.patch(url, {"name": "旧的改法"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert stale_header.status_code == 412
    blind = client.patch(url, {"name": "旧的改法"}, content_type=JSON)
    assert blind.status_code == 428
    service_field = client.patch(url, {"fees": "免费", "version": 2}, content_type=JSON)
    assert service_field.status_code == 400 and "fees" in service_field.json()
    assert Item.objects.get(pk=item.pk).name == "企业投资项目核准"


def test_items_of_a_published_edition_no_longer_change(world, office_staff, client_for):
    edition = make_edition(world, year=2016)
    item = Item.objects.get(edition=edition, code="P-0001")
    client = client_for(office_staff)
    patched = client.patch(
        f"/api/v1/lists/items/{item.pk}/", {"name": "改", "version": 1}, content_type=JSON
    )
    removed = client.post(
        f"/api/v1/lists/items/{item.pk}/remove/", {"reason": "取消"}, content_type=JSON
    )
    assert (patched.status_code, removed.status_code) == (409, 409)
    assert Item.objects.filter(pk=item.pk, name=item.name).exists()


def test_the_office_removes_an_item_with_its_reason_and_reviews_the_part(
    world, office_staff, client_for
):
    edition = make_edition(world, year=2016, published=False)
    item = Item.objects.get(edition=edition, code="P-0001")
    client = client_for(office_staff)
    no_reason = client.post(f"/api/v1/lists/items/{item.pk}/remove/", {}, content_type=JSON)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    removed = client.post(
        f"/api/v1/lists/items/{item.pk}/remove/", {"reason": "已取消"}, content_type=JSON
    )
    assert removed.status_code == 204
    assert not Item.objects.filter(pk=item.pk).exists()
    assert AuditRecord.objects.get(verb="catalog.item_removed").reason == "已取消"

    part = Part.objects.get(pk=item.part_id)
    assert part.status == PartStatus.IMPORTED
    reviewed = client.post(f"/api/v1/lists/parts/{part.pk}/review/")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    assert client.post(f"/api/v1/lists/parts/{part.pk}/review/").status_code == 409


def test_the_office_starts_and_renames_an_edition(world, office_staff, client_for):
    old = make_edition(world, year=2015)
    client = client_for(office_staff)
    made = client.post(
        "/api/v1/lists/editions/",
        {"office": world.office.pk, "jurisdiction": world.city.pk, "year": 2016},
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["previous"], body["version"]) == ("draft", old.pk, 1)
    renamed = client.patch(
        f"/api/v1/lists/editions/{body['id']}/",
        {"title": "惠州市权责清单（2016年版）"},
        content_type=JSON,
        HTTP_IF_MATCH=made["ETag"],
    )
    assert renamed.status_code == 200 and renamed.json()["title"] == "惠州市权责清单（2016年版）"
    twice = client.post(
        "/api/v1/lists/editions/",
        {"office": world.office.pk, "jurisdiction": world.city.pk, "year": 2016},
        content_type=JSON,
    )
    assert twice.status_code == 400 and "year" in twice.json()


# --- import ---------------------------------------------------------------------------------

FGJ = "一、市发展改革局（共{n}项）"


def _upload(client, edition, data: bytes, name="发改局权责清单.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(
        f"/api/v1/lists/editions/{edition.pk}/import/",
        {"file": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_departments_sheet_is_imported_whole_or_refused_with_every_error(
    world, office_staff, client_for
):
    edition = make_edition(world, year=2016, powers=0, services=0, published=False)
    client = client_for(office_staff)
    items = [
        {"code": "XK001", "name": "企业投资项目核准", "type": "行政许可", "body": "市发展改革局"},
        {"code": "CF001", "name": "对价格违法行为的处罚", "type": "行政处罚"},
    ]
    good = workbook(power=("惠州市市级权责清单（2016年版）", [(FGJ.format(n=2), items)]))
    answer = _upload(client, edition, good)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"parts_written": 1, "parts_unchanged": 0, "items": 2, "sub_items": 0}
    assert set(Item.objects.filter(edition=edition).values_list("code", flat=True)) == {
        "XK001",
        "CF001",
    }
    assert _upload(client, edition, good).json()["parts_unchanged"] == 1  # nothing rewritten

    bad_items = [{**items[0], "type": "不存在的类型"}, {"code": "CF002", "name": ""}]
    bad = workbook(power=("惠州市市级权责清单（2016年版）", [(FGJ.format(n=2), bad_items)]))
    refused = _upload(client, edition, bad)
    assert refused.status_code == 400, refused.content
    errors = refused.json()["errors"]
    assert errors and all({"sheet", "row", "column", "text"} <= set(e) for e in errors)
    assert {e["sheet"] for e in errors} == {"权责清单"}
    assert all(e["row"] for e in errors)
    assert set(Item.objects.filter(edition=edition).values_list("code", flat=True)) == {
        "XK001",
        "CF001",
    }


def test_a_liaison_may_not_import(world, fgj_liaison, client_for):
    edition = make_edition(world, year=2016, published=False)
    answer = _upload(client_for(fgj_liaison), edition, b"PK\x03\x04 not read")
    assert answer.status_code == 403


# --- the comparison and the files -------------------------------------------------------------


def test_the_comparison_gives_the_figures_of_two_editions(two_editions, office_staff, client_for):
    old, new = two_editions
    with translation.override("en"):
        answer = client_for(office_staff).get(
            f"/api/v1/lists/editions/{new.pk}/comparison/", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    summary = body["summary"]
    assert (summary["old_edition"], summary["new_edition"]) == (old.pk, new.pk)
    assert summary["counts"] == {
        "removed": 1,
        "added": 1,
        "renamed": 1,
        "changed": 1,
        "moved": 0,
        "delegated": 0,
    }
    assert summary["sentence"] == (
        "Compared with the previous edition, 1 administrative approval item fewer, "
        "1 public service item more."
    )
    assert (summary["approval"]["old"], summary["approval"]["new"]) == (1, 0)
    assert summary["lists"]["service"]["net"] == 1
    changes = {c["code"]: c for c in body["results"]}
    assert body["count"] == 4
    assert changes["P-0001"]["kinds"] == ["removed"]
    assert changes["S-0003"]["kinds"] == ["added"]
    assert (changes["P-0002"]["old_name"], changes["P-0002"]["name"]) == (
        "事项1",
        "事项1（新名称）",
    )
    assert [f["field"] for f in changes["P-0003"]["fields"]] == ["basis"]

    paged = client_for(office_staff).get(
        f"/api/v1/lists/editions/{new.pk}/comparison/", {"page_size": 3, "page": 2}
    )
    assert len(paged.json()["results"]) == 1 and paged.json()["count"] == 4
    backwards = client_for(office_staff).get(
        f"/api/v1/lists/editions/{old.pk}/comparison/", {"with": new.pk}
    )
    assert backwards.json()["summary"]["counts"]["added"] == 1  # P-0001 comes back
    first = client_for(office_staff).get(f"/api/v1/lists/editions/{old.pk}/comparison/")
    assert first.status_code == 400 and "with" in first.json()


def test_the_public_comparison_is_with_the_previous_published_edition(two_editions):
    old, new = two_editions
    answer = Client().get(f"/api/v1/public/lists/editions/{new.pk}/comparison/")
    assert answer.status_code == 200
    assert answer.json()["summary"]["counts"]["removed"] == 1
    assert Client().get(f"/api/v1/public/lists/editions/{old.pk}/comparison/").status_code == 404


def _cells(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]


def test_the_edition_and_the_comparison_come_out_as_workbooks(
    two_editions, office_staff, client_for
):
    _old, new = two_editions
    client = client_for(office_staff)
    edition = client.get(f"/api/v1/lists/editions/{new.pk}/xlsx/")
    assert edition.status_code == 200
    assert edition["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = _cells(edition.content)
    names = Item.objects.filter(edition=new).values_list("name", flat=True)
    assert set(names) <= set(cells)
    assert "事项0" not in cells  # P-0001 was taken out of 2016

    comparison = client.get(f"/api/v1/lists/editions/{new.pk}/comparison-xlsx/")
    assert comparison.status_code == 200
    cells = _cells(comparison.content)
    assert {"事项0", "事项1（新名称）", "事项6"} <= set(cells)
    exports = AuditRecord.objects.filter(verb="export.created", actor=office_staff)
    assert exports.count() == 2


# --- a fixed number of queries -----------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url, params or {})
    assert answer.status_code == 200, answer.content
    return len(ctx.captured_queries)


def test_the_edition_and_part_lists_run_the_same_queries_for_3_and_30_rows(
    world, office_staff, client_for
):
    client = client_for(office_staff)
    for year in range(2001, 2004):
        make_edition(world, year=year, powers=1, services=1, n_departments=1)
    urls = ["/api/v1/lists/editions/", "/api/v1/lists/parts/", "/api/v1/public/lists/editions/"]
    few = [_queries(client, url) for url in urls]
    for year in range(2004, 2031):
        make_edition(world, year=year, powers=1, services=1, n_departments=1)
    assert Edition.objects.count() == 30
    assert [_queries(client, url) for url in urls] == few


def test_the_item_lists_run_the_same_queries_for_3_and_30_rows(world, office_staff, client_for):
    client = client_for(office_staff)
    small = make_edition(world, year=2015, powers=2, services=1)
    urls = ["/api/v1/lists/items/", "/api/v1/public/lists/items/", "/api/v1/lists/item-types/"]
    few = [_queries(client, url, {"edition": small.pk}) for url in urls[:2]]
    few.append(_queries(client, urls[2]))
    big = make_edition(world, year=2016, powers=20, services=10, sub_items=3)
    many = [_queries(client, url, {"edition": big.pk}) for url in urls[:2]]
    many.append(_queries(client, urls[2]))
    assert many == few


def test_the_comparison_runs_the_same_queries_whatever_the_size(world, office_staff, client_for):
    client = client_for(office_staff)
    make_edition(world, year=2015, powers=2, services=1)
    new = make_edition(world, year=2016, powers=3, services=1)
    few = _queries(client, f"/api/v1/lists/editions/{new.pk}/comparison/")
    bigger_old = make_edition(world, year=2017, powers=30, services=10, previous=new)
    bigger = make_edition(world, year=2018, powers=25, services=20, previous=bigger_old)
    assert _queries(client, f"/api/v1/lists/editions/{bigger.pk}/comparison/") == few


def test_published_on_is_a_date(world, director, client_for):
    edition = make_edition(world, year=2016, published=False)
    answer = client_for(director).post(
        f"/api/v1/lists/editions/{edition.pk}/publish/",
        {"published_on": "七月一日", "document_no": "惠府〔2016〕35号"},
        content_type=JSON,
    )
    assert answer.status_code == 400 and "published_on" in answer.json()
    assert Edition.objects.get(pk=edition.pk).published_on is None
