"""Template helpers for ledger pages: badges, history lines, sort links."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reformledger.audit.verbs import describe
from reformledger.ledger.models import Task

register = template.Library()

_EXTRA_LABELS = {
    "summary": _("approach"),
    "milestones": _("milestones"),
    "revision": _("revision"),
    "superseded": _("superseded revision"),
    "rating": _("rating"),
    "suggested": _("suggested rating"),
    "period": _("period"),
    "done": _("what was done"),
    "percent": _("percent complete"),
    "reached": _("milestones reached"),
    "days_late": _("days late"),
    "files": _("files"),
    "document_no": _("document number"),
    "document_date": _("document date"),
    "carried_to": _("carried over to"),
}


@register.simple_tag
def badge(label, colour):
    """A coloured badge. The colour travels as data and site.js paints it: the
    Content Security Policy allows no style attribute in the markup."""
    return format_html('<span class="badge rl-badge" data-colour="{}">{}</span>', colour, label)


@register.simple_tag
def task_status(task):
    return badge(task.get_status_display(), task.status_colour)


@register.simple_tag
def plan_status(plan):
    return badge(plan.get_status_display(), plan.status_colour)


@register.filter
def verb_words(verb):
    return describe(verb)


@register.filter
def field_label(name):
    """A changed field's name in plain words: the task field's label, or our own
    (reverse relations such as `carried_to` have no label of their own)."""
    if name in _EXTRA_LABELS:
        return _EXTRA_LABELS[name]
    try:
        field = Task._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return getattr(field, "verbose_name", name)


def _show(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "；".join(str(v) for v in value) or "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


@register.filter
def show(value):
    return _show(value)


@register.simple_tag
def sort_link(field, label, ordering, query):
    """A column header that sorts by `field`, and reverses when clicked again."""
    new = f"-{field}" if ordering == field else field
    arrow = " ▲" if ordering == field else (" ▼" if ordering == f"-{field}" else "")
    sep = "&" if query else ""
    return format_html('<a href="?{}{}ordering={}">{}{}</a>', query, sep, new, label, arrow)
