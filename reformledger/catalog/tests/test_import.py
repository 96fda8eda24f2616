"""Importing departments' lists from the sheets they publish, and comparing editions."""

import datetime as dt

import pytest
from django.utils import translation

from reformledger.audit.models import AuditRecord
from reformledger.catalog import services
from reformledger.catalog.choices import ChangeKind, ListKind, MatchedBy, PartStatus
from reformledger.catalog.compare import compare_editions
from reformledger.catalog.models import Item, Part
from reformledger.catalog.services.imports import lists_import
from reformledger.catalog.tests.sheets import POWER_HEAD, workbook
from reformledger.exchange.errors import ImportRefused
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import UnitKind

FGJ = "一、市发展改革局（共{n}项）"
JYJ = "二、市教育局（共{n}项）"


@pytest.fixture
def depts(world):
    world.jyj = orgs.unit_create(
        by=None,
        code="HZ-JYJ",
        name="惠州市教育局",
        short_name="市教育局",
        kind=UnitKind.DEPARTMENT,
        parent=world.city,
    )
    world.jyj.refresh_from_db()
    world.city.refresh_from_db()
    return world


def _edition(world, year, previous=None):
    return services.edition_create(
        by=world.office_staff,
        office=world.office,
        jurisdiction=world.city,
        year=year,
        previous=previous,
    )


def _2015():
    fgj = [
        {"code": "XK001", "name": "企业投资项目核准", "type": "行政许可", "body": "市发展改革局"},
        {
            "code": "XK002",
            "name": "固定资产投资项目节能审查",
            "type": "行政许可",
            "subs": [
                {"code": "XK002-1", "name": "年综合能耗1000吨标准煤以上项目"},
                {"code": "XK002-2", "name": "年综合能耗500至1000吨标准煤项目"},
            ],
        },
        {"code": "XK003", "name": "粮食收购资格认定", "type": "行政许可"},
        {
            "code": "CF001",
            "name": "对价格违法行为的处罚",
            "type": "行政处罚",
            "basis": "《中华人民共和国价格法》第三十九条",
        },
        {"code": "", "name": "重点项目稽察", "type": "行政检查"},
    ]
    jyj = [
        {"code": "XK101", "name": "民办学校设立审批", "type": "行政许可"},
        {"code": "QT101", "name": "教师资格认定", "type": "行政确认"},
    ]
    services_ = [
        (
            "一、市发展改革局",
            [
                {"code": "FW001", "name": "价格政策咨询"},
            ],
        ),
        (
            "二、市教育局",
            [
                {"code": "FW101", "name": "学籍查询"},
                {"code": "FW102", "name": "招生政策咨询"},
            ],
        ),
    ]
    return workbook(
        power=("惠州市市级权责清单（2015年版）", [(FGJ.format(n=5), fgj), (JYJ.format(n=2), jyj)]),
        service=("惠州市市级公共服务事项目录（2015年版）", services_),
    )


def _2016():
    fgj = [
        # renamed (same code)
        {
            "code": "XK001",
            "name": "企业投资项目核准（含外商投资）",
            "type": "行政许可",
            "body": "市发展改革局",
        },
        # changed: basis rewritten; a sub-item dropped
        {
            "code": "XK002",
            "name": "固定资产投资项目节能审查",
            "type": "行政许可",
            "basis": "《固定资产投资项目节能审查办法》（国家发展改革委令2016年第44号）",
            "subs": [{"code": "XK002-1", "name": "年综合能耗1000吨标准煤以上项目"}],
        },
        # XK003 removed (cancelled by the province)
        {
            "code": "CF001",
            "name": "对价格违法行为的处罚",
            "type": "行政处罚",
            "basis": "《中华人民共和国价格法》第三十九条",
        },
        # no code in either edition: matched by department and name; passed down
        {"code": "", "name": "重点项目稽察", "type": "行政检查", "level": "下放县（区）实施"},
    ]
    jyj = [
        {"code": "XK101", "name": "民办学校设立审批", "type": "行政许可"},
        # type changed
        {"code": "QT101", "name": "教师资格认定", "type": "行政许可"},
        {"code": "XK102", "name": "校车使用许可", "type": "行政许可"},
    ]
    services_ = [
        (
            "一、市发展改革局",
            [
                {"code": "FW001", "name": "价格政策咨询"},
                {"code": "FW002", "name": "项目代办服务"},
            ],
        ),
        (
            "二、市教育局",
            [
                {"code": "FW101", "name": "学籍查询"},
                {"code": "FW102", "name": "招生政策咨询"},
                {"code": "FW103", "name": "学历证明补办", "limit": "１０个工作日"},
            ],
        ),
    ]
    return workbook(
        power=("惠州市市级权责清单（2016年版）", [(FGJ.format(n=4), fgj), (JYJ.format(n=3), jyj)]),
        service=("惠州市市级公共服务事项目录（2016年版）", services_),
    )


