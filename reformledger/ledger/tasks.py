"""The task queue's jobs of the ledger (Huey, see docs/decisions/0005-task-queue-huey.md):
the daily reminders at 07:00 local time, and a run on demand. Each job only calls a
service. The names ("notifications.…") are those the jobs were queued under before
the reminders moved here, so a queued run still finds its function.
"""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from reformledger.ledger.services import reminders


@db_periodic_task(crontab(hour=7, minute=0), name="notifications.daily_reminders")
@lock_task("reminders")
def daily_reminders() -> dict[str, int]:
    """Every morning: the reminders due today (at most one run at a time)."""
    return reminders.reminders_send()


@db_task(name="notifications.send_reminders")
@lock_task("reminders")
def send_reminders(today: str | None = None) -> dict[str, int]:
    """Reminders on demand (`send_reminders --queue`), for `today` as YYYY-MM-DD."""
    return reminders.reminders_send(dt.date.fromisoformat(today) if today else None)
