"""An import whose worker is gone (a killed process, a restart) does not stay
"applying" for ever: it is found, ended with a message, its page says so and offers
to start it again; nothing half-written stays (the write is one transaction)."""

import datetime as dt
import socket

import pytest
from django.urls import reverse
from django.utils import timezone

from reformledger.audit.models import AuditRecord
from reformledger.exchange import jobs
from reformledger.exchange.models import ImportJob
from reformledger.ledger.services import imports
from reformledger.ledger.tests.test_task_list_preview import office_ledger


def _job(world, **fields) -> ImportJob:
    job = jobs.import_job_create(
        by=world.office_staff,
        kind=imports.TASK_LIST_JOB,
        **imports.task_list_job_params(office=world.office, year=2016),
        file_name="台账.xlsx",
        data=office_ledger(),
        language="en",
    )
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def _dead_pid() -> int:
    pid = 2**22 - 7  # above Linux's default pid_max: no process has it
    return pid


def test_a_job_whose_process_died_while_writing_is_ended_and_can_start_again(world, client_for):
    job = _job(
        world,
        status=ImportJob.Status.APPLYING,
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        heartbeat_at=timezone.now(),  # only seconds ago: the process, not the clock, tells
    )
    client = client_for(world.office_staff)

    page = client.get(reverse("exchange:job", args=[job.pk])).content.decode()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.summary == {"lost": True}
    assert "读取文件的进程已结束" in job.errors[0]["message"]  # the process reading it ended
    assert 'data-testid="restart-import"' in page and "hx-trigger" not in page
    assert AuditRecord.objects.filter(verb="import.refused", obj_id=str(job.pk)).exists()

    response = client.post(reverse("exchange:job_restart", args=[job.pk]))

    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("exchange:job", args=[again.pk])
    assert again.status == ImportJob.Status.REVIEW and again.preview["counts"]["skipped"] == 6
    job.refresh_from_db()
    assert job.payload is None  # the file moved to the new job


def test_the_reaper_ends_silent_jobs_of_other_machines_by_the_clock_only(world):
    reading = _job(world, status=ImportJob.Status.READING, worker="elsewhere:1")
    applying = _job(world, status=ImportJob.Status.APPLYING, worker="elsewhere:2")
    alive = _job(
        world,
        status=ImportJob.Status.APPLYING,
        worker=jobs.worker_id(),  # this very process: alive
        heartbeat_at=timezone.now() - dt.timedelta(minutes=10),
    )
    later = timezone.now() + dt.timedelta(minutes=5)

    assert jobs.import_jobs_reap(now=later) == 1

    statuses = dict(ImportJob.objects.values_list("pk", "status"))
    assert statuses[reading.pk] == ImportJob.Status.FAILED  # silent 5 minutes while reading
    assert statuses[applying.pk] == ImportJob.Status.APPLYING  # a long write may be silent
    assert statuses[alive.pk] == ImportJob.Status.APPLYING
    assert jobs.import_jobs_reap(now=later + dt.timedelta(hours=2)) == 1  # not the live one
    assert ImportJob.objects.get(pk=alive.pk).status == ImportJob.Status.APPLYING


def test_only_a_lost_job_starts_again(world):
    job = _job(world, status=ImportJob.Status.REVIEW)
    with pytest.raises(jobs.JobStateError):
        jobs.import_job_restart(job=job, by=world.office_staff)
