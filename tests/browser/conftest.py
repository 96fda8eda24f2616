"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Screenshots go to test-artifacts/ (kept by CI as artifacts of the run).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# test itself makes (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("RL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class _Server:
    def __init__(self, thread):
        self.thread = thread
        self.url = f"http://{thread.host}:{thread.port}"


def _no_static_handler(app):
    # Django's test server would serve /static/ from the source folders by plain
    # names; passing requests through lets WhiteNoise serve the collected, hashed
    # files exactly as gunicorn does in production.
    return app


@pytest.fixture(scope="session")
def live_server(request, django_db_setup, django_db_blocker):
    """The application on a loopback port, static files served by WhiteNoise."""
    from django.test.testcases import LiveServerThread
    from django.test.utils import modify_settings

    thread = LiveServerThread("localhost", static_handler=_no_static_handler)
    thread.daemon = True
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield _Server(thread)
        thread.terminate()


@pytest.fixture(autouse=True)
def _live_server_helper():
    """pytest-django's hook for its own live_server; ours needs none."""
    yield


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
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    """`shot(page, name)`: save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