def _publish(world, director, edition, on):
    for part in Part.objects.filter(edition=edition):
        services.part_review(by=world.office_staff, part=part)
    edition.refresh_from_db()
    return services.edition_publish(
        by=director, edition=edition, published_on=on, document_no="惠府〔2016〕1号"
    )


def test_two_editions_imported_from_published_sheets_compare_item_by_item(depts, director):
    world = depts
    old = _edition(world, 2015)
    result = lists_import(by=world.office_staff, edition=old, data=_2015(), file_name="2015.xlsx")
    assert result.parts_written == 4
    assert result.items == 10 and result.sub_items == 2
    # The group rows named the departments; sub-items sit under their main item.
    # A main item with sub-items has no code of its own (the code column is the
    # sub-items'), so it is matched by department and name.
    main = Item.objects.get(edition=old, name="固定资产投资项目节能审查")
    assert main.code == ""
    assert main.department == world.fgj
    assert [s.name for s in main.sub_items.order_by("position")] == [
        "年综合能耗1000吨标准煤以上项目",
        "年综合能耗500至1000吨标准煤项目",
    ]
    assert main.sub_items.first().item_type.name == "行政许可"  # merged type cell inherited
    assert "\n" in Item.objects.get(edition=old, code="XK001").responsibilities
    _publish(world, director, old, dt.date(2015, 9, 30))

    new = _edition(world, 2016)
    assert new.previous == old
    lists_import(by=world.office_staff, edition=new, data=_2016(), file_name="2016.xlsx")
    assert Item.objects.get(edition=new, code="FW103").time_limit == "１０个工作日"

    c = compare_editions(old, new)
    kinds = {(ch.code or ch.name): set(ch.kinds) for ch in c.changes}
    assert kinds["XK001"] == {ChangeKind.RENAMED}
    assert kinds["固定资产投资项目节能审查"] == {ChangeKind.CHANGED}
    assert kinds["XK002-2"] == {ChangeKind.REMOVED}
    assert kinds["XK003"] == {ChangeKind.REMOVED}
    assert kinds["QT101"] == {ChangeKind.CHANGED}
    assert kinds["XK102"] == {ChangeKind.ADDED}
    assert kinds["重点项目稽察"] == {ChangeKind.DELEGATED}
    assert {ch.code for ch in c.of_kind(ChangeKind.ADDED)} == {"XK102", "FW002", "FW103"}
    renamed = c.of_kind(ChangeKind.RENAMED)[0]
    assert (renamed.old_name, renamed.name) == (
        "企业投资项目核准",
        "企业投资项目核准（含外商投资）",
    )
    changed = next(ch for ch in c.changes if ch.name == "固定资产投资项目节能审查")
    assert [f.field for f in changed.fields] == ["basis"]
    assert changed.fields[0].new.startswith("《固定资产投资项目节能审查办法》")
    typed = next(ch for ch in c.changes if ch.code == "QT101")
    assert [(f.field, f.old, f.new) for f in typed.fields] == [
        ("item_type", "行政确认", "行政许可")
    ]
    # The item without a code was matched by department and name, and says so.
    assert {ch.name for ch in c.name_matches} == {"重点项目稽察", "固定资产投资项目节能审查"}
    assert {ch.matched_by for ch in c.name_matches} == {MatchedBy.NAME}
    # Counts of items (主项): licensing 4 → 5 (XK003 gone, XK102 and QT101 in).
    assert (c.approval.old, c.approval.new) == (4, 5)
    assert (c.lists[ListKind.SERVICE].old, c.lists[ListKind.SERVICE].new) == (3, 5)
    by_type = {t.label: (t.old, t.new, t.removed, t.added) for t in c.by_type}
    assert by_type["行政许可"] == (4, 5, 1, 1)
    assert by_type["行政确认"] == (1, 0, 0, 0)
    with translation.override("zh-hans"):
        assert c.sentence() == "与上一版相比，增加行政审批事项1项，增加公共服务事项2项。"
    with translation.override("en"):
        assert c.sentence() == (
            "Compared with the previous edition, 1 administrative approval item more, "
            "2 public service items more."
        )


def test_importing_the_same_file_twice_changes_nothing(depts):
    world = depts
    edition = _edition(world, 2015)
    lists_import(by=world.office_staff, edition=edition, data=_2015(), file_name="a.xlsx")
    ids = sorted(Item.objects.values_list("pk", flat=True))
    records = AuditRecord.objects.count()
    again = lists_import(by=world.office_staff, edition=edition, data=_2015(), file_name="a.xlsx")
    assert (again.parts_written, again.parts_unchanged) == (0, 4)
    assert sorted(Item.objects.values_list("pk", flat=True)) == ids
    assert AuditRecord.objects.count() == records


