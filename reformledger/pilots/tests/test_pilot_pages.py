"""The pilot pages as their users see them: the registry (filters, sort, totals, pages
costing the same whatever the rows), a pilot's page with every section and its
history in words, the acts from the page, the county brands, the menu and the next
acts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from reformledger.core.clock import business_today
from reformledger.ledger.models import Period
from reformledger.ledger.selectors.next_acts import next_acts
from reformledger.orgs import services as orgs
from reformledger.pilots import services
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject
from reformledger.pilots.tests.test_pilot_services import register, to_acceptance
from tests.files import PDF

D = dt.date


def _period(world, number: int, start: dt.date, end: dt.date, status="open") -> Period:
    return Period.objects.create(
        office=world.office,
        year=start.year,
        number=number,
        start=start,
        end=end,
        report_due=end,
        status=status,
    )


def _report(sub, period, amount, by) -> InvestmentReport:
    return InvestmentReport.objects.create(
        sub_project=sub, period=period, amount=Decimal(amount), reported_by=by
    )


def _many(world, by, n: int) -> None:
    """`n` pilots in one go, each with one sub-project and one report."""
    period = _period(world, 99, D(2016, 1, 1), D(2016, 1, 31), status="closed")
    pilots = Pilot.objects.bulk_create(
        Pilot(
            office=world.office,
            code=f"P-{i:04d}",
            name=f"试点{i}",
            level=("national", "provincial", "municipal")[i % 3],
            granting_body="国家发展改革委",
            host_unit=world.huiyang if i % 2 else world.boluo,
            start=D(2016, 1, 1),
            end=D(2017, 12, 31),
            goals="目标",
            created_by=by,
        )
        for i in range(n)
    )
    subs = SubProject.objects.bulk_create(
        SubProject(pilot=p, code="S1", name="子项目", host_unit=p.host_unit, planned_investment=100)
        for p in pilots
    )
    InvestmentReport.objects.bulk_create(
        InvestmentReport(sub_project=s, period=period, amount=Decimal("25"), reported_by=by)
        for s in subs
    )


# --- the registry ------------------------------------------------------------------------


def test_the_registry_filters_searches_sorts_and_totals(world, office_staff, client_for):
    water = register(
        world, office_staff, code="GJ-01", name="水生态文明城市试点", level="national", brand=""
    )
    register(
        world,
        office_staff,
        code="SD-02",
        name="项目审批制度改革",
        host_unit=world.boluo,
        brand="项目审批",
    )
    sub = services.sub_project_create(
        pilot=water,
        by=office_staff,
        code="W1",
        name="西枝江整治",
        host_unit=world.huiyang,
        planned_investment=Decimal("1000"),
    )
    _report(sub, _period(world, 1, D(2016, 1, 1), D(2016, 3, 31)), "250", office_staff)
    client = client_for(office_staff)
    page = client.get(reverse("pilots:pilots")).content.decode()
    assert "GJ-01" in page and "SD-02" in page
    assert "25.0%" in page  # the water pilot's completion
    assert page.index("GJ-01") < page.index("SD-02")  # national first
    only = client.get(reverse("pilots:pilots"), {"level": "national"}).content.decode()
    assert "GJ-01" in only and "SD-02" not in only
    found = client.get(reverse("pilots:pilots"), {"q": "审批"}).content.decode()
    assert "SD-02" in found and "GJ-01" not in found
    by_rate = client.get(reverse("pilots:pilots"), {"ordering": "-rate"}).content.decode()
    assert by_rate.index("GJ-01") < by_rate.index("SD-02")
    by_code = client.get(reverse("pilots:pilots"), {"ordering": "-code"}).content.decode()
    assert by_code.index("SD-02") < by_code.index("GJ-01")


def test_the_registry_runs_the_same_queries_for_ten_and_a_thousand_pilots(
    world, office_staff, client_for, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office_staff)
    url = reverse("pilots:pilots")
    _many(world, office_staff, 10)
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    _more = 990
    period = Period.objects.get(number=99)
    pilots = Pilot.objects.bulk_create(
        Pilot(
            office=world.office,
            code=f"Q-{i:04d}",
            name=f"试点Q{i}",
            level="provincial",
            granting_body="省发展改革委",
            host_unit=world.fgj,
            start=D(2016, 1, 1),
            end=D(2017, 12, 31),
            goals="目标",
            created_by=office_staff,
        )
        for i in range(_more)
    )
    subs = SubProject.objects.bulk_create(
        SubProject(pilot=p, code="S1", name="子项目", host_unit=world.fgj, planned_investment=10)
        for p in pilots
    )
    InvestmentReport.objects.bulk_create(
        InvestmentReport(
            sub_project=s, period=period, amount=Decimal("1"), reported_by=office_staff
        )
        for s in subs
    )
    assert Pilot.objects.count() == 1000
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    shown = response.content.decode().count('data-testid="pilot-row"')
    assert shown == min(1000, settings.LEDGER_PAGE_SIZE)


# --- one pilot ---------------------------------------------------------------------------


def test_a_pilots_page_shows_every_section_the_trend_and_its_history(
    world, office_staff, client_for
):
    pilot = to_acceptance(register(world, office_staff), office_staff)
    sub = services.sub_project_create(
        pilot=pilot,
        by=office_staff,
        code="ZX-01",
        name="淡水街道试点",
        host_unit=world.huiyang_town,
        planned_investment=Decimal("400"),
    )
    _report(sub, _period(world, 1, D(2016, 1, 1), D(2016, 3, 31)), "100", office_staff)
    _report(sub, _period(world, 2, D(2016, 4, 1), D(2016, 6, 30)), "150", office_staff)
    response = client_for(office_staff).get(reverse("pilots:pilot", args=[pilot.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    detail = response.context["detail"]
    # The trend is cumulative, per period, summed from the reports.
    assert [p.cumulative for p in detail.investment.trend] == [Decimal("100"), Decimal("250")]
    assert detail.chart()["series"][0]["values"] == [100.0, 250.0]
    assert detail.investment.rate == Decimal("62.5")
    assert 'data-testid="chart-trend"' in page and 'data-testid="trend-row"' in page
    assert "2016-001" in page  # its task
    assert "省改革办" in page  # the mid-term review's reviewer
    verbs = [r.verb for r in response.context["history"]]
    assert verbs[:2] == ["pilot.registered", "pilot.approved"]
    assert "sub_project.created" in verbs
    with override("zh-hans"):  # the page is in the default language, Chinese
        assert escape(gettext("recorded the pilot's approval")) in page
    # The office may record the acceptance here.
    assert 'data-testid="acceptance-form"' in page


def test_a_pilots_page_costs_the_same_for_one_sub_project_or_thirty(
    world, office_staff, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pilot = to_acceptance(register(world, office_staff), office_staff)
    periods = [
        _period(world, n, D(2016, n, 1), D(2016, n, 28), status="closed") for n in range(1, 7)
    ]

    def add(i):
        sub = services.sub_project_create(
            pilot=pilot,
            by=office_staff,
            code=f"S{i:02d}",
            name=f"子项目{i}",
            host_unit=world.huiyang,
            planned_investment=Decimal("100"),
        )
        for period in periods:
            _report(sub, period, "5", office_staff)

    add(0)
    client = client_for(office_staff)
    url = reverse("pilots:pilot", args=[pilot.pk])
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(1, 30):
        add(i)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["detail"].sub_projects) == 30
    assert response.context["detail"].investment.completed == Decimal("900.00")


def test_a_pilot_is_registered_and_moved_along_from_its_page(world, office_staff, client_for):
    client = client_for(office_staff)
    response = client.post(
        reverse("pilots:pilot_new"),
        {
            "office": world.office.pk,
            "code": "SD-09",
            "name": "强村富民试点",
            "level": "municipal",
            "granting_body": "惠州市委改革办",
            "host_unit": world.huiyang.pk,
            "start": "2016-03-01",
            "end": "2017-12-31",
            "goals": "壮大村级集体经济",
            "brand": "强村富民",
            "tasks": [world.task_huiyang.pk],
        },
    )
    pilot = Pilot.objects.get(code="SD-09")
    assert response.status_code == 302 and response.url == reverse("pilots:pilot", args=[pilot.pk])
    response = client.post(
        reverse("pilots:pilot_approve", args=[pilot.pk]),
        {"approval_no": "惠市改〔2016〕9号", "approved_on": "2016-03-05"},
    )
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.status == "approved"
    # Approving again: the state changed, a warning, nothing written.
    response = client.post(
        reverse("pilots:pilot_approve", args=[pilot.pk]),
        {"approval_no": "X", "approved_on": "2016-03-06"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "this act is not possible now" in response.content.decode()
    pilot.refresh_from_db()
    assert pilot.approval_no == "惠市改〔2016〕9号"
    # A refused value comes back on its field.
    response = client.post(reverse("pilots:pilot_end", args=[pilot.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["end_form"].errors["reason"]


def test_editing_with_a_stale_version_says_so_and_changes_nothing(world, office_staff, client_for):
    pilot = register(world, office_staff)
    services.pilot_update(pilot=pilot, by=office_staff, name="别人改过")
    client = client_for(office_staff)
    form = client.get(reverse("pilots:pilot_edit", args=[pilot.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        office=world.office.pk,
        host_unit=world.huiyang.pk,
        helping_units=[world.fgj.pk],
        tasks=[world.task_huiyang.pk],
        start="2016-03-01",
        end="2017-12-31",
        name="我的修改",
        version=1,
    )
    response = client.post(
        reverse("pilots:pilot_edit", args=[pilot.pk]), data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "changed by someone else" in response.content.decode()
    assert Pilot.objects.get(pk=pilot.pk).name == "别人改过"


def test_the_host_unit_adds_a_sub_project_and_a_file_from_the_page(
    world, office_staff, huiyang_liaison, client_for
):
    pilot = register(world, office_staff)
    client = client_for(huiyang_liaison)
    page = client.get(reverse("pilots:pilot", args=[pilot.pk])).content.decode()
    assert 'data-testid="sub-project-form"' in page
    assert 'data-testid="approve-form"' not in page  # the office's act
    response = client.post(
        reverse("pilots:sub_project_new", args=[pilot.pk]),
        {
            "code": "ZX-01",
            "name": "淡水河治理",
            "host_unit": world.huiyang_town.pk,
            "planned_investment": "300",
        },
    )
    assert response.status_code == 302
    assert SubProject.objects.get(pilot=pilot).name == "淡水河治理"
    response = client.post(
        reverse("pilots:pilot_attach", args=[pilot.pk]),
        {"kind": "summary", "files": [SimpleUploadedFile("总结.pdf", PDF, "application/pdf")]},
    )
    assert response.status_code == 302
    stored = pilot.files.get()
    download = client.get(reverse("pilots:pilot_file", args=[stored.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


# --- county brands --------------------------------------------------------------------------


def test_the_county_brands_page_shows_each_county_beside_its_brand(
    world, office_staff, city_leader, client_for
):
    daya = orgs.unit_create(by=None, code="HZ-DYW", name="大亚湾区", kind="zone", parent=world.city)
    pilot = to_acceptance(register(world, office_staff), office_staff)
    services.pilot_record_acceptance(
        pilot=pilot,
        by=office_staff,
        accepting_body="市委改革办",
        accepted_on=D(2016, 12, 20),
        result="passed",
        rank_text="全市第一",
    )
    response = client_for(city_leader).get(reverse("pilots:brands"))
    assert response.status_code == 200
    rows = {row.unit.code: row for row in response.context["rows"]}
    assert set(rows) == {"HZ-HY", "HZ-BL", daya.code}
    assert rows["HZ-HY"].pilot == pilot and rows["HZ-HY"].acceptance.rank_text == "全市第一"
    assert rows["HZ-HY"].tasks == 1
    assert rows["HZ-BL"].pilot is None
    page = response.content.decode()
    assert "表格化捆绑式绩效考核" in page and "全市第一" in page and "大亚湾区" in page


# --- menu and next acts ----------------------------------------------------------------------


def test_the_menu_shows_pilots_to_who_works_them(world, huiyang_liaison, outsider, client_for):
    page = client_for(huiyang_liaison).get(reverse("ledger:my_work")).content.decode()
    assert 'data-testid="pilots-menu"' in page
    page = client_for(outsider).get(reverse("ledger:my_work")).content.decode()
    assert 'data-testid="pilots-menu"' not in page
    assert client_for(outsider).get(reverse("pilots:pilots")).status_code == 403


def test_next_acts_name_the_reviews_acceptances_and_investment_due(
    world, office_staff, huiyang_liaison
):
    today = business_today()
    _period(world, 5, today - dt.timedelta(days=5), today + dt.timedelta(days=5))
    reviewing = register(world, office_staff, code="A-1")
    services.pilot_approve(
        pilot=reviewing, by=office_staff, approval_no="1", approved_on=D(2016, 1, 1)
    )
    services.pilot_start(pilot=reviewing, by=office_staff)
    services.pilot_open_mid_term(pilot=reviewing, by=office_staff)
    # Two running pilots with a sub-project: one whose period spans today, one whose period
    # ended before the open period began (nothing is asked of it any more).
    running = register(world, office_staff, code="A-2", end=today + dt.timedelta(days=365))
    ended = register(world, office_staff, code="A-3", end=today - dt.timedelta(days=30))
    for code, pilot in (("2", running), ("3", ended)):
        services.pilot_approve(
            pilot=pilot, by=office_staff, approval_no=code, approved_on=D(2016, 1, 1)
        )
        services.sub_project_create(
            pilot=pilot,
            by=office_staff,
            code="S",
            name="子项目",
            host_unit=world.huiyang,
            planned_investment=1,
        )
    staff = next_acts(office_staff)
    assert [i.subject for i in staff.of("pilot_review_due").items] == [f"A-1 {reviewing.name}"]
    assert staff.of("pilot_acceptance_due") is None
    liaison = next_acts(huiyang_liaison)
    assert [i.subject for i in liaison.of("pilot_investment_due").items] == [f"A-2 {running.name}"]


@pytest.mark.parametrize("name", ["pilots:pilots", "pilots:brands"])
def test_a_county_liaison_opens_the_sections_pages(world, huiyang_liaison, client_for, name):
    assert client_for(huiyang_liaison).get(reverse(name)).status_code == 200
