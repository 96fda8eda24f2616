"""A pytest plugin for `make mutate` (scripts/mutate.py), loaded with `-p`.

mutmut runs each mutant's tests in a process forked from one that has already run
them, two at a time. Each process gets a SQLite test database of its own, named after
its process id, so two mutants never create, flush or drop each other's; and it leaves
the database connections it inherited alone: closing one in a child would end the
parent's WAL files under its sibling's feet ("disk I/O error").

Migrating a new test database costs most of a mutant's run (twenty seconds or more on
a busy machine, for tests that take a second), so the first process keeps a copy of
its database just migrated (`…-mutant-template.sqlite3`, before any test ran in it)
and every later one starts from a copy of that, which `migrate` finds up to date. The
work folder is new for every `make mutate`, so the copy never outlives the migrations
it was made with.

The static files, collected by the first run into the mutants' own var/static, are not
collected again for every mutant (the root conftest collects them per session: nine
seconds each on a busy machine); no mutant touches them.
"""

import os
import sqlite3
from pathlib import Path

import pytest

#: Connections inherited from the parent, kept referenced so that they are never
#: closed (nor garbage-collected) in this process.
_INHERITED: list = []
#: This process's test database and the migrated copy every process starts from.
_OWN: list[Path] = []


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included), put in place whole."""
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    src, dst = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    partial.replace(target)


def _start_from_template(template: Path) -> None:
    """Make SQLite's test database creation start from `template` once there is one."""
    from django.db.backends.sqlite3.creation import DatabaseCreation

    create = DatabaseCreation.create_test_db

    def create_test_db(self, *args, keepdb=False, **kwargs):
        own = _OWN[0]
        if template.exists():
            _copy(template, own)
            keepdb = True  # migrate finds every migration applied: seconds, not minutes
        name = create(self, *args, keepdb=keepdb, **kwargs)
        if not template.exists():
            _copy(own, template)
        return name

    DatabaseCreation.create_test_db = create_test_db
    DatabaseCreation.mutants_template = template


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    from django.conf import settings
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _INHERITED.append(connection.connection)
            connection.connection = None
    if (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        from django.contrib.staticfiles.management.commands import collectstatic

        collectstatic.Command.handle = lambda self, **options: ""
    test = settings.DATABASES["default"].setdefault("TEST", {})
    name = str(test.get("NAME") or "test.sqlite3")
    stem = name.removesuffix(".sqlite3").rsplit("-mutant-", 1)[0]
    test["NAME"] = f"{stem}-mutant-{os.getpid()}.sqlite3"
    _OWN[:] = [Path(test["NAME"])]
    from django.db.backends.sqlite3.creation import DatabaseCreation

    if not hasattr(DatabaseCreation, "mutants_template"):  # once per run: forks inherit it
        _start_from_template(Path(f"{stem}-mutant-template.sqlite3"))


def pytest_unconfigure(config):
    """Remove this process's database: a run makes hundreds."""
    for own in _OWN:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{own}{suffix}").unlink(missing_ok=True)
