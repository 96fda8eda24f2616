"""The task queue's indicators job: every morning, the owner units of indicators behind
their path are told (see reformledger/notifications/tasks.py for the queue)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from reformledger.indicators import services


@db_periodic_task(crontab(hour=6, minute=45), name="indicators.notify_behind")
@lock_task("indicators-notify-behind")
def indicators_notify_behind() -> int:
    """Every morning, after supervision's run and before the reminders: tell each owner
    unit of its indicators behind their path, once per indicator and period."""
    return services.indicators_notify_behind()
