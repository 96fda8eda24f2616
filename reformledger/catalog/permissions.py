"""Who sees which edition of the lists and who may do which act: one rule for pages,
API and services.

- The office's staff and leaders (and city leaders, read-only) see every edition of
  the offices under their unit; office staff create editions, import and correct
  departments' parts and review them while the edition is a draft; an office leader
  publishes (a decisive act: the edition is frozen).
- A department (its liaison and head) sees the editions that hold a part of its own.
- Anyone, signed in or not, reads a published edition on the public side
  (`catalog.public`), which never reaches these rules or anything of the ledger.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, QuerySet

from reformledger.catalog.models import Edition, Item, Part
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "the office, city leaders, the departments with a part in the edition",
    "manage": "office staff and leaders, while the edition is a draft (import, correct, review)",
    "publish": "office leaders, once every part is reviewed",
}


def visible_editions(user) -> QuerySet[Edition]:
    """Editions of the user's offices, and those holding a part of the user's unit."""
    scopes = scopes_of(user)
    unit_paths = scopes.paths(*UNIT)
    own_part = Part.objects.filter(under_any("department", unit_paths), edition=OuterRef("pk"))
    q = under_any("office", scopes.paths(*READERS))
    if unit_paths:
        q |= Exists(own_part)
    return Edition.objects.filter(q)


def visible_items(user) -> QuerySet[Item]:
    return Item.objects.filter(edition__in=visible_editions(user).values("pk"))


def sees_lists(user) -> bool:
    return scopes_of(user).has(*READERS, *UNIT)


def can_office(user, act: str, office: Unit) -> bool:
    """Whether `user` may do `act` in `office`'s lists (start an edition: "manage")."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    if act == "manage":
        return scopes_of(user).covers(office.path, *OFFICE)
    return False


def can(user, act: str, obj: Model) -> bool:
    """Whether `user` may do `act` on an edition, a part or an item."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    edition = obj if isinstance(obj, Edition) else obj.edition
    scopes = scopes_of(user)
    if act == "view":
        if scopes.covers(edition.office.path, *READERS):
            return True
        paths = scopes.paths(*UNIT)
        return bool(paths) and edition.parts.filter(under_any("department", paths)).exists()
    if not edition.is_draft:
        return False
    if act == "publish":
        return scopes.covers(edition.office.path, Role.OFFICE_LEADER)
    return scopes.covers(edition.office.path, *OFFICE)


def require(user, act: str, obj: Model) -> None:
    if not can(user, act, obj):
        raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
