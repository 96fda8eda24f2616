"""Every change of ledger state, one function per act, grouped by part of the cycle.

Callers use `from reformledger.ledger import services` and `services.<act>(...)`.
"""

from reformledger.ledger.services.closing import *  # noqa: F403
from reformledger.ledger.services.periods import *  # noqa: F403
from reformledger.ledger.services.plans import (
    pending_plan,
    plan_approve,
    plan_reject,
    plan_revise,
    plan_save,
    plan_submit,
    plan_write,
)
from reformledger.ledger.services.ratings import *  # noqa: F403
from reformledger.ledger.services.reports import *  # noqa: F403
from reformledger.ledger.services.tasks import (
    AUDITED_TASK_FIELDS,
    TASK_FIELDS,
    TASK_M2M,
    TaskClosedError,
    require_not_closed,
    task_create,
    task_set_status,
    task_update,
)

__all__ = [
    "AUDITED_TASK_FIELDS",
    "TASK_FIELDS",
    "TASK_M2M",
    "TaskClosedError",
    "pending_plan",
    "plan_approve",
    "plan_reject",
    "plan_revise",
    "plan_save",
    "plan_submit",
    "plan_write",
    "require_not_closed",
    "task_create",
    "task_set_status",
    "task_update",
]
