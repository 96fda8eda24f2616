"""Template helpers of the supervision pages: level, status and receipt badges, and
the history's changes in plain words."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from reformledger.ledger.templatetags.ledger_tags import badge, field_label, show
from reformledger.supervision.choices import DocumentStatus, MatterStatus, OrderLevel

register = template.Library()

_LABELS = {
    "level": _("level"),
    "deadline": _("deadline"),
    "status": _("status"),
    "escalations": _("escalations"),
    "unit": _("responsible unit"),
    "task": _("task"),
    "late": _("late"),
    "files": _("files"),
    "leader": _("linked leader"),
    "demand": _("demand"),
    "document": _("document"),
    "format": _("format"),
    "document_no": _("document number"),
    "issued_on": _("issued on"),
    "held_on": _("date"),
    "topic": _("topic"),
    "attendees": _("attendees"),
    "minutes": _("minutes"),
    "tasks": _("tasks discussed"),
    "number": _("number"),
    "documents": _("documents reviewed"),
    "title": _("title"),
    "drafting_unit": _("drafting unit"),
    "year": _("year"),
    "achievements": _("results affirmed"),
    "problems": _("problems"),
    "causes": _("causes"),
    "improvements": _("improvements required"),
    "received_by": _("signed for by"),
    "receipt_due": _("to be signed for by"),
}

_CHOICES = {"level": OrderLevel, "status": MatterStatus}


@register.simple_tag
def level_badge(order):
    """An order's level in its colour (a CSS class per level: no style attribute)."""
    return format_html(
        '<span class="badge rl-level rl-level-{}" data-level="{}" data-testid="level">{}</span>',
        order.level,
        order.level,
        order.get_level_display(),
    )


@register.simple_tag
def matter_status(matter):
    return format_html(
        '<span data-status="{}">{}</span>',
        matter.status,
        badge(matter.get_status_display(), matter.status_colour),
    )


@register.simple_tag
def receipt_badge(matter):
    """Whether the unit signed for the matter (签收): the day it did, or "not yet"."""
    if matter.received_at is None:
        return format_html(
            '<span class="badge text-bg-light border" data-receipt="no" title="{}">{}</span>',
            gettext_now("Not yet signed for"),
            gettext_now("not yet"),
        )
    return format_html(
        '<span class="badge text-bg-success" data-receipt="yes" title="{}">✓ {}</span>',
        matter.received_by,
        timezone.localtime(matter.received_at).strftime("%m-%d"),
    )


@register.simple_tag
def document_status(doc):
    return badge(doc.get_status_display(), DocumentStatus(doc.status).colour)


@register.filter
def change_label(name):
    return _LABELS.get(name) or field_label(name)


def _value(name, value):
    choices = _CHOICES.get(name)
    if choices is not None and value in choices.values:
        return choices(value).label
    return show(value)


@register.simple_tag
def change_line(name, change):
    """`field: old → new` for a [old, new] pair, `field: value` for a value set."""
    label = change_label(name)
    if (
        isinstance(change, list)
        and len(change) == 2
        and name not in ("files", "tasks", "documents")
    ):
        return format_html("{}: {} → {}", label, _value(name, change[0]), _value(name, change[1]))
    return format_html("{}: {}", label, _value(name, change))


@register.simple_tag(takes_context=True)
def may_issue_order(context, task):
    """Whether the page's user may issue a supervision order on `task` (an open task
    of an office where they are a leader)."""
    from reformledger.supervision.permissions import can_office

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not task.is_open:
        return False
    return can_office(user, "issue_order", task.office)
