"""A team scores and the office closes, in Chromium: the outside evaluator opens her
evaluation from the list, a score out of range is refused on the scoring form with the
criterion named and nothing saved, she scores every criterion, writes a finding and
submits; the office reads the total and the findings on the evaluation's page and
closes it after confirming."""

import pytest

from reformledger.evaluation.models import Evaluation, Finding, Score
from tests.browser.conftest import browser, page, shot  # noqa: F401 - the browser fixtures
from tests.browser.signin import sign_in

from .conftest import leaves

pytestmark = pytest.mark.browser


def _login(page, live_server, username: str) -> None:  # noqa: F811
    page.context.clear_cookies()
    sign_in(page, live_server, username)
    assert "/otp/" not in page.url


def _submit(page, test_id: str) -> None:  # noqa: F811
    page.get_by_test_id(test_id).click()
    page.wait_for_load_state()


def test_a_team_scores_and_the_office_closes_in_the_browser(
    transactional_db,
    live_server,
    ev,
    scoring,
    evaluator,
    office_staff,
    page,  # noqa: F811
    shot,  # noqa: F811
):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm step of each act
    url = live_server.url
    n = len(leaves(scoring))

    # 1. The evaluator finds her evaluation (and only hers) in the list.
    _login(page, live_server, "evaluator")
    page.goto(f"{url}/evaluation/")
    rows = page.get_by_test_id("evaluation-row")
    assert rows.count() == 1
    page.get_by_role("link", name=scoring.title).click()
    page.wait_for_load_state()
    _submit(page, "score-link")

    # 2. A score out of range refuses the whole form.
    values = page.locator("input[name$='-value']")
    reasons = page.locator("textarea[name$='-reason']")
    assert values.count() == n
    for i in range(n):
        values.nth(i).fill("80")
        reasons.nth(i).fill("对照自评材料和台账抽查")
    values.nth(0).fill("120")
    _submit(page, "save-scores")
    assert page.get_by_test_id("scoring-errors").is_visible()
    assert Score.objects.count() == 0
    shot(page, "evaluation-1-refused")

    # 3. Corrected, every criterion is scored.
    page.locator("input[name$='-value']").nth(0).fill("90")
    _submit(page, "save-scores")
    assert Score.objects.count() == n

    # 4. A finding, then submitted for review.
    page.get_by_test_id("add-finding-toggle").click()
    page.fill("#id_finding_text", "考核表格仍偏多，基层填报负担较重")
    page.fill("#id_finding_recommendation", "进一步精简考核表格")
    _submit(page, "add-finding")
    assert Finding.objects.count() == 1
    _submit(page, "submit")
    assert Evaluation.objects.get(pk=scoring.pk).status == "review"

    # 5. The office reads what the closing rests on and closes it.
    _login(page, live_server, "office")
    page.goto(f"{url}/evaluation/{scoring.pk}/")
    assert page.get_by_test_id("review-basis").is_visible()
    assert page.get_by_test_id("finding").count() == 1
    shot(page, "evaluation-2-review")
    page.fill("#id_close_conclusion", "评估依据充分，同意办结")
    _submit(page, "close")
    assert page.get_by_test_id("evaluation-status").get_attribute("data-status") == "closed"
    closed = Evaluation.objects.get(pk=scoring.pk)
    assert closed.status == "closed" and closed.total_score is not None
