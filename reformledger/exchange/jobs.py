"""Running import jobs in the background.

With Huey installed (`huey.contrib.djhuey` in INSTALLED_APPS) a job goes on the
project's queue and `reformledger run_huey` runs it; without it, a thread of the
web process does. Small files are read in the request itself (`run_inline`),
so a deployment whose queue is not running still imports an ordinary task list.
"""

import threading

from django.conf import settings
from django.db import connection

from reformledger.exchange import services
from reformledger.exchange.models import ImportJob

#: Uploads up to this size are imported during the request; larger ones in the background.
DEFAULT_INLINE_BYTES = 256 * 1024

HUEY = "huey.contrib.djhuey" in settings.INSTALLED_APPS

if HUEY:
    from huey.contrib.djhuey import db_task

    @db_task(name="exchange.import_job_run")
    def queued_import(job_id: int) -> None:
        """The queue's job: one import (see services.import_job_run)."""
        services.import_job_run(job_id=job_id)


def inline_limit() -> int:
    return int(getattr(settings, "RL_IMPORT_INLINE_BYTES", DEFAULT_INLINE_BYTES))


def _in_thread(job_id: int) -> None:
    try:
        services.import_job_run(job_id=job_id)
    finally:
        connection.close()  # this thread's own connection


def dispatch(job: ImportJob) -> None:
    """Run `job` now (a small file) or hand it to the queue or a thread.

    The job row is already committed (views run outside a transaction), so the
    worker that picks it up finds it.
    """
    if job.file_size <= inline_limit():
        services.import_job_run(job_id=job.pk)
    elif HUEY:
        queued_import(job.pk)
    else:
        threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
