"""The pages work under the site's own Content Security Policy: no script, style or
eval is refused (the `page` fixture fails a test on any refusal the console reports),
the menus open, badges take their colours and the API docs draw."""

import pytest

from tests.browser.signin import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

OFFICE_PAGES = [
    "/ledger/",
    "/ledger/my-work/",
    "/ledger/closed/",
    "/ledger/ratings/",
    "/ledger/ratings/scale/",
    "/ledger/reports/",
    "/ledger/closings/",
    "/ledger/carry-over/",
    "/units/",
    "/notifications/",
    "/ledger/staleness/",
    "/ledger/task-list/import/",
    "/dashboard/",
]


def _login(page, live_server, username: str) -> None:
    sign_in(page, live_server, username)  # with the TOTP code where the role needs one


def test_office_pages_run_under_the_policy_without_a_refusal(
    transactional_db, live_server, world, office_staff, page
):
    _login(page, live_server, "office")
    for path in OFFICE_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy

    task = world.task_huiyang
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.get_by_test_id("history-tab").click()
    assert page.get_by_test_id("history").is_visible()
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/edit/")
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/plan/")


def test_status_badges_take_their_colour_and_the_menu_opens(
    transactional_db, live_server, world, office_staff, page
):
    _login(page, live_server, "office")
    page.goto(f"{live_server.url}/ledger/")
    badge = page.locator(".rl-badge[data-colour='#198754']").first  # an approved plan
    if badge.count() == 0:
        badge = page.locator(".rl-badge[data-colour]").first
    colour = badge.get_attribute("data-colour")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    background = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == f"rgb({red}, {green}, {blue})"

    page.get_by_test_id("ledger-menu").click()
    assert page.get_by_role("link", name="销账台账").is_visible()


def test_api_docs_draw_under_the_same_strict_policy(
    transactional_db, live_server, world, office_staff, page
):
    _login(page, live_server, "office")
    response = page.goto(f"{live_server.url}/api/docs/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Reform Ledger API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()


def test_administration_runs_under_the_policy(transactional_db, live_server, world, page):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    _login(page, live_server, "root")
    response = page.goto(f"{live_server.url}/admin/")
    assert response.status == 200
    assert page.url == f"{live_server.url}/admin/"  # the index itself, not a detour
    lists = page.locator("#content-main th[scope=row] a")
    urls = lists.evaluate_all("links => links.map(a => a.href)")
    assert len(urls) > 5
    for url in urls:  # every list, and the change form of its first row
        assert page.goto(url).status == 200, url
        first = page.locator("#result_list tbody th a").first
        if first.count():
            first.click()
            page.locator("#content-main form").first.wait_for()
