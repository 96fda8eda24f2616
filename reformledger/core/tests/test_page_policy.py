"""Every page a signed-in person can open is sent with the strict Content Security
Policy and carries nothing that policy would refuse: no inline script (data travels
in <script type="application/json">), no style attribute or <style> block, no event
handler attribute, no javascript: link."""

import contextlib
from html.parser import HTMLParser

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


class InlineCode(HTMLParser):
    """Collects what a strict CSP refuses in a page's markup."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name == "style":
                self.found.append(f"style attribute on <{tag}> at line {self.getpos()[0]}")
            elif name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}> at line {self.getpos()[0]}")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}> at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def pages_without_arguments(resolver=None, namespace="") -> list[str]:
    """The path of every named URL that takes no argument (the site's and the admin's)."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += pages_without_arguments(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
            with contextlib.suppress(NoReverseMatch):  # a regex group: not a plain page
                found.append(reverse(namespace + pattern.name))
    return sorted(set(found) - {"/logout/"})


def task_pages(world) -> list[str]:
    pk = world.task_huiyang.pk
    return [
        f"/ledger/tasks/{pk}/",
        f"/ledger/tasks/{pk}/edit/",
        f"/ledger/tasks/{pk}/history/",
        f"/ledger/tasks/{pk}/plan/",
        f"/ledger/tasks/{pk}/reports/",
        f"/ledger/tasks/{pk}/report/",
        f"/ledger/tasks/{pk}/closing/",
        f"/units/{world.huiyang.pk}/",
    ]


def _check(client, paths: list[str]) -> tuple[int, list[str]]:
    checked, problems = 0, []
    for path in paths:
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"{path}: status {response.status_code}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        directives = policy(response)
        for name, value in STRICT.items():
            if directives.get(name) != value:
                problems.append(f"{path}: {name} is {directives.get(name)!r}, not {value!r}")
        problems += [f"{path}: {what}" for what in inline_code(response.content.decode())]
    return checked, problems


@pytest.mark.parametrize("persona", ["office_staff", "director", "huiyang_liaison", "auditor"])
def test_every_page_is_sent_with_the_strict_policy_and_has_no_inline_code(
    request, world, client_for, persona
):
    client = client_for(request.getfixturevalue(persona))
    checked, problems = _check(client, [*pages_without_arguments(), *task_pages(world)])
    assert not problems, "\n".join(problems)
    assert checked >= 10


def test_administration_pages_have_no_inline_code(world, client_for):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_pages = [p for p in pages_without_arguments() if p.startswith("/admin/")]
    checked, problems = _check(client_for(superuser), admin_pages)
    assert not problems, "\n".join(problems)
    assert checked >= 20


def test_sign_in_page_has_the_policy_and_no_inline_code(client):
    checked, problems = _check(client, ["/login/"])
    assert checked == 1
    assert not problems, "\n".join(problems)


def test_status_badges_carry_their_colour_as_data_not_as_style(world, office_staff, client_for):
    html = client_for(office_staff).get(f"/ledger/tasks/{world.task_huiyang.pk}/").content.decode()
    assert 'class="badge rl-badge" data-colour="#' in html
    assert "style=" not in html
