"""The demo's pilots, innovations and indicators hold the report's figures — each
recomputed here from the rows — and the dashboard and the API show them."""

import datetime as dt
import re
from decimal import Decimal

import lxml.html
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.demo import data
from reformledger.demo import pilots_data as story
from reformledger.demo.loader import load_demo
from reformledger.indicators import selectors as indicator_selectors
from reformledger.indicators.choices import Track
from reformledger.indicators.models import Indicator, IndicatorValue
from reformledger.ledger.models import Period
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Unit
from reformledger.pilots.choices import InnovationStatus, PilotStatus
from reformledger.pilots.models import (
    Acceptance,
    Adoption,
    Innovation,
    InvestmentReport,
    MidTermReview,
    Pilot,
    SubProject,
)

pytestmark = pytest.mark.django_db

ON_THE_DAY = override_settings(RL_BUSINESS_DATE=data.BUSINESS_DATE)
CITY = {"office__code": data.CITY_OFFICE}


def user(username: str):
    return get_user_model().objects.get(username=username)


def pilot(code: str) -> Pilot:
    return Pilot.objects.get(code=code, **CITY)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code, **CITY)


def latest_2016(code: str) -> Decimal:
    """The indicator's latest actual of 2016, as the indicators' selector computes it."""
    facts = indicator_selectors.indicator_facts([indicator(code)], year=2016)
    return next(iter(facts.values())).latest.value


# --- the figures, recomputed from the rows ---------------------------------------------


def test_the_city_holds_18_national_and_44_provincial_pilots_and_a_brand_per_county(demo):
    counts = dict(
        Pilot.objects.filter(**CITY).values_list("level").annotate(n=Count("pk")).order_by()
    )
    assert counts == {"national": 18, "provincial": 44, "municipal": 7}
    # Every pilot was approved: none is a mere application, none ended early.
    assert not Pilot.objects.filter(status__in=[PilotStatus.APPLIED, PilotStatus.ENDED]).exists()
    assert not Pilot.objects.filter(approval_no="").exists()
    brands = dict(
        Pilot.objects.filter(level="municipal", **CITY).values_list("host_unit__code", "brand")
    )
    assert set(brands) == set(data.COUNTIES)
    assert brands["HZ-HY"] == "表格化捆绑式绩效考核"
    assert brands["HZ-DYW"] == "两图工作法"
    assert "PPP" in brands["HZ-LM"]


def test_the_pilots_the_report_names_are_carried_out_through_their_tasks(demo):
    credit = pilot("N01")
    assert "三个建设" in credit.goals and "五个应用" in credit.goals
    assert "2016-013" in {t.code for t in credit.tasks.all()}
    assert "居住证" in pilot("N02").goals
    assert {"2016-014", "2016-015"} <= {t.code for t in pilot("N02").tasks.all()}
    for brand in Pilot.objects.filter(level="municipal", **CITY):
        assert brand.tasks.filter(lead_unit=brand.host_unit).exists(), brand.code


def test_the_water_ecology_pilot_has_64_sub_projects_that_completed_3_billion_yuan(demo):
    water = pilot(story.WATER)
    assert water.start == dt.date(2014, 1, 1) and water.end == dt.date(2016, 12, 31)
    assert SubProject.objects.filter(pilot=water).count() == 64
    reports = InvestmentReport.objects.filter(sub_project__pilot=water)
    assert reports.aggregate(total=Sum("amount"))["total"] == Decimal("300000")  # 万元
    # Reported period by period in 2016, every sub-project something.
    assert set(reports.values_list("period__year", flat=True)) == {2016}
    assert reports.values("sub_project").distinct().count() == 64
    assert len(set(reports.values_list("period", flat=True))) == 12
    planned = SubProject.objects.filter(pilot=water).aggregate(s=Sum("planned_investment"))["s"]
    assert planned > Decimal("300000")
    # The mid-term review the province put back to October, then the acceptance.
    assert water.status == PilotStatus.ACCEPTANCE
    review = MidTermReview.objects.get(pilot=water)
    assert review.reviewed_on.month == 10 and "64个试点项目" in review.findings
    # The pilot's indicator reports what the rows say, never a typed figure.
    assert latest_2016("ST-02") == Decimal("300000")
    assert latest_2016("ST-01") == 64


def test_336_zombie_enterprises_were_shut_down_a_closure_rate_of_74_percent(demo):
    assert latest_2016("GQ-02") == 336
    assert latest_2016("GQ-01") == 454
    rate = indicator("GQ-03")
    assert rate.is_ratio and not IndicatorValue.objects.filter(indicator=rate).exists()
    computed = latest_2016("GQ-03")
    assert round(computed) == 74
    assert computed == Decimal(336) * 100 / Decimal(454)


def test_the_risk_compensation_fund_got_66_firms_350_million_yuan(demo):
    assert latest_2016("JR-01") == 66
    assert latest_2016("JR-02") == Decimal("35000")  # 万元: 3.5亿元
    december = Period.objects.get(year=2016, number=12, **CITY)
    values = IndicatorValue.objects.filter(indicator__code__startswith="JR-", period=december)
    assert {v.status for v in values} == {"checked"}


def test_two_indicators_ended_2016_behind_their_path(demo):
    office = Unit.objects.get(code=data.CITY_OFFICE)
    behind = indicator_selectors.indicators_off_track(user("office"), office, 2016)
    assert {i.code for i in behind} == {"CZ-01", "BDC-01"}
    tracks = indicator_selectors.indicator_tracks(Indicator.objects.filter(**CITY), year=2016)
    assert tracks[indicator("GQ-03").pk] == Track.ON_TRACK


