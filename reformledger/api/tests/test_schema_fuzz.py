"""schemathesis against /api/schema/ with every check enabled: no server error, no
response outside the schema, invalid input refused, valid input accepted
(schemathesis.toml at the repository root says what it is tuned for, and why)."""

import os
import subprocess
import sys
from pathlib import Path

from reformledger.accounts import services as accounts

ROOT = Path(__file__).resolve().parents[3]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
EXAMPLES = os.environ.get("RL_SCHEMATHESIS_EXAMPLES", "20")


def test_the_api_conforms_to_its_schema_under_fuzzing(
    transactional_db, live_server, world, office_staff, tmp_path
):
    _token, raw = accounts.token_create(by=office_staff, name="schemathesis")
    result = subprocess.run(  # noqa: S603 - a fixed command against our own loopback server
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{live_server.url}/api/schema/",
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
