"""Who sees which indicator and who may do which act: one rule for pages, API and
services.

- The office's staff and leaders (and city leaders, read-only) see every indicator of
  the offices under their unit; the office defines indicators, their targets and
  links, and checks the values reported.
- The owner unit (its liaison and head) sees its indicators and reports their values
  with evidence. Anyone else: the indicator does not exist (404).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from reformledger.indicators.models import Indicator, IndicatorValue
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "the office, city leaders, the owner unit",
    "manage": "office staff and leaders (define, targets, links)",
    "report": "the owner unit's liaison or head (a value per period, with evidence)",
    "check": "office staff and leaders (check a reported value, or return it)",
}


def visible_indicators(user) -> QuerySet[Indicator]:
    """Indicators of the user's offices, and those their unit owns."""
    scopes = scopes_of(user)
    q = under_any("office", scopes.paths(*READERS)) | under_any("owner_unit", scopes.paths(*UNIT))
    return Indicator.objects.filter(q)


def visible_values(user) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.filter(indicator__in=visible_indicators(user).values("pk"))


def sees_indicators(user) -> bool:
    return scopes_of(user).has(*READERS, *UNIT)


def can_office(user, act: str, office: Unit) -> bool:
    """Whether `user` may do `act` in `office`'s indicators (define one: "manage")."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    if act in ("manage", "check"):
        return scopes_of(user).covers(office.path, *OFFICE)
    return False


def can(user, act: str, obj: Model) -> bool:
    """Whether `user` may do `act` on an indicator or a reported value."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    if isinstance(obj, IndicatorValue):
        obj = obj.indicator
    scopes = scopes_of(user)
    if act == "view":
        return scopes.covers(obj.office.path, *READERS) or scopes.covers(obj.owner_unit.path, *UNIT)
    if act == "report":
        return not obj.is_ratio and scopes.covers(obj.owner_unit.path, *UNIT)
    return scopes.covers(obj.office.path, *OFFICE)


def require(user, act: str, obj: Model) -> None:
    if not can(user, act, obj):
        raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
