"""The task queue's account jobs (Huey, see docs/decisions/0005-task-queue-huey.md).

Every night the accounts unused for RL_ACCOUNT_INACTIVE_DAYS are disabled, each with
its audit record (`services.users_disable_inactive`); `reformledger
disable_inactive_accounts` does the same by hand.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from reformledger.accounts import services


@db_periodic_task(crontab(hour=2, minute=30), name="accounts.disable_inactive")
@lock_task("accounts-disable-inactive")
def disable_inactive() -> list[str]:
    """Every night at 02:30: disable accounts nobody has used for the set number of days."""
    return services.users_disable_inactive()
