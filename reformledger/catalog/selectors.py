"""The reads the lists' office pages and API need, scoped to the user and joined, so a
page runs a fixed number of queries whatever the number of rows."""

from django.db.models import Count, Q, QuerySet

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.catalog.choices import EditionStatus, PartStatus
from reformledger.catalog.models import Edition, Item, Part
from reformledger.catalog.permissions import visible_editions


def editions(user, *, q: str = "") -> QuerySet[Edition]:
    """The editions the user may see, with their counts (one query)."""
    rows = visible_editions(user).select_related("jurisdiction", "office", "task", "previous")
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(document_no__icontains=q))
    return rows.annotate(
        item_count=Count("items", filter=Q(items__parent=None), distinct=True),
        waiting=Count("parts", filter=Q(parts__status=PartStatus.IMPORTED), distinct=True),
    ).order_by("jurisdiction__path", "-year")


def parts_of(edition: Edition) -> QuerySet[Part]:
    return (
        Part.objects.filter(edition=edition)
        .select_related("department", "reviewed_by")
        .annotate(
            item_count=Count("items", filter=Q(items__parent=None)),
        )
        .order_by("list_kind", "department__path")
    )


def items_of(
    edition: Edition, *, q: str = "", list_kind: str = "", department=None, item_type=None
) -> QuerySet[Item]:
    """An edition's items (main items and sub-items) matching a search."""
    rows = Item.objects.filter(edition=edition).select_related("department", "item_type", "parent")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if list_kind:
        rows = rows.filter(list_kind=list_kind)
    if department:
        rows = rows.filter(department=department)
    if item_type:
        rows = rows.filter(item_type=item_type)
    return rows.order_by("list_kind", "department__path", "position", "parent_id", "pk")


def comparable(user, edition: Edition) -> QuerySet[Edition]:
    """The other editions of the same place the user may compare this one with."""
    return (
        visible_editions(user)
        .filter(jurisdiction=edition.jurisdiction)
        .exclude(pk=edition.pk)
        .order_by("-year")
    )


def edition_history(edition: Edition):
    """Every act on the edition, its parts and its items, oldest first."""
    return history_of(edition)


def item_history(item: Item):
    """The acts on one item (its corrections)."""
    return AuditRecord.objects.filter(
        obj_type=item._meta.label_lower, obj_id=str(item.pk)
    ).select_related("actor")


# --- the public side (pages and API): published editions only ------------------------


def published_editions() -> QuerySet[Edition]:
    """Every published edition, with its place, newest first per place: all the public
    side (`catalog.public`, `catalog.api.public`) ever reads."""
    return (
        Edition.objects.filter(status=EditionStatus.PUBLISHED)
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "-year")
    )


def previous_published(edition: Edition) -> Edition | None:
    """What the public side compares `edition` with: the newest published edition of
    its place before it (the API's list computes the same in a subquery)."""
    return (
        published_editions()
        .filter(jurisdiction_id=edition.jurisdiction_id, year__lt=edition.year)
        .first()
    )
