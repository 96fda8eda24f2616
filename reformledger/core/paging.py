"""Paging long lists without reading what the page does not show.

`Paginator.page` slices the queryset: the database sorts every matching row with all
its columns (and those of the joined tables) to skip `offset` of them. Here the page
is read in two steps (a "deferred join"): the ids of the page alone, sorted and
skipped, then those rows with everything they show. The sort carries two columns
instead of forty, so a page deep in a long list costs about what the first does.
"""

from django.core import paginator
from django.db.models import QuerySet


def page_rows(rows: QuerySet, bottom: int, top: int) -> list:
    """`rows[bottom:top]` in the same order, read as ids first, then the rows by id with
    the relations `rows` selects and prefetches. A queryset with annotations (which the
    second read would lose) or of values is sliced as it is."""
    if (
        not isinstance(rows, QuerySet)
        or rows.query.annotations
        or rows._fields is not None  # .values() / .values_list()
        or not rows.ordered
    ):
        return list(rows[bottom:top])
    ids = list(rows.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    again = rows.model._default_manager.filter(pk__in=ids).order_by()
    again.query.select_related = rows.query.select_related
    again.query.deferred_loading = rows.query.deferred_loading
    again = again.prefetch_related(*rows._prefetch_related_lookups)
    by_id = {row.pk: row for row in again}
    return [by_id[pk] for pk in ids if pk in by_id]


class Paginator(paginator.Paginator):
    """Django's paginator, reading each page by its ids first (`page_rows`). Give it
    `count` when the caller counted the rows already (the ledger's totals), so the
    rows are not counted twice."""

    def __init__(self, object_list, per_page, *args, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if count is not None:
            self.count = count  # the cached_property, set: no COUNT query

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(page_rows(self.object_list, bottom, top), number, self)
