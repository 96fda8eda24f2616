"""The audit administrator at a browser: opens the trail from the menu, filters it,
opens a record and verifies the chain, all within the Content Security Policy."""

import pytest

from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser


def test_the_auditor_filters_the_trail_opens_a_record_and_verifies_the_chain(
    transactional_db, live_server, world, auditor, page, shot
):
    sign_in(page, live_server, "auditor")
    page.goto(f"{live_server.url}/ledger/my-work/")
    page.get_by_test_id("audit-nav").click()
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.get_by_test_id("trail-row").count() > 10
    shot(page, "audit-trail")

    page.fill("#id_verb", "task.created")
    page.press("#id_verb", "Enter")
    page.wait_for_url("**verb=task.created*")
    assert page.get_by_test_id("trail-row").count() == 4

    page.get_by_test_id("trail-row").first.locator("a").first.click()
    page.get_by_test_id("hash").wait_for()
    assert page.get_by_test_id("holds").get_attribute("class").count("text-bg-success") == 1
    shot(page, "audit-record")

    page.goto(f"{live_server.url}/audit/verify/")
    page.get_by_test_id("verify").click()
    page.get_by_test_id("verify-result").wait_for()
    assert page.get_by_test_id("verify-result").get_attribute("data-intact") == "1"
    shot(page, "audit-verify")
