"""Template helpers of the supervision pages: level, status and receipt badges."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from reformledger.ledger.templatetags.ledger_tags import badge
from reformledger.supervision.choices import DocumentStatus

register = template.Library()


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
            gettext("Not yet signed for"),
            gettext("not yet"),
        )
    return format_html(
        '<span class="badge text-bg-success" data-receipt="yes" title="{}">✓ {}</span>',
        matter.received_by,
        timezone.localtime(matter.received_at).strftime("%m-%d"),
    )


@register.simple_tag
def document_status(doc):
    return badge(doc.get_status_display(), DocumentStatus(doc.status).colour)


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


@register.simple_tag(takes_context=True)
def may_draft_order(context, task):
    """Whether the page's user, who does not issue orders, may draft one on `task` for an
    office leader to sign (提请签发): office staff of its office, the task open."""
    from reformledger.supervision.permissions import can_office

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not task.is_open:
        return False
    return can_office(user, "draft_order", task.office) and not can_office(
        user, "issue_order", task.office
    )
