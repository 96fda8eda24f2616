"""Writing the audit trail. Every service calls `record` inside its own transaction."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction

from reformledger.audit.models import AuditRecord, Outcome
from reformledger.core.context import client_address

GENESIS = "0" * 64
# Any constant: PostgreSQL serialises chain appends on this advisory lock.
_CHAIN_LOCK_KEY = 72_011_016


def digest(payload: bytes) -> str:
    """The chain's hash function, in one place so it can be swapped (SM3) later."""
    return hashlib.sha256(payload).hexdigest()


def canonical(record: AuditRecord) -> bytes:
    """The bytes a record's hash covers: its content and the previous hash."""
    body = {
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": record.actor_id,
        "actor_label": record.actor_label,
        "address": record.address,
        "verb": record.verb,
        "outcome": record.outcome,
        "obj": [record.obj_type, record.obj_id, record.obj_repr],
        "ctx": [record.ctx_type, record.ctx_id],
        "changes": record.changes,
        "reason": record.reason,
        "prev": record.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()


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
    from django.utils import timezone

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
    )
    rec.hash = digest(canonical(rec))
    rec.save(force_insert=True)
    return rec
