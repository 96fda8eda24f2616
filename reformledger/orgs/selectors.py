"""Reads of the unit tree."""

from django.db.models import QuerySet

from reformledger.orgs.models import Membership, Unit, UnitAlias
from reformledger.orgs.permissions import visible_units


def unit_detail(user, pk: int) -> Unit:
    """A unit the user may open, with its names over time."""
    return (
        visible_units(user)
        .select_related("merged_into")
        .prefetch_related("names", "merged_from")
        .get(pk=pk)
    )


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.get_children(unit)


def unit_people(unit: Unit) -> QuerySet[Membership]:
    """Who holds a role in the unit (its head and liaisons)."""
    return (
        Membership.objects.filter(unit=unit, is_active=True).select_related("user").order_by("role")
    )


def unit_members(unit: Unit, roles) -> list:
    """The active users holding one of `roles` in `unit` itself (not below it): whom a
    notice to the unit's liaisons and head, or to an office's staff, goes to."""
    rows = Membership.objects.filter(
        unit=unit, is_active=True, role__in=roles, user__is_active=True
    ).select_related("user")
    return [m.user for m in rows]


def unit_tree(user) -> QuerySet[Unit]:
    """The units a user may open, in tree order."""
    return visible_units(user).filter(is_active=True).order_by("path")


def unit_aliases(unit: Unit) -> QuerySet[UnitAlias]:
    """The other names offices use for a unit (单位别名), with who added each, A–Z."""
    return UnitAlias.objects.filter(unit=unit).select_related("added_by").order_by("alias")
