"""Deployment hardening: production settings pass Django's deployment check, cookies
are Secure, HttpOnly and SameSite, HSTS is sent, pages with personal data are never
cached, error pages show no internals, and the log carries no secret."""

import io
import json
import logging
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.templatetags.static import static
from django.test import Client

from reformledger.core.logging import MaskSecretsFilter
from reformledger.core.tests.instance import REPO, instance_env, python, reformledger

HOST = "ledger.example.gov.cn"


@pytest.fixture
def production_env(db, tmp_path) -> dict[str, str]:
    """The environment of a production instance behind TLS, on the test database."""
    return instance_env(
        connection.settings_dict,
        tmp_path / "media",
        RL_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DEBUG="false",
    )


def test_deployment_check_passes_without_a_warning_in_production(production_env):
    checked = reformledger("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_production_refuses_to_start_with_the_default_secret_key(production_env):
    env = {k: v for k, v in production_env.items() if k != "SECRET_KEY"}
    refused = reformledger("check", env=env)
    assert refused.returncode != 0
    assert "RL_PRODUCTION=1 needs a SECRET_KEY of its own" in refused.stderr


PRODUCTION_PROBE = f"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
https = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="{HOST}").get("/login/")
plain = Client(HTTP_HOST="{HOST}").get("/login/")
print(json.dumps({{
    "hsts": https.get("Strict-Transport-Security"),
    "cookies": {{
        name: {{"secure": bool(c["secure"]), "samesite": c["samesite"],
                "httponly": bool(c["httponly"])}}
        for name, c in https.cookies.items()
    }},
    "session": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE],
    "plain": [plain.status_code, plain.get("Location")],
}}))
"""


def test_production_sends_hsts_secure_cookies_and_redirects_plain_http(production_env):
    done = python(PRODUCTION_PROBE, env=production_env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookies"]["__Host-csrftoken"] == {
        "secure": True,
        "samesite": "Lax",
        "httponly": False,  # htmx and forms read it from the page, not the cookie
    }
    assert seen["session"] == ["__Host-sessionid", True, True, "Lax"]
    assert seen["plain"] == [301, f"https://{HOST}/login/"]


def test_session_cookie_is_httponly_and_samesite_lax(world, office_staff, client):
    from tests.factories import PASSWORD

    client.post("/login/", {"username": "office", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


# --- no copies of personal data in caches --------------------------------------


def test_pages_and_downloads_for_a_signed_in_user_are_never_stored(world, office_staff, client_for):
    client = client_for(office_staff)
    for path in ("/ledger/", f"/ledger/tasks/{world.task_huiyang.pk}/", "/ledger/ledger.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_api_answers_to_a_token_are_never_stored(world, office_staff):
    from reformledger.accounts import services

    _token, raw = services.token_create(by=office_staff, name="省级平台")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/tasks/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_for_a_signed_in_user(world, office_staff, client_for):
    response = client_for(office_staff).get(static("web/site.css"))
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]


# --- error pages ----------------------------------------------------------------


@pytest.mark.urls("reformledger.core.tests.failing_urls")
def test_a_failing_page_shows_the_error_page_without_internals(
    world, office_staff, client_for, masked_console
):
    client = client_for(office_staff)
    client.raise_request_exception = False

    page = client.get("/failing/")
    api = client.get("/api/failing/")

    assert page.status_code == 500
    html = page.content.decode()
    assert "Server error" in html
    for internal in ("Traceback", "RuntimeError", "failing_urls", "hunter2", "settings"):
        assert internal not in html
    assert api.status_code == 500
    assert api.json() == {"detail": "Server error."}
    logged = masked_console.getvalue()
    assert "Internal Server Error: /failing/" in logged
    assert "hunter2" not in logged and "password=***" in logged


def test_missing_and_refused_pages_show_the_site_pages_without_internals(
    world, huiyang_liaison, client_for
):
    client = client_for(huiyang_liaison)
    missing = client.get("/no-such-page/")
    refused = client.get(f"/ledger/tasks/{world.task_huiyang.pk}/edit/")
    api_missing = client.get("/api/v1/no-such-thing/")

    assert missing.status_code == 404
    assert "未找到" in missing.content.decode()  # the site's page: "Not found"
    assert "urlpatterns" not in missing.content.decode().lower()
    assert refused.status_code == 403
    assert "无权操作" in refused.content.decode()  # "Not allowed"
    assert "Traceback" not in refused.content.decode()
    assert api_missing.status_code == 404
    assert api_missing.json() == {"detail": "Not found."}


# --- the log ----------------------------------------------------------------------


@pytest.fixture
def masked_console():
    """What the site's console handler (settings.LOGGING) writes during the test."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, MaskSecretsFilter) for f in h.filters)
    )
    buffer = io.StringIO()
    was = handler.setStream(buffer)
    yield buffer
    handler.setStream(was)


def test_passwords_tokens_and_id_numbers_are_masked_in_the_log(masked_console):
    log = logging.getLogger("reformledger.accounts")
    log.warning("sign-in of %s failed, password=%s", "huiyang", "Reform#2016")
    log.warning("request headers %s", {"Authorization": "Bearer 3f9a0c1d2e4b5a6c7d8e"})
    log.warning("import %s", "/api/v1/tasks/?token=s3cr3t-t0ken&page=2")
    log.warning("申请人身份证号%s，姓名林文秀", "44130219800101123X")
    log.warning("form %s", {"new_password1": "Xy#12345", "username": "huiyang"})

    written = masked_console.getvalue()
    for secret in ("Reform#2016", "3f9a0c1d2e4b5a6c7d8e", "s3cr3t-t0ken", "44130219800101123X"):
        assert secret not in written
    assert "Xy#12345" not in written
    assert "password=***" in written
    assert "身份证号[id-number]，姓名林文秀" in written
    assert "huiyang" in written  # user names are not secrets: the log stays useful


def test_gunicorn_access_log_names_the_path_without_the_query_string(db, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    env = instance_env(connection.settings_dict, tmp_path / "media")
    with log.open("w") as out:
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "reformledger.config.wsgi:application",
                "--config=python:reformledger.config.gunicorn",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/healthz?token=leaked-token&q=林文秀"
            for _ in range(100):  # until it listens
                try:
                    with urllib.request.urlopen(url.replace("林文秀", "%E6%9E%97"), timeout=5):  # noqa: S310
                        break
                except OSError:
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    written = log.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in written
    assert "leaked-token" not in written
    assert "%E6%9E%97" not in written


def test_a_refused_form_shows_the_site_page_under_the_policy(world, office_staff):
    from reformledger.core.tests.test_page_policy import inline_code

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_staff, backend="django.contrib.auth.backends.ModelBackend")
    refused = client.post("/ledger/tasks/new/", {"title": "x"})

    assert refused.status_code == 403
    html = refused.content.decode()
    assert "表单未被接受" in html or "Form not accepted" in html
    assert "CSRF verification failed" not in html  # not Django's page with its inline style
    assert not inline_code(html)
    assert "script-src 'self'" in refused["Content-Security-Policy"]
