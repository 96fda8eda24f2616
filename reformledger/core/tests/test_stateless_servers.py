"""What lets several app servers stand behind one proxy: every stored file leaves through
one helper (so nginx can send it), the server names itself in a header, and the caches
can be shared."""

import re
from pathlib import Path

from django.test import Client

from reformledger.config.env import cache_from_url

APPS = Path(__file__).resolve().parents[2]


def test_no_view_builds_its_own_file_response():
    """Every stored file goes through core.http.stored_file_response, the one place that
    knows RL_ACCEL_REDIRECT; a view with its own FileResponse would bypass nginx."""
    builders = [
        str(path.relative_to(APPS))
        for path in APPS.rglob("*.py")
        if "tests" not in path.parts
        and path != APPS / "core" / "http.py"
        and re.search(r"\bFileResponse\(", path.read_text())
    ]
    assert builders == []


def test_the_server_names_itself_when_it_has_a_name(settings, db):
    settings.RL_SERVER_ID = "app2"

    response = Client().get("/login/")

    assert response["X-RL-Server"] == "app2"


def test_no_server_header_without_a_name(settings, db):
    settings.RL_SERVER_ID = ""

    response = Client().get("/login/")

    assert "X-RL-Server" not in response


def test_a_redis_cache_url_gives_a_cache_every_server_shares():
    assert cache_from_url("redis://127.0.0.1:6379/0", name="x") == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
    assert cache_from_url("file:///srv/cache", name="x")["LOCATION"] == "/srv/cache"
    local = cache_from_url("locmem://", name="reformledger-default")
    assert local["BACKEND"].endswith("LocMemCache")
    assert local["LOCATION"] == "reformledger-default"
