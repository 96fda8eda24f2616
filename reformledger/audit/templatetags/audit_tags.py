"""Template helpers that show audit records in words (`audit.labels`): a history, an
act, a record's user, object type and changes."""

from django import template

from reformledger.audit import labels
from reformledger.audit.verbs import describe

register = template.Library()


@register.simple_tag
def plain_history(records, technical=False):
    """`{% plain_history history as entries %}`: the records in words (`labels.Entry`),
    with their business dates."""
    return labels.entries(records, technical=technical)


@register.filter
def verb_words(verb):
    return describe(verb)


@register.filter
def who(record):
    """The record's user by name, or 系统 for the system's own acts."""
    return labels.actor(record)


@register.filter
def object_label(obj_type):
    return labels.object_label(obj_type)


@register.filter
def reason_words(record):
    return labels.reason(record)


@register.simple_tag
def record_entry(record):
    """`{% record_entry record as e %}`: one record in words, every key shown."""
    return labels.entries([record], technical=True)[0]
