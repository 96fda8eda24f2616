"""The lists' office pages: import through a preview, review, correct, publish after a
confirmation, compare, and the task's page showing its deliverable."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from reformledger.audit.models import AuditRecord
from reformledger.catalog import services
from reformledger.catalog.choices import EditionStatus, PartStatus
from reformledger.catalog.models import Edition, Item, Part
from reformledger.catalog.services.imports import lists_import
from reformledger.catalog.tests.test_import import _2015, _2016, _edition
from reformledger.catalog.tests.test_import import depts as depts  # the fixture
from reformledger.exchange.models import ImportJob
from reformledger.ledger.selectors.next_acts import next_acts

pytestmark = pytest.mark.usefixtures("depts")


@pytest.fixture
def two(world, director):
    old = _edition(world, 2015)
    lists_import(by=world.office_staff, edition=old, data=_2015(), file_name="2015.xlsx")
    for part in Part.objects.filter(edition=old):
        services.part_review(by=world.office_staff, part=part)
    services.edition_publish(
        by=director, edition=old, published_on=dt.date(2015, 9, 30), document_no="惠府〔2015〕9号"
    )
    new = services.edition_create(
        by=world.office_staff,
        office=world.office,
        jurisdiction=world.city,
        year=2016,
        task=world.task_helped,
    )
    lists_import(by=world.office_staff, edition=new, data=_2016(), file_name="2016.xlsx")
    return Edition.objects.get(pk=old.pk), Edition.objects.get(pk=new.pk)


def test_office_staff_import_through_a_preview_and_confirm(world, client_for):
    edition = _edition(world, 2016)
    client = client_for(world.office_staff)
    upload = SimpleUploadedFile("2016.xlsx", _2016())
    response = client.post(reverse("catalog:import", args=[edition.pk]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.url == reverse("exchange:job", args=[job.pk])
    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()
    assert 'data-testid="preview-parts"' in page and "市发展改革局" in page
    assert Item.objects.count() == 0  # nothing before the confirmation
    client.post(reverse("exchange:job_confirm", args=[job.pk]))
    assert Item.objects.filter(edition=edition, parent=None).count() == 12
    assert AuditRecord.objects.filter(verb="catalog.part_imported").count() == 4


def test_publishing_asks_to_confirm_showing_the_parts_and_the_sentence(
    world, two, director, client_for
):
    _old, new = two
    client = client_for(director)
    detail = client.get(reverse("catalog:edition", args=[new.pk])).content.decode()
    assert 'data-testid="publish-why"' in detail  # parts await review
    for part in Part.objects.filter(edition=new):
        client_for(world.office_staff).post(reverse("catalog:part_review", args=[part.pk]))
    assert set(Part.objects.filter(edition=new).values_list("status", flat=True)) == {
        PartStatus.REVIEWED
    }
    # The director's next act leads to the confirmation.
    acts = next_acts(director)
    group = acts.of("list_edition_publish")
    assert [a.url for a in group.items] == [reverse("catalog:publish", args=[new.pk])]
    with translation.override("zh-hans"):
        page = client.get(reverse("catalog:publish", args=[new.pk])).content.decode()
    assert 'data-testid="rests-on"' in page
    assert "增加行政审批事项1项" in page
    assert Edition.objects.get(pk=new.pk).status == EditionStatus.DRAFT
    response = client.post(
        reverse("catalog:publish", args=[new.pk]),
        {"published_on": "2016-10-28", "document_no": "惠府〔2016〕50号", "version": new.version},
    )
    assert response.status_code == 302
    published = Edition.objects.get(pk=new.pk)
    assert (published.status, published.published_on) == (
        EditionStatus.PUBLISHED,
        dt.date(2016, 10, 28),
    )
    assert AuditRecord.objects.filter(verb="catalog.edition_published", obj_id=str(new.pk)).exists()


def test_office_staff_may_not_publish(world, two, client_for):
    _old, new = two
    response = client_for(world.office_staff).get(reverse("catalog:publish", args=[new.pk]))
    assert response.status_code == 403


def test_correcting_an_item_sends_its_part_back_to_review(world, two, client_for):
    _old, new = two
    item = Item.objects.get(edition=new, code="XK102")
    services.part_review(by=world.office_staff, part=item.part)
    client = client_for(world.office_staff)
    response = client.post(
        reverse("catalog:item", args=[item.pk]),
        {
            "code": "XK102",
            "name": "校车使用许可（含变更）",
            "item_type": item.item_type_id,
            "basis": item.basis,
            "body": item.body,
            "level": item.level,
            "responsibilities": item.responsibilities,
            "accountability": item.accountability,
            "note": "",
            "reason": "表格笔误",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "校车使用许可（含变更）"
    assert item.part.status == PartStatus.IMPORTED
    record = AuditRecord.objects.filter(verb="catalog.item_updated").get()
    assert record.reason == "表格笔误"


def test_the_comparison_page_the_task_page_and_the_excel(world, two, client_for):
    _old, new = two
    client = client_for(world.office_staff)
    with translation.override("zh-hans"):
        page = client.get(reverse("catalog:compare", args=[new.pk])).content.decode()
    assert "与上一版相比，增加行政审批事项1项，增加公共服务事项2项。" in page
    # Every change is a row: 9 items and the sub-item whose (inherited) basis changed.
    assert page.count('data-testid="change-row"') == 10
    task_page = client.get(reverse("ledger:task", args=[world.task_helped.pk])).content.decode()
    assert 'data-testid="task-lists-sentence"' in task_page
    response = client.get(reverse("catalog:compare_xlsx", args=[new.pk]))
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(response.content))
    rows = list(wb.worksheets[1].iter_rows(values_only=True))
    assert any(r[2] == "XK102" for r in rows)


def test_the_edition_excel_reads_back_as_the_same_edition(world, two, client_for):
    """The published layout written by the system imports as itself: nothing changes."""
    _old, new = two
    # A main item with sub-items keeps its own code (主项编码) through the round trip.
    main = Item.objects.get(edition=new, name="固定资产投资项目节能审查")
    services.item_update(by=world.office_staff, item=main, code="XK002")
    data = client_for(world.office_staff).get(reverse("catalog:xlsx", args=[new.pk])).content
    again = lists_import(by=world.office_staff, edition=new, data=data, file_name="back.xlsx")
    assert (again.parts_written, again.parts_unchanged) == (0, 4)


@pytest.mark.parametrize("n", [1, 4])
def test_the_edition_page_runs_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries, n
):
    from reformledger.catalog.tests.sheets import workbook

    items = [{"code": f"A{i}", "name": f"事项{i}", "type": "行政许可"} for i in range(n * 10)]
    edition = _edition(world, 2016)
    lists_import(
        by=world.office_staff,
        edition=edition,
        data=workbook(power=("清单", [("一、市发展改革局", items)])),
        file_name="a.xlsx",
    )
    client = client_for(world.office_staff)
    client.get(reverse("catalog:edition", args=[edition.pk]))
    with django_assert_max_num_queries(40):
        assert client.get(reverse("catalog:edition", args=[edition.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("catalog:list")).status_code == 200


def test_an_outsider_sees_no_edition(world, two, outsider, client_for):
    _old, new = two
    client = client_for(outsider)
    assert client.get(reverse("catalog:edition", args=[new.pk])).status_code in (403, 404)