def test_the_culture_card_passed_first_in_its_group_and_third_in_the_eastern_region(demo):
    card = pilot(story.CULTURE)
    acceptance = Acceptance.objects.get(pilot=card)
    assert acceptance.result == "passed"
    assert (acceptance.group_rank, acceptance.region, acceptance.region_rank) == (1, "东部地区", 3)
    assert acceptance.rank_text == "小组第一、全国（东部地区）第三"
    assert acceptance.accepted_on.year == 2016
    assert card.status == PilotStatus.CONCLUDED and card.experience
    assert card.files.filter(kind="acceptance").count() == 1


def test_one_innovation_was_declared_replicable_and_two_other_counties_adopted_it(demo):
    statuses = dict(
        Innovation.objects.filter(year=2016).values_list("status").annotate(n=Count("pk"))
    )
    assert statuses == {
        InnovationStatus.REPLICABLE: 1,
        InnovationStatus.ACCEPTED: 3,
        InnovationStatus.RETURNED: 1,
        InnovationStatus.DECLINED: 1,
        InnovationStatus.PROPOSED: 1,
    }
    replicable = Innovation.objects.get(status=InnovationStatus.REPLICABLE)
    assert replicable.unit.code == "HZ-DYW" and replicable.pilot.code == "M03"
    adopters = Adoption.objects.filter(innovation=replicable).select_related("unit")
    assert {a.unit.code for a in adopters} == {"HZ-HD", "HZ-LM"}
    assert all(a.unit.kind == "county" for a in adopters)
    assert replicable.declared_at < min(
        dt.datetime.combine(a.adopted_on, dt.time(), tzinfo=replicable.declared_at.tzinfo)
        for a in adopters
    )


def test_the_acts_carry_their_2016_days_and_each_has_its_record(demo):
    for model, stamp in (
        (Pilot, "created_at"),
        (InvestmentReport, "reported_at"),
        (IndicatorValue, "checked_at"),
        (Innovation, "proposed_at"),
        (Adoption, "recorded_at"),
    ):
        years = {d.year for d in model.objects.values_list(stamp, flat=True) if d}
        assert years <= {2016, 2017}, model
    # Reported in the month after the period, before it closed.
    for report in InvestmentReport.objects.select_related("period")[:50]:
        reported = timezone.localdate(report.reported_at)
        assert report.period.end < reported < timezone.localdate(report.period.closed_at)
    assert AuditRecord.objects.filter(verb="pilot.registered").count() == Pilot.objects.count()
    assert AuditRecord.objects.filter(verb="investment.reported").count() == (
        InvestmentReport.objects.count()
    )
    assert AuditRecord.objects.filter(verb="innovation.adopted").count() == 2
    # Their notices were sent on the day of the act, not on the day of the load.
    pilot_notices = Notification.objects.filter(link__startswith="/pilots/")
    assert pilot_notices.exists()
    assert {n.created_at.year for n in pilot_notices} <= {2016, 2017}


def test_loading_twice_writes_no_pilot_innovation_or_indicator_row(demo):
    models = [
        m for label in ("pilots", "indicators") for m in apps.get_app_config(label).get_models()
    ]
    before = {m._meta.label: m.objects.count() for m in models}
    last = AuditRecord.objects.order_by("-id").first()
    assert not load_demo().created
    assert {m._meta.label: m.objects.count() for m in models} == before
    assert AuditRecord.objects.order_by("-id").first() == last


# --- the dashboard and the API show them ------------------------------------------------


def _figure(doc, testid: str) -> str:
    return doc.xpath(f'//*[@data-testid="{testid}"]')[0].text_content().strip()


def _number(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text))


@pytest.mark.parametrize("username", ["leader", "director"])
def test_the_dashboard_shows_the_reports_figures(demo, client_for, username):
    with ON_THE_DAY:
        page = client_for(user(username)).get(reverse("web:dashboard"), {"year": 2016})
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.content)
    assert _figure(doc, "pil-national") == "18"
    assert _figure(doc, "pil-provincial") == "44"
    investment = doc.xpath('//*[@data-testid="table-investment"]//tr[th/a[contains(., "N03")]]')[0]
    cells = [c.text_content().strip() for c in investment.xpath("td")]
    assert cells[0] == "64" and _number(cells[2]) == 300000
    for code, shown in (("GQ-02", "336"), ("GQ-03", "74"), ("JR-01", "66"), ("JR-02", "35000")):
        row = doc.xpath(f'//*[@data-testid="indicator-{code}"]')[0]
        latest = row.xpath('.//*[@data-testid="indicator-latest"]')[0].text_content()
        assert _number(latest.split()[0]) == Decimal(shown), code
    assert _figure(doc, "pil-off-track") == "2"
    assert [_figure(doc, "spread-count")] == ["2"]
    brands = doc.xpath('//*[@data-testid="table-brands"]')[0].text_content()
    for brand in ("表格化捆绑式绩效考核", "两图工作法", "强村固组", "科技金融体制改革"):
        assert brand in brands


def test_the_api_lists_18_national_and_44_provincial_pilots(demo, client_for):
    client = client_for(user("leader"))
    counts = {}
    for level in ("national", "provincial", "municipal"):
        response = client.get("/api/v1/pilots/", {"level": level})
        assert response.status_code == 200
        counts[level] = response.json()["count"]
    assert counts == {"national": 18, "provincial": 44, "municipal": 7}
    rows = client.get("/api/v1/pilots/", {"q": "水生态文明"}).json()["results"]
    water = next(r for r in rows if r["code"] == story.WATER)
    assert water["sub_projects"] == 64
    assert Decimal(water["completed"]) == Decimal("300000")
