"""Reading the audit trail."""

from django.db import models
from django.db.models import QuerySet

from reformledger.audit.models import AuditRecord


def history_of(obj: models.Model) -> QuerySet[AuditRecord]:
    """Every record whose context is `obj`, oldest first (a task's history tab)."""
    return AuditRecord.objects.filter(
        ctx_type=obj._meta.label_lower, ctx_id=str(obj.pk)
    ).select_related("actor")


def verify_chain() -> int | None:
    """The id of the first record whose hash does not hold, or None if the chain is whole."""
    from reformledger.audit.services import GENESIS, canonical, digest

    prev = GENESIS
    for rec in AuditRecord.objects.order_by("id").iterator(chunk_size=5000):
        if rec.prev_hash != prev or digest(canonical(rec)) != rec.hash:
            return rec.pk
        prev = rec.hash
    return None
