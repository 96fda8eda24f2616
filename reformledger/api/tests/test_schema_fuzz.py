"""schemathesis against /api/schema/ with every check enabled: no server error, no
response outside the schema, invalid input refused, valid input accepted
(schemathesis.toml at the repository root says what it is tuned for, and why).

One test per resource of the API (the first part of its paths: tasks, plans,
supervision-orders…), read from the schema itself, so a new endpoint is fuzzed
without being listed here and the work spreads over the test run's workers instead of
keeping one busy for minutes."""

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from reformledger.accounts import services as accounts

ROOT = Path(__file__).resolve().parents[3]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = os.environ.get("RL_SCHEMATHESIS_EXAMPLES", "20")
PREFIX = "/api/v1/"


@cache
def schema_paths() -> tuple[str, ...]:
    """Every path of the API's schema, as drf-spectacular generates it."""
    from drf_spectacular.generators import SchemaGenerator

    return tuple(SchemaGenerator().get_schema(request=None, public=True)["paths"])


def resources() -> list[str]:
    return sorted({path.removeprefix(PREFIX).split("/", 1)[0] for path in schema_paths()})


def path_pattern(resource: str) -> str:
    return f"^{re.escape(PREFIX + resource)}/"


def test_the_resources_fuzzed_cover_every_path_of_the_schema():
    paths = schema_paths()
    assert paths and all(path.startswith(PREFIX) for path in paths)
    for path in paths:
        assert [r for r in resources() if re.match(path_pattern(r), path)], path


@pytest.mark.parametrize("resource", resources())
def test_the_api_conforms_to_its_schema_under_fuzzing(
    resource, transactional_db, live_server, world, office_staff, tmp_path
):
    _token, raw = accounts.token_create(by=office_staff, name="schemathesis")
    result = subprocess.run(  # noqa: S603 - a fixed command against our own loopback server
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{live_server.url}/api/schema/",
            "--include-path-regex",
            path_pattern(resource),
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {raw}",
            "--max-examples",
            EXAMPLES,
            "--workers",
            "1",
            "--seed",
            "2016",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    summary = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert "Server error" not in result.stdout
    assert re.search(r"Tested: [1-9]", result.stdout), summary  # the pattern chose some
