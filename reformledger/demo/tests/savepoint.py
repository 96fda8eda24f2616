"""A module's own rows on top of the demo (loaded once for the folder, `conftest.demo`)."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def module_savepoint(django_db_blocker):
    """Rows a module adds to the demo for its tests, rolled back after its last test, so
    the next module meets the demo as loaded."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
