"""Writing the audit trail. Every service calls `record` inside its own transaction."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from reformledger.audit.models import AuditRecord, Outcome, VerifiedHead
from reformledger.core.context import client_address

GENESIS = "0" * 64
# Any constant: PostgreSQL serialises chain appends on this advisory lock.
_CHAIN_LOCK_KEY = 72_011_016
#: The hash functions a record may name; both give 64 hex digits.
ALGORITHMS = ("sha256", "sm3")
#: The fields a record's hash covers (with `prev_hash`), as `canonical_row` reads them.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "address",
    "verb",
    "outcome",
    "obj_type",
    "obj_id",
    "obj_repr",
    "ctx_type",
    "ctx_id",
    "changes",
    "reason",
    "prev_hash",
)


def sm3_available() -> bool:
    """True when the platform's hashlib (OpenSSL) offers SM3 (GB/T 32905)."""
    return "sm3" in hashlib.algorithms_available


def chain_algorithm() -> str:
    """The hash function new records use: SM3 when RL_AUDIT_HASH=sm3 asks for it and
    the platform has it, SHA-256 otherwise."""
    wanted = str(getattr(settings, "RL_AUDIT_HASH", "sha256")).lower()
    return "sm3" if wanted == "sm3" and sm3_available() else "sha256"


#: The hash constructors by name: looked up once per record, not through `digest`'s branches.
_HASHERS: dict[str, Callable[..., Any]] = {
    "sha256": hashlib.sha256,
    "sm3": partial(hashlib.new, "sm3"),
}


def hasher(algorithm: str) -> Callable[[bytes], Any]:
    """The hashlib constructor of `algorithm` ("sha256" or "sm3"); ValueError for any other."""
    try:
        return _HASHERS[algorithm]
    except KeyError:
        raise ValueError(f"unknown audit hash algorithm {algorithm!r}") from None


def available_hashers() -> dict[str, Callable[[bytes], Any]]:
    """The constructors of the algorithms this platform offers, by name."""
    return {name: fn for name, fn in _HASHERS.items() if name != "sm3" or sm3_available()}


def digest(payload: bytes, algorithm: str | None = None) -> str:
    """The chain's hash function, in one place: `algorithm` ("sha256" or "sm3"), by
    default the one new records use."""
    return hasher(algorithm or chain_algorithm())(payload).hexdigest()


# One encoder for every record (json.dumps would build one per call): keys sorted at
# every depth, text as UTF-8 rather than \u escapes, anything else as its str().
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def canonical_at(at: dt.datetime) -> str:
    """A record's time as its hash covers it: ISO 8601 in UTC, to the microsecond."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_fields(
    at: str,
    actor_id: int | None,
    actor_label: str,
    address: str,
    verb: str,
    outcome: str,
    obj_type: str,
    obj_id: str,
    obj_repr: str,
    ctx_type: str,
    ctx_id: str,
    changes: Any,
    reason: str,
    prev_hash: str,
) -> bytes:
    """The bytes a record's hash covers, from its `HASHED_FIELDS` in that order, `at`
    already as `canonical_at` writes it. The one definition of the canonical form:
    `canonical_row` (writing, and the record pages) and the walk of the chain (which
    reads the fields as plain tuples) both call it."""
    return _CANONICAL_JSON.encode(
        {
            "at": at,
            "actor": actor_id,
            "actor_label": actor_label,
            "address": address,
            "verb": verb,
            "outcome": outcome,
            "obj": [obj_type, obj_id, obj_repr],
            "ctx": [ctx_type, ctx_id],
            "changes": changes,
            "reason": reason,
            "prev": prev_hash,
        }
    ).encode()


def canonical_row(row: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash covers, from its `HASHED_FIELDS` (a `values()` row)."""
    return canonical_fields(canonical_at(row["at"]), *(row[name] for name in HASHED_FIELDS[1:]))


def canonical(record: AuditRecord) -> bytes:
    """The bytes a record's hash covers: its content and the previous hash."""
    return canonical_row({name: getattr(record, name) for name in HASHED_FIELDS})


