"""Where a user's roles reach: each membership covers its unit and every unit below.

Scopes are read once per user object and cached on it, so a page that checks many
rows costs one query for them.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit


@dataclass(frozen=True)
class Scopes:
    """The unit paths each of a user's roles covers."""

    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # For office roles: the path of the unit that hosts the office (its parent).
    hosts: tuple[str, ...] = ()

    def paths(self, *roles: str) -> tuple[str, ...]:
        return tuple(p for r in roles for p in self.by_role.get(r, ()))

    def has(self, *roles: str) -> bool:
        return any(self.by_role.get(r) for r in roles)

    def covers(self, unit_path: str, *roles: str) -> bool:
        """True when one of `roles` is held in `unit_path`'s unit or one above it."""
        return any(unit_path.startswith(p) for p in self.paths(*roles))


_CACHE_ATTR = "_rl_scopes"


def scopes_of(user) -> Scopes:
    """The scopes of `user`'s active memberships (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scopes()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    by_role: dict[str, list[str]] = {}
    hosts: list[str] = []
    rows = Membership.objects.filter(user=user, is_active=True, unit__is_active=True).values_list(
        "role", "unit__path", "unit__depth"
    )
    for role, path, depth in rows:
        by_role.setdefault(role, []).append(path)
        if role in (Role.OFFICE_ADMIN, Role.OFFICE_LEADER) and depth > 1:
            hosts.append(path[: (depth - 1) * Unit.steplen])
    scopes = Scopes({r: tuple(p) for r, p in by_role.items()}, tuple(hosts))
    setattr(user, _CACHE_ATTR, scopes)
    return scopes


def forget_scopes(user) -> None:
    """Drop the cached scopes after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def under_any(lookup: str, paths: tuple[str, ...]) -> Q:
    """A filter: the unit at `lookup` is one of `paths` or below one of them."""
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{field: path})
    return q


def offices_worked(user) -> list[Unit]:
    """The reform offices where `user` is office staff or an office leader (or below a
    unit where they are), by place in the tree: where they register and define things."""
    paths = scopes_of(user).paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER)
    if not paths:
        return []
    return list(Unit.objects.filter(kind="office").filter(under_any("", paths)).order_by("path"))


def visible_units(user):
    """Units a user may open: staff and leaders see all; a unit's people see their subtree."""
    scopes = scopes_of(user)
    qs = Unit.objects.all()
    if scopes.has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.CITY_LEADER, Role.SYSTEM_ADMIN):
        return qs
    return qs.filter(under_any("", scopes.paths(Role.UNIT_REPORTER, Role.UNIT_HEAD)))


def can_record_people(user) -> bool:
    """Whether `user` may record a person named in the ledger (a responsible leader):
    office staff and leaders, who meet them in the work points and the ledgers they
    bring in, and the system and security administrators."""
    return scopes_of(user).has(
        Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN
    )


def can_keep_aliases(user) -> bool:
    """Whether `user` may add or remove unit aliases (单位别名): office staff and leaders
    of any office, who meet the names while importing, and the system administrator."""
    return scopes_of(user).has(Role.OFFICE_ADMIN, Role.OFFICE_LEADER, Role.SYSTEM_ADMIN)
