"""The production stack as a user and an operator meet it: signing in through nginx over
HTTPS, both app servers answering, static files and protected downloads sent by nginx,
no public metrics, an app server killed and back, Redis restarted without signing
anyone out, and a stop that leaves nothing running (the last test: it stops the stack)."""

import re
import socket
import time
from pathlib import Path

import psycopg
import pytest
import requests

from reformledger.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.stack


def session_for(stack) -> requests.Session:
    """A client that trusts the stack's own certificate (and no proxy or CA bundle of
    the environment)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = stack.cert
    return session


def sign_in(stack, username: str = "office") -> requests.Session:
    session = session_for(stack)
    form = session.get(f"{stack.url}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = session.post(
        f"{stack.url}/login/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{stack.url}/login/"},
    )
    assert answer.status_code == 200, answer.text[:500]
    assert "/login/" not in answer.url, "the sign-in was refused"
    return session


def servers_seen(session, url: str, requests_made: int = 20) -> set[str]:
    return {
        session.get(url, allow_redirects=False).headers.get("X-RL-Server")
        for _ in range(requests_made)
    }


def test_a_demo_user_signs_in_through_nginx_and_reads_pages(stack):
    session = sign_in(stack)

    for path in ("/ledger/", "/ledger/reports/", "/supervision/orders/"):
        page = session.get(f"{stack.url}{path}", allow_redirects=False)
        assert page.status_code == 200, path
        assert page.headers["X-RL-Server"] in {"app1", "app2"}
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        # nginx passed its request id on; the app answered with it.
        assert re.fullmatch(r"[0-9a-f]{32}", page.headers["X-Request-ID"])
    print(f"\nThe stack started in {stack.start_seconds:.0f} s.")


def test_plain_http_is_sent_to_https(stack):
    answer = requests.get(
        f"http://127.0.0.1:{stack.port_base}/ledger/?year=2017", allow_redirects=False, timeout=30
    )

    assert answer.status_code == 301
    assert answer.headers["Location"] == f"{stack.url}/ledger/?year=2017"


def test_requests_are_shared_between_both_app_servers(stack):
    assert servers_seen(session_for(stack), f"{stack.url}/login/") == {"app1", "app2"}


def test_static_files_are_served_by_nginx_not_by_an_app_server(stack):
    page = session_for(stack).get(f"{stack.url}/login/")
    path = re.search(r'(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text).group(1)

    through_nginx = session_for(stack).get(f"{stack.url}{path}")
    # The same file from an app server itself carries the server's name.
    from_app = requests.get(
        f"{stack.app_url(1)}{path}", headers={"X-Forwarded-Proto": "https"}, timeout=30
    )

    assert through_nginx.status_code == 200
    assert through_nginx.content == from_app.content
    assert "X-RL-Server" not in through_nginx.headers
    assert from_app.headers["X-RL-Server"] == "app1"
    assert "immutable" in through_nginx.headers["Cache-Control"]


def _evidence(stack) -> tuple[int, str]:
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute("SELECT id, file FROM ledger_evidence ORDER BY id LIMIT 1").fetchone()


def test_an_evidence_file_is_sent_by_nginx_after_the_app_checked_the_user(stack):
    pk, name = _evidence(stack)
    stored = (Path(stack.state_dir) / "media" / name).read_bytes()

    download = sign_in(stack).get(f"{stack.url}/ledger/evidence/{pk}/")

    assert download.status_code == 200
    assert download.content == stored
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # nginx sent it (no app server's name), and the file's address inside stays inside.
    assert "X-RL-Server" not in download.headers
    assert "X-Accel-Redirect" not in download.headers
    # Without signing in: the sign-in page, not the file.
    anonymous = session_for(stack).get(f"{stack.url}/ledger/evidence/{pk}/", allow_redirects=False)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous.headers["Location"]


def test_metrics_and_the_protected_files_have_no_public_route(stack):
    _pk, name = _evidence(stack)
    session = session_for(stack)

    assert session.get(f"{stack.url}/metrics").status_code == 404
    assert session.get(f"{stack.url}/metrics/").status_code == 404
    assert session.get(f"{stack.url}/_protected/{name}").status_code == 404


def test_each_app_server_counts_its_requests_on_the_operators_address(stack):
    session = session_for(stack)
    for _ in range(6):
        session.get(f"{stack.url}/healthz")

    for n in (1, 2):
        metrics = requests.get(f"http://127.0.0.1:{stack.port_base + 80 + n}/metrics", timeout=30)
        assert metrics.status_code == 200
        assert "django_http_responses_total_by_status_view_method_total" in metrics.text
        assert 'view="healthz"' in metrics.text


def test_an_app_server_killed_comes_back(stack):
    before = stack.pid("app2")

    restarted = stack.run("restart-app 2")

    assert restarted.returncode == 0, restarted.stderr
    assert stack.pid("app2") != before
    assert not Path(f"/proc/{before}").exists() or "Z" in _state(before)
    # nginx may keep a refused server aside for its fail_timeout (5 s).
    deadline = time.monotonic() + 15
    while "app2" not in servers_seen(session_for(stack), f"{stack.url}/login/", 4):
        assert time.monotonic() < deadline, "app2 never answered again"
        time.sleep(0.5)


def test_a_redis_restart_signs_nobody_out(stack):
    session = sign_in(stack)

    restarted = stack.run("restart-redis")

    assert restarted.returncode == 0, restarted.stderr
    page = session.get(f"{stack.url}/ledger/", allow_redirects=False)
    assert page.status_code == 200


def _state(pid: int) -> str:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return "gone"
    return text[text.rfind(")") + 2 :].split()[0]


def _sessions_alive(leaders: set[int]) -> list[int]:
    """Processes (not zombies) of the sessions the stack's processes lead."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except (FileNotFoundError, ProcessLookupError):
                continue
            fields = text[text.rfind(")") + 2 :].split()
            if int(fields[3]) in leaders and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def test_stop_leaves_no_process_and_a_second_stop_says_so(stack):
    names = ("redis", "app1", "app2", "queue", "nginx")
    leaders = {stack.pid(name) for name in names}
    assert _sessions_alive(leaders)

    stopped = stack.run("stop")
    again = stack.run("stop")

    assert stopped.returncode == 0, stopped.stderr
    assert _sessions_alive(leaders) == []
    assert not list((Path(stack.state_dir) / "run").glob("*.pid"))
    base = stack.port_base
    for port in (base, base + 3, base + 61, base + 62, base + 70):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, port
    assert again.returncode == 0
    assert "not running" in again.stdout
