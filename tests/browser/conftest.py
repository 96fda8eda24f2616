"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Screenshots go to test-artifacts/ (kept by CI as artifacts of the run).
"""

import io
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

# The city of the import tests (its units and leaders), for the import's browser test.
from reformledger.ledger.tests.test_task_list_preview import city  # noqa: F401
from tests.browser import quality

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# test itself makes (fixtures, assertions) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("RL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


#: The one Playwright and Chromium of this test process. An app's browser test that
#: imports these fixtures defines a second `browser` fixture, and Playwright's sync API
#: cannot start twice in one thread, so every definition shares this one (counted, and
#: stopped when the last user is done).
_SHARED: dict = {"users": 0}


def _launch():
    if not _SHARED["users"]:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(
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
    _SHARED["users"] += 1
    return _SHARED["browser"]


def _release() -> None:
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser():
    shared = _launch()
    yield shared
    _release()


@pytest.fixture
def page(browser):
    """A fresh page. A test fails if the page broke the Content Security Policy (the
    browser reports each refused script, style or eval as a console error), or if any
    text on a page it opened falls below WCAG AA contrast (`low_contrast`)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = csp_violations(page)
    contrast = low_contrast(page)
    yield page
    if not page.is_closed():
        check_contrast(page)
    context.close()
    _CONTRAST.pop(id(page), None)
    if violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(violations))
    if contrast:
        pytest.fail("Text below WCAG AA contrast:\n" + "\n".join(sorted(contrast)))


def csp_violations(page) -> list[str]:
    """The console's Content Security Policy errors on `page`, filled as they occur."""
    found: list[str] = []

    def on_console(msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            found.append(f"{page.url}: {msg.text}")

    page.on("console", on_console)
    return found


#: The contrast failures found on each page fixture's pages, as lines of a report.
_CONTRAST: dict[int, set[str]] = {}


def low_contrast(page) -> set[str]:
    """The texts below WCAG AA contrast on every page `page` loads, filled as they load:
    an init script checks each page once it has loaded (`quality.CONTRAST`)."""
    found: set[str] = set()
    _CONTRAST[id(page)] = found

    def report(_source, url, failures):
        found.update(_contrast_lines(url, failures))

    page.expose_binding("__rlReportContrast", report)
    page.add_init_script(quality.CONTRAST_INIT)
    return found


def check_contrast(page) -> None:
    """Check the page as it stands now (after clicks: an open tab, a dropdown)."""
    failures = page.evaluate("window.__rlContrast ? window.__rlContrast() : []")
    _CONTRAST.setdefault(id(page), set()).update(_contrast_lines(page.url, failures))


#: Pages drawn by vendored third-party interfaces, whose colours are not ours: the
#: API's Swagger UI (for developers).
CONTRAST_EXEMPT = ("/api/docs/",)


def _contrast_lines(url: str, failures: list[dict]) -> set[str]:
    path = urlsplit(url).path
    if path.startswith(CONTRAST_EXEMPT):
        return set()
    return {
        f"{path}: {f['where']} “{f['text']}” {f['ratio']}:1 < {f['need']}:1 "
        f"({f['fg']} on {f['bg']})"
        for f in failures
    }


@pytest.fixture
def shot():
    """`shot(page, name)`: save a full-page screenshot as a test artifact, and check the
    contrast of the page as it stands."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        check_contrast(page)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Huizhou demo, loaded once for the module that asks for it (it takes a while),
    committed so the live server sees it. A module holds one test: the live server's
    transactional database is flushed after each. A fast hasher stands in for PBKDF2
    while the module runs (the demo's passwords are hashed with it), evidence files go
    to a temporary folder."""
    from django.test import override_settings

    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
    )
    with django_db_blocker.unblock(), fast:
        call_command("load_demo", stdout=io.StringIO())
        yield
