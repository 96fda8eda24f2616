"""gunicorn's settings: `gunicorn -c python:reformledger.config.gunicorn ...` (make run
and docs/operations.md use it).

The access log names the path without its query string and leaves out the referrer:
both can carry search terms with people's names, or a token someone put in a link.
Every gunicorn log line also passes the masking filter the application's own log
uses (reformledger/core/logging.py), which catches what is left. With
RL_LOG_FORMAT=json both of gunicorn's logs write JSON lines, the access log with the
request's id from its X-Request-ID response header.

With RL_METRICS_PORT set, the workers keep their Prometheus metrics in files of one
folder (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR) and the master
serves their sum on RL_METRICS_ADDRESS:RL_METRICS_PORT (decision 0022): one address
per app server, whatever its number of workers, that outlives a worker's restart.
"""

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn.glogging import Logger

from reformledger.config.env import env_int, env_str
from reformledger.core.logging import JsonLinesFormatter, MaskSecretsFilter, RequestContextFilter

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'

LOG_FORMAT = env_str("RL_LOG_FORMAT", "text").strip().lower() or "text"
SERVER_ID = env_str("RL_SERVER_ID", "")
METRICS_PORT = env_int("RL_METRICS_PORT", 0)
METRICS_ADDRESS = env_str("RL_METRICS_ADDRESS", "127.0.0.1")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# prometheus_client picks its multiprocess mode when first imported, so the folder is
# named here, in the master, before any worker loads the application.
_own_metrics_dir = False
if METRICS_PORT and not os.environ.get(MULTIPROC_ENV):
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="reformledger-metrics-")
    _own_metrics_dir = True
_metrics_listener = None


class MaskedLogger(Logger):
    """gunicorn's logger with the masking filter on each of its handlers, writing JSON
    lines when RL_LOG_FORMAT=json."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskSecretsFilter) for f in handler.filters):
                    handler.addFilter(MaskSecretsFilter())
                if LOG_FORMAT == "json":
                    handler.setFormatter(JsonLinesFormatter())
                    if not any(isinstance(f, RequestContextFilter) for f in handler.filters):
                        handler.addFilter(RequestContextFilter(server_id=SERVER_ID))

    def access(self, resp, req, environ, request_time):
        if LOG_FORMAT != "json":
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        method, path, status = atoms["m"], atoms["U"], atoms["s"]
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "request_id": atoms.get("{x-request-id}o", ""),
                "path": path,
                "method": method,
                "status": int(status) if str(status).isdigit() else status,
                "bytes": atoms["B"],
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "remote_addr": atoms["h"],
                "user_agent": atoms["a"],
            },
        )
        return None


logger_class = MaskedLogger


def on_starting(server):
    """A metrics folder named by the operator starts empty: counts of an earlier run's
    workers would be added to this run's."""
    if METRICS_PORT and not _own_metrics_dir:
        folder = Path(os.environ[MULTIPROC_ENV])
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()


def when_ready(server):
    """The operator's metrics listener, in the master: the sum of every worker's files."""
    global _metrics_listener
    if not METRICS_PORT:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    _metrics_listener, _thread = start_http_server(
        METRICS_PORT, addr=METRICS_ADDRESS, registry=registry
    )
    server.log.info("Metrics on http://%s:%s/metrics", METRICS_ADDRESS, METRICS_PORT)


def post_fork(server, worker):
    # A worker keeps no copy of the master's listening socket.
    if _metrics_listener is not None:
        _metrics_listener.socket.close()


def child_exit(server, worker):
    """A worker that ended: its live gauges leave the sum; its counters stay in it."""
    if METRICS_PORT:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ[MULTIPROC_ENV], ignore_errors=True)
