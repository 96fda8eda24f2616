"""Fixtures of the exchange tests: the queue in immediate mode."""

import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def huey_immediate():
    """Queued imports run at once, in the test's own transaction."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = was
