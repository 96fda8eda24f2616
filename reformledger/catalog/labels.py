"""The lists' words for their history (`audit.labels`, from `CatalogConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def register() -> None:
    from reformledger.catalog.choices import ListKind
    from reformledger.catalog.models import Edition, Item, ItemType, Part

    labels.register(
        models=[Edition, Part, Item, ItemType],
        keys={
            "file": _("file"),
            "list": _("list"),
            "items": _("items"),
            "sub_items": _("sub-items"),
            "added": _("items new"),
            "removed": _("items gone"),
            "jurisdiction": _("place"),
            "previous": _("previous edition"),
            "task": _("reform task"),
            "published_on": _("published on"),
            "document_no": _("document number"),
            "item_type": _("type"),
        },
        values={
            "list": ListKind,
            "document": {
                "list_edition": _("a list edition"),
                "list_comparison": _("a comparison of lists"),
            },
        },
    )
