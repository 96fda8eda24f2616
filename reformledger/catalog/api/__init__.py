"""API of the power and service lists (权责清单 / 服务清单) under /api/v1/lists/: the
editions with their departments' parts and items, the acts on them, the comparison of
two editions and the Excel files; and, open without a token, the published lists under
/api/v1/public/lists/.

Every list starts from the same scoped queryset as the pages (`catalog.permissions`)
and every write calls the same service, so the API and the pages cannot disagree: an
edition one may not see is a 404, an act the role does not allow a 403, a refused value
a 400 naming its field, an act on a published edition (or on a changed one) a 409. A
change of an edition or an item says which version it read (If-Match or `version`).
The public part shows what the published document shows — names, not the ledger's ids
of departments, offices, people or tasks — and is rate-limited per client address.
"""

from reformledger.api.schema import describe_tags
from reformledger.catalog.api.lists import (
    EditionViewSet,
    ItemTypeViewSet,
    ItemViewSet,
    PartViewSet,
)
from reformledger.catalog.api.public import PublicEditionViewSet, PublicItemViewSet

__all__ = [
    "EditionViewSet",
    "ItemTypeViewSet",
    "ItemViewSet",
    "PartViewSet",
    "PublicEditionViewSet",
    "PublicItemViewSet",
    "register",
]

describe_tags(
    {
        "lists": """The power and service lists (权责清单 / 服务清单): a place's yearly
editions, each made of its departments' parts (one per department and list) holding the
items; `comparison` says what changed against another edition (by default the previous
one), `xlsx` and `comparison-xlsx` give the published layout and the comparison as Excel.

| act | who (others: 403; an edition one does not see: 404) |
| --- | --- |
| read | the office's staff and leaders, city leaders; a department's liaison and \
head: the editions holding a part of their own |
| create, change (PATCH), `import`, correct or `remove` an item, `review` a part | \
office staff and leaders, while the edition is a draft (a published one: 409) |
| `publish` (freezes the edition) | office leaders, once every part is reviewed |
| power types (`item-types`) | read by everyone signed in; kept by the system administrator |
""",
        "public": """The published lists, open to anyone without a token (公开): the
published editions, their items and each edition's comparison with the place's previous
published edition. Drafts are never shown; departments are named, not numbered. Each
client address may make a limited number of requests (beyond it: 429).""",
    }
)


def register(router) -> None:
    """Register this app's viewsets on the API router."""
    router.register("lists/editions", EditionViewSet, basename="list-edition")
    router.register("lists/parts", PartViewSet, basename="list-part")
    router.register("lists/items", ItemViewSet, basename="list-item")
    router.register("lists/item-types", ItemTypeViewSet, basename="list-item-type")
    router.register("public/lists/editions", PublicEditionViewSet, basename="public-list-edition")
    router.register("public/lists/items", PublicItemViewSet, basename="public-list-item")
