"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Screenshots go to test-artifacts/ (kept by CI as artifacts of the run).
"""

import os
from pathlib import Path

import pytest

# The city of the import tests (its units and leaders), for the import's browser test.
from reformledger.ledger.tests.test_task_list_preview import city  # noqa: F401

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# test itself makes (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("RL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page. A test fails if the page broke the Content Security Policy: the
    browser reports each refused script, style or eval as a console error."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = csp_violations(page)
    yield page
    context.close()
    if violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(violations))


def csp_violations(page) -> list[str]:
    """The console's Content Security Policy errors on `page`, filled as they occur."""
    found: list[str] = []

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            found.append(f"{page.url}: {msg.text}")

    page.on("console", on_console)
    return found


@pytest.fixture
def shot():
    """`shot(page, name)`: save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
