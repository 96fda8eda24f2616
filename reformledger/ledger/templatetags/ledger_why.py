"""Why an act is not open on a task's page, and who can do it (`selectors.why`), for the
task's tabs and forms that say so."""

from django import template

from reformledger.ledger.selectors import why
from reformledger.orgs.choices import Role

register = template.Library()


@register.simple_tag
def closing_outlook(task, closing=None):
    """What stands before the task's closing request, and who files, signs, approves."""
    return why.closing_outlook(task, closing)


@register.simple_tag
def unit_people(unit):
    """A unit's liaisons and head: {"liaisons": [...], "heads": [...]}."""
    return why.unit_people_of(unit)


@register.simple_tag
def office_staff(office):
    """The staff of a reform office (改革办科员): who sets up its reporting periods."""
    return why.holders(office, Role.OFFICE_ADMIN)
