"""An app server with metrics on and JSON logs: gunicorn with two workers serves the sum
of their Prometheus metrics on the operator's address only, and writes JSON lines that
carry each request's id."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

from reformledger.core.tests.instance import REPO, instance_env

HEALTHZ_COUNT = 6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, **headers: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read().decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of the sample `name{labels}` in Prometheus text (labels in any order)."""
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}(?:\{{(.*)\}})? (\S+)", line)
        if match and all(f'{k}="{v}"' in (match[1] or "").split(",") for k, v in labels.items()):
            return float(match[2])
    raise AssertionError(f"no {name}{labels} in the metrics")


def test_metrics_on_the_operator_address_and_json_lines_with_the_request_id(db, tmp_path):
    site, metrics = free_port(), free_port()
    env = instance_env(
        connection.settings_dict,
        tmp_path / "media",
        RL_METRICS_PORT=str(metrics),
        RL_LOG_FORMAT="json",
        RL_SERVER_ID="app-7",
        RL_TRUSTED_PROXIES="127.0.0.1",
        HUEY_SQLITE_NAME=str(tmp_path / "huey.sqlite3"),
        LOG_LEVEL="INFO",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "reformledger.config.wsgi:application",
                "--config=python:reformledger.config.gunicorn",
                f"--bind=127.0.0.1:{site}",
                "--workers=2",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(150):  # until it listens
                try:
                    status, _headers, _body = fetch(f"http://127.0.0.1:{site}/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            assert status == 200, log.read_text()
            for _ in range(HEALTHZ_COUNT - 1):
                assert fetch(f"http://127.0.0.1:{site}/healthz")[0] == 200
            public_metrics, headers, _body = fetch(
                f"http://127.0.0.1:{site}/metrics", **{"X-Request-ID": "nginx-req-0001"}
            )
            status, _headers, exported = fetch(f"http://127.0.0.1:{metrics}/metrics")
        finally:
            server.terminate()
            server.wait(timeout=30)

    # The public site has no /metrics; the operator's address has them, summed.
    assert public_metrics == 404
    assert status == 200
    assert (
        sample(
            exported,
            "django_http_responses_total_by_status_view_method_total",
            status="200",
            view="healthz",
            method="GET",
        )
        == HEALTHZ_COUNT
    )
    assert sample(exported, "django_http_responses_total_by_status_total", status="404") == 1
    assert sample(exported, "reformledger_health_check_ok", check="queue") == 1
    assert sample(exported, "reformledger_queue_pending_tasks") == 0
    assert "django_db_execute_total" in exported  # the database is counted

    # Every line JSON; the request's own line and gunicorn's access line name the id the
    # response showed, taken from the trusted proxy.
    assert headers["X-Request-ID"] == "nginx-req-0001"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == "nginx-req-0001"
    assert not_found["path"] == "/metrics"
    assert not_found["server_id"] == "app-7"
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert len(access) == HEALTHZ_COUNT + 1
    metrics_access = next(line for line in access if line["path"] == "/metrics")
    assert metrics_access["request_id"] == "nginx-req-0001"
    assert metrics_access["status"] == 404
    assert metrics_access["server_id"] == "app-7"
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access[:-1])
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # boot lines, JSON too
