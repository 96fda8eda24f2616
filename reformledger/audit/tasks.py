"""The task queue's job of the audit trail (Huey, see docs/decisions/0005-task-queue-huey.md):
the chain's head published outside the database every RL_AUDIT_PUBLISH_MINUTES
(`published.publish_head`; `reformledger publish_audit_head` does the same by hand).
"""

import datetime as dt
import logging

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task, lock_task

from reformledger.audit.published import publish_head

logger = logging.getLogger(__name__)


def publish_due(moment: dt.datetime) -> bool:
    """True at each RL_AUDIT_PUBLISH_MINUTES-th minute of the day (counted from
    midnight; 15: at :00, :15, :30 and :45); never when it is 0."""
    minutes = settings.RL_AUDIT_PUBLISH_MINUTES
    return minutes > 0 and (moment.hour * 60 + moment.minute) % minutes == 0


@db_periodic_task(publish_due, name="audit.publish_head")
@lock_task("audit-publish-head")
def publish_audit_head() -> str:
    """Publish the audit chain's head to the system log and the head file."""
    done = publish_head()
    if done.syslog_error:
        logger.error("The system log did not take the audit chain head: %s", done.syslog_error)
    if done.head is None:
        return "empty"
    return f"{done.head.id}:{done.head.hash}" + (" (already)" if done.already else "")
