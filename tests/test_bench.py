"""The benchmark's ledger and cases, on a small ledger: the trail it writes is the chain the
services write (it verifies, every act has its record), and every case of `bench/cases/`
runs, beside its lower bound, without error — so `make bench` cannot rot unseen."""

import dataclasses
from collections import Counter

import pytest

from bench import cases, fixture, harness
from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import walk_chain
from reformledger.ledger.models import Period, ProgressReport, Rating, Task

pytestmark = pytest.mark.django_db

TASKS = 40


@pytest.fixture(scope="module")
def ledger(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small ledger for the module, rolled back after its last test (each test's
    own changes roll back to it)."""
    from django.db import connection, transaction
    from django.test.utils import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(
            RL_BUSINESS_DATE=fixture.BUSINESS_DATE.isoformat(),
            ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"],
        ),
        transaction.atomic(),
    ):
        facts = {"counts": fixture._write(TASKS, units=24), "list_items": 120}
        yield fixture.ledger_of(TASKS, connection.vendor, tmp_path_factory.mktemp("bench"), facts)
        transaction.set_rollback(True)


def test_the_ledger_is_written_with_the_trail_the_services_write(ledger):
    counts = ledger.facts["counts"]
    assert Task.objects.filter(office_id=ledger.office_id).count() == TASKS
    statuses = Counter(
        Period.objects.filter(pk__in=ledger.period_ids).values_list("status", flat=True)
    )
    assert statuses == {"closed": 11, "open": 1}
    assert Rating.objects.filter(period_id__in=ledger.period_ids).count() == 12 * TASKS
    assert ProgressReport.objects.count() == counts["reports"]

    report = walk_chain()
    assert report.broken is None
    assert report.count == AuditRecord.objects.count() >= counts["audit records"] + 1
    verbs = Counter(AuditRecord.objects.values_list("verb", flat=True))
    assert verbs["task.created"] == TASKS
    assert verbs["plan.approved"] == TASKS
    assert verbs["rating.computed"] == 12 * TASKS
    assert verbs["rating.confirmed"] == 11 * TASKS
    assert verbs["report.submitted"] == counts["reports"]
    assert verbs["period.closed"] == 11
    # A task's history reads its own records, as the task page shows them.
    task = Task.objects.filter(office_id=ledger.office_id).order_by("pk").first()
    history = set(
        AuditRecord.objects.filter(ctx_type="ledger.task", ctx_id=str(task.pk)).values_list(
            "verb", flat=True
        )
    )
    assert {"task.created", "plan.approved", "rating.computed", "rating.confirmed"} <= history


@pytest.mark.parametrize("case", cases.all_cases(), ids=lambda case: case.name)
def test_every_case_runs_beside_its_lower_bound(ledger, case):
    # One run of each side, in this process (a forked child would close the test's
    # connection inside its transaction).
    # Signed in anew: the session of an earlier test rolled back with that test.
    ledger.__dict__.pop("client", None)
    ledger.__dict__.pop("user", None)
    quick = dataclasses.replace(case, memory=False, repeat=1, warm=False)
    result = harness.measure(quick, ledger)
    assert result.error == ""
    assert len(result.times) == 1
    assert result.queries is not None
    if case.bound is not None:
        assert len(result.bound_times) == 1


def test_the_table_names_what_misses_its_goal():
    def result(case, tasks, median, bound, **goals):
        return harness.Result(case, "sqlite", tasks, [median], [bound], 3, **goals)

    rows = [
        result("page", 20_000, 0.050, 0.010, goal=10, growth=1.5),
        result("page", 100_000, 0.100, 0.010, goal=10, growth=1.5),
        result("export", 20_000, 2.0, 1.0, goal=1.3),
        result("rating", 20_000, 2.5, 1.0, limit_s=2),
    ]
    misses = harness.verdicts(rows)
    assert misses[("page", "sqlite", 20_000)] == []
    assert misses[("page", "sqlite", 100_000)] == ["growth 2.00× > 1.5×"]
    assert misses[("export", "sqlite", 20_000)] == ["ratio 2.0× > 1.3×"]
    assert misses[("rating", "sqlite", 20_000)] == ["2,500 ms > 2 s"]
    text = harness.table(rows)
    assert "growth 2.00× > 1.5×" in text and "5.0×" in text
