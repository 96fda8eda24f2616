"""Generations on the queue: with Huey (`huey.contrib.djhuey` installed) a generation is
a queue job that `reformledger run_huey` runs; without it, a thread of the web process
runs it. The page never waits: it polls the job's progress."""

import threading

from django.conf import settings
from django.db import connection

from reformledger.publications.models import GenerationJob

HUEY = "huey.contrib.djhuey" in settings.INSTALLED_APPS

if HUEY:
    from huey.contrib.djhuey import db_task

    @db_task(name="publications.generation_run")
    def queued_generation(job_id: int) -> None:
        from reformledger.publications.services import generation_run

        generation_run(job_id=job_id)


def _in_thread(job_id: int) -> None:
    from reformledger.publications.services import generation_run

    try:
        generation_run(job_id=job_id)
    finally:
        connection.close()


def dispatch(job: GenerationJob) -> None:
    """Hand `job` to the queue (or a thread); its row is already committed (the request
    runs outside a transaction), so the worker finds it."""
    if HUEY:
        queued_generation(job.pk)
    else:
        threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
