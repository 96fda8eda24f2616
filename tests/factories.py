"""factory_boy factories for tests that need many rows (a ledger of 500 tasks, 200 units).

They write rows directly, without services and so without audit records: a volume
test is about what a page or a query does with many rows, not about the act of
creating them. Tests of an act call its service; the `world` fixture in the root
`conftest.py` is built that way.

    office = UnitFactory(kind=UnitKind.OFFICE)
    TaskFactory.create_batch(500, office=office, lead_unit=county, area=economy)
"""

import datetime as dt
import functools

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from reformledger.accounts.models import User
from reformledger.ledger.choices import DeliverableKind, PlanStatus, TaskSource, TaskStatus
from reformledger.ledger.models import Milestone, Plan, ReformArea, Task
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Membership, Unit, UnitName

#: The password of every account the factories and personas make (the demo's too).
PASSWORD = "Reform#2016"


@functools.cache
def password_hash() -> str:
    """PASSWORD hashed once per test process with the project's real hasher.

    Hashing is slow on purpose; doing it once keeps the production hasher in tests
    while a test that logs in through the login page still works.
    """
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory):
    """An active account whose password is PASSWORD; give it roles with memberships."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(password_hash)
    is_active = True


class UnitFactory(DjangoModelFactory):
    """A unit in the tree: a root unless `parent` is given. Its current name is recorded."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.DEPARTMENT
    parent = None

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        # treebeard computes path and depth; a plain objects.create() would corrupt the tree.
        manager = model_class.objects
        unit = manager.add_child(parent, kwargs) if parent is not None else manager.add_root(kwargs)
        UnitName.objects.create(unit=unit, name=unit.name)
        return unit


class MembershipFactory(DjangoModelFactory):
    """A role held by a user in a unit (default: a liaison of a new unit)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.UNIT_REPORTER


class ReformAreaFactory(DjangoModelFactory):
    """A reform area; asking twice for the same code returns the same area."""

    class Meta:
        model = ReformArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area{n}")
    name = factory.Sequence(lambda n: f"改革领域{n}")
    order = factory.Sequence(int)


class TaskFactory(DjangoModelFactory):
    """A task written directly with `Task.objects.create`, not through `task_create`.

    Why not the service: a volume test wants hundreds of tasks quickly, and the
    service spends several queries and an audit-chain append on each one
    (permission, duplicate check, both many-to-many sets, the record). What a
    volume test checks — a list's query count, a page's speed, an export — does not
    depend on how the rows were written. Pass `office` and `lead_unit` to put the
    tasks in an existing ledger; by default each task brings its own new units.
    """

    class Meta:
        model = Task
        skip_postgeneration_save = True

    office = factory.SubFactory(UnitFactory, kind=UnitKind.OFFICE)
    year = 2016
    code = factory.Sequence(lambda n: f"V{n:05d}")
    title = factory.Sequence(lambda n: f"改革任务{n}")
    area = factory.SubFactory(ReformAreaFactory, code="economy", name="经济体制改革")
    source = TaskSource.OWN
    lead_unit = factory.SubFactory(UnitFactory, kind=UnitKind.COUNTY)
    deliverable_kind = DeliverableKind.POLICY
    start_date = factory.LazyAttribute(lambda t: dt.date(t.year, 1, 1))
    deadline = factory.LazyAttribute(lambda t: dt.date(t.year, 12, 31))
    status = TaskStatus.PLANNING

    @factory.post_generation
    def helping_units(self, create, units, **kwargs):
        if create and units:
            self.helping_units.set(units)


class PlanFactory(DjangoModelFactory):
    """An approved plan revision, written directly (see TaskFactory for why)."""

    class Meta:
        model = Plan

    task = factory.SubFactory(TaskFactory)
    revision = 1
    status = PlanStatus.APPROVED


class MilestoneFactory(DjangoModelFactory):
    """A milestone of a plan, due mid-year with the whole weight by default."""

    class Meta:
        model = Milestone

    plan = factory.SubFactory(PlanFactory)
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"节点{n}")
    planned_date = factory.LazyAttribute(lambda m: dt.date(m.plan.task.year, 6, 30))
    weight = 100
