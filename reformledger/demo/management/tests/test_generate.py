"""The synthetic ledger generator: the counts asked, a whole unit tree, one audit record."""

import pytest

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import verify_chain
from reformledger.demo.generator import GenerateError, generate, step
from reformledger.demo.loader import load_demo
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Milestone, Plan, Task
from reformledger.ledger.validation import MilestoneRow, milestone_errors
from reformledger.orgs.models import Unit

pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_hasher(settings, tmp_path):
    """PBKDF2 costs ~0.4 s a password by design; the tests need no such cost. The
    demo's evidence files go to a temporary MEDIA_ROOT, never to var/media."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"


NO_PROBLEMS = ([], [], [], [], [])


def test_step_is_a_treebeard_path_step():
    assert step(1) == "0001"
    assert step(36) == "0010"
    assert step(36**4 - 1) == "ZZZZ"
    with pytest.raises(GenerateError):
        step(36**4)


def test_generate_writes_the_counts_asked_in_a_whole_tree():
    counts = generate(tasks=300, units=30, seed=3)

    root = Unit.objects.get(code="GEN")
    assert Unit.objects.filter(path__startswith=root.path).count() == 32  # + root and office
    assert counts["units"] == 32
    assert Unit.objects.find_problems() == NO_PROBLEMS
    kinds = set(Unit.objects.filter(path__startswith=root.path).values_list("kind", flat=True))
    assert {"city", "office", "department", "county", "town"} <= kinds

    tasks = Task.objects.filter(office__code="GEN-GGB", year=2030)
    assert tasks.count() == counts["tasks"] == 300
    assert not tasks.exclude(status=TaskStatus.IN_PROGRESS).exists()
    assert tasks.filter(parent__isnull=False).count() == counts["subtasks"]
    assert not tasks.filter(lead_unit=root).exists()
    plans = Plan.objects.filter(task__in=tasks)
    assert plans.filter(status=PlanStatus.APPROVED).count() == 300
    assert Milestone.objects.filter(plan__in=plans).count() == counts["milestones"]
    for plan in plans.select_related("task").prefetch_related("milestones"):
        rows = [
            MilestoneRow(title=m.title, planned_date=m.planned_date, weight=m.weight)
            for m in plan.milestones.all()
        ]
        assert 3 <= len(rows) <= 5
        assert milestone_errors(
            rows, start_date=plan.task.start_date, deadline=plan.task.deadline
        ) == ({}, [])


def test_generate_leaves_one_audit_record_and_a_whole_chain():
    generate(tasks=50, units=10, seed=1)
    records = AuditRecord.objects.all()
    assert [r.verb for r in records] == ["demo.generated"]
    assert records[0].changes["tasks"] == [None, 50]
    assert verify_chain() is None


def test_generate_beside_the_demo_collides_with_nothing():
    load_demo()
    demo_tasks = Task.objects.filter(year=2016).count()
    huiyang_office = Unit.objects.get(code="HZ-HY-GGB")

    generate(tasks=100, units=20, seed=2, year=2016)

    assert Unit.objects.find_problems() == NO_PROBLEMS
    assert Task.objects.filter(office__code="HZ-GGB", year=2016).count() + 3 == demo_tasks
    assert Task.objects.filter(office__code="GEN-GGB", year=2016).count() == 100
    # The demo's tree survives the new root sorting in before it.
    moved = Unit.objects.get(pk=huiyang_office.pk)
    assert Unit.objects.get_parent(moved).code == "HZ-HY"
    assert verify_chain() is None
    # Loading the demo again still finds everything in place.
    assert not load_demo().created


def test_generate_refuses_a_prefix_in_use():
    generate(tasks=10, units=5)
    with pytest.raises(GenerateError):
        generate(tasks=10, units=5)
    generate(tasks=10, units=5, prefix="GEN2")
    assert Unit.objects.find_problems() == NO_PROBLEMS