def _label(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance`, as the audit trail stores them."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(o) for o in getattr(instance, name).all())
        else:
            values[name] = _jsonable(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@transaction.atomic
def record(
    *,
    actor,
    verb: str,
    obj: models.Model | None = None,
    ctx: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    outcome: str = Outcome.SUCCESS,
    address: str | None = None,
) -> AuditRecord:
    """Append one record to the chain, in the caller's transaction.

    If this write fails, the caller's transaction fails with it, so no change
    happens without its record.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditRecord.objects.order_by("-id").values_list("hash", flat=True).first()
    obj_type, obj_id = _label(obj)
    ctx_type, ctx_id = _label(ctx if ctx is not None else obj)
    user = actor if getattr(actor, "pk", None) else None
    rec = AuditRecord(
        at=timezone.now(),
        actor=user,
        actor_label=(user.get_username() if user else str(actor or "system")),
        address=address if address is not None else client_address.get(),
        verb=verb,
        outcome=outcome,
        obj_type=obj_type,
        obj_id=obj_id,
        obj_repr=str(obj)[:255] if obj is not None else "",
        ctx_type=ctx_type,
        ctx_id=ctx_id,
        changes=_jsonable(changes or {}),
        reason=reason,
        prev_hash=last or GENESIS,
        algorithm=chain_algorithm(),
    )
    rec.hash = digest(canonical(rec), rec.algorithm)
    rec.save(force_insert=True)
    return rec


def access_denied(*, user, method: str, path: str, reason: str = "") -> AuditRecord:
    """A refused access (越权访问): `user` asked for `path` and was refused (403)."""
    return record(
        actor=user,
        verb="access.denied",
        outcome=Outcome.DENIED,
        changes={"method": [None, method], "path": [None, path[:500]]},
        reason=reason[:500],
    )


def trail_exported(*, by, filters: dict[str, Any], rows: int) -> AuditRecord:
    """The audit record of the auditor's export of the trail: who took which rows out."""
    return record(
        actor=by,
        verb="audit.exported",
        changes={
            "document": [None, "audit_trail"],
            "filters": [None, filters],
            "rows": [None, rows],
            "format": [None, "xlsx"],
        },
    )


def export_recorded(
    *, by, document: str, filters: dict[str, Any], rows: int, fmt: str
) -> AuditRecord:
    """The audit record of an export ("export.ledger"): who took which rows out, with
    which filters, in which format. Every download of ledger content writes one."""
    return record(
        actor=by,
        verb="export.ledger",
        changes={
            "document": [None, document],
            "filters": [None, filters],
            "rows": [None, rows],
            "format": [None, fmt],
        },
    )


def import_refused(job, errors: int, outcome: str) -> AuditRecord:
    """The audit record of a refused import job (every domain's `JobKind.refused`): the
    file changed nothing, so no act recorded it; the attempt is recorded instead."""
    return record(
        actor=job.created_by,
        verb="import.refused",
        obj=job,
        outcome=outcome,
        changes={"kind": job.kind, "file": job.file_name, "errors": errors},
    )


def document_exported(
    *,
    by,
    document: str,
    fmt: str,
    rows: int,
    filters: dict[str, Any],
    obj: models.Model | None = None,
) -> AuditRecord:
    """The audit record of a domain document taken out ("export.created": a pilot's
    registry or summary, an investment sheet, an evaluation's sheets, the cards): who,
    which document of which object, with which filters, how many rows, in which format."""
    return record(
        actor=by,
        verb="export.created",
        obj=obj,
        changes={
            "document": [None, document],
            "filters": [None, filters],
            "rows": [None, rows],
            "format": [None, fmt],
        },
    )


@transaction.atomic
def chain_verified(
    *,
    by,
    records: int,
    broken_id: int | None,
    problem: str = "",
    head: Any = None,
    since_id: int | None = None,
) -> AuditRecord:
    """The audit record of a verification of the chain (the auditor's page, or
    `verify_audit --save-head` / `--incremental`). When the chain held, `head` (the
    last record verified: id, hash, at) is kept as the verified head the next
    incremental check starts from; `since_id` is the head this check started from
    (None: the whole chain was walked)."""
    changes: dict[str, Any] = {"records": [None, records]}
    if broken_id:
        changes |= {"broken": [None, broken_id], "problem": [None, problem]}
    elif head is not None:
        VerifiedHead.objects.create(
            record_id=head.id,
            hash=head.hash,
            at=head.at,
            records=records,
            since_id=since_id,
            verified_at=timezone.now(),
            actor_label=by.get_username() if getattr(by, "pk", None) else str(by or "system"),
        )
        changes["head"] = [None, f"{head.id}:{head.hash}"]
        if since_id is not None:
            changes["since"] = [None, since_id]
    return record(
        actor=by,
        verb="audit.verified",
        outcome=Outcome.SUCCESS if broken_id is None else Outcome.FAILURE,
        changes=changes,
    )
