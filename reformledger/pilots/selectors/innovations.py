"""Reads of grassroots innovations (基层创新) and their spread (推广): each scoped to the
user (`permissions.visible_innovations`) and joined, so a list costs the same number of
queries whatever the number of rows."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any
from reformledger.pilots import permissions
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation, InnovationFile
from reformledger.pilots.services.innovations import PROPOSING_KINDS

__all__ = [
    "experience_spread",
    "innovation_detail",
    "innovation_file",
    "innovation_history",
    "innovation_list",
    "innovations",
    "proposal_offices",
    "proposing_units",
    "with_details",
]

#: The roles that propose and adopt innovations for a unit.
UNIT_ROLES = (Role.UNIT_REPORTER, Role.UNIT_HEAD)
#: The fields the list's search looks in.
SEARCHED = ("title", "problem", "actions", "results", "experience", "unit__name")


def _adoption_count():
    # A subquery rather than a JOIN and GROUP BY: filters on other relations never
    # multiply the count.
    counted = (
        Adoption.objects.filter(innovation=OuterRef("pk"))
        .order_by()
        .values("innovation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def innovations(user) -> QuerySet[Innovation]:
    """The innovations `user` may see, with what a list row shows: the office, the
    proposing unit, what it was turned into, and `adoption_count` (units that adopted it)."""
    return (
        permissions.visible_innovations(user)
        .select_related("office", "unit", "pilot", "task")
        .annotate(adoption_count=_adoption_count())
    )


def innovation_list(
    user,
    *,
    status: str | None = None,
    unit: Unit | None = None,
    year: int | None = None,
    q: str | None = None,
) -> QuerySet[Innovation]:
    """The innovations `user` may see, newest year first, filtered by status, proposing
    unit (and the units below it), year, and words in the title, the texts or the
    unit's name. Annotated with `adoption_count`."""
    rows = innovations(user)
    if status:
        rows = rows.filter(status=status)
    if unit is not None:
        rows = rows.filter(under_any("unit", (unit.path,)))
    if year:
        rows = rows.filter(year=year)
    words = (q or "").strip()
    if words:
        found = Q()
        for name in SEARCHED:
            found |= Q(**{f"{name}__icontains": words})
        rows = rows.filter(found)
    return rows.order_by("-year", "-proposed_at", "-pk")


def _evidence():
    """The innovation's own evidence (not an adoption's), as `evidence`."""
    return Prefetch(
        "files",
        queryset=InnovationFile.objects.filter(adoption__isnull=True).select_related("uploaded_by"),
        to_attr="evidence",
    )


def _adoptions():
    return Prefetch(
        "adoptions",
        queryset=Adoption.objects.select_related("unit", "recorded_by")
        .prefetch_related(Prefetch("files", queryset=InnovationFile.objects.order_by("pk")))
        .order_by("adopted_on", "pk"),
    )


def with_details(rows: QuerySet[Innovation]) -> QuerySet[Innovation]:
    """`rows` with what an innovation's page shows: its evidence files (`evidence`) and
    the units that adopted it with their results and files (`adoptions`)."""
    return rows.select_related("proposed_by", "decided_by").prefetch_related(
        _evidence(), _adoptions()
    )


def innovation_detail(user, pk: int) -> Innovation:
    """One innovation `user` may see, with its evidence files (`evidence`), the units
    that adopted it with their results and files (`adoptions`), and the pilot or task it
    was turned into. Raises Innovation.DoesNotExist for one the user may not see (the
    pages and the API answer 404)."""
    return with_details(innovations(user)).get(pk=pk)


def innovation_history(innovation: Innovation) -> QuerySet[AuditRecord]:
    """The audit records of an innovation and of its adoptions and files, oldest first."""
    return history_of(innovation)


def innovation_file(user, pk: int) -> InnovationFile:
    """An evidence file, if `user` sees its innovation (InnovationFile.DoesNotExist
    otherwise)."""
    return InnovationFile.objects.select_related("innovation").get(
        pk=pk, innovation__in=permissions.visible_innovations(user).values("pk")
    )


def experience_spread(user, office: Unit) -> QuerySet[Innovation]:
    """The replicable experiences (可复制推广经验) of `office` that `user` may see, most
    widely adopted first, each with `adoption_count` and its `adoptions` (the units and
    their results, in the order they adopted it): how far each experience has spread."""
    return (
        innovations(user)
        .filter(office=office, status=InnovationStatus.REPLICABLE)
        .prefetch_related(_adoptions())
        .order_by("-adoption_count", "-declared_at", "pk")
    )


def proposing_units(user) -> QuerySet[Unit]:
    """The active units `user` proposes innovations and records adoptions for: those
    where they are a liaison or head, and the units below them (counties, zones,
    departments and towns; no office, city or village)."""
    paths = scopes_of(user).paths(*UNIT_ROLES)
    if not paths:
        return Unit.objects.none()
    units = Unit.objects.filter(under_any("", paths), is_active=True, kind__in=PROPOSING_KINDS)
    return units.order_by("path")


def proposal_offices(user) -> QuerySet[Unit]:
    """The reform offices `user` may propose an innovation to: those whose ledger reaches
    one of their units (the office hangs under such a unit or a unit above it)."""
    step = Unit.steplen
    hosts = {
        p[:i] for p in scopes_of(user).paths(*UNIT_ROLES) for i in range(step, len(p) + 1, step)
    }
    q = Q(pk__in=[])
    for host in hosts:
        q |= Q(path__startswith=host, depth=len(host) // step + 1)
    return Unit.objects.filter(q, kind="office", is_active=True).order_by("path")
