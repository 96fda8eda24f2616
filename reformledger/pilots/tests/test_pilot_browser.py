"""A county pilot's whole life in Chromium, as the office and the host unit work it:
the office registers 惠阳's brand and records its approval and start; 惠阳's liaison
adds a sub-project; the office opens and records the mid-term review with its
document, opens the acceptance, records it (first in its group) and concludes the
pilot with its experience. The pilot's page, the county brands page and the history
show every step."""

import datetime as dt
from decimal import Decimal

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Period
from reformledger.pilots.models import InvestmentReport, Pilot, SubProject
from tests.browser.conftest import browser, page, shot  # noqa: F401 - the browser fixtures
from tests.browser.signin import sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser


def _login(page, live_server, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    sign_in(page, live_server, username)
    assert "/otp/" not in page.url


def _submit(page, test_id: str) -> None:  # noqa: F811
    page.get_by_test_id(test_id).click()
    page.wait_for_load_state()


def test_a_county_pilot_goes_from_approval_to_acceptance_in_the_browser(
    transactional_db,
    live_server,
    world,
    office_staff,
    huiyang_liaison,
    page,  # noqa: F811 - the fixture imported above
    shot,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm step of each act
    url = live_server.url

    # 1. The office registers 惠阳's brand from the registry, with its ledger task.
    _login(page, live_server, "office")
    page.goto(f"{url}/pilots/")
    _submit(page, "register-pilot")
    page.fill("#id_code", "SD-2016-01")
    page.fill("#id_name", "表格化捆绑式绩效考核改革试点")
    page.select_option("#id_level", "municipal")
    page.fill("#id_granting_body", "惠州市委全面深化改革领导小组")
    page.select_option("#id_host_unit", str(world.huiyang.pk))
    page.select_option("#id_helping_units", [str(world.fgj.pk)])
    page.fill("#id_start", "2016-03-01")
    page.fill("#id_end", "2017-12-31")
    page.fill("#id_goals", "以表格化捆绑式考核推动全区改革落实")
    page.fill("#id_brand", "表格化捆绑式绩效考核")
    page.select_option("#id_tasks", [str(world.task_huiyang.pk)])
    shot(page, "pilots-1-register")
    _submit(page, "save-pilot")
    pilot = Pilot.objects.get(code="SD-2016-01")
    assert page.url.endswith(f"/pilots/{pilot.pk}/")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "applied"

    # 2. Its approval (批复) and start.
    page.fill("#id_approve_approval_no", "惠市改〔2016〕3号")
    page.fill("#id_approve_approved_on", "2016-03-10")
    _submit(page, "approve")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "approved"
    assert "惠市改〔2016〕3号" in page.get_by_test_id("approval").inner_text()
    page.fill("#id_start_note", "印发实施方案")
    _submit(page, "start")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "under_way"

    # 3. 惠阳's liaison adds a sub-project on its pilot; it may not approve or accept.
    _login(page, live_server, "huiyang")
    page.goto(f"{url}/pilots/{pilot.pk}/")
    assert page.get_by_test_id("acts").count() == 0
    page.get_by_test_id("add-sub-project-toggle").click()
    page.fill("#id_sub_project_code", "ZX-01")
    page.fill("#id_sub_project_name", "淡水街道考核试点")
    page.select_option("#id_sub_project_host_unit", str(world.huiyang_town.pk))
    page.fill("#id_sub_project_planned_investment", "1200")
    shot(page, "pilots-2-sub-project")
    _submit(page, "add-sub-project")
    sub = SubProject.objects.get(pilot=pilot)
    assert (sub.code, sub.host_unit) == ("ZX-01", world.huiyang_town)
    row = page.get_by_test_id("sub-project")
    assert row.get_attribute("data-code") == "ZX-01" and "1200.00" in row.inner_text()

    # 4. The office opens the mid-term review and records it with its document.
    _login(page, live_server, "office")
    page.goto(f"{url}/pilots/{pilot.pk}/")
    _submit(page, "open-mid-term")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "mid_term"
    page.fill("#id_review_reviewed_on", "2016-09-01")
    page.fill("#id_review_reviewer", "市委改革办评估组")
    page.fill("#id_review_findings", "考核体系基本建立，12个镇街全部推开。")
    page.set_input_files(
        "#id_review_files",
        files=[{"name": "中期评估报告.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _submit(page, "record-review")
    review = page.get_by_test_id("review")
    assert "市委改革办评估组" in review.inner_text() and "中期评估报告.pdf" in review.inner_text()

    # 5. The acceptance: opened, recorded by the office, then the pilot is concluded.
    _submit(page, "open-acceptance")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "acceptance"
    page.fill("#id_acceptance_accepting_body", "惠州市委改革办")
    page.fill("#id_acceptance_accepted_on", "2016-12-20")
    page.select_option("#id_acceptance_result", "passed")
    page.fill("#id_acceptance_score", "96")
    page.fill("#id_acceptance_rank_text", "同批次第一")
    page.fill("#id_acceptance_group_rank", "1")
    shot(page, "pilots-3-acceptance-form")
    _submit(page, "record-acceptance")
    assert page.get_by_test_id("acceptance-result").get_attribute("data-result") == "passed"
    assert page.get_by_test_id("rank-text").inner_text() == "同批次第一"
    page.fill("#id_conclude_experience", "以表格化考核倒逼改革落实，可在全市推广。")
    _submit(page, "conclude")
    assert page.get_by_test_id("pilot-status").get_attribute("data-status") == "concluded"
    assert "可在全市推广" in page.get_by_test_id("experience").inner_text()
    shot(page, "pilots-4-concluded")

    # 6. The history on the pilot's page shows every step, in order, in words.
    steps = page.get_by_test_id("history").locator("li[data-verb]")
    verbs = [steps.nth(i).get_attribute("data-verb") for i in range(steps.count())]
    expected = [
        "pilot.registered",
        "pilot.approved",
        "pilot.started",
        "sub_project.created",
        "pilot.mid_term_opened",
        "pilot.reviewed",
        "pilot.acceptance_opened",
        "pilot.accepted",
        "pilot.concluded",
    ]
    assert verbs == expected
    assert "黄晓梅" in steps.nth(3).inner_text()  # the liaison added the sub-project
    recorded = AuditRecord.objects.filter(ctx_type="pilots.pilot", ctx_id=str(pilot.pk))
    assert list(recorded.order_by("id").values_list("verb", flat=True)) == expected

    # 7. Investment reported on the sub-project (the investment sheet's work, written
    # here directly) draws the cumulative trend beside its table.
    for number, (start, end, amount) in enumerate(
        [
            (dt.date(2016, 1, 1), dt.date(2016, 6, 30), "300"),
            (dt.date(2016, 7, 1), dt.date(2016, 12, 31), "500"),
        ],
        start=1,
    ):
        period = Period.objects.create(
            office=world.office, year=2016, number=number, start=start, end=end, report_due=end
        )
        InvestmentReport.objects.create(
            sub_project=sub, period=period, amount=Decimal(amount), reported_by=huiyang_liaison
        )
    page.reload()  # the pilot's page, read again
    page.locator("[data-testid=chart-trend][data-drawn=true]").wait_for()
    assert page.get_by_test_id("completion").inner_text() == "66.7%"
    page.get_by_test_id("details-trend").locator("summary").click()
    cumulative = page.get_by_test_id("trend-row").nth(1).inner_text()
    assert "800.00" in cumulative and "2016-07/12" in cumulative
    shot(page, "pilots-6-trend")

    # 8. The registry and the county brands page show where 惠阳's brand stands.
    page.goto(f"{url}/pilots/")
    assert page.get_by_test_id("pilot-row").get_attribute("data-code") == "SD-2016-01"
    page.goto(f"{url}/pilots/brands/")
    brand = page.locator("[data-testid=brand-row][data-unit=HZ-HY]")
    assert "表格化捆绑式绩效考核" in brand.inner_text()
    assert brand.get_by_test_id("brand-status").get_attribute("data-status") == "concluded"
    assert "同批次第一" in brand.get_by_test_id("brand-acceptance").inner_text()
    shot(page, "pilots-5-county-brands")
