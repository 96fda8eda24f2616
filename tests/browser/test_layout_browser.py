"""The main pages at a desktop's width (1440 px) and a phone's (390 px): no table
column is squeezed narrower than a word, none wraps its text to a character a line.
The page fixture checks their contrast as well; screenshots land in test-artifacts/."""

import pytest
from django.urls import reverse

from reformledger.demo.data import DEMO_PASSWORD
from reformledger.ledger.models import Task
from tests.browser.quality import NARROW_CELLS
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

WIDTHS = (1440, 390)


def test_no_table_column_is_narrower_than_a_word(
    demo_site, transactional_db, live_server, page, shot
):
    task = Task.objects.get(code="2016-011", year=2016, office__code="HZ-GGB")
    pages = {
        "ledger": reverse("ledger:ledger"),
        "task": reverse("ledger:task", args=[task.pk]),
        "ratings": reverse("ledger:ratings"),
        "scale": reverse("ledger:scale"),
        "dashboard": reverse("web:dashboard"),
    }
    sign_in(page, live_server, "office", DEMO_PASSWORD)
    squeezed = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in pages.items():
            page.goto(f"{live_server.url}{url}")
            tabs = page.locator("[data-bs-toggle=tab]").all() or [None]
            for tab in tabs:
                if tab is not None and tab.is_visible():
                    tab.click()
                for cell in page.evaluate(NARROW_CELLS):
                    squeezed.append(f"{width}px {name}: {cell}")
            shot(page, f"layout-{name}-{width}")

    assert not squeezed, "Table cells narrower than a word:\n" + "\n".join(squeezed)
