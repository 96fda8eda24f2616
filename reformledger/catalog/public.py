"""The public side (公开查询): the published lists, open to anyone without signing in.

The first page of the public side of the system. It reads published editions only
(`Edition.status == "published"`) — the latest of each jurisdiction unless an older
one is chosen — and nothing else: no task, no draft, no user, no link into the
ledger. Its pages are a search over the items (name and code, list, type, department),
an item with its basis and responsibilities (or, for a public service, whom it serves
and how), an edition with its date, its publication document and the changes from the
previous published edition (`catalog.compare`), and the list of editions.

Every page goes through `public_page`, which does three things before the view:

- **Rate limit.** Each client address (`core.context.client_ip`, which believes
  `X-Forwarded-For` only from RL_TRUSTED_PROXIES) may make RL_PUBLIC_RATE requests
  ("120/m") to the public pages; beyond that it gets a short 429 page with
  `Retry-After`. The counter is a fixed window in the "public" cache (`cache.add` then
  `cache.incr`): a few lines instead of a dependency, and with the default per-process
  memory cache each worker counts on its own, so the effective limit is the rate times
  the workers; a shared cache (RL_PUBLIC_CACHE_URL=redis://…) makes it exact.
- **Cache.** A page's content is rendered once and kept in the "public" cache under a
  key made of the language, the path with its sorted query string, and a stamp of the
  published editions (their count, the highest id and the sum of their versions). A
  published edition never changes, so the stamp changes exactly when one is published;
  it is itself re-read every RL_PUBLIC_FRESH_SECONDS, so a new edition shows within
  that time and a repeated request asks the database nothing. Only the content is
  cached: the layout around it (with the language form's CSRF token) is drawn for each
  request. Responses say `Cache-Control: public, max-age=RL_PUBLIC_MAX_AGE` (the
  middleware makes it `no-store` for a signed-in user, as everywhere).
- **Only reading.** GET and HEAD; anything else is a 405.

Each page asks a fixed number of queries whatever the edition's size (the search: the
editions, the types, the departments, the count and the page's rows).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reformledger.catalog.choices import ChangeKind, EditionStatus, ListKind
from reformledger.catalog.compare import compare_editions
from reformledger.catalog.models import Edition, Item, ItemType, Part
from reformledger.catalog.selectors import previous_published, published_editions
from reformledger.core.context import client_ip
from reformledger.orgs.models import Unit

STAMP_KEY = "stamp"
_UNITS = {"s": 1, "m": 60, "h": 3600}


def _cache():
    return caches["public"]


# --- reads ----------------------------------------------------------------------------


def latest_of_each_place(editions: list[Edition]) -> list[Edition]:
    """The newest edition of each jurisdiction among `editions` (ordered as
    `published_editions` orders them)."""
    latest: dict[int, Edition] = {}
    for edition in editions:
        if (
            edition.jurisdiction_id not in latest
            or edition.year > latest[edition.jurisdiction_id].year
        ):
            latest[edition.jurisdiction_id] = edition
    return list(latest.values())


def published_item(pk: int) -> Item:
    """An item of a published edition, joined for its page; 404 for any other."""
    try:
        return Item.objects.select_related(
            "edition__jurisdiction", "department", "item_type", "parent", "body_unit"
        ).get(pk=pk, edition__status=EditionStatus.PUBLISHED)
    except Item.DoesNotExist:
        raise Http404 from None


def published_edition(pk: int) -> Edition:
    try:
        return published_editions().get(pk=pk)
    except Edition.DoesNotExist:
        raise Http404 from None


@dataclass
class Search:
    """What the search form asks: words (name or code), list, type code, department,
    edition (or place: its newest edition), page."""

    q: str = ""
    list_kind: str = ""
    item_type: str = ""
    department: int | None = None
    edition: int | None = None
    place: int | None = None
    page: str = "1"

    @classmethod
    def from_query(cls, query) -> Search:
        def number(name):
            value = (query.get(name) or "").strip()
            return int(value) if value.isdigit() and len(value) < 12 else None

        list_kind = query.get("list", "")
        return cls(
            q=" ".join((query.get("q") or "").split())[:100],
            list_kind=list_kind if list_kind in ListKind.values else "",
            item_type=(query.get("type") or "").strip()[:20],
            department=number("department"),
            edition=number("edition"),
            place=number("place"),
            page=(query.get("page") or "1")[:8],
        )

    def query_string(self, **change) -> str:
        """The search as a query string (without the page unless given)."""
        values = {
            "q": self.q,
            "list": self.list_kind,
            "type": self.item_type,
            "department": self.department or "",
            "edition": self.edition or "",
            "place": self.place or "",
        } | change
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def search_items(editions: list[Edition], search: Search) -> QuerySet[Item]:
    """The items of `editions` that answer `search`, joined for the result table."""
    items = Item.objects.filter(edition__in=[e.pk for e in editions])
    for word in search.q.split():
        items = items.filter(Q(name__icontains=word) | Q(code__icontains=word))
    if search.list_kind:
        items = items.filter(list_kind=search.list_kind)
    if search.item_type:
        items = items.filter(item_type__code=search.item_type)
    if search.department:
        items = items.filter(department_id=search.department)
    return items.select_related(
        "edition__jurisdiction", "department", "item_type", "parent"
    ).order_by("edition__jurisdiction__path", "list_kind", "department__path", "position", "pk")


def edition_counts(edition: Edition) -> dict[str, dict[str, int]]:
    """Items (主项) and sub-items (子项) of each list of an edition (one query)."""
    rows = (
        Item.objects.filter(edition=edition)
        .values("list_kind")
        .annotate(
            items=Count("pk", filter=Q(parent__isnull=True)),
            sub_items=Count("pk", filter=Q(parent__isnull=False)),
            departments=Count("department", distinct=True),
        )
    )
    counts = {k: {"items": 0, "sub_items": 0, "departments": 0} for k in ListKind.values}
    for row in rows:
        counts[row["list_kind"]] = {k: row[k] for k in ("items", "sub_items", "departments")}
    return counts


def comparison_of(old: Edition, new: Edition) -> dict:
    """The changes from `old` to `new` as plain data: `summary` (the sentence and the
    tallies) and `changes` (one dict per changed item). Published editions never change,
    so it is computed once per pair and language and kept in the public cache."""
    key = f"compare:{get_language()}:{old.pk}.{old.version}:{new.pk}.{new.version}"
    found = _cache().get(key)
    if found is None:
        comparison = compare_editions(old, new)
        found = {
            "summary": comparison.summary(),
            "changes": [change.as_dict() for change in comparison.changes],
        }
        _cache().set(key, found, settings.RL_PUBLIC_CACHE_SECONDS)
    return found


# --- the machinery every page goes through ---------------------------------------------


def _rate() -> tuple[int, int]:
    """RL_PUBLIC_RATE as (requests, seconds); (0, 0) when the limit is off."""
    text = str(settings.RL_PUBLIC_RATE or "0").strip().lower()
    count, _slash, unit = text.partition("/")
    try:
        return int(count), _UNITS[unit[:1] or "m"]
    except (ValueError, KeyError):
        return 0, 0


def over_limit(request) -> int:
    """Count this request against its address; the seconds to wait when it is over the
    limit, else 0."""
    allowed, seconds = _rate()
    if allowed <= 0:
        return 0
    now = time.time()
    window = int(now // seconds)
    key = f"rate:{client_ip(request)}:{window}"
    cache = _cache()
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    if count <= allowed:
        return 0
    return max(1, int((window + 1) * seconds - now) + 1)


def published_stamp() -> str:
    """What changes when an edition is published: re-read every RL_PUBLIC_FRESH_SECONDS."""
    cache = _cache()
    stamp = cache.get(STAMP_KEY)
    if stamp is None:
        found = Edition.objects.filter(status=EditionStatus.PUBLISHED).aggregate(
            n=Count("pk"), last=Max("pk"), versions=Sum("version")
        )
        stamp = f"{found['n']}.{found['last'] or 0}.{found['versions'] or 0}"
        cache.set(STAMP_KEY, stamp, settings.RL_PUBLIC_FRESH_SECONDS)
    return stamp


def forget_published_stamp() -> None:
    """Make the public pages read the published editions again at their next request
    (for a publication that must show at once)."""
    _cache().delete(STAMP_KEY)


def page_key(request) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:40]
    language = getattr(request, "LANGUAGE_CODE", "") or get_language()
    return f"page:{language}:{published_stamp()}:{digest}"


@dataclass
class Page:
    """A public page's content, as the cache keeps it."""

    title: str
    body: str


