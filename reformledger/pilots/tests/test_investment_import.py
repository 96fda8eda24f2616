"""Sub-project investment by Excel: a host unit fills in its sheet and imports it, all or
nothing, matched on codes, and the same file twice changes nothing the second time."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.exchange.errors import ImportRefused
from reformledger.exchange.models import ImportJob
from reformledger.exchange.testing import edit_xlsx, open_xlsx, workbook
from reformledger.pilots.documents.investment_sheet import (
    investment_check,
    parse_amount,
    rows_for_sheet,
    write_investment_sheet,
)
from reformledger.pilots.models import InvestmentReport, SubProject
from reformledger.pilots.services.investment import investment_sheet_import
from reformledger.pilots.tests.factories_investment import make_sub, office_sheet

AMOUNT = 7  # column G of the system's sheet: 本期完成投资（万元）
FIRST = 4  # its first data row

#: The fixtures of pilots and periods (water, boluo_pilot, periods).
pytest_plugins = ["reformledger.pilots.tests.fixtures_investment"]


@pytest.fixture
def june(periods):
    return periods[5]


def sheet_for(user, pilot, period) -> bytes:
    return write_investment_sheet(pilot, rows_for_sheet(user, pilot, period), period=period)


def filled(user, pilot, period, amounts: dict[int, object]) -> bytes:
    """The user's sheet with `amounts` written in the amount column, {data row index: value}."""

    def edit(wb):
        ws = wb.worksheets[0]
        for index, value in amounts.items():
            ws.cell(FIRST + index, AMOUNT).value = value

    return edit_xlsx(sheet_for(user, pilot, period), edit)


def state() -> tuple:
    return (
        sorted(
            InvestmentReport.objects.values_list("sub_project_id", "period_id", "amount", "note")
        ),
        AuditRecord.objects.count(),
    )


def test_the_sheet_lists_the_sub_projects_the_unit_reports_on(
    world, huiyang_liaison, boluo_liaison, water, june
):
    huiyang = open_xlsx(sheet_for(huiyang_liaison, water, june)).worksheets[0]
    boluo = open_xlsx(sheet_for(boluo_liaison, water, june)).worksheets[0]

    assert huiyang.cell(3, 2).value == "项目编号"
    assert huiyang.cell(3, AMOUNT).value == "本期完成投资（万元）"
    codes = [huiyang.cell(r, 2).value for r in range(FIRST, FIRST + 64)]
    assert codes == [f"SST-{n:02d}" for n in range(1, 65)]  # the pilot's host: every one
    assert [boluo.cell(r, 2).value for r in range(FIRST, FIRST + 4)] == [
        "SST-61",
        "SST-62",
        "SST-63",
        "SST-64",
    ]
    assert boluo.cell(FIRST + 4, 1).value == "合计"


def test_one_bad_row_among_many_changes_nothing_and_names_its_row_and_column(
    world, huiyang_liaison, water, june
):
    amounts = {i: 10 + i for i in range(60)}
    amounts[41] = "约五十万"  # row 45 of the sheet
    data = filled(huiyang_liaison, water, june, amounts)
    before = state()

    with pytest.raises(ImportRefused) as refused:
        investment_sheet_import(
            data=data, file_name="水生态.xlsx", pilot=water, period=june, by=huiyang_liaison
        )

    assert state() == before
    [error] = refused.value.errors
    assert (error.sheet, error.row, error.column) == ("子项目投资", 45, "本期完成投资（万元） (G)")
    assert "约五十万" in error.message


def test_the_same_file_twice_changes_nothing_the_second_time(world, huiyang_liaison, water, june):
    data = filled(huiyang_liaison, water, june, {i: f"{i + 1},000.5" for i in range(64)})

    first = investment_sheet_import(
        data=data, file_name="水生态.xlsx", pilot=water, period=june, by=huiyang_liaison
    )
    assert (first.saved, first.unchanged) == (64, 0)
    assert InvestmentReport.objects.get(sub_project__code="SST-03").amount == Decimal("3000.50")
    # One record per report written, and one for the import.
    assert AuditRecord.objects.filter(verb="investment.reported").count() == 64
    imported = AuditRecord.objects.get(verb="investment.imported")
    assert imported.changes["rows"] == [None, 64]
    before = state()

    again = investment_sheet_import(
        data=data, file_name="水生态.xlsx", pilot=water, period=june, by=huiyang_liaison
    )

    assert (again.saved, again.unchanged) == (0, 64)
    assert state() == before  # not even an audit record


