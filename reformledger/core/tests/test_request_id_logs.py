"""Request ids and JSON log lines (RL_LOG_FORMAT=json): every line of a request names its
id, the one its `X-Request-ID` response header shows; secrets stay masked."""

import io
import json
import logging
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from reformledger.core.logging import (
    JsonLinesFormatter,
    MaskSecretsFilter,
    RequestContextFilter,
    configure,
)

PROXY_ID = "0f3c9a7d2b8e4f61a5c0d9e8b7a6f5e4"  # nginx's $request_id: 32 hex digits


@pytest.fixture
def json_log(settings):
    """The root logger writing JSON lines through the filters settings.LOGGING puts on
    every handler; the lines written, parsed."""
    settings.RL_SERVER_ID = "app-2"
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(MaskSecretsFilter())
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)


def test_a_request_log_line_carries_the_id_its_response_shows(client, db, json_log, settings):
    settings.RL_TRUSTED_PROXIES = ["127.0.0.1"]

    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=PROXY_ID)

    assert response.status_code == 404
    assert response["X-Request-ID"] == PROXY_ID  # the proxy's id is kept
    line = next(line for line in json_log() if line["logger"] == "django.request")
    assert line["request_id"] == PROXY_ID
    assert line["path"] == "/no-such-page/"
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no-such-page/"
    assert line["server_id"] == "app-2"
    assert line["user_id"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_signed_in_request_names_its_user(world, office_staff, client_for, json_log):
    response = client_for(office_staff).get("/no-such-page/")

    assert response.status_code == 404
    line = next(line for line in json_log() if line["logger"] == "django.request")
    assert line["user_id"] == office_staff.pk
    assert line["request_id"] == response["X-Request-ID"]


def test_an_id_sent_by_an_untrusted_client_is_replaced(client, db, json_log, settings):
    settings.RL_TRUSTED_PROXIES = []

    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=PROXY_ID)

    own = response["X-Request-ID"]
    assert own != PROXY_ID
    assert re.fullmatch(r"[0-9a-f]{32}", own)
    line = next(line for line in json_log() if line["logger"] == "django.request")
    assert line["request_id"] == own


@pytest.mark.parametrize("sent", ["short", 'id with spaces and "quotes"', "x" * 65, "ab\ncd-efgh"])
def test_a_malformed_id_from_the_trusted_proxy_is_replaced(client, db, settings, sent):
    settings.RL_TRUSTED_PROXIES = ["127.0.0.1"]

    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] != sent
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_answer_has_a_fresh_id(client, db):
    first, second = client.get("/healthz"), client.get("/login/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_secrets_are_masked_in_json_lines(json_log):
    log = logging.getLogger("reformledger.accounts")
    log.warning("sign-in of %s failed, password=%s", "huiyang", "Reform#2016")
    log.warning("a call", extra={"api_token": "s3cr3t-t0ken", "query": "next=/x&token=abc12345"})
    try:
        raise ValueError("bad header Authorization: Bearer 3f9a0c1d2e4b5a6c7d8e")
    except ValueError:
        log.exception("import failed for 44130219800101123X")

    written = "\n".join(json.dumps(line, ensure_ascii=False) for line in json_log())
    for secret in (
        "Reform#2016",
        "s3cr3t-t0ken",
        "abc12345",
        "3f9a0c1d2e4b5a6c7d8e",
        "44130219800101123X",
    ):
        assert secret not in written
    first, second, third = json_log()
    assert first["message"] == "sign-in of huiyang failed, password=***"
    assert second["api_token"] == "***"
    assert second["query"] == "next=/x&token=***"
    assert "ValueError" in third["exc_info"]
    assert third["message"] == "import failed for [id-number]"
    assert first["request_id"] == ""  # outside a request


def test_the_log_format_switches_every_handler():
    config = {
        "version": 1,
        "filters": {"mask_secrets": {"()": "reformledger.core.logging.MaskSecretsFilter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]},
            "file": {"class": "logging.FileHandler", "filename": "/dev/null"},
        },
    }
    text = configure(json.loads(json.dumps(config)), log_format="text")
    assert all("formatter" not in handler for handler in text["handlers"].values())

    as_json = configure(json.loads(json.dumps(config)), log_format="json")
    assert {h["formatter"] for h in as_json["handlers"].values()} == {"json"}
    assert as_json["handlers"]["console"]["filters"] == ["mask_secrets", "request_context"]

    with pytest.raises(ImproperlyConfigured, match="RL_LOG_FORMAT"):
        configure(config, log_format="xml")
