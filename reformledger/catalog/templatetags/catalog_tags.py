"""The lists on other pages: a task's page shows the editions it produced."""

from django import template

from reformledger.catalog import permissions
from reformledger.catalog.compare import compare_editions

register = template.Library()


@register.simple_tag(takes_context=True)
def task_editions(context, task) -> list[dict]:
    """The editions `task` produced that the user may see, each with the sentence of
    its comparison with its previous edition."""
    user = context["request"].user
    if not permissions.sees_lists(user):
        return []
    rows = []
    editions = (
        permissions.visible_editions(user)
        .filter(task=task)
        .select_related("previous")
        .order_by("-year")
    )
    for edition in editions:
        sentence = (
            compare_editions(edition.previous, edition).sentence() if edition.previous else ""
        )
        rows.append({"edition": edition, "sentence": sentence})
    return rows
