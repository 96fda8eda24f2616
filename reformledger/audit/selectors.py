"""Reading the audit trail: a task's history, the auditor's search, and the chain's proof."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from reformledger.audit import services, triggers
from reformledger.audit.models import AuditRecord, VerifiedHead

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


#: Verbs of records that change nothing a page of the ledger counts: signing in and out,
#: refusals, files taken out, the trail's own checks, notices sent or read, accounts and
#: their tokens.
NO_LEDGER_CHANGE = ("auth.", "access.", "export.", "audit.", "notification.", "token.", "account.")


def newest_change_id() -> int:
    """The id of the newest record of an act that changed the ledger (0 for none): every
    such act writes one in its transaction, so a figure computed after it is current
    while this id stands (web.dashboard.cached_dashboard keys on it)."""
    others = Q()
    for prefix in NO_LEDGER_CHANGE:
        others |= Q(verb__startswith=prefix)
    return (
        AuditRecord.objects.exclude(others).order_by("-id").values_list("id", flat=True).first()
        or 0
    )


def _walk_sql(vendor: str, where: str) -> str:
    """The walk's query: one batch of records after an id, as plain tuples (id, hash,
    algorithm, then `HASHED_FIELDS` in order), `at` already in its canonical text on
    PostgreSQL and as stored on SQLite (see `_sqlite_at`). No model instances, no
    `values()` dicts: at a million records their cost is most of the walk's."""
    qn = connection.ops.quote_name
    if vendor == "postgresql":
        at = """to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
    else:
        # An expression has no declared type, so sqlite3 does not parse it to a datetime.
        at = 'CAST("at" AS TEXT)'
    columns = ", ".join(
        [qn("id"), qn("hash"), qn("algorithm"), at]
        + [qn(AuditRecord._meta.get_field(name).column) for name in services.HASHED_FIELDS[1:]]
    )
    table, pk = qn(AuditRecord._meta.db_table), qn("id")
    # Only names from the model and `where` ("=" or ">") go into the text; values are
    # parameters.
    return f"SELECT {columns} FROM {table} WHERE {pk} {where} %s ORDER BY {pk} LIMIT %s"  # noqa: S608


def _sqlite_at(stored: str) -> str:
    """`canonical_at` of a time as Django stores it on SQLite (UTC, "YYYY-MM-DD
    HH:MM:SS[.ffffff]"), by slicing the text; anything else is parsed first."""
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    if len(stored) == 19 and stored[10] == " ":
        return f"{stored[:10]}T{stored[11:]}.000000+00:00"
    return services.canonical_at(_parse_at(stored))


def _parse_at(text: str) -> dt.datetime:
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(text)
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def _changes(stored):
    """The changes column as read (JSON text, or already decoded by the driver)."""
    if isinstance(stored, str):
        return _NO_CHANGES if stored == "{}" else json.loads(stored)
    return stored


_NO_CHANGES: dict = {}


def _problem(
    *,
    rid: int,
    prev_field: str,
    algorithm: str,
    stored_hash: str,
    payload: bytes,
    prev_id: int | None,
    prev_hash: str,
) -> str:
    """Why the record `rid` breaks the chain, or "" when it holds: its link
    (`prev_field`) to the record before (`prev_id`, `prev_hash`), then its own hash."""
    if prev_field != prev_hash:
        if prev_id is None:
            return _("the first record does not start the chain: records before it are missing")
        if rid > prev_id + 1:
            return _(
                "its link to the previous record does not match: records %(first)s–%(last)s "
                "before it are missing"
            ) % {"first": prev_id + 1, "last": rid - 1}
        return _(
            "its link does not match the previous record #%(id)s (that record was altered "
            "or removed)"
        ) % {"id": prev_id}
    try:
        recomputed = services.digest(payload, algorithm)
    except ValueError:
        return _("unknown hash algorithm %(name)s") % {"name": algorithm}
    if recomputed != stored_hash:
        return _("its content does not match its hash (the record was altered)")
    return ""


def _hashed(row: tuple, at_text) -> bytes:
    """The canonical bytes of a walk row (`_walk_sql`'s columns)."""
    return services.canonical_fields(
        at_text(row[3]), *row[4:14], _changes(row[14]), row[15], row[16]
    )


def walk_chain(
    *,
    expected_head: tuple[int, str] | None = None,
    since: tuple[int, str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = VERIFY_BATCH,
) -> ChainReport:
    """Walk the chain in id order, recomputing each hash and checking each link, and
    name the first record that does not hold.

    Reads `batch` records per query (keyset pagination over plain tuples), so memory
    stays the same for any length. `expected_head` is a head kept outside the database
    (`audit_head`): a chain that no longer holds that record with that hash was cut or
    rewritten. `since` (ID, HASH) is a head verified before: the walk starts at that
    record, which must still be there with that hash and hold its content, and checks
    only it and what follows (an incremental check; records before it are not read, so
    their rewriting is found only by a whole walk or against a head kept outside).
    `progress(count)` is called after each batch.
    """
    vendor = connection.vendor
    at_text = str if vendor == "postgresql" else _sqlite_at
    one, after = _walk_sql(vendor, "="), _walk_sql(vendor, ">")
    hashers = services.available_hashers()
    count = gaps = 0
    prev_id: int | None = None
    prev_hash = services.GENESIS
    last_row: tuple | None = None
    broken: Break | None = None
    seen_expected = expected_head is None

    def break_at(row: tuple, problem: str) -> Break:
        return Break(row[0], _parse_at(row[3]), row[7], problem)

    with connection.cursor() as cursor:
        if since is not None:
            cursor.execute(one, [since[0], 1])
            start = cursor.fetchone()
            if start is None:
                broken = Break(
                    since[0],
                    None,
                    "",
                    _("the verified head to start from is no longer in the chain"),
                )
            elif start[1] != since[1]:
                broken = break_at(
                    start, _("its hash differs from the verified head the check started from")
                )
            else:
                problem = _problem(
                    rid=start[0],
                    prev_field=start[16],
                    algorithm=start[2],
                    stored_hash=start[1],
                    payload=_hashed(start, at_text),
                    prev_id=None,
                    prev_hash=start[16],
                )
                if problem:
                    broken = break_at(start, problem)
                else:
                    count, prev_id, prev_hash, last_row = 1, start[0], start[1], start
            if broken is None and expected_head is not None and expected_head[0] <= since[0]:
                # The head kept outside lies before (or at) where the walk starts.
                cursor.execute(one, [expected_head[0], 1])
                kept = cursor.fetchone()
                if kept is None:
                    broken = Break(
                        expected_head[0],
                        None,
                        "",
                        _("the chain head kept outside the database is no longer in the chain"),
                    )
                elif kept[1] != expected_head[1]:
                    broken = break_at(
                        kept, _("its hash differs from the chain head kept outside the database")
                    )
                seen_expected = True
        while broken is None:
            cursor.execute(after, [prev_id or 0, batch])
            rows = cursor.fetchall()
            if not rows:
                break
            for row in rows:
                rid, stored_hash, algorithm = row[0], row[1], row[2]
                payload = _hashed(row, at_text)
                new_hasher = hashers.get(algorithm)
                if (
                    row[16] != prev_hash
                    or new_hasher is None
                    or new_hasher(payload).hexdigest() != stored_hash
                ):
                    problem = _problem(
                        rid=rid,
                        prev_field=row[16],
                        algorithm=algorithm,
                        stored_hash=stored_hash,
                        payload=payload,
                        prev_id=prev_id,
                        prev_hash=prev_hash,
                    )
                    if problem:
                        broken = break_at(row, problem)
                        break
                if prev_id is not None and rid > prev_id + 1:
                    gaps += rid - prev_id - 1
                if expected_head is not None and rid == expected_head[0]:
                    if stored_hash != expected_head[1]:
                        broken = break_at(
                            row,
                            _("its hash differs from the chain head kept outside the database"),
                        )
                        break
                    seen_expected = True
                count += 1
                prev_id, prev_hash, last_row = rid, stored_hash, row
            if progress is not None:
                progress(count)
    if broken is None and not seen_expected:
        broken = Break(
            expected_head[0],
            None,
            "",
            _("the chain head kept outside the database is no longer in the chain"),
        )
    head = Head(last_row[0], last_row[1], _parse_at(last_row[3]), last_row[2]) if last_row else None
    return ChainReport(
        count=count,
        head=head,
        broken=broken,
        gaps=gaps,
        triggers_present=triggers.present(connection),
    )


def last_verified_head() -> tuple[int, str] | None:
    """The head of the latest verification that found the chain whole (id, hash), where
    an incremental check starts; None before any."""
    row = VerifiedHead.objects.order_by("-id").values_list("record_id", "hash").first()
    return (row[0], row[1]) if row else None


def verify_chain() -> int | None:
    """The id of the first record whose hash does not hold, or None if the chain is whole."""
    broken = walk_chain().broken
    return broken.id if broken else None
