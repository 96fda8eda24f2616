"""Running `reformledger` as an operator does: in a process of its own, its settings
read from the environment, pointed at a database and a media folder."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def database_url(db: dict) -> str:
    """A PostgreSQL DATABASES entry as the DATABASE_URL that selects it."""
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def instance_env(db: dict, media: Path, **extra: str) -> dict[str, str]:
    """The environment of an instance whose database is the DATABASES entry `db` and
    whose uploaded files live in `media`."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright runs an
    # event loop); an instance of its own starts without it, as a deployment does.
    dropped = ("DATABASE_URL", "RL_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["RL_MEDIA_ROOT"] = str(media)
    if db["ENGINE"].endswith("sqlite3"):
        env["RL_VAR_DIR"] = str(Path(db["NAME"]).parent)
        env["RL_SQLITE_NAME"] = Path(db["NAME"]).name
    else:
        env["DATABASE_URL"] = database_url(db)
    return env | extra


def reformledger(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `reformledger ARGS...` and return what it did (never raises on failure)."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "reformledger", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def python(code: str, *, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run Python `code` with the project's settings (DJANGO_SETTINGS_MODULE set)."""
    env = env | {"DJANGO_SETTINGS_MODULE": "reformledger.config.settings"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
