"""Who sees and who makes the year's publications: one rule for pages, API and services.

- The office's staff and leaders, and city leaders (read-only), see the publications of
  the offices under their unit, their versions and files.
- Office staff and leaders start a publication, write its narrative sections, choose
  its highlights and generate it; only an office leader submits it upward (报送).
- Units, evaluation teams and the administrators see nothing (404).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.publications.models import Publication

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "office staff and leaders, city leaders (read-only)",
    "write": "office staff and leaders (start, narrative sections, highlights, generate)",
    "submit": "office leaders (submit the report upward, freezing the version)",
}
_ROLES = {"view": READERS, "write": OFFICE, "submit": (Role.OFFICE_LEADER,)}


def visible_publications(user) -> QuerySet[Publication]:
    return Publication.objects.filter(under_any("office", scopes_of(user).paths(*READERS)))


def sees_publications(user) -> bool:
    return scopes_of(user).has(*READERS)


def writes_publications(user) -> bool:
    return scopes_of(user).has(*OFFICE)


def can_office(user, act: str, office: Unit) -> bool:
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    return scopes_of(user).covers(office.path, *_ROLES[act])


def can(user, act: str, publication: Publication) -> bool:
    return can_office(user, act, publication.office)


def require(user, act: str, publication: Publication) -> None:
    if not can(user, act, publication):
        raise PermissionDenied(f"{act} not allowed on publication {publication.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
