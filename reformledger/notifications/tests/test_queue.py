"""The task queue itself: the real consumer runs the jobs, the settings choose SQLite
or Redis, and the jobs are scheduled when the office expects them."""

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from huey import RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from reformledger.ledger import tasks as ledger_tasks
from reformledger.notifications import tasks
from reformledger.notifications.models import Notification
from reformledger.notifications.tests.conftest import make_period


@pytest.fixture
def real_queue(tmp_path):
    """The project's Huey, not immediate, storing in a fresh SQLite file: tasks wait in
    storage until a consumer takes them, as under `reformledger run_huey`."""
    was_storage, was_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = False
    HUEY.storage = SqliteStorage(name=HUEY.name, filename=str(tmp_path / "huey.sqlite3"))
    try:
        yield HUEY
    finally:
        HUEY.storage = was_storage
        HUEY.immediate = was_immediate


def _consume(huey, result, timeout: float = 60):
    """Run a real consumer (one worker thread) until `result` is ready, then stop it."""
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()  # also installs its signal handlers: put ours back afterwards
    try:
        return result.get(blocking=True, timeout=timeout)
    finally:
        consumer.stop(graceful=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_consumer_takes_the_queued_reminders_run_and_sends_them(
    world, huiyang_liaison, real_queue, smtp_server
):
    make_period(world, 3)
    result = ledger_tasks.send_reminders("2016-04-03")
    assert Notification.objects.count() == 0  # queued, not run
    assert len(real_queue) == 1

    counts = _consume(real_queue, result)

    assert counts["report_due"] == 1
    notice = Notification.objects.get(recipient=huiyang_liaison)
    assert notice.kind == "report_due"
    assert notice.emailed_at is not None
    assert len(smtp_server.to(huiyang_liaison.email)) == 1
    assert len(real_queue) == 0


@pytest.mark.django_db(transaction=True)
def test_notice_email_is_queued_on_commit_and_sent_by_the_consumer(
    world, huiyang_liaison, real_queue, smtp_server
):
    from reformledger.notifications import services

    notice = services.notify(
        recipient=huiyang_liaison, kind="notice", key="hello", title="你好", body="测试"
    )
    assert len(real_queue) == 1  # committed (no test transaction here), so queued
    assert smtp_server.messages == []
    # The queued task is the e-mail of this notice: take it as a worker would.
    task = real_queue.dequeue()
    assert task.args == (notice.pk,)
    assert real_queue.execute(task) == 1
    assert len(smtp_server.to(huiyang_liaison.email)) == 1


def _runs_at(task, *args) -> bool:
    """Whether the scheduler enqueues the periodic `task` at that local time (asked of
    the task itself, so other tests' queues cannot change the answer)."""
    return task.task_class().validate_datetime(dt.datetime(*args))


def test_daily_reminders_are_scheduled_at_seven_local_time():
    daily = ledger_tasks.daily_reminders
    assert daily.name == "notifications.daily_reminders"  # as queued before the move
    assert daily.task_class in HUEY._registry._periodic_tasks
    assert _runs_at(daily, 2016, 4, 3, 7, 0)
    assert not _runs_at(daily, 2016, 4, 3, 8, 0)
    assert HUEY.utc is False  # crontabs read local time (TIME_ZONE), not UTC


def test_failed_emails_are_retried_every_half_hour():
    retry = tasks.email_retry
    assert retry.task_class in HUEY._registry._periodic_tasks
    assert _runs_at(retry, 2016, 4, 3, 9, 30)
    assert not _runs_at(retry, 2016, 4, 3, 9, 31)


def test_the_embedded_default_queue_is_sqlite_under_var():
    if django_settings.HUEY_REDIS_URL:
        pytest.skip("this run is configured for Redis")
    assert isinstance(HUEY, SqliteHuey)
    assert HUEY.storage_kwargs["filename"] == str(django_settings.VAR_DIR / "huey.sqlite3")


def _settings_in_a_fresh_process(**env) -> dict:
    """Load the settings (and Huey) in a new interpreter with `env`, as a deployment
    would, and report which queue they give."""
    code = (
        "import json, django; django.setup();"
        "from django.conf import settings; from huey.contrib.djhuey import HUEY;"
        "print(json.dumps({'class': type(HUEY).__name__, 'huey': settings.HUEY,"
        " 'url': getattr(getattr(HUEY.storage, 'pool', None), 'connection_kwargs', None)"
        " and str(HUEY.storage.pool.connection_kwargs)}))"
    )
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "reformledger.config.settings", **env}
    out = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_huey_redis_url_switches_the_queue_to_redis():
    pytest.importorskip("redis")
    loaded = _settings_in_a_fresh_process(HUEY_REDIS_URL="redis://127.0.0.1:6379/3")
    assert loaded["class"] == "RedisHuey"
    assert loaded["huey"]["connection"] == {"url": "redis://127.0.0.1:6379/3"}
    assert "'db': 3" in loaded["url"]


def test_without_huey_redis_url_the_queue_is_sqlite():
    loaded = _settings_in_a_fresh_process(HUEY_REDIS_URL="")
    assert loaded["class"] == "SqliteHuey"
    assert loaded["huey"]["filename"].endswith("huey.sqlite3")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_reminders_run_through_redis(world, huiyang_liaison):
    """The production queue: the run is enqueued into Redis, taken and executed."""
    pytest.importorskip("redis")
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from huey.storage import RedisStorage

    make_period(world, 3)
    redis_huey = RedisHuey(f"rl-test-{uuid.uuid4().hex}", url="redis://127.0.0.1:6379/15")
    was_storage, was_immediate = HUEY.storage, HUEY.immediate
    HUEY.immediate = False
    HUEY.storage = redis_huey.storage
    assert isinstance(HUEY.storage, RedisStorage)
    try:
        result = ledger_tasks.send_reminders("2016-04-03")
        assert len(HUEY) == 1
        task = HUEY.dequeue()
        HUEY.execute(task)
        assert result.get()["report_due"] == 1
    finally:
        HUEY.storage.flush_all()
        HUEY.storage = was_storage
        HUEY.immediate = was_immediate
    assert Notification.objects.filter(recipient=huiyang_liaison, kind="report_due").exists()