def test_a_reimported_part_replaces_the_department_and_waits_for_review(depts):
    world = depts
    edition = _edition(world, 2016)
    lists_import(by=world.office_staff, edition=edition, data=_2015(), file_name="a.xlsx")
    for part in Part.objects.all():
        services.part_review(by=world.office_staff, part=part)
    lists_import(by=world.office_staff, edition=edition, data=_2016(), file_name="b.xlsx")
    assert set(
        Item.objects.filter(edition=edition, parent=None).values_list("code", flat=True)
    ) >= {"XK102", "FW103"}
    assert not Item.objects.filter(edition=edition, code="XK003").exists()
    assert set(Part.objects.values_list("status", flat=True)) == {PartStatus.IMPORTED}
    record = AuditRecord.objects.filter(verb="catalog.part_imported").last()
    assert record.changes["file"] == "b.xlsx"


def _bad(groups, head=POWER_HEAD):
    return workbook(power=("惠州市市级权责清单", groups))


def _refusal(world, data, **kw):
    edition = _edition(world, 2016)
    before = Item.objects.count(), Part.objects.count(), AuditRecord.objects.count()
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        lists_import(by=world.office_staff, edition=edition, data=data, file_name="bad.xlsx", **kw)
    assert (Item.objects.count(), Part.objects.count(), AuditRecord.objects.count()) == before
    with translation.override("en"):
        return [str(e) for e in caught.value.errors]


def test_a_sub_item_without_its_main_item_is_refused_whole(depts):
    import io

    from openpyxl import load_workbook

    data = _2015()
    wb = load_workbook(io.BytesIO(data))
    ws = wb["权责清单"]
    # Row 5 is 一、市发展改革局; row 6 the first item: blank its main name, keep a sub-item.
    ws.cell(6, 3).value = None
    ws.cell(6, 4).value = "无主项的子项"
    out = io.BytesIO()
    wb.save(out)
    errors = _refusal(depts, out.getvalue())
    assert errors == [
        "Sheet 权责清单, row 6, column 子项 (D): This sub-item has no main item above it."
    ]


def test_an_unknown_type_and_a_duplicate_code_are_named_by_row_and_column(depts):
    groups = [
        (
            FGJ.format(n=3),
            [
                {"code": "A1", "name": "甲", "type": "行政许可"},
                {"code": "Ａ２", "name": "乙", "type": "行政审核"},
                {"code": "A1", "name": "丙", "type": "行政处罚"},
            ],
        )
    ]
    errors = _refusal(depts, _bad(groups))
    assert errors[0].startswith(
        "Sheet 权责清单, row 7, column 事项类型 (E): 行政审核 is not a type of power"
    )
    assert errors[1] == (
        "Sheet 权责清单, row 8, column 事项编码 (B): "
        "The code A1 is already used by sheet 权责清单, row 6."
    )


def test_a_missing_column_is_named(depts):
    head = [h if h != "事项类型" else "说明" for h in POWER_HEAD]
    import io

    from openpyxl import Workbook

    from reformledger.catalog.tests.sheets import power_sheet

    wb = Workbook()
    power_sheet(
        wb.active,
        "清单",
        [(FGJ.format(n=1), [{"code": "A1", "name": "甲", "type": "行政许可"}])],
        head=head,
    )
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    errors = _refusal(depts, out.getvalue())
    assert errors == ["Sheet Sheet1: The column Type is missing."]


def test_an_unknown_department_row_is_named(depts):
    groups = [("三、市不存在局（共1项）", [{"code": "A1", "name": "甲", "type": "行政许可"}])]
    errors = _refusal(depts, _bad(groups))
    assert errors[0].startswith("Sheet 权责清单, row 5: The department 市不存在局 is not known.")


def test_a_published_edition_refuses_an_import(depts, director):
    world = depts
    edition = _edition(world, 2015)
    lists_import(by=world.office_staff, edition=edition, data=_2015(), file_name="a.xlsx")
    _publish(world, director, edition, dt.date(2015, 9, 30))
    errors = _refusal_on(world, edition)
    assert errors == ["This edition is published: it no longer changes."]


def _refusal_on(world, edition):
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        lists_import(by=world.office_staff, edition=edition, data=_2016(), file_name="b.xlsx")
    with translation.override("en"):
        return [str(e) for e in caught.value.errors]


def test_the_standard_power_types_come_back_after_a_flush(db):
    """A transactional test's clean-up empties every table; the post_migrate that flush
    sends puts the power types back, as migration 0002 made them."""
    from django.core.management.sql import emit_post_migrate_signal

    from reformledger.catalog.models import ItemType

    ItemType.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert ItemType.objects.count() == 10
    assert ItemType.objects.get(code="licensing").is_approval
    assert services.item_types_install() == 0