def test_a_changed_amount_replaces_the_report_of_the_period(world, huiyang_liaison, water, june):
    investment_sheet_import(
        data=filled(huiyang_liaison, water, june, {0: 100, 1: 200}),
        file_name="a.xlsx",
        pilot=water,
        period=june,
        by=huiyang_liaison,
    )

    result = investment_sheet_import(
        data=filled(huiyang_liaison, water, june, {0: 100, 1: 250}),
        file_name="b.xlsx",
        pilot=water,
        period=june,
        by=huiyang_liaison,
    )

    assert (result.saved, result.unchanged) == (1, 1)
    assert InvestmentReport.objects.get(sub_project__code="SST-02").amount == Decimal("250.00")
    record = AuditRecord.objects.filter(verb="investment.reported").latest("id")
    assert record.changes["amount"] == ["200", "250"]


def test_a_sheet_as_an_office_keeps_it_imports(world, huiyang_liaison, water, june):
    rows = [
        [1, "SST-01", "水生态治理子项目01号", "淡水", "50", "1,200.5", "已完工"],
        [2, " sst-02 ".upper(), "水生态治理子项目02号", "淡水街道", 50, "1200万元", None],
        [3, "ＳＳＴ－０３", "水生态治理子项目03号", "淡水", 50, "３０", None],
        [4, None, "水生态治理子项目04号", "淡水", 50, "0.01亿元", "按名称匹配"],
        [5, "SST-05", "水生态治理子项目05号", "淡水", 50, None, None],  # not reported yet
        ["小计", None, None, None, "250", "2430.5", None],
    ]
    data = office_sheet(rows)

    check = investment_check(
        data=data, file_name="惠阳.xlsx", pilot=water, period=june, by=huiyang_liaison
    )
    assert check.errors == []
    assert [(s.row, s.kind) for s in _skipped(check)] == [
        (10, "subtotal"),
        (11, "subtotal"),
        (12, "note"),
    ]
    assert check.not_filled == 1

    result = investment_sheet_import(
        data=data, file_name="惠阳.xlsx", pilot=water, period=june, by=huiyang_liaison
    )

    assert result.saved == 4
    amounts = dict(
        InvestmentReport.objects.values_list("sub_project__code", "amount").order_by(
            "sub_project__code"
        )
    )
    assert amounts == {
        "SST-01": Decimal("1200.50"),
        "SST-02": Decimal("1200.00"),
        "SST-03": Decimal("30.00"),
        "SST-04": Decimal("100.00"),
    }
    assert InvestmentReport.objects.get(sub_project__code="SST-01").note == "已完工"


class _Skip:
    def __init__(self, row, kind):
        self.row, self.kind = row, kind


def _skipped(check):
    return [_Skip(n, kind) for _sheet, n, kind, _label in check.skipped]


def test_a_name_matches_only_when_no_other_sub_project_has_it(world, huiyang_liaison, water, june):
    make_sub(
        water, "SST-65", "水生态治理子项目01号", world.huiyang_town, 10
    )  # a second of that name
    data = workbook(
        {
            "Sheet1": [
                ["项目名称", "本期完成投资"],
                ["水生态治理子项目01号", 5],
                ["水生态治理子项目02号", 6],
                ["不存在的项目", 7],
            ]
        }
    )

    check = investment_check(
        data=data, file_name="n.xlsx", pilot=water, period=june, by=huiyang_liaison
    )

    assert [(e.row, e.column) for e in check.errors] == [(2, "项目名称 (A)"), (4, "项目名称 (A)")]
    assert [r.sub_project.code for r in check.saves] == ["SST-02"]


def test_the_host_unit_as_offices_abbreviate_it_settles_a_shared_name(
    world, huiyang_liaison, water, june
):
    make_sub(water, "SST-65", "水生态治理子项目01号", world.huiyang, 10)  # 惠阳's own one
    data = workbook(
        {
            "Sheet1": [
                ["项目名称", "实施单位", "本期完成投资"],
                ["水生态治理子项目01号", "淡水街道", 5],
                ["水生态治理子项目01号", "惠阳", 6],
            ]
        }
    )

    check = investment_check(
        data=data, file_name="n.xlsx", pilot=water, period=june, by=huiyang_liaison
    )

    assert check.errors == []
    assert [(r.sub_project.code, r.amount) for r in check.saves] == [
        ("SST-01", Decimal("5.00")),
        ("SST-65", Decimal("6.00")),
    ]


def test_negative_and_unknown_values_are_named_by_their_cell(world, huiyang_liaison, water, june):
    data = workbook(
        {
            "投资": [
                ["项目编号", "本期完成投资（万元）"],
                ["SST-01", -5],
                ["SST-02", "12元"],
                ["SST-99", 3],
                ["SST-03", 1],
                ["SST-03", 2],
            ]
        }
    )

    with pytest.raises(ImportRefused) as refused:
        investment_sheet_import(
            data=data, file_name="x.xlsx", pilot=water, period=june, by=huiyang_liaison
        )

    assert [(e.sheet, e.row, e.column) for e in refused.value.errors] == [
        ("投资", 2, "本期完成投资（万元） (B)"),
        ("投资", 3, "本期完成投资（万元） (B)"),
        ("投资", 4, "项目编号 (A)"),
        ("投资", 6, "项目编号 (A)"),
    ]
    assert InvestmentReport.objects.count() == 0


