"""The public lists in Chromium, without signing in: a visitor searches, opens an item
and its edition, and finds no way into the ledger."""

from urllib.parse import urlsplit

import pytest

from reformledger.catalog.tests.conftest import make_edition
from tests.browser import conftest as browser_fixtures

pytestmark = pytest.mark.browser

# The browser tests' fixtures (tests/browser/conftest.py), for these pages.
browser = browser_fixtures.browser
page = browser_fixtures.page
shot = browser_fixtures.shot

PUBLIC_PREFIXES = ("/public/", "/static/", "/i18n/")


def _outside_links(page, server_url: str) -> list[str]:
    """Every link, form and resource of the page that leads outside the public side."""
    found = page.evaluate(
        """() => [
            ...[...document.querySelectorAll('a[href]')].map(a => a.href),
            ...[...document.querySelectorAll('form[action]')].map(f => f.action),
            ...[...document.querySelectorAll('link[href]')].map(l => l.href),
            ...[...document.querySelectorAll('script[src]')].map(s => s.src),
        ]"""
    )
    host = urlsplit(server_url).netloc
    return [
        url
        for url in found
        if urlsplit(url).netloc != host or not urlsplit(url).path.startswith(PUBLIC_PREFIXES)
    ]


def test_a_visitor_searches_the_lists_and_opens_an_item_without_signing_in(
    transactional_db, live_server, world, page, shot
):
    old = make_edition(world, year=2015, powers=8, services=3)
    make_edition(
        world,
        year=2016,
        powers=6,
        services=5,
        sub_items=1,
        previous=old,
        names={0: "企业投资项目核准", 1: "价格违法行为处罚"},
    )
    (browser_fixtures.ARTIFACTS / "catalog").mkdir(parents=True, exist_ok=True)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live_server.url}/public/")
    assert "/login" not in page.url
    page.locator("#q").fill("项目核准")
    page.locator("#type").select_option("licensing")
    page.get_by_test_id("search").click()
    page.wait_for_load_state()
    results = page.get_by_test_id("result")
    assert results.count() == 3  # the item and its two sub-items
    assert "企业投资项目核准" in results.first.inner_text()
    assert "价格违法行为处罚" not in page.get_by_test_id("results").inner_text()
    assert _outside_links(page, live_server.url) == []
    shot(page, "catalog/public-search")

    results.first.get_by_role("link", name="企业投资项目核准").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("item-name").inner_text() == "企业投资项目核准"
    item = page.get_by_test_id("item").inner_text()
    assert "《惠州市管理条例》第1条" in item  # its basis
    assert "受理责任" in item  # its responsibilities
    assert page.get_by_test_id("sub-items").is_visible()
    assert _outside_links(page, live_server.url) == []
    ledger = "a[href^='/ledger/'], a[href^='/lists/'], a[href^='/login'], a[href^='/api/']"
    assert page.locator(ledger).count() == 0
    shot(page, "catalog/public-item")

    page.get_by_role("link", name="惠州市", exact=False).last.click()
    page.wait_for_load_state()
    assert page.get_by_test_id("document-no").inner_text() == "惠府〔2016〕16号"
    assert page.get_by_test_id("sentence").is_visible()
    assert page.get_by_test_id("change").count() >= 2
    assert _outside_links(page, live_server.url) == []
    shot(page, "catalog/public-edition")
    assert errors == []
