"""The public side (/public/): anyone, without signing in, searches the published lists,
opens an item with its basis and responsibilities, and reads an edition with its
document and what changed — and never sees a draft nor a way into the ledger."""

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from reformledger.catalog import public
from reformledger.catalog.choices import ListKind
from reformledger.catalog.models import Item
from reformledger.catalog.tests.conftest import make_edition

#: Where a public page may lead: itself, its static files, the language switch.
PUBLIC_PREFIXES = ("/public/", "/static/", "/i18n/")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "action", "src") and value is not None:
                self.found.append(value)


def links_of(response, page_url: str) -> list[str]:
    parser = Links()
    parser.feed(response.content.decode())
    return [urljoin(page_url, link) for link in parser.found]


def rows(response) -> list[str]:
    """The names in the result table, in order."""
    html = response.content.decode()
    return [i.name for i in Item.objects.all() if f">{i.name}</a>" in html]


@pytest.fixture
def lists_2016(world):
    """惠州市's published 2016 edition: 6 power items (许可, 处罚, 检查, 确认 in turn) and
    4 service items over three departments, the first power item with two sub-items."""
    return make_edition(
        world,
        year=2016,
        powers=6,
        services=4,
        sub_items=1,
        names={0: "企业投资项目核准", 1: "价格违法行为处罚", 6: "就业登记"},
    )


def test_anyone_finds_an_item_by_name_without_signing_in(lists_2016, client):
    response = client.get("/public/", {"q": "项目核准"})
    assert response.status_code == 200
    assert "企业投资项目核准" in rows(response)
    assert "价格违法行为处罚" not in rows(response)
    assert 'data-testid="found"' in response.content.decode()


def test_search_by_code_type_department_and_list(lists_2016, client):
    by_code = client.get("/public/", {"q": "S-0001"})
    assert rows(by_code) == ["就业登记"]

    penalty = client.get("/public/", {"type": "penalty"})
    names = rows(penalty)
    assert "价格违法行为处罚" in names and "企业投资项目核准" not in names
    assert all(i.item_type.code == "penalty" for i in Item.objects.filter(name__in=names)), names

    department = Item.objects.get(name="就业登记").department
    by_department = client.get("/public/", {"department": department.pk})
    names = rows(by_department)
    assert "就业登记" in names
    assert set(Item.objects.filter(name__in=names).values_list("department", flat=True)) == {
        department.pk
    }

    services = client.get("/public/", {"list": ListKind.SERVICE})
    assert set(
        Item.objects.filter(name__in=rows(services)).values_list("list_kind", flat=True)
    ) == {ListKind.SERVICE}


def test_item_page_shows_basis_responsibilities_and_sub_items(lists_2016, client):
    main = Item.objects.get(name="企业投资项目核准")
    html = client.get(f"/public/lists/items/{main.pk}/").content.decode()
    assert main.code in html
    assert main.basis in html
    assert main.responsibilities in html
    assert "不履行或不正确履行职责的，依法追责。" in html  # cases of accountability
    assert "行政许可" in html
    assert main.department.name in html
    assert html.count('data-testid="sub-items"') == 1
    sub = main.sub_items.order_by("position").first()
    assert sub.name in html

    sub_html = client.get(f"/public/lists/items/{sub.pk}/").content.decode()
    assert f'href="/public/lists/items/{main.pk}/" data-testid="main-item"' in sub_html


def test_a_service_item_shows_whom_it_serves_time_limit_fees_and_contact(lists_2016, client):
    service = Item.objects.get(name="就业登记")
    html = client.get(f"/public/lists/items/{service.pk}/").content.decode()
    for text in ("本市居民", "5个工作日", "不收费", "0752-2800000", service.basis):
        assert text in html


def test_a_draft_edition_is_invisible(world, lists_2016, client):
    draft = make_edition(world, year=2017, published=False, names={0: "草稿里的新事项"})
    draft_item = Item.objects.get(name="草稿里的新事项")
    assert client.get(f"/public/lists/items/{draft_item.pk}/").status_code == 404
    assert client.get(f"/public/editions/{draft.pk}/").status_code == 404
    assert "草稿里的新事项" not in client.get("/public/", {"q": "新事项"}).content.decode()
    # Asking for the draft by its id falls back to the published editions.
    response = client.get("/public/", {"edition": draft.pk, "q": "草稿"})
    assert "草稿里的新事项" not in response.content.decode()
    assert draft.title not in client.get("/public/editions/").content.decode()


def test_the_latest_edition_is_the_default_and_an_older_one_can_be_chosen(world, client):
    older = make_edition(world, year=2015, names={0: "旧版才有的事项"})
    newer = make_edition(world, year=2016, previous=older, names={0: "新版才有的事项"})
    latest = client.get("/public/", {"q": "才有的事项"}).content.decode()
    assert "新版才有的事项" in latest and "旧版才有的事项" not in latest
    chosen = client.get("/public/", {"q": "才有的事项", "edition": older.pk}).content.decode()
    assert "旧版才有的事项" in chosen and "新版才有的事项" not in chosen
    listed = client.get("/public/editions/").content.decode()
    assert older.title in listed and newer.title in listed


