"""Nothing but the public side opens without signing in.

Every URL pattern of the project is enumerated from the resolver (so a new one is
checked the day it is added), filled with plausible values and requested anonymously,
with GET and with POST. A pattern not in `PUBLIC` must refuse: a redirect to the sign-in
page, 401, 403, 404 or 405 — never a page. The patterns in `PUBLIC` are what is open
today; adding one to it is a decision to say in review.
"""

import re
import uuid

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from reformledger.catalog.models import Item
from reformledger.catalog.tests.conftest import make_edition

#: The patterns open to anyone (by name), and why: what is open today. Adding a name
#: here is a decision to say in review.
PUBLIC = {
    # The public side: the published lists (catalog/public.py) and their API
    # (catalog/api.py, /api/v1/public/lists/…).
    "public:lists",
    "public:item",
    "public:edition",
    "public:editions",
    "public-list-edition-list",
    "public-list-edition-detail",
    "public-list-edition-comparison",
    "public-list-item-list",
    "public-list-item-detail",
    # Signing in and out (an anonymous sign-out only sends back to the sign-in page),
    # the administration's own sign-in, and the second factor's page of a sign-in under
    # way (without one, back to the sign-in).
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "accounts:otp_verify",
    # The language switch (Django's set_language), the health check of the monitor, the
    # administration's translations catalogue (JavaScript strings, no data).
    "set_language",
    "healthz",
    "admin:javascript-catalog",
    # The API's schema and its documentation page: they describe the API and show none
    # of its data.
    "api-schema",
    "api-docs",
}
#: Of those, the ones that take a POST (the others only read: 405, or 401/403); the
#: health check answers any method and changes nothing.
POSTED = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "accounts:otp_verify",
    "set_language",
    "healthz",
}

REFUSED = {401, 403, 404, 405}
_GROUP = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rx>\w+)>(?P<body>[^)]*)\)")


def _patterns(resolvers, prefix="", namespace=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace + (p.name or "")


def _fill(route: str, ints: list[int]) -> list[str]:
    """The URLs of a route with its converters filled (every int with each of `ints`)."""
    text = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    urls = []
    for number in ints:

        def value(m, number=number):
            if m["rx"]:  # a regex group (the API's routers): a number where it fits
                return str(number) if re.fullmatch(m["body"], str(number)) else "x"
            if m["conv"] == "int":
                return str(number)
            if m["conv"] == "uuid":
                return str(uuid.UUID(int=number))
            return "x"  # str, slug, path

        urls.append("/" + _GROUP.sub(value, text))
    return list(dict.fromkeys(urls))


def _all_routes() -> list[tuple[str, str]]:
    return sorted(set(_patterns(get_resolver().url_patterns)))


def _login_paths() -> tuple[str, ...]:
    return (resolve_url(settings.LOGIN_URL), "/admin/login/")


def _refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    if response.status_code in (301, 302, 303):
        location = response["Location"].split("?", 1)[0]
        return location.startswith(_login_paths())
    return False


@pytest.fixture
def rows(world):
    """Real rows for the ids in URLs: the world's tasks, units and people, and two
    published editions of the lists (with a sub-item) and a draft one."""
    old = make_edition(world, year=2015, powers=3, services=2, sub_items=1)
    new = make_edition(world, year=2016, powers=3, services=2, previous=old)
    draft = make_edition(world, year=2017, published=False)
    ids = {1, world.task_huiyang.pk, world.huiyang.pk, world.office_staff.pk, new.pk, draft.pk}
    ids |= set(Item.objects.filter(edition=draft).values_list("pk", flat=True)[:1])
    return sorted(ids)


def test_every_pattern_outside_the_public_side_refuses_an_anonymous_visitor(rows):
    client = Client()
    opened, checked = [], 0
    for route, name in _all_routes():
        if name in POSTED:
            continue
        for url in _fill(route, rows):
            for method in ("get", "post") if name not in PUBLIC else ("post",):
                response = getattr(client, method)(url)
                checked += 1
                if not _refused(response):
                    opened.append(
                        f"{method.upper()} {url} ({name or 'unnamed'}): {response.status_code}"
                    )
    assert not opened, "open without signing in:\n" + "\n".join(opened)
    assert checked > 500


def test_the_public_patterns_are_what_opens_and_they_only_read(world, rows):
    client = Client()
    edition = make_edition(world, year=2018, powers=2, services=1)
    item = Item.objects.filter(edition=edition).first()
    names = {name for _route, name in _all_routes()}
    assert PUBLIC - names == set(), "a public pattern is gone: update PUBLIC"
    for url in (
        "/public/",
        f"/public/lists/items/{item.pk}/",
        "/public/editions/",
        f"/public/editions/{edition.pk}/",
    ):
        assert client.get(url).status_code == 200, url
        assert client.post(url).status_code == 405, url
    # A draft's item is a 404 like any unknown id.
    draft_item = Item.objects.exclude(edition__status="published").first()
    assert client.get(f"/public/lists/items/{draft_item.pk}/").status_code == 404


def test_what_the_allow_list_opens_today(client, db):
    """The sign-in, the health check and the API's description open; nothing else of
    the allow-list shows data."""
    for url in ("/login/", "/healthz", "/admin/login/", "/api/schema/", "/api/docs/"):
        assert client.get(url).status_code == 200, url
