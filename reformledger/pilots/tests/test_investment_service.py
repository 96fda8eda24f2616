"""Reporting sub-project investment by hand (page, API, service) and the totals a pilot
shows, always summed from its sub-projects."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.core.exceptions import ConflictError
from reformledger.ledger.choices import PeriodStatus
from reformledger.ledger.models import Period
from reformledger.pilots import services as pilots
from reformledger.pilots.choices import PilotFileKind
from reformledger.pilots.models import InvestmentReport, PilotFile, SubProject
from reformledger.pilots.selectors.investment import investment_totals, pilot_investment
from reformledger.pilots.services import investment_report
from reformledger.pilots.tests.factories_investment import make_pilot, make_sub

#: The fixtures of pilots and periods (water, boluo_pilot, periods).
pytest_plugins = ["reformledger.pilots.tests.fixtures_investment"]


def sub(code: str) -> SubProject:
    return SubProject.objects.get(code=code)


def test_the_host_unit_reports_a_periods_investment(world, huiyang_liaison, water, periods):
    report = investment_report(
        sub_project=sub("SST-01"), period=periods[5], amount=Decimal("12.5"), by=huiyang_liaison
    )

    assert (report.amount, report.reported_by) == (Decimal("12.50"), huiyang_liaison)
    record = AuditRecord.objects.get(verb="investment.reported")
    assert record.changes["amount"] == [None, "12.5"]
    assert record.actor == huiyang_liaison


def test_reporting_the_period_again_replaces_the_amount_and_keeps_old_and_new(
    world, huiyang_liaison, water, periods
):
    investment_report(sub_project=sub("SST-01"), period=periods[5], amount=10, by=huiyang_liaison)

    investment_report(sub_project=sub("SST-01"), period=periods[5], amount=14, by=huiyang_liaison)

    assert InvestmentReport.objects.get().amount == Decimal("14.00")
    last = AuditRecord.objects.filter(verb="investment.reported").latest("id")
    assert last.changes["amount"] == ["10", "14"]


def test_the_same_amount_again_writes_nothing(world, huiyang_liaison, water, periods):
    investment_report(
        sub_project=sub("SST-01"), period=periods[5], amount=10, note="首期", by=huiyang_liaison
    )
    records = AuditRecord.objects.count()

    investment_report(
        sub_project=sub("SST-01"),
        period=periods[5],
        amount="10.00",
        note="首期",
        by=huiyang_liaison,
    )

    assert AuditRecord.objects.count() == records


def test_a_sub_projects_own_host_reports_on_it_but_not_on_others(
    world, boluo_liaison, water, periods
):
    investment_report(sub_project=sub("SST-61"), period=periods[5], amount=3, by=boluo_liaison)

    with pytest.raises(PermissionDenied):
        investment_report(sub_project=sub("SST-01"), period=periods[5], amount=3, by=boluo_liaison)
    assert list(InvestmentReport.objects.values_list("sub_project__code", flat=True)) == ["SST-61"]


def test_the_office_does_not_report_for_the_unit(world, office_staff, water, periods):
    with pytest.raises(PermissionDenied):
        investment_report(sub_project=sub("SST-01"), period=periods[5], amount=3, by=office_staff)


def test_only_a_running_pilot_takes_reports(world, office_staff, huiyang_liaison, water, periods):
    applied = make_pilot(
        world, code="GJ-09", name="未批复试点", host_unit=world.huiyang, start=False
    )
    make_sub(applied, "AP-01", "前期项目", world.huiyang, 10)
    pilots.pilot_end(pilot=water, by=office_staff, reason="试点调整")

    for code in ("AP-01", "SST-01"):
        with pytest.raises(ConflictError):
            investment_report(
                sub_project=sub(code), period=periods[5], amount=3, by=huiyang_liaison
            )
    assert InvestmentReport.objects.count() == 0


def test_a_closed_period_or_another_offices_period_is_refused(
    world, huiyang_liaison, water, periods
):
    Period.objects.filter(pk=periods[4].pk).update(status=PeriodStatus.CLOSED)
    other = Period.objects.create(
        office=world.huiyang,
        year=2016,
        number=6,
        start=periods[5].start,
        end=periods[5].end,
        report_due=periods[5].report_due,
    )

    for period in (Period.objects.get(pk=periods[4].pk), other):
        with pytest.raises(ValidationError) as refused:
            investment_report(
                sub_project=sub("SST-01"), period=period, amount=3, by=huiyang_liaison
            )
        assert "period" in refused.value.message_dict
    assert InvestmentReport.objects.count() == 0


def test_a_negative_amount_is_refused(world, huiyang_liaison, water, periods):
    with pytest.raises(ValidationError) as refused:
        investment_report(
            sub_project=sub("SST-01"), period=periods[5], amount=-1, by=huiyang_liaison
        )
    assert "amount" in refused.value.message_dict


def test_evidence_files_are_kept_with_the_report(world, huiyang_liaison, water, periods):
    upload = SimpleUploadedFile("进度照片说明.txt", "已完成主体工程".encode(), "text/plain")

    report = investment_report(
        sub_project=sub("SST-01"), period=periods[5], amount=8, by=huiyang_liaison, files=[upload]
    )

    stored = PilotFile.objects.get()
    assert (stored.kind, stored.investment_report, stored.pilot) == (
        PilotFileKind.INVESTMENT,
        report,
        water,
    )
    assert AuditRecord.objects.get(verb="investment.reported").changes["files"] == [
        None,
        ["进度照片说明.txt"],
    ]


def test_totals_rate_and_trend_are_summed_from_the_sub_projects(
    world, huiyang_liaison, boluo_liaison, water, boluo_pilot, periods
):
    investment_report(sub_project=sub("SST-01"), period=periods[4], amount=100, by=huiyang_liaison)
    investment_report(sub_project=sub("SST-02"), period=periods[5], amount=60, by=huiyang_liaison)
    investment_report(sub_project=sub("SST-61"), period=periods[5], amount=40, by=boluo_liaison)
    investment_report(sub_project=sub("BL-01"), period=periods[5], amount=20, by=boluo_liaison)

    with CaptureQueriesContext(connection) as queries:
        totals = pilot_investment(water)
    assert len(queries) == 4  # whatever the number of sub-projects and periods
    assert (totals.sub_projects, totals.planned, totals.completed) == (
        64,
        Decimal("3200.00"),
        Decimal("200.00"),
    )
    assert totals.rate == Decimal("6.3")
    assert [(p.period.label, p.amount, p.cumulative) for p in totals.trend] == [
        ("2016-05", Decimal("100.00"), Decimal("100.00")),
        ("2016-06", Decimal("100.00"), Decimal("200.00")),
    ]
    both = investment_totals(type(water).objects.filter(pk__in=[water.pk, boluo_pilot.pk]))
    assert both[boluo_pilot.pk].completed == Decimal("20.00")
    assert both[boluo_pilot.pk].rate == Decimal("10.0")


# --- the page ------------------------------------------------------------------------------


def test_the_host_unit_reports_on_the_page(world, huiyang_liaison, client_for, water, periods):
    client = client_for(huiyang_liaison)
    url = reverse("pilots:investment_report", args=[sub("SST-02").pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "period": periods[5].pk,
            "amount": "25.5",
            "note": "完成管网铺设",
            "files": [SimpleUploadedFile("说明.txt", "管网".encode(), "text/plain")],
        },
    )

    assert response.status_code == 302
    report = InvestmentReport.objects.get()
    assert (report.amount, report.note, report.files.count()) == (
        Decimal("25.50"),
        "完成管网铺设",
        1,
    )


def test_another_unit_gets_403_on_a_sub_project_it_does_not_host(
    world, boluo_liaison, fgj_liaison, client_for, water, periods
):
    url = reverse("pilots:investment_report", args=[sub("SST-02").pk])
    # 博罗 sees the pilot (it hosts SST-61…64) but may not report on 惠阳's sub-project.
    assert client_for(boluo_liaison).get(url).status_code == 403
    assert (
        client_for(boluo_liaison).post(url, {"period": periods[5].pk, "amount": "1"}).status_code
        == 403
    )
    # 市发改局 does not work this pilot's sub-projects at all (helping unit: reads only).
    assert client_for(fgj_liaison).get(url).status_code == 403
    assert InvestmentReport.objects.count() == 0


def test_a_unit_that_does_not_see_the_pilot_gets_404(
    world, huiyang_liaison, client_for, boluo_pilot
):
    url = reverse("pilots:investment_report", args=[sub("BL-01").pk])
    assert client_for(huiyang_liaison).get(url).status_code == 404


# --- the API -------------------------------------------------------------------------------


def test_the_api_lists_reports_in_scope_and_creates_through_the_service(
    world, huiyang_liaison, boluo_liaison, client_for, water, boluo_pilot, periods
):
    investment_report(sub_project=sub("BL-01"), period=periods[5], amount=20, by=boluo_liaison)
    client = client_for(huiyang_liaison)

    created = client.post(
        "/api/v1/investment-reports/",
        {
            "sub_project": sub("SST-03").pk,
            "period": periods[5].pk,
            "amount": "7.25",
            "note": "一期",
        },
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "7.25"
    listed = client.get("/api/v1/investment-reports/", {"pilot": water.pk}).json()
    assert [r["sub_project_code"] for r in listed["results"]] == ["SST-03"]
    # 惠阳 does not see 博罗's pilot, so not its report either.
    assert client.get("/api/v1/investment-reports/").json()["count"] == 1


def test_the_api_refuses_a_unit_on_a_sub_project_it_does_not_host(
    world, boluo_liaison, client_for, water, periods
):
    response = client_for(boluo_liaison).post(
        "/api/v1/investment-reports/",
        {"sub_project": sub("SST-03").pk, "period": periods[5].pk, "amount": "7"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert InvestmentReport.objects.count() == 0


def test_the_api_list_costs_the_same_queries_whatever_its_length(
    world, huiyang_liaison, client_for, water, periods
):
    client = client_for(huiyang_liaison)
    investment_report(sub_project=sub("SST-01"), period=periods[5], amount=1, by=huiyang_liaison)
    client.get("/api/v1/investment-reports/")  # the session and its caches warm
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/investment-reports/")
    for n in range(2, 12):
        investment_report(
            sub_project=sub(f"SST-{n:02d}"), period=periods[5], amount=n, by=huiyang_liaison
        )
    with CaptureQueriesContext(connection) as many:
        listed = client.get("/api/v1/investment-reports/").json()

    assert listed["count"] == 11
    assert len(many) == len(few)
