"""The Huizhou 2016 demo: it loads, it holds the report's facts, and loading it twice
changes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of, verify_chain
from reformledger.demo import data
from reformledger.demo.loader import load_demo
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import Plan, ReformSystem, Task
from reformledger.ledger.permissions import visible_tasks
from reformledger.orgs.models import Membership, Unit, UnitName

pytestmark = pytest.mark.django_db

CITY = {"office__code": data.CITY_OFFICE, "year": 2016}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (it takes a second or two) in a transaction
    rolled back after the module's last test. Each test runs in a savepoint inside it,
    as with a Django TestCase's setUpTestData, so no test sees another's changes.
    A fast hasher stands in for PBKDF2, which costs ~0.4 s a password by design."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def city_task(code: str) -> Task:
    return Task.objects.get(code=code, **CITY)


def row_counts() -> dict[str, int]:
    """Rows of every model the demo writes to, by model."""
    labels = ("accounts", "orgs", "ledger", "audit")
    return {
        model._meta.label: model.objects.count()
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def test_demo_loads_a_2016_city_ledger_of_at_least_60_tasks(demo):
    tasks = Task.objects.filter(**CITY)
    assert tasks.count() >= 60
    assert 12 <= tasks.filter(is_key=True).count() <= 18
    assert not tasks.filter(is_key=True, responsible_leader__isnull=True).exists()
    assert {t.source for t in tasks} == {"deployed", "own", "grassroots"}
    assert tasks.filter(depends_on__isnull=False).exists()
    assert tasks.filter(helping_units__isnull=False).distinct().count() > 40
    assert not tasks.filter(work_point__isnull=True).exists()
    assert not tasks.exclude(start_date__year=2016).exists()
    assert max(t.deadline for t in tasks).isoformat() == "2016-12-31"


def test_the_five_systemic_reforms_are_named_as_in_the_report_and_have_tasks(demo):
    names = list(ReformSystem.objects.values_list("name", flat=True))
    assert names == [
        "市场化法治化营商环境体系改革",
        "基层治理全领域改革",
        "狠抓项目落地全流程改革",
        "提高效率狠抓工作落实全过程改革",
        "全面深化改革的体制机制改革",
    ]
    for system in ReformSystem.objects.all():
        assert system.tasks.filter(**CITY).count() >= 2, system.name


def test_the_five_action_plans_are_subtasks_of_the_supply_side_plan(demo):
    plan = city_task("2016-001")
    assert "供给侧结构性改革" in plan.title
    titles = [t.title for t in plan.subtasks.order_by("code")]
    assert len(titles) == 5
    for action in ("去产能", "去库存", "去杠杆", "降成本", "补短板"):
        assert any(action in title for title in titles), action


@pytest.mark.parametrize(
    "fragments",
    [
        ("336户", "74%"),
        ("66家企业", "3.5亿元"),
        ("64个", "30亿元"),
        ("减少行政审批事项15项", "增加公共服务事项38项"),
        ("国家改革试点18项", "省改革试点44项"),
        ("专项评估（17项）", "第三方评估", "3项"),
        ("会议3次", "12个重要改革文件"),
        ("小组第一", "东部地区）第三"),
        ("社会信用体系建设试点",),
        ("居住证制度",),
        ("商事制度改革",),
        ("基本公共服务均等化",),
        ("一门式一网式",),
        ("互联网+政务服务",),
    ],
)
def test_the_reports_figures_are_in_the_ledger(demo, fragments):
    tasks = Task.objects.filter(**CITY)
    for fragment in fragments:
        tasks = tasks.filter(description__contains=fragment)
    assert tasks.exists(), fragments


@pytest.mark.parametrize(
    ("brand", "county"),
    [
        ("表格化捆绑式绩效考核", "HZ-HY"),
        ("项目审批制度改革", "HZ-BL"),
        ("两图工作法", "HZ-DYW"),
        ("农村金融改革", "HZ-HD"),
        ("强村固组", "HZ-HC"),
        ("科技金融体制改革", "HZ-ZK"),
        ("城乡生活垃圾", "HZ-LM"),
    ],
)
def test_each_county_brand_is_led_by_its_county(demo, brand, county):
    task = Task.objects.get(title__contains=brand, **CITY)
    assert task.lead_unit.code == county
    assert task.source == "grassroots"


def test_plans_show_every_step_of_approval(demo):
    tasks = Task.objects.filter(**CITY)
    assert tasks.filter(status=TaskStatus.IN_PROGRESS).count() >= 55
    pending = {p.task.code: p.status for p in Plan.objects.exclude(status="approved")}
    assert "draft" in pending.values()
    assert "submitted" in pending.values()
    assert "rejected" in pending.values()
    for plan in Plan.objects.filter(status=PlanStatus.APPROVED).prefetch_related("milestones"):
        milestones = list(plan.milestones.all())
        assert 3 <= len(milestones) <= 5, plan
        assert sum(m.weight for m in milestones) == 100, plan
        assert all(plan.task.start_date <= m.planned_date <= plan.task.deadline for m in milestones)
    for plan in Plan.objects.exclude(status__in=["approved", "superseded"]):
        assert plan.task.status == TaskStatus.PLANNING
        assert not plan.milestones.filter(reached_on__isnull=False).exists()


def test_one_plan_was_revised_with_a_reason(demo):
    task = city_task(data.REVISION["task"])
    revisions = list(task.plans.order_by("revision").values_list("revision", "status", "reason"))
    assert revisions == [
        (1, PlanStatus.SUPERSEDED, ""),
        (2, PlanStatus.APPROVED, data.REVISION["reason"]),
    ]
    verbs = list(history_of(task).values_list("verb", flat=True))
    assert verbs.count("plan.approved") == 2
    assert "plan.revision_started" in verbs


def test_milestones_reached_are_a_realistic_mix(demo):
    approved = Plan.objects.filter(status=PlanStatus.APPROVED, task__year=2016)
    reached = approved.filter(milestones__reached_on__isnull=False).count()
    open_ = approved.filter(milestones__reached_on__isnull=True).count()
    assert reached > 30
    assert open_ > reached
    # Tasks running behind have a milestone overdue before mid-year.
    late = approved.filter(
        milestones__reached_on__isnull=True, milestones__planned_date__lte=data.REACHED_UNTIL
    )
    assert late.exists()


def test_a_renamed_unit_keeps_its_old_name(demo):
    unit = Unit.objects.get(code="HZ-ZWB")
    assert unit.name == "惠州市政务服务管理办公室"
    names = list(UnitName.objects.filter(unit=unit).values_list("name", "valid_until"))
    assert names[0][0] == "惠州市行政服务中心管理办公室"
    assert names[0][1].isoformat() == "2016-07-01"
    assert names[1] == ("惠州市政务服务管理办公室", None)


def test_the_unit_tree_is_whole(demo):
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    city = Unit.objects.get(code="HZ")
    county_office = Unit.objects.get(code=data.COUNTY_OFFICE)
    assert Unit.objects.get_parent(county_office).code == "HZ-HY"
    assert Unit.objects.filter(path__startswith=city.path).count() == len(data.UNITS)
    assert Unit.objects.filter(kind="county").count() == 5
    assert Unit.objects.filter(kind="zone").count() == 2


def test_loading_twice_writes_no_row_and_no_audit_record(demo):
    before = row_counts()
    last = AuditRecord.objects.order_by("-id").first()
    result = load_demo()
    assert not result.created
    assert row_counts() == before
    assert AuditRecord.objects.order_by("-id").first() == last


def test_every_change_of_the_demo_is_in_a_whole_audit_chain(demo):
    assert verify_chain() is None
    created = AuditRecord.objects.filter(verb="task.created").count()
    assert created == Task.objects.count()
    for kind in ("unit.created", "user.created", "membership.granted", "area.created"):
        assert AuditRecord.objects.filter(verb=kind).exists(), kind


def test_every_demo_login_holds_its_role_and_the_shared_password(demo):
    user_model = get_user_model()
    for username, full_name, _title, role, unit, _person_unit, staff in data.ACCOUNTS:
        user = user_model.objects.get(username=username)
        assert user.check_password(data.DEMO_PASSWORD), username
        assert user.full_name == full_name
        assert user.person.name == full_name
        roles = set(Membership.objects.filter(user=user).values_list("role", "unit__code"))
        assert roles == {(role, unit)}, username
        assert user.is_staff is staff
        assert not user.is_superuser
    assert user_model.objects.get(username="director").person.title == "主任"
    assert user_model.objects.get(username="deputy").person.title == "副主任"
    assert user_model.objects.filter(is_staff=True).get().username == "sysadmin"


def test_huiyang_liaison_sees_only_tasks_huiyang_leads_or_helps(demo):
    liaison = get_user_model().objects.get(username="huiyang")
    huiyang = Unit.objects.get(code="HZ-HY")
    seen = set(visible_tasks(liaison).values_list("pk", flat=True))
    related = set(
        Task.objects.filter(lead_unit__path__startswith=huiyang.path).values_list("pk", flat=True)
    ) | set(
        Task.objects.filter(helping_units__path__startswith=huiyang.path).values_list(
            "pk", flat=True
        )
    )
    assert seen == related
    assert city_task("2016-019").pk in seen  # its own brand
    assert city_task("2016-041").pk in seen  # helped by one of its towns
    assert city_task("2016-001").pk not in seen
    assert Task.objects.filter(office__code=data.COUNTY_OFFICE).count() == 3


def test_county_office_keeps_its_own_ledger(demo):
    staff = get_user_model().objects.get(username="hy_office")
    seen = visible_tasks(staff)
    assert set(seen.filter(office__code=data.COUNTY_OFFICE).values_list("code", flat=True)) == {
        "HY2016-01",
        "HY2016-02",
        "HY2016-03",
    }
    # The city's pilot given to 惠阳区 shows in the county office too.
    assert seen.filter(pk=city_task("2016-019").pk).exists()
