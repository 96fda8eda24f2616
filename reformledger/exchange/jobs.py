"""Import jobs: one machinery for every domain's imports.

A domain registers a `JobKind` (in its AppConfig.ready): the function that reads a
file and describes what importing it would do (the preview), the function that
writes it, and what its pages need. An import goes in two steps:

    upload → reading → review (the clerk checks the preview, answers its questions;
    each answer reads the file again) → confirmed → writing → done

Nothing is written before the clerk confirms a preview without errors, and the
write reads the file once more against the ledger as it is then: if anything
changed meanwhile, the job returns to review with the new preview. This module
runs the steps with a progress bar the pages poll and keeps the outcome; it knows
nothing of tasks or periods, so the domain apps sit above it (docs/architecture.md).

With Huey installed (`huey.contrib.djhuey` in INSTALLED_APPS) a job goes on the
project's queue and `reformledger run_huey` runs it; without it, a thread of the
web process does. Small files are read in the request itself, so a deployment
whose queue is not running still imports an ordinary file.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override

from reformledger.exchange.errors import CellError, ImportRefused
from reformledger.exchange.models import ColumnChoice, ImportJob

logger = logging.getLogger(__name__)

#: Uploads up to this size are imported during the request; larger ones in the background.
DEFAULT_INLINE_BYTES = 256 * 1024
#: At most this many errors are kept and shown; the count says how many there were.
MAX_ERRORS = 500

#: progress(rows done, rows in the file) — called as the file is read.
Progress = Callable[[int, int], None]


class ReviewAgain(Exception):
    """Raised by a kind's `apply` when the file no longer imports as the clerk saw it
    (the ledger changed meanwhile, or an error appeared): the job goes back to review
    with `preview`, and nothing was written."""

    def __init__(self, preview: dict):
        super().__init__("the preview changed")
        self.preview = preview


@dataclass(frozen=True)
class JobKind:
    """What a domain's import is: its key and label, its two steps, and its pages.

    `check(job, data, progress)` reads the file with the clerk's decisions so far and
    returns the preview (a JSON-able dict; `preview["errors"]` lists what blocks the
    import); it raises ImportRefused when the file cannot be read at all.
    `apply(job, data, progress, applying)` reads and checks again, calls `applying()`
    just before it writes, writes everything or nothing and returns the counts; it
    raises ReviewAgain, ImportRefused or PermissionDenied, writing nothing.
    `refused(job, errors, outcome)` records a refused attempt (a domain's audit act).
    `inline_bytes`, when given, replaces `RL_IMPORT_INLINE_BYTES` for this kind: a
    Word or PDF document costs far more to read per byte than a workbook.
    """

    key: str
    label: str | Promise
    check: Callable[[ImportJob, bytes, Progress], dict]
    apply: Callable[[ImportJob, bytes, Progress, Callable[[], None]], dict]
    refused: Callable[[ImportJob, int, str], None]
    preview_template: str
    result_template: str
    again_url: Callable[[ImportJob], str]
    inline_bytes: int | None = None


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
    """Run the next step of a queued job: read the file into a preview for review, or
    (once the clerk confirmed it) write it. The progress is kept on the job as it
    reads; the file is cleared when the job ends. A job already taken is not run twice."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.READING, worker=worker_id(), heartbeat_at=timezone.now()
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
            ImportJob.objects.filter(pk=job.pk).update(
                progress=done, total=max(total, done), heartbeat_at=timezone.now()
            )

    def applying() -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.APPLYING, heartbeat_at=timezone.now()
        )

    end: dict = {"status": ImportJob.Status.FAILED}
    outcome = "failure"
    data = bytes(job.payload or b"")
    with override(job.language):
        try:
            if job.confirmed_at is None:
                end = {
                    "status": ImportJob.Status.REVIEW,
                    "preview": kind.check(job, data, progress),
                }
            else:
                summary = kind.apply(job, data, progress, applying)
                end = {"status": ImportJob.Status.SUCCEEDED, "summary": summary}
        except ReviewAgain as again:
            end = {
                "status": ImportJob.Status.REVIEW,
                "preview": again.preview,
                "confirmed_at": None,
            }
        except ImportRefused as exc:
            end |= {
                "summary": {"errors": len(exc.errors)},
                "errors": [e.as_dict() for e in exc.errors[:MAX_ERRORS]],
            }
        except PermissionDenied:
            outcome = "denied"
            end["errors"] = [CellError(_("You may not import into this ledger.")).as_dict()]
        except Exception:
            logger.exception("import job %s failed", job.pk)
            end["errors"] = [
                CellError(
                    _("The import stopped on an unexpected error; nothing was changed.")
                ).as_dict()
            ]
    if end["status"] != ImportJob.Status.REVIEW:
        end |= {"payload": None, "finished_at": timezone.now()}
    ImportJob.objects.filter(pk=job.pk).update(**end)
    job.refresh_from_db()
    if job.status == ImportJob.Status.FAILED:
        # A refused file changed nothing, so no act recorded it: the attempt is.
        kind.refused(job, len(job.errors), outcome)
    return job


