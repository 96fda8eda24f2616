"""Template helpers for ledger pages: badges, the words of an act, sort links."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from reformledger.audit.verbs import describe

register = template.Library()


@register.simple_tag
def badge(label, colour):
    """A coloured badge. The colour travels as data and site.js paints it: the
    Content Security Policy allows no style attribute in the markup."""
    return format_html('<span class="badge rl-badge" data-colour="{}">{}</span>', colour, label)


@register.simple_tag
def grade_badge(grade):
    """A rating's grade as its letter on its colour, named in the title: what
    `ratings/_grade.html` shows, as a tag for the rows of a long list (an include per
    row renders a template per row)."""
    if not grade:
        return format_html('<span class="text-muted">—</span>')
    name = grade.name_en if get_language() == "en" and grade.name_en else grade.name
    return format_html(
        '<span class="badge rl-badge" data-colour="{}" title="{}" data-grade="{}">{}</span>',
        grade.colour,
        name,
        grade.letter,
        grade.letter,
    )


@register.simple_tag
def task_status(task):
    return badge(task.get_status_display(), task.status_colour)


@register.simple_tag
def plan_status(plan):
    return badge(plan.get_status_display(), plan.status_colour)


@register.filter
def verb_words(verb):
    return describe(verb)


@register.simple_tag
def sort_link(field, label, ordering, query):
    """A column header that sorts by `field`, and reverses when clicked again."""
    new = f"-{field}" if ordering == field else field
    arrow = " ▲" if ordering == field else (" ▼" if ordering == f"-{field}" else "")
    sep = "&" if query else ""
    return format_html('<a href="?{}{}ordering={}">{}{}</a>', query, sep, new, label, arrow)
