"""Reading the audit trail: a task's history, the auditor's search, and the chain's proof."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from reformledger.audit import services, triggers
from reformledger.audit.models import AuditRecord

#: Records read per query while the chain is walked: memory stays the same for any length.
VERIFY_BATCH = 5000


def history_of(obj: models.Model) -> QuerySet[AuditRecord]:
    """Every record whose context is `obj`, oldest first (a task's history tab)."""
    return AuditRecord.objects.filter(
        ctx_type=obj._meta.label_lower, ctx_id=str(obj.pk)
    ).select_related("actor")


# --- the auditor's search ---------------------------------------------------------


def trail(
    *,
    q: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    user: str = "",
    verb: str = "",
    outcome: str = "",
    obj_type: str = "",
) -> QuerySet[AuditRecord]:
    """The trail as the auditor filters it, newest first, with each record's user.

    `q` searches the user (account and name), the object, its id, the address and
    the reason; `verb` ending in "." matches every act of that kind ("task.").
    Callers check `permissions.can_read_trail` first: the trail has no scope.
    """
    records = AuditRecord.objects.select_related("actor").order_by("-id")
    q = q.strip()
    if q:
        records = records.filter(
            Q(actor_label__icontains=q)
            | Q(actor__full_name__icontains=q)
            | Q(obj_repr__icontains=q)
            | Q(obj_id=q)
            | Q(address__startswith=q)
            | Q(reason__icontains=q)
        )
    if since is not None:
        records = records.filter(at__gte=since)
    if until is not None:
        records = records.filter(at__lte=until)
    if user.strip():
        records = records.filter(actor_label=user.strip())
    verb = verb.strip()
    if verb:
        records = (
            records.filter(verb__startswith=verb)
            if verb.endswith(".")
            else records.filter(verb=verb)
        )
    if outcome:
        records = records.filter(outcome=outcome)
    if obj_type.strip():
        records = records.filter(obj_type=obj_type.strip())
    return records


def neighbours(record: AuditRecord) -> tuple[AuditRecord | None, AuditRecord | None]:
    """The records just before and after `record` in the chain."""
    before = AuditRecord.objects.filter(id__lt=record.pk).order_by("-id").first()
    after = AuditRecord.objects.filter(id__gt=record.pk).order_by("id").first()
    return before, after


def record_holds(record: AuditRecord) -> bool:
    """True when `record`'s stored hash is the hash of its content."""
    try:
        return services.digest(services.canonical(record), record.algorithm) == record.hash
    except ValueError:
        return False


# --- the chain's proof ------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """The last record of the chain: kept outside the database, it proves that no
    record was cut off the end or the chain rewritten from some point on."""

    id: int
    hash: str
    at: dt.datetime
    algorithm: str

    def __str__(self) -> str:
        return f"{self.id} {self.hash} {self.at.astimezone(dt.UTC).isoformat()}"


@dataclass(frozen=True)
class Break:
    """The first record at which the chain does not hold, and why."""

    id: int
    at: dt.datetime | None
    verb: str
    problem: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the whole chain found."""

    count: int
    head: Head | None
    broken: Break | None
    #: ids skipped between neighbours (normal on PostgreSQL after a rolled-back insert).
    gaps: int
    triggers_present: bool

    @property
    def intact(self) -> bool:
        return self.broken is None


def chain_head() -> Head | None:
    """The chain's last record (id, hash, time), or None for an empty trail."""
    row = AuditRecord.objects.order_by("-id").values_list("id", "hash", "at", "algorithm").first()
    return Head(*row) if row else None


def _problem(row: dict, prev_id: int | None, prev_hash: str) -> str:
    """Why `row` breaks the chain, or "" when it holds."""
    if row["prev_hash"] != prev_hash:
        if prev_id is None:
            return _("the first record does not start the chain: records before it are missing")
        if prev_id is not None and row["id"] > prev_id + 1:
            return _(
                "its link to the previous record does not match: records %(first)s–%(last)s "
                "before it are missing"
            ) % {"first": prev_id + 1, "last": row["id"] - 1}
        return _(
            "its link does not match the previous record #%(id)s (that record was altered "
            "or removed)"
        ) % {"id": prev_id}
    try:
        recomputed = services.digest(services.canonical_row(row), row["algorithm"])
    except ValueError:
        return _("unknown hash algorithm %(name)s") % {"name": row["algorithm"]}
    if recomputed != row["hash"]:
        return _("its content does not match its hash (the record was altered)")
    return ""


def walk_chain(
    *,
    expected_head: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = VERIFY_BATCH,
) -> ChainReport:
    """Walk the whole chain in id order, recomputing each hash and checking each link,
    and name the first record that does not hold.

    Reads `batch` records per query (keyset pagination), so memory stays the same for
    any length. `expected_head` is a head kept outside the database (`audit_head`): a
    chain that no longer holds that record with that hash was cut or rewritten.
    `progress(count)` is called after each batch.
    """
    fields = ("id", *services.HASHED_FIELDS, "hash", "algorithm")
    count = gaps = 0
    prev_id: int | None = None
    prev_hash = services.GENESIS
    last_row: dict | None = None
    broken: Break | None = None
    seen_expected = expected_head is None
    while broken is None:
        rows = list(
            AuditRecord.objects.filter(id__gt=prev_id or 0).order_by("id").values(*fields)[:batch]
        )
        if not rows:
            break
        for row in rows:
            problem = _problem(row, prev_id, prev_hash)
            if problem:
                broken = Break(row["id"], row["at"], row["verb"], problem)
                break
            if prev_id is not None and row["id"] > prev_id + 1:
                gaps += row["id"] - prev_id - 1
            if expected_head is not None and row["id"] == expected_head[0]:
                if row["hash"] != expected_head[1]:
                    broken = Break(
                        row["id"],
                        row["at"],
                        row["verb"],
                        _("its hash differs from the chain head kept outside the database"),
                    )
                    break
                seen_expected = True
            count += 1
            prev_id, prev_hash, last_row = row["id"], row["hash"], row
        if progress is not None:
            progress(count)
    if broken is None and not seen_expected:
        broken = Break(
            expected_head[0],
            None,
            "",
            _("the chain head kept outside the database is no longer in the chain"),
        )
    head = (
        Head(last_row["id"], last_row["hash"], last_row["at"], last_row["algorithm"])
        if last_row
        else None
    )
    return ChainReport(
        count=count,
        head=head,
        broken=broken,
        gaps=gaps,
        triggers_present=triggers.present(connection),
    )


def verify_chain() -> int | None:
    """The id of the first record whose hash does not hold, or None if the chain is whole."""
    broken = walk_chain().broken
    return broken.id if broken else None