def test_a_unit_cannot_import_rows_of_sub_projects_it_does_not_host(
    world, boluo_liaison, water, june
):
    data = workbook({"s": [["项目编号", "本期完成"], ["SST-61", 5], ["SST-01", 5]]})

    with pytest.raises(ImportRefused) as refused:
        investment_sheet_import(
            data=data, file_name="b.xlsx", pilot=water, period=june, by=boluo_liaison
        )

    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "项目编号 (A)")]
    assert InvestmentReport.objects.count() == 0


def test_a_unit_cannot_import_into_another_units_pilot(
    world, huiyang_liaison, client_for, boluo_pilot, june
):
    data = workbook({"s": [["项目编号", "本期完成"], ["BL-01", 5]]})

    with pytest.raises(PermissionDenied):
        investment_sheet_import(
            data=data, file_name="b.xlsx", pilot=boluo_pilot, period=june, by=huiyang_liaison
        )
    page = client_for(huiyang_liaison).get(
        reverse("pilots:investment_import", args=[boluo_pilot.pk])
    )
    assert page.status_code == 404
    assert InvestmentReport.objects.count() == 0


def test_the_import_pages_preview_then_write_on_confirm(
    world, huiyang_liaison, client_for, water, june
):
    client = client_for(huiyang_liaison)
    data = filled(huiyang_liaison, water, june, {0: 12, 1: 13})
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("水生态.xlsx", data)
    response = client.post(
        reverse("pilots:investment_import", args=[water.pk]), {"period": june.pk, "file": upload}
    )
    job = ImportJob.objects.get(kind="pilot_investment")
    assert response.status_code == 302
    assert job.status == ImportJob.Status.REVIEW
    assert job.preview["counts"]["save"] == 2
    page = client.get(reverse("exchange:job", args=[job.pk]))
    assert "SST-02" in page.content.decode()
    assert client.get(reverse("pilots:investment_import", args=[water.pk])).status_code == 200
    assert InvestmentReport.objects.count() == 0  # nothing before the confirmation

    client.post(reverse("exchange:job_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.summary == {"saved": 2, "unchanged": 0}
    assert InvestmentReport.objects.count() == 2


def test_a_refused_job_shows_every_error_and_writes_nothing(
    world, huiyang_liaison, client_for, water, june
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = filled(huiyang_liaison, water, june, {0: 12, 1: "十二"})
    client_for(huiyang_liaison).post(
        reverse("pilots:investment_import", args=[water.pk]),
        {"period": june.pk, "file": SimpleUploadedFile("x.xlsx", data)},
    )
    job = ImportJob.objects.get(kind="pilot_investment")

    assert job.status == ImportJob.Status.REVIEW
    assert [(e["row"], e["column"]) for e in job.preview["errors"]] == [
        (5, "本期完成投资（万元） (G)")
    ]
    page = client_for(huiyang_liaison).get(reverse("exchange:job", args=[job.pk]))
    assert "本期完成投资（万元） (G)" in page.content.decode()
    assert InvestmentReport.objects.count() == 0


@pytest.mark.parametrize(
    "written,amount",
    [
        ("1,200.5", "1200.50"),
        ("1200万元", "1200.00"),
        ("１２００．５", "1200.50"),
        ("0.3亿元", "3000.00"),
        (1200.505, "1200.51"),
        (" 12 万 ", "12.00"),
        ("—", None),
        ("", None),
    ],
)
def test_amounts_are_read_as_offices_write_them(written, amount):
    assert parse_amount(written) == (Decimal(amount) if amount else None)


def test_sub_project_of_the_sheet_is_the_pilots_own(
    world, huiyang_liaison, water, boluo_pilot, june
):
    data = workbook({"s": [["项目编号", "本期完成"], ["BL-01", 5]]})

    check = investment_check(
        data=data, file_name="b.xlsx", pilot=water, period=june, by=huiyang_liaison
    )

    assert [e.column for e in check.errors] == ["项目编号 (A)"]
    assert SubProject.objects.filter(code="BL-01").exists()


def test_a_sheet_for_a_pilot_no_longer_running_is_refused_whole(
    world, office_staff, huiyang_liaison, water, june
):
    from reformledger.pilots import services as pilots

    data = filled(huiyang_liaison, water, june, {0: 12})
    pilots.pilot_end(pilot=water, by=office_staff, reason="试点调整")
    water.refresh_from_db()

    with pytest.raises(ImportRefused) as refused:
        investment_sheet_import(
            data=data, file_name="x.xlsx", pilot=water, period=june, by=huiyang_liaison
        )

    assert "水生态文明城市建设试点" in refused.value.errors[0].message
    assert InvestmentReport.objects.count() == 0