def content(title: str, template: str, context: dict) -> Page:
    """Render a page's content (without the request: nothing of the visitor in it)."""
    return Page(title=title, body=render_to_string(template, {"title": title, **context}))


def too_many(request, retry_after: int):
    response = render(
        request,
        "catalog/public/limited.html",
        {"retry_after": retry_after},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    patch_cache_control(response, no_store=True)
    return response


def public_page(view):
    """Rate limit, cache and headers of a public page; `view` returns a `Page`."""

    @wraps(view)
    @require_safe
    def page(request, *args, **kwargs):
        wait = over_limit(request)
        if wait:
            return too_many(request, wait)
        key = page_key(request)
        found = _cache().get(key)
        if found is None:
            found = view(request, *args, **kwargs)
            _cache().set(key, found, settings.RL_PUBLIC_CACHE_SECONDS)
        response = render(
            request,
            "catalog/public/page.html",
            {"title": found.title, "body": mark_safe(found.body)},  # noqa: S308 (our render)
        )
        patch_cache_control(response, public=True, max_age=settings.RL_PUBLIC_MAX_AGE)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return page


# --- the pages ---------------------------------------------------------------------


@public_page
def lists(request) -> Page:
    """The search over the published lists (the public side's first page)."""
    search = Search.from_query(request.GET)
    editions = list(published_editions())
    chosen = [e for e in editions if e.pk == search.edition]
    if not chosen:
        search.edition = None
        chosen = latest_of_each_place(editions)
        if search.place:
            chosen = [e for e in chosen if e.jurisdiction_id == search.place] or chosen
    types = list(ItemType.objects.order_by("position", "code"))
    departments = list(
        Unit.objects.filter(
            pk__in=Part.objects.filter(edition__in=[e.pk for e in chosen]).values("department")
        ).order_by("path")
    )
    results = None
    if chosen:
        paginator = Paginator(search_items(chosen, search), settings.RL_PUBLIC_PAGE_SIZE)
        results = paginator.get_page(search.page)
    places = {e.jurisdiction_id: e.jurisdiction for e in editions}
    return content(
        _("Power and public service lists"),
        "catalog/public/lists.html",
        {
            "search": search,
            "editions": editions,
            "chosen": chosen,
            "places": list(places.values()),
            "types": types,
            "departments": departments,
            "list_kinds": ListKind.choices,
            "results": results,
            "query": search.query_string(),
        },
    )


@public_page
def item(request, pk: int) -> Page:
    """One item of a published edition: what it is, on what basis, who does it and
    who answers for it."""
    row = published_item(pk)
    sub_items = list(row.sub_items.select_related("item_type").order_by("position", "pk"))
    if row.list_kind == ListKind.POWER:
        names = ("basis", "body", "level", "responsibilities", "accountability", "note")
    else:
        names = ("serves", "provides", "basis", "body", "time_limit", "fees", "contact", "note")
    fields = [
        (Item._meta.get_field(name).verbose_name, getattr(row, name))
        for name in names
        if getattr(row, name)
    ]
    return content(
        row.name,
        "catalog/public/item.html",
        {"item": row, "fields": fields, "sub_items": sub_items, "edition": row.edition},
    )


@public_page
def edition(request, pk: int) -> Page:
    """A published edition: its date and document, what it holds, and what changed
    from the previous published edition (a page of the changed items at a time)."""
    shown = published_edition(pk)
    previous = previous_published(shown)
    context = {
        "edition": shown,
        "previous": previous,
        "counts": edition_counts(shown),
        "list_labels": dict(ListKind.choices),
    }
    if previous is not None:
        compared = comparison_of(previous, shown)
        kind = request.GET.get("change", "")
        kind = kind if kind in ChangeKind.values else ""
        changes = compared["changes"]
        if kind:
            changes = [c for c in changes if kind in c["kinds"]]
        paginator = Paginator(changes, settings.RL_PUBLIC_PAGE_SIZE * 2)
        labels = {k.value: (k.label, k.colour) for k in ChangeKind}
        summary = compared["summary"]
        shown_changes = paginator.get_page(request.GET.get("page", "1")[:8])
        for row in shown_changes:
            row["badges"] = [labels[k] for k in row["kinds"]]
        context |= {
            "summary": summary,
            "kind_counts": [(k, labels[k][0], labels[k][1], summary["counts"][k]) for k in labels],
            "change": kind,
            "change_query": urlencode({"change": kind}) if kind else "",
            "changes": shown_changes,
        }
    return content(shown.title, "catalog/public/edition.html", context)


@public_page
def editions(request) -> Page:
    """Every published edition, by place, newest first, with its items."""
    rows = list(
        published_editions().annotate(
            powers=Count(
                "items", filter=Q(items__list_kind=ListKind.POWER, items__parent__isnull=True)
            ),
            services=Count(
                "items", filter=Q(items__list_kind=ListKind.SERVICE, items__parent__isnull=True)
            ),
        )
    )
    return content(_("Published editions"), "catalog/public/editions.html", {"editions": rows})
