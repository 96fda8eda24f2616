"""Where a user's roles reach: each membership covers its unit and every unit below.

Scopes are read once per user object and cached on it, so a page that checks many
rows costs one query for them.

A scope is a unit path, filtered as a prefix (`under_any`). A membership's unit with
nothing below it (an office, most units) covers that unit alone: its paths carry the
unit's id, and the filter asks for the id. The result is the same; the difference is
the database's estimate. PostgreSQL guesses how many rows a path prefix matches from
the units table alone, then supposes the tasks spread evenly over the units. One office
holding every task of a province is then estimated at 1% of them, and the planner
probes an index once per task where one pass would do. For an id it reads the tasks'
own statistics and plans for the real number.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Unit


class ScopePaths(tuple):
    """Unit paths, each covering its unit and those below, with the ids of the paths
    whose unit has nothing below it (`leaves`, path → id): `under_any` filters those by
    id. Concatenating with a plain tuple gives a plain tuple (every path a prefix)."""

    leaves: dict[str, int]

    def __new__(cls, paths=(), leaves: dict[str, int] | None = None):
        made = super().__new__(cls, paths)
        made.leaves = {p: leaves[p] for p in made if p in leaves} if leaves else {}
        return made


@dataclass(frozen=True)
class Scopes:
    """The unit paths each of a user's roles covers."""

    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # For office roles: the path of the unit that hosts the office (its parent).
    hosts: tuple[str, ...] = ()
    # The membership units with nothing below them: path → id (`ScopePaths`).
    leaves: dict[str, int] = field(default_factory=dict, compare=False)

    def paths(self, *roles: str) -> tuple[str, ...]:
        return ScopePaths((p for r in roles for p in self.by_role.get(r, ())), self.leaves)

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
    leaves: dict[str, int] = {}
    rows = Membership.objects.filter(user=user, is_active=True, unit__is_active=True).values_list(
        "role", "unit__path", "unit__depth", "unit_id", "unit__numchild"
    )
    for role, path, depth, unit_id, numchild in rows:
        by_role.setdefault(role, []).append(path)
        if not numchild:
            leaves[path] = unit_id
        if role in (Role.OFFICE_ADMIN, Role.OFFICE_LEADER) and depth > 1:
            hosts.append(path[: (depth - 1) * Unit.steplen])
    scopes = Scopes({r: tuple(p) for r, p in by_role.items()}, tuple(hosts), leaves)
    setattr(user, _CACHE_ATTR, scopes)
    return scopes


def forget_scopes(user) -> None:
    """Drop the cached scopes after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def under_any(lookup: str, paths: tuple[str, ...]) -> Q:
    """A filter: the unit at `lookup` is one of `paths` or below one of them. Paths
    known to have nothing below them (`ScopePaths.leaves`) are asked for by id."""
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    leaves = getattr(paths, "leaves", {})
    ids = [leaves[p] for p in paths if p in leaves]
    q = Q(**{f"{lookup}__in" if lookup else "pk__in": ids})
    for path in paths:
        if path not in leaves:
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


def messenger_hosts(user) -> tuple[str, ...]:
    """The paths under which `user` manages units' messenger robots (WeCom, DingTalk):
    the host units of the offices where they are office staff (改革办工作人员), as an
    office's ledger reaches the units under its host."""
    paths = scopes_of(user).paths(Role.OFFICE_ADMIN)
    return tuple(p[: -Unit.steplen] if len(p) > Unit.steplen else p for p in paths)


def can_manage_messengers(user, unit: Unit) -> bool:
    """Whether `user` manages `unit`'s messenger robots (`messenger_hosts`)."""
    return any(unit.path.startswith(host) for host in messenger_hosts(user))
