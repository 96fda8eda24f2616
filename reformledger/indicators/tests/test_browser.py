"""The indicator page in Chromium: its chart draws under the Content Security Policy with
the table of the same numbers beside it, and the office checks a value through the
confirmation the page asks for."""

import pytest

from reformledger.indicators import services
from reformledger.indicators.choices import ValueStatus
from tests.browser import conftest as browser_fixtures
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

# The browser tests' fixtures (tests/browser/conftest.py), for this app's page.
browser = browser_fixtures.browser
page = browser_fixtures.page
shot = browser_fixtures.shot


def test_the_office_reads_the_chart_and_checks_a_value(
    transactional_db,
    live_server,
    world,
    office_staff,
    huiyang_liaison,
    loans,
    periods,
    page,
    shot,
):
    services.indicator_set_target(indicator=loans, by=office_staff, year=2016, target=66)
    for month, value in ((3, 8), (6, 20)):
        row = services.indicator_report(
            indicator=loans, period=periods[month], value=value, by=huiyang_liaison
        )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/indicators/{loans.pk}/?year=2016")
    page.locator("[data-testid=chart] canvas").first.wait_for()
    page.locator("[data-testid=chart][data-drawn]").wait_for()
    assert page.locator("[data-testid=series-table] tr[data-period='2016-06']").is_visible()
    assert (
        page.get_by_test_id("indicator-title").locator("[data-track]").get_attribute("data-track")
        == "behind"
    )
    shot(page, "indicator-detail")
    page.once("dialog", lambda dialog: dialog.accept())  # "Check the value …?"
    page.locator(f"#value-{row.pk} + tr [data-testid=check]").click()
    page.wait_for_load_state()
    row.refresh_from_db()
    assert row.status == ValueStatus.CHECKED
    assert errors == []
    page.goto(f"{live_server.url}/indicators/?year=2016")
    assert page.locator("[data-testid=indicator-row]").count() == 1
    shot(page, "indicator-list")
