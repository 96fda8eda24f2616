"""The health check's probes (`/healthz`): database, task queue, file storage, audit trail.

Each probe answers "ok" or "error: <exception class>" — never the exception's text,
which can hold a path, a host or a DSN, since load balancers call `/healthz` without
signing in. All are cheap: one query, one queue count, one small file, the chain's
last row (no walk of the chain: `verify_audit` does that).

With metrics on (RL_METRICS_PORT), each run also sets `reformledger_health_check_ok`
per check and `reformledger_queue_pending_tasks`, so Prometheus sees what the load
balancer sees.
"""

import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from huey.contrib import djhuey
from prometheus_client import Gauge

from reformledger.audit import triggers
from reformledger.audit.selectors import chain_head

OK = "ok"
# Characters of the chain head's hash shown: enough to compare with `audit_head`.
HASH_PREFIX = 12
STORAGE_PREFIX = "healthz/"

# "mostrecent": the value the last probe of any worker found.
check_ok = Gauge(
    "reformledger_health_check_ok",
    "1 when the health check's probe passed at its last run, else 0.",
    ["check"],
    multiprocess_mode="mostrecent",
)
queue_pending = Gauge(
    "reformledger_queue_pending_tasks",
    "Tasks waiting in the Huey queue at the last health check.",
    multiprocess_mode="mostrecent",
)


class TriggersMissing(Exception):
    """The audit table's append-only triggers are not installed."""


def _failure(exc: Exception) -> str:
    return f"error: {exc.__class__.__name__}"


def check_database() -> tuple[str, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK, {}


def check_queue() -> tuple[str, dict]:
    """The queue's storage answers: Redis is pinged, the SQLite file counted."""
    huey = djhuey.HUEY
    conn = getattr(huey.storage, "conn", None)
    if conn is not None and hasattr(conn, "ping"):  # Redis
        conn.ping()
    queue_pending.set(huey.pending_count())
    return OK, {}


def check_storage() -> tuple[str, dict]:
    """A small file written, read back and deleted through the default storage."""
    body = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{STORAGE_PREFIX}probe-{body.decode()}.txt", ContentFile(body))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != body:
                raise OSError("read back differs")
    finally:
        default_storage.delete(name)
    return OK, {}


def check_audit() -> tuple[str, dict]:
    """The chain's head (id and hash prefix) and whether the triggers are in place."""
    head = chain_head()
    installed = triggers.present(connection)
    facts = {
        "audit_head": {"id": head.id, "hash": head.hash[:HASH_PREFIX]} if head else None,
        "audit_triggers": installed,
    }
    if not installed:
        return _failure(TriggersMissing()), facts
    return OK, facts


CHECKS: dict[str, Callable[[], tuple[str, dict]]] = {
    "database": check_database,
    "queue": check_queue,
    "storage": check_storage,
    "audit": check_audit,
}


def run() -> tuple[bool, dict]:
    """Every probe: (all passed, {check: "ok" | "error: <class>", plus their facts})."""
    report: dict = {}
    healthy = True
    for name, probe in CHECKS.items():
        try:
            outcome, facts = probe()
        except Exception as exc:  # a failing probe is reported, not raised
            outcome, facts = _failure(exc), {}
        report[name] = outcome
        report |= facts
        check_ok.labels(check=name).set(1 if outcome == OK else 0)
        healthy = healthy and outcome == OK
    return healthy, report
