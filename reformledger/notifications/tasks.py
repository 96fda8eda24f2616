"""The task queue's jobs (Huey, see docs/decisions/0005-task-queue-huey.md).

`reformledger run_huey` runs them: the e-mail of each notice after it is written,
and a half-hourly retry of e-mails an SMTP outage held back (the daily reminders
are the ledger's: ledger/tasks.py); each message to a unit's messenger robot after
its notice is written, and every minute a sweep that queues again those whose time
came (retries, and whatever a lost queue dropped). Each job only calls a service,
so what the queue does can be read (and tested) in `services` and `messengers`.
Names are explicit ("notifications.…"), so a queued task still finds its function
after code moves.
"""

from django.db import connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_shutdown

from reformledger.notifications import messengers, services


@db_task(name="notifications.notification_email")
def notification_email(notification_id: int) -> int:
    """E-mail one notice; queued by `notify` once the notice is committed."""
    return services.notification_email(notification_id=notification_id)


@db_periodic_task(crontab(minute="*/30"), name="notifications.email_retry")
def email_retry() -> int:
    """E-mails that failed (SMTP down) are tried again every half hour for a day."""
    return services.notifications_email_pending()


@db_task(name="notifications.messenger_send")
def messenger_send(delivery_id: int) -> bool:
    """Post one delivery to its robot; queued once the notice is committed, and by the
    sweep. Several at once for the same delivery post it once (the claim)."""
    return messengers.delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"), name="notifications.messenger_sweep")
def messenger_sweep() -> int:
    """Every minute: queue the deliveries whose time came (the outbox is the truth, the
    queue only a reminder of it)."""
    return messengers.deliveries_sweep()


@on_shutdown()
def close_database_connections() -> None:
    """A worker thread that stops closes its database connections, which would
    otherwise stay open (and block dropping or migrating a PostgreSQL database)."""
    connections.close_all()
