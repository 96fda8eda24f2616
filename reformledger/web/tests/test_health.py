"""`/healthz`: database, task queue, file storage and audit trail, each named when it fails."""

import socket

import pytest
from django.db import OperationalError, connection
from huey import RedisHuey
from huey.contrib import djhuey
from prometheus_client import REGISTRY

from reformledger.audit import services as audit
from reformledger.audit import triggers

CHECKS = ("database", "queue", "storage", "audit")


def probe_ok(check: str) -> float | None:
    return REGISTRY.get_sample_value("reformledger_health_check_ok", {"check": check})


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def only_failure(body: dict) -> list[str]:
    return [check for check in CHECKS if body[check] != "ok"]


def test_healthz_reports_every_check_ok_with_the_chain_head(client, db):
    record = audit.record(actor=None, verb="demo.generated", reason="a record to be the head")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {check: body[check] for check in CHECKS} == dict.fromkeys(CHECKS, "ok")
    assert body["vendor"] == connection.vendor
    assert "business_date" in body
    assert body["audit_head"] == {"id": record.id, "hash": record.hash[:12]}
    assert body["audit_triggers"] is True
    assert probe_ok("storage") == 1


def test_healthz_leaves_no_probe_file_behind(client, db, settings):
    assert client.get("/healthz").status_code == 200
    probes = settings.MEDIA_ROOT / "healthz"
    assert probes.is_dir()  # the probe went through the storage under healthz/
    assert list(probes.iterdir()) == []


def test_healthz_names_an_unreachable_queue(client, db, monkeypatch):
    port = closed_port()
    monkeypatch.setattr(
        djhuey, "HUEY", RedisHuey("reformledger", url=f"redis://127.0.0.1:{port}/0")
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert only_failure(body) == ["queue"]
    assert body["queue"] == "error: ConnectionError"
    assert str(port) not in response.content.decode()  # no address in the answer
    assert probe_ok("queue") == 0


def test_healthz_names_storage_it_cannot_write(client, db, settings, tmp_path):
    # A file where the storage needs a folder: nothing can be written under it (even
    # by root, which file modes would not stop).
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "media"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert only_failure(body) == ["storage"]
    assert body["storage"] in {"error: NotADirectoryError", "error: FileExistsError"}
    assert str(tmp_path) not in response.content.decode()  # no path in the answer


def test_healthz_names_audit_triggers_that_were_dropped(client, db):
    with triggers.lifted(connection):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert only_failure(body) == ["audit"]
    assert body["audit"] == "error: TriggersMissing"
    assert body["audit_triggers"] is False
    assert client.get("/healthz").status_code == 200  # put back: healthy again


def test_healthz_names_an_unreachable_database(client, db, monkeypatch):
    class Down:
        vendor = connection.vendor

        def cursor(self):
            raise OperationalError("could not connect to server at 10.0.0.5, password=x")

    from reformledger.web import health

    monkeypatch.setattr(health, "connection", Down())

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "error: OperationalError"
    assert "10.0.0.5" not in response.content.decode()


@pytest.mark.parametrize("path", ["/metrics", "/metrics/"])
def test_metrics_are_not_served_by_the_public_site(client, db, path):
    assert client.get(path).status_code == 404