def test_edition_page_shows_date_document_and_the_changes(world, client):
    old = make_edition(world, year=2015, powers=6, services=2)
    new = make_edition(
        world,
        year=2016,
        powers=4,
        services=5,
        previous=old,
        document_no="惠府〔2016〕88号",
        published_on=dt.date(2016, 9, 1),
    )
    with translation.override("en"):
        response = client.get(f"/public/editions/{new.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2016-09-01" in html
    assert "惠府〔2016〕88号" in html
    assert new.document_title in html
    # Powers P-0005 and P-0006 (许可 and 处罚) went, three services came: 1 approval fewer.
    assert "1 administrative approval item fewer" in html
    assert "3 public service items more" in html
    assert 'data-kind="removed"' in html and 'data-kind="added"' in html
    assert html.count('data-testid="change"') >= 5  # two removed, three added, renamed
    removed_only = client.get(
        f"/public/editions/{new.pk}/", {"change": "removed"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert removed_only.count('data-testid="change"') == 2
    first = client.get(f"/public/editions/{old.pk}/").content.decode()
    assert 'data-testid="no-previous"' in first


def _public_pages(world, client) -> list[str]:
    old = make_edition(world, year=2015, powers=3, services=2, sub_items=1)
    new = make_edition(world, year=2016, powers=40, services=30, sub_items=2, previous=old)
    main = Item.objects.filter(edition=new, sub_items__isnull=False).first()
    sub = main.sub_items.first()
    service = Item.objects.filter(edition=new, list_kind=ListKind.SERVICE).first()
    return [
        "/public/",
        "/public/?q=事项&page=2",
        f"/public/?edition={old.pk}&type=licensing",
        f"/public/lists/items/{main.pk}/",
        f"/public/lists/items/{sub.pk}/",
        f"/public/lists/items/{service.pk}/",
        "/public/editions/",
        f"/public/editions/{new.pk}/",
        f"/public/editions/{new.pk}/?change=added&page=2",
        f"/public/editions/{old.pk}/",
    ]


def test_no_public_page_links_outside_the_public_side(world, client):
    checked = 0
    for url in _public_pages(world, client):
        response = client.get(url)
        assert response.status_code == 200, url
        for link in links_of(response, "http://testserver" + url):
            parts = urlsplit(link)
            assert parts.netloc in ("", "testserver"), (url, link)
            assert parts.path.startswith(PUBLIC_PREFIXES), (url, link)
            checked += 1
    assert checked > 50


def test_the_limit_page_links_nowhere_else_either(lists_2016, client):
    with override_settings(RL_PUBLIC_RATE="1/m"):
        client.get("/public/")
        response = client.get("/public/")
    assert response.status_code == 429
    for link in links_of(response, "http://testserver/public/"):
        assert urlsplit(link).path.startswith(PUBLIC_PREFIXES), link


def _queries(client, params) -> int:
    public.forget_published_stamp()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/public/", params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "事项"}, {"type": "licensing", "page": "2"}])
def test_search_asks_a_fixed_number_of_queries(world, params):
    small = make_edition(world, year=2015, powers=2, services=1)
    few = _queries(Client(), {**params, "edition": small.pk})
    make_edition(world, year=2016, powers=40, services=20, sub_items=5, previous=small)
    many = _queries(Client(), params)
    assert few == many
    assert many <= 6


def test_item_and_edition_pages_ask_a_fixed_number_of_queries(world, client):
    old = make_edition(world, year=2015, powers=3, services=2)
    new = make_edition(world, year=2016, powers=40, services=20, sub_items=5, previous=old)
    main = Item.objects.filter(edition=new, sub_items__isnull=False).first()
    for url, most in ((f"/public/lists/items/{main.pk}/", 3), (f"/public/editions/{new.pk}/", 9)):
        public.forget_published_stamp()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) <= most, (url, len(ctx.captured_queries))


def test_a_repeated_request_is_served_from_the_cache_without_a_query(
    lists_2016, client, django_assert_num_queries
):
    first = client.get("/public/", {"q": "事项"})
    with django_assert_num_queries(0):
        second = client.get("/public/", {"q": "事项"})
    main = first.content.decode().split("<main", 1)[1]
    assert second.content.decode().split("<main", 1)[1] == main
    assert "public" in second["Cache-Control"] and "max-age=60" in second["Cache-Control"]
    # Another query string, or another language, is another page.
    other = client.get("/public/", {"q": "就业"})
    assert rows(other) == ["就业登记"]
    english = client.get("/public/", {"q": "事项"}, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english.content.decode()
    assert public.page_key(english.wsgi_request) != public.page_key(first.wsgi_request)


def test_a_new_publication_shows_once_the_stamp_is_read_again(world, client):
    old = make_edition(world, year=2015, names={0: "旧版事项"})
    assert "旧版事项" in client.get("/public/", {"q": "版事项"}).content.decode()
    make_edition(world, year=2016, previous=old, names={0: "新版事项"})
    # Within RL_PUBLIC_FRESH_SECONDS the cached page may still show; then it does not.
    public.forget_published_stamp()
    html = client.get("/public/", {"q": "版事项"}).content.decode()
    assert "新版事项" in html and "旧版事项" not in html


@override_settings(RL_PUBLIC_RATE="3/m")
def test_an_address_over_the_rate_gets_429_and_others_do_not(lists_2016, client):
    for _ in range(3):
        assert client.get("/public/").status_code == 200
    refused = client.get("/public/editions/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert 'data-testid="limited"' in refused.content.decode()
    assert "no-store" in refused["Cache-Control"]
    assert client.get("/public/", REMOTE_ADDR="203.0.113.9").status_code == 200


@override_settings(RL_PUBLIC_RATE="2/m", RL_TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(lists_2016, client):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        assert (
            client.get("/public/", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 200
        )
    assert client.get("/public/", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429
    assert client.get("/public/", HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 200


def test_public_pages_only_read(lists_2016, client):
    assert client.post("/public/", {"q": "x"}).status_code == 405
    assert client.head("/public/").status_code == 200


def test_a_signed_in_visitor_gets_no_store(lists_2016, client_for, office_staff):
    response = client_for(office_staff).get("/public/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_public_pages_default_to_simplified_chinese(lists_2016, client):
    html = client.get("/public/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert 'name="language" value="en"' in html
