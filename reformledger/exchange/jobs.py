"""Import jobs: one machinery for every domain's imports.

A domain registers a `JobKind` (in its AppConfig.ready): the function that reads,
checks and applies a file, and what its pages need (the template that shows a
result, the page to import another file). This module creates the job, runs it
with a progress bar the pages poll, and records the outcome; it knows nothing of
tasks or periods, so the domain apps sit above it (docs/architecture.md).

With Huey installed (`huey.contrib.djhuey` in INSTALLED_APPS) a job goes on the
project's queue and `reformledger run_huey` runs it; without it, a thread of the
web process does. Small files are read in the request itself, so a deployment
whose queue is not running still imports an ordinary file.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.models import ImportJob

logger = logging.getLogger(__name__)

#: Uploads up to this size are imported during the request; larger ones in the background.
DEFAULT_INLINE_BYTES = 256 * 1024
#: At most this many errors are kept and shown; the count says how many there were.
MAX_ERRORS = 500

#: progress(rows done, rows in the file) — called as the file is read.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobKind:
    """What a domain's import is: its key and label, the function that runs it, and
    what its pages show.

    `run(job, data, progress, applying)` reads and checks the file, calls `applying()`
    just before it writes, writes everything or nothing, and returns the counts; it
    raises ImportRefused with every error (nothing written) or PermissionDenied.
    `refused(job, errors, outcome)` records a refused attempt (a domain's audit act).
    """

    key: str
    label: str | Promise
    run: Callable[[ImportJob, bytes, Progress, Callable[[], None]], dict]
    refused: Callable[[ImportJob, int, str], None]
    result_template: str
    again_url: Callable[[ImportJob], str]


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Make a kind of import known (idempotent: a reloaded app registers again)."""
    _KINDS[kind.key] = kind


def kind_of(key: str) -> JobKind | None:
    return _KINDS.get(key)


def import_job_create(
    *, by, kind: str, file_name: str, data: bytes, language: str, params: dict, scope: str
) -> ImportJob:
    """Record an upload to be imported; `dispatch` runs it."""
    if kind not in _KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    return ImportJob.objects.create(
        kind=kind,
        created_by=by,
        params=params,
        scope=scope[:200],
        file_name=file_name[:255],
        file_size=len(data),
        payload=data,
        language=language,
    )


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued import: read, check and apply, updating the job's progress as it
    reads; the file is cleared when it ends. A job already taken is not run twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.READING
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    kind = _KINDS[job.kind]
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or done == 0:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(progress=done, total=max(total, done))

    def applying() -> None:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)

    status, errors, summary = ImportJob.Status.FAILED, [], {}
    outcome = "failure"
    with override(job.language):
        try:
            summary = kind.run(job, bytes(job.payload or b""), progress, applying)
            status = ImportJob.Status.SUCCEEDED
        except ImportRefused as exc:
            summary = {"errors": len(exc.errors)}
            errors = [e.as_dict() for e in exc.errors[:MAX_ERRORS]]
        except PermissionDenied:
            outcome = "denied"
            errors = [CellError(_("You may not import into this ledger.")).as_dict()]
        except Exception:
            logger.exception("import job %s failed", job.pk)
            errors = [
                CellError(
                    _("The import stopped on an unexpected error; nothing was changed.")
                ).as_dict()
            ]
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        errors=errors,
        summary=summary,
        payload=None,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    if status == ImportJob.Status.FAILED:
        # A refused file changed nothing, so no act recorded it: the attempt is.
        kind.refused(job, len(errors), outcome)
    return job


HUEY = "huey.contrib.djhuey" in settings.INSTALLED_APPS

if HUEY:
    from huey.contrib.djhuey import db_task

    @db_task(name="exchange.import_job_run")
    def queued_import(job_id: int) -> None:
        """The queue's job: one import (see import_job_run)."""
        import_job_run(job_id=job_id)


def inline_limit() -> int:
    return int(getattr(settings, "RL_IMPORT_INLINE_BYTES", DEFAULT_INLINE_BYTES))


def _in_thread(job_id: int) -> None:
    try:
        import_job_run(job_id=job_id)
    finally:
        connection.close()  # this thread's own connection


def dispatch(job: ImportJob) -> None:
    """Run `job` now (a small file) or hand it to the queue or a thread.

    The job row is already committed (views run outside a transaction), so the
    worker that picks it up finds it.
    """
    if job.file_size <= inline_limit():
        import_job_run(job_id=job.pk)
    elif HUEY:
        queued_import(job.pk)
    else:
        threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