def _in_review(job: ImportJob, by) -> ImportJob:
    """The job, locked, if `by` started it and it awaits review; else PermissionDenied
    (someone else's job) or JobStateError (it moved on)."""
    if job.created_by_id != getattr(by, "pk", None):
        raise PermissionDenied("an import job is its uploader's")
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJob.Status.REVIEW:
        raise JobStateError(_("This import is no longer awaiting your check."))
    return locked


class JobStateError(Exception):
    """An act on a job that is not in the state the act needs (already confirmed,
    finished or cancelled); the message says so in the reader's language."""


@transaction.atomic
def import_job_decide(*, job: ImportJob, by, decisions: dict) -> ImportJob:
    """Record the clerk's answers to the preview (merged into those given before) and
    queue the file to be read again with them; `dispatch` runs it."""
    locked = _in_review(job, by)
    merged = dict(locked.decisions)
    for key, value in decisions.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    ImportJob.objects.filter(pk=locked.pk).update(
        decisions=merged, status=ImportJob.Status.QUEUED, progress=0
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """The clerk confirms a preview without errors: queue the write."""
    locked = _in_review(job, by)
    if locked.preview.get("errors"):
        raise JobStateError(_("Resolve every error in the preview before importing."))
    ImportJob.objects.filter(pk=locked.pk).update(
        confirmed_at=timezone.now(), status=ImportJob.Status.QUEUED, progress=0
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def import_job_cancel(*, job: ImportJob, by) -> ImportJob:
    """The clerk drops an import under review: nothing is written, the file is cleared."""
    locked = _in_review(job, by)
    ImportJob.objects.filter(pk=locked.pk).update(
        status=ImportJob.Status.CANCELLED, payload=None, finished_at=timezone.now()
    )
    locked.refresh_from_db()
    return locked


# --- columns remembered -------------------------------------------------------------


def remembered_columns(*, kind: str, scope: str) -> dict[str, str]:
    """The column choices clerks made for earlier files of this kind and scope:
    {header key: field, or "" for a column left out}."""
    return dict(ColumnChoice.objects.filter(kind=kind, scope=scope).values_list("header", "field"))


def columns_remember(*, kind: str, scope: str, choices: dict[str, str], by) -> int:
    """Keep a clerk's column choices for the next file (called by the domain's import,
    inside the transaction that writes the file, whose audit record names them)."""
    for header, name in choices.items():
        ColumnChoice.objects.update_or_create(
            kind=kind, scope=scope, header=header[:200], defaults={"field": name, "chosen_by": by}
        )
    return len(choices)


# --- jobs whose worker is gone ---------------------------------------------------------

#: A job silent this long while reading is taken for lost; while writing (one
#: transaction, no sign of life possible on SQLite) only when its process is gone
#: or after the longer wait. Settings RL_IMPORT_STALE_SECONDS / _APPLYING_SECONDS.
STALE_READING_SECONDS = 120
STALE_APPLYING_SECONDS = 3600


def worker_id() -> str:
    """This process, as a job records who works on it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _process_alive(worker: str) -> bool | None:
    """Whether the worker named, a process of this machine, still runs; None for
    another machine's worker (only the clock can tell)."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_lost(job: ImportJob, now=None) -> bool:
    """A working job whose worker is gone: its process (on this machine) ended, or (a
    worker of another machine) it has been silent longer than a worker ever is."""
    if not job.is_working or job.status == ImportJob.Status.QUEUED:
        return False
    alive = _process_alive(job.worker) if job.worker else None
    if alive is not None:
        return not alive
    now = now or timezone.now()
    silent = (now - (job.heartbeat_at or job.created_at)).total_seconds()
    limit = (
        getattr(settings, "RL_IMPORT_STALE_APPLYING_SECONDS", STALE_APPLYING_SECONDS)
        if job.status == ImportJob.Status.APPLYING
        else getattr(settings, "RL_IMPORT_STALE_SECONDS", STALE_READING_SECONDS)
    )
    return silent > limit


def import_jobs_reap(*, now=None, jobs: Iterable[ImportJob] | None = None) -> int:
    """End every working job whose worker is gone: marked failed with a message that
    says so (nothing half-written stays: the write is one transaction), the file
    kept so the uploader can start it again, the refusal recorded by its kind."""
    rows = (
        jobs
        if jobs is not None
        else ImportJob.objects.filter(
            status__in=[ImportJob.Status.READING, ImportJob.Status.APPLYING]
        ).defer("payload")
    )
    ended = 0
    for job in rows:
        if not is_lost(job, now):
            continue
        message = CellError(
            _(
                "The import stopped: the process reading it ended (a restart or a crash). "
                "Nothing was written. Start it again."
            )
        ).as_dict()
        ended += ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportJob.Status.FAILED,
            errors=[message],
            summary={"lost": True},
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        kind = _KINDS.get(job.kind)
        if kind is not None and job.summary.get("lost"):
            kind.refused(job, 1, "failure")
    return ended


def import_job_restart(*, job: ImportJob, by) -> ImportJob:
    """Start a lost job again from its file and the clerk's answers: a new job."""
    if job.created_by_id != getattr(by, "pk", None):
        raise PermissionDenied("an import job is its uploader's")
    if not (job.status == ImportJob.Status.FAILED and job.summary.get("lost") and job.payload):
        raise JobStateError(_("Only an import that stopped can be started again."))
    again = ImportJob.objects.create(
        kind=job.kind,
        created_by=job.created_by,
        params=job.params,
        scope=job.scope,
        file_name=job.file_name,
        file_size=job.file_size,
        payload=job.payload,
        language=job.language,
        decisions=job.decisions,
    )
    ImportJob.objects.filter(pk=job.pk).update(payload=None)
    return again


HUEY = "huey.contrib.djhuey" in settings.INSTALLED_APPS

if HUEY:
    from huey import crontab
    from huey.contrib.djhuey import db_periodic_task, db_task

    @db_task(name="exchange.import_job_run")
    def queued_import(job_id: int) -> None:
        """The queue's job: one import (see import_job_run)."""
        import_job_run(job_id=job_id)

    @db_periodic_task(crontab(minute="*/5"), name="exchange.import_jobs_reap")
    def reap_lost_imports() -> int:
        """Every five minutes: end the imports whose worker is gone."""
        return import_jobs_reap()


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
    kind = _KINDS.get(job.kind)
    limit = kind.inline_bytes if kind is not None and kind.inline_bytes is not None else None
    if job.file_size <= (inline_limit() if limit is None else limit):
        import_job_run(job_id=job.pk)
    elif HUEY:
        queued_import(job.pk)
    else:
        threading.Thread(target=_in_thread, args=(job.pk,), daemon=True).start()
