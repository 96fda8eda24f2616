"""Fixtures of the ledger tests: the queue in immediate mode (imports run at once) and
a fingerprint of the ledger to prove that a refused file changed nothing."""

import hashlib

import pytest
from huey.contrib.djhuey import HUEY

from reformledger.audit.models import AuditRecord
from reformledger.ledger.models import Milestone, Plan, Task


@pytest.fixture(autouse=True)
def huey_immediate():
    """Queued imports run at once, in the test's own transaction."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was


def ledger_state() -> dict:
    """Counts of tasks, plans, milestones and audit records, and a hash of every task,
    helping unit and milestone row: equal before and after means nothing changed."""
    tasks = list(
        Task.objects.order_by("pk").values_list(
            "pk",
            "code",
            "title",
            "description",
            "area_id",
            "system_id",
            "lead_unit_id",
            "responsible_leader_id",
            "is_key",
            "source",
            "deliverable_kind",
            "start_date",
            "deadline",
            "status",
            "parent_id",
            "version",
        )
    )
    helping = list(
        Task.helping_units.through.objects.order_by("task_id", "unit_id").values_list(
            "task_id", "unit_id"
        )
    )
    milestones = list(
        Milestone.objects.order_by("pk").values_list(
            "plan_id", "order", "title", "planned_date", "weight", "is_key"
        )
    )
    plans = list(
        Plan.objects.order_by("pk").values_list("task_id", "revision", "status", "summary")
    )
    digest = hashlib.sha256(repr((tasks, helping, milestones, plans)).encode()).hexdigest()
    return {
        "tasks": len(tasks),
        "plans": len(plans),
        "milestones": len(milestones),
        "audit": AuditRecord.objects.count(),
        "hash": digest,
    }
