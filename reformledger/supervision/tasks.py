"""The task queue's supervision job: every morning orders unanswered at their deadline
climb a level, and the offices are told of orders their units left unsigned (see
reformledger/notifications/tasks.py for the queue)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from reformledger.supervision import services


@db_periodic_task(crontab(hour=6, minute=30), name="supervision.orders_escalate")
@lock_task("orders-escalate")
def orders_escalate() -> dict[str, int]:
    """Every morning, before the reminders: escalate the orders overdue today, then
    tell each issuing office of the orders not signed for in time."""
    counts = services.orders_escalate()
    counts["unsigned"] = services.orders_unsigned_notify()
    return counts
