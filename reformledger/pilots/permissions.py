"""Who sees which pilot and innovation and who may do which act: one rule for pages,
API and services.

- The office's staff and leaders (and city leaders, read-only) see every pilot and
  innovation of the offices under their unit.
- A pilot's host unit (its liaison and head) sees it and reports on it: its
  sub-projects and their investment, its files, its experience write-up. Its helping
  units read it. The host unit of a sub-project sees the pilot and reports on that
  sub-project. Anyone else: the pilot does not exist (404).
- The office manages the registry: registers pilots, moves them along their life,
  records mid-term reviews; only the office records an acceptance (验收).
- A unit proposes innovations; the office accepts, returns or declines them and
  declares a proven one replicable; every unit then sees the replicable experiences
  and records that it adopted one (推广).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any, visible_units
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Innovation, Pilot, SubProject

OFFICE = (Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
READERS = (*OFFICE, Role.CITY_LEADER)
UNIT = (Role.UNIT_REPORTER, Role.UNIT_HEAD)

#: act -> who may do it; see docs/permissions.md.
ACTS = {
    "view": "the office, city leaders, the host unit, helping units, sub-project hosts",
    "manage": "office staff and leaders (register, edit, move along its life, mid-term review)",
    "accept": "office staff and leaders (record the acceptance 验收)",
    "report": "the host unit's liaison or head (sub-projects, investment, files, write-up)",
    "report_sub_project": "the pilot's or the sub-project's host unit (investment on it)",
    "propose": "a unit's liaison or head (a grassroots innovation of its unit)",
    "revise": "the proposing unit's liaison or head (a returned innovation)",
    "decide": "office staff and leaders (accept, return, decline, declare replicable)",
    "adopt": "any other unit's liaison or head (a replicable experience)",
}


def _office_q(user, lookup: str = "office") -> Q:
    return under_any(lookup, scopes_of(user).paths(*READERS))


def _unit_paths(user) -> tuple[str, ...]:
    return scopes_of(user).paths(*UNIT)


def visible_pilots(user) -> QuerySet[Pilot]:
    """Pilots of the user's offices; pilots their unit hosts, helps on, or hosts a
    sub-project of."""
    paths = _unit_paths(user)
    q = _office_q(user)
    if paths:
        helped = Pilot.helping_units.through.objects.filter(
            under_any("unit", paths), pilot_id=OuterRef("pk")
        )
        hosted_sub = SubProject.objects.filter(
            under_any("host_unit", paths), pilot_id=OuterRef("pk")
        )
        q |= under_any("host_unit", paths) | Q(Exists(helped)) | Q(Exists(hosted_sub))
    return Pilot.objects.filter(q)


def visible_sub_projects(user) -> QuerySet[SubProject]:
    """Sub-projects of the pilots the user sees."""
    return SubProject.objects.filter(pilot__in=visible_pilots(user).values("pk"))


def sub_project_hosts(user, pilot: Pilot) -> QuerySet[Unit]:
    """Units that may host a sub-project of `pilot`, as `user` chooses: active units
    other than offices that the user sees, and the pilot's helping units with the units
    below them (a county building part of a municipal pilot, say)."""
    helping = tuple(u.path for u in pilot.helping_units.all())
    seen = Q(pk__in=visible_units(user).values("pk"))
    return Unit.objects.filter(seen | under_any("", helping), is_active=True).exclude(kind="office")


def visible_innovations(user) -> QuerySet[Innovation]:
    """Innovations of the user's offices; those their unit proposed; and every
    replicable experience of the office their unit belongs to (so that it can adopt)."""
    paths = _unit_paths(user)
    q = _office_q(user)
    if paths:
        q |= under_any("unit", paths) | (
            Q(status=InnovationStatus.REPLICABLE) & _offices_above(paths)
        )
    return Innovation.objects.filter(q)


def _offices_above(paths: tuple[str, ...]) -> Q:
    """Offices whose host unit (the office's parent) is one of `paths` or above one: the
    offices whose ledger a unit at `paths` belongs to."""
    step = Unit.steplen
    q = Q(pk__in=[])
    for path in paths:
        for depth in range(1, len(path) // step + 1):
            q |= Q(office__path__startswith=path[: depth * step], office__depth=depth + 1)
    return q


def sees_pilots(user) -> bool:
    """Whether the user works pilots at all (menus and the section's pages)."""
    return scopes_of(user).has(*READERS, *UNIT)


def runs_pilots(user) -> bool:
    """Whether the user manages pilots in some office."""
    return scopes_of(user).has(*OFFICE)


def can_office(user, act: str, office: Unit) -> bool:
    """Whether `user` may do `act` in `office`'s registry (register a pilot: "manage")."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    if act in ("manage", "accept", "decide"):
        return scopes_of(user).covers(office.path, *OFFICE)
    return False


def can_propose(user, unit: Unit) -> bool:
    """Whether `user` may propose an innovation for `unit` (their own unit or below)."""
    return scopes_of(user).covers(unit.path, *UNIT)


def can(user, act: str, obj: Model) -> bool:
    """Whether `user` may do `act` on a pilot, a sub-project or an innovation."""
    if act not in ACTS:
        raise ValueError(f"unknown act {act!r}")
    scopes = scopes_of(user)
    if isinstance(obj, SubProject):
        if act == "report_sub_project":
            return scopes.covers(obj.pilot.host_unit.path, *UNIT) or scopes.covers(
                obj.host_unit.path, *UNIT
            )
        obj = obj.pilot
    if isinstance(obj, Pilot):
        if act == "view":
            return visible_pilots(user).filter(pk=obj.pk).exists()
        if act == "report":
            return scopes.covers(obj.host_unit.path, *UNIT)
        if act in ("manage", "accept"):
            return scopes.covers(obj.office.path, *OFFICE)
        return False
    if isinstance(obj, Innovation):
        if act == "view":
            return visible_innovations(user).filter(pk=obj.pk).exists()
        if act == "revise":
            return scopes.covers(obj.unit.path, *UNIT)
        if act == "decide":
            return scopes.covers(obj.office.path, *OFFICE)
        if act == "adopt":
            if obj.status != InnovationStatus.REPLICABLE or scopes.covers(obj.unit.path, *UNIT):
                return False
            return visible_innovations(user).filter(pk=obj.pk).exists() and scopes.has(*UNIT)
        return False
    return False


def require(user, act: str, obj: Model) -> None:
    if not can(user, act, obj):
        raise PermissionDenied(f"{act} not allowed on {obj._meta.model_name} {obj.pk}")


def require_office(user, act: str, office: Unit) -> None:
    if not can_office(user, act, office):
        raise PermissionDenied(f"{act} not allowed in office {office.pk}")
