"""The year's cards in Chromium, as the office, its director and a county work them: the
office drafts the 2016 cards from the frozen ledger and reviews them, the director
confirms them, the office publishes them; 惠阳区's head sees only its yellow card, opens
the fact behind it and appeals with evidence; the director changes the card. The
card's history and the audit trail show every step."""

import pytest

from reformledger.assessment.models import Appeal, Card
from reformledger.audit.models import AuditRecord
from tests.browser.conftest import browser, page, shot  # noqa: F401 - the browser fixtures
from tests.browser.signin import sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser
YEAR = 2016


def _login(page, live_server, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    sign_in(page, live_server, username)
    assert "/otp/" not in page.url


def _act(page, url: str, act: str) -> None:  # noqa: F811
    page.goto(f"{url}/assessment/acts/{act}/{YEAR}/")
    page.get_by_test_id("act-confirm-button").click()
    page.wait_for_load_state()


def test_the_office_drafts_a_leader_confirms_a_county_appeals_and_the_office_decides(
    transactional_db,
    live_server,
    year,
    director,
    huiyang_head,
    page,  # noqa: F811 - the fixture imported above
    shot,  # noqa: F811
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = live_server.url
    w = year.world

    # 1. The office drafts the cards: the page says what the act rests on.
    _login(page, live_server, "office")
    page.goto(f"{url}/assessment/acts/draft/{YEAR}/")
    assert "2016-12" in page.get_by_test_id("act-title").inner_text() + page.content()
    page.get_by_test_id("act-confirm-button").click()
    page.wait_for_load_state()
    assert Card.objects.filter(year=YEAR, status="draft").count() == 3
    page.goto(f"{url}/assessment/acts/review/{YEAR}/")
    assert "惠阳区" in page.get_by_test_id("act-yellow").inner_text()
    shot(page, "assessment-1-review")
    page.get_by_test_id("act-confirm-button").click()
    page.wait_for_load_state()

    # 2. The director confirms; the office publishes.
    _login(page, live_server, "director")
    _act(page, url, "confirm")
    _login(page, live_server, "office")
    _act(page, url, "publish")
    assert set(Card.objects.values_list("status", flat=True)) == {"published"}

    # 3. 惠阳区's head sees its own card only, yellow, and the fact behind it.
    _login(page, live_server, "huiyang_head")
    page.goto(f"{url}/assessment/?year={YEAR}")
    rows = page.get_by_test_id("card-row")
    assert rows.count() == 1 and rows.get_attribute("data-unit") == "惠阳区"
    rows.locator("a").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("card-colour").get_attribute("data-colour") == "yellow"
    card = Card.objects.get(unit=w.huiyang)
    shot(page, "assessment-2-yellow-card")
    link = page.locator("[data-testid=reason][data-yellow='1'] [data-testid=fact-link]").first
    assert link.get_attribute("href") == f"/ledger/tasks/{w.task_huiyang.pk}/#ratings"

    # 4. It appeals with a reason and evidence.
    page.get_by_test_id("appeal-link").click()
    page.wait_for_load_state()
    page.fill("#id_reason", "关键节点已于12月完成，评级应为C，请复核。")
    page.set_input_files(
        "#id_files",
        files=[{"name": "节点完成证明.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_test_id("appeal-submit").click()
    page.wait_for_load_state()
    appeal = Appeal.objects.get(card=card)
    assert appeal.files.count() == 1
    assert page.get_by_test_id("appeal").get_attribute("data-status") == "pending"

    # 5. The director decides: the card is changed to green, the earlier one kept.
    _login(page, live_server, "director")
    page.goto(f"{url}/assessment/{card.pk}/")
    page.get_by_test_id("decide-link").click()
    page.wait_for_load_state()
    page.check("input[name=decision][value=change]")
    page.fill("#id_score", "98")
    page.select_option("#id_colour", "green")
    page.fill("#id_reason", "核实节点已完成，改为绿牌。")
    page.get_by_test_id("decide-submit").click()
    page.wait_for_load_state()
    new = Card.objects.get(replaces=card)
    assert page.url.endswith(f"/assessment/{card.pk}/")
    page.goto(f"{url}/assessment/{new.pk}/")
    assert page.get_by_test_id("card-colour").get_attribute("data-colour") == "green"
    assert "核实节点已完成" in page.content()
    shot(page, "assessment-3-changed")

    # 6. The history of the earlier card and the audit trail show every step.
    page.goto(f"{url}/assessment/{card.pk}/")
    steps = page.get_by_test_id("history").locator("li[data-verb]")
    verbs = [steps.nth(i).get_attribute("data-verb") for i in range(steps.count())]
    assert verbs == [
        "card.drafted",
        "card.reviewed",
        "card.confirmed",
        "card.published",
        "appeal.submitted",
        "card.appealed",
        "card.replaced",
        "appeal.decided",
    ]
    trail = set(AuditRecord.objects.values_list("verb", flat=True))
    assert {"cards.drafted", "appeal.submitted", "appeal.decided", "card.changed"} <= trail
