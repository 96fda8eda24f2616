"""The production stack of `make stack` started once for the stack tests: nginx, two app
servers, the queue's consumer, Redis and PostgreSQL on loopback, in a folder, on ports
and in a database of the test run's own (scripts/stack.py). It needs nginx, redis-server,
openssl and the machine's PostgreSQL; when it cannot start, the tests fail, never skip.

RL_STACK_TEST_PORT_BASE (18440) and RL_STACK_TEST_POSTGRES (postgres://postgres@127.0.0.1:5432)
place it beside a stack a developer started with `make stack`.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "stack.py"


@dataclass
class RunningStack:
    """A started stack: its address, database and folder, and its script."""

    url: str
    database_url: str
    state_dir: Path
    port_base: int
    start_seconds: float = 0.0

    @property
    def cert(self) -> str:
        return str(self.state_dir / "tls" / "cert.pem")

    def app_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port_base + 60 + n}"

    def pid(self, name: str) -> int:
        return int((self.state_dir / "run" / f"{name}.pid").read_text())

    def run(self, subcommand: str) -> subprocess.CompletedProcess:
        """`scripts/stack.py <subcommand>` on this stack (e.g. "restart-app 2")."""
        env = dict(
            os.environ,
            RL_STACK_DIR=str(self.state_dir),
            RL_STACK_PORT_BASE=str(self.port_base),
            RL_STACK_DATABASE_URL=self.database_url,
        )
        return subprocess.run(  # noqa: S603 - our own script on our own stack
            [sys.executable, str(SCRIPT), *subcommand.split()],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )


def _fresh_database(server: str, name: str) -> str:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server}/{name}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> RunningStack:
    """One stack for the session: a fresh database, the demo loaded once, stopped at the
    end. Under pytest-xdist the stack tests all go to one worker (the root conftest's
    scheduler); a worker that still got one would run its own, 100 ports further on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw")) if worker.removeprefix("gw").isdigit() else 0
    base = int(os.environ.get("RL_STACK_TEST_PORT_BASE") or 18440) + 100 * index
    server = os.environ.get("RL_STACK_TEST_POSTGRES") or "postgres://postgres@127.0.0.1:5432"
    try:
        database_url = _fresh_database(server, f"rl_stack_test{index or ''}")
    except psycopg.OperationalError as exc:
        pytest.fail(f"The stack needs PostgreSQL at {server}: {exc}")
    running = RunningStack(
        url=f"https://127.0.0.1:{base + 3}",
        database_url=database_url,
        state_dir=tmp_path_factory.mktemp("stack"),
        port_base=base,
    )
    began = time.monotonic()
    started = running.run("start")
    running.start_seconds = time.monotonic() - began
    if started.returncode:
        running.run("stop")
        pytest.fail(f"The stack did not start:\n{started.stdout[-3000:]}\n{started.stderr}")
    yield running
    stopped = running.run("stop")
    assert stopped.returncode == 0, stopped.stderr


def pytest_collection_modifyitems(items):
    """The test that stops the stack runs after every other test of the session, whatever
    module it is in, so no later test finds the stack stopped."""
    last = [
        item for item in items if item.name.startswith("test_stop_") and "stack" in item.keywords
    ]
    for item in last:
        items.remove(item)
    items.extend(last)


# The stack migrates its own database and collects the static files it serves; the
# test database and the collection every other test session makes are not needed here.


@pytest.fixture(scope="session")
def django_db_setup():
    """No test database: the stack tests use the stack's own."""


@pytest.fixture(scope="session")
def collected_static():
    """The stack collects (or finds current) the static files it serves."""
