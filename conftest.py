"""The shared test world and its people.

`world` is a small Huizhou in 2016, built through the services as a user would
build it: the city, its reform office, two counties (one with a town), a
department, two reform areas and four tasks of the city ledger. Each persona is a
signed-in role in that world; its docstring says what it may do.

    def test_liaison_cannot_approve_plan(world, huiyang_liaison): ...
"""

import datetime as dt
import fcntl
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from reformledger.ledger import services as ledger
from reformledger.ledger.models import ReformArea
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role, UnitKind
from tests.factories import UserFactory

YEAR = 2016
JAN_1, DEC_31 = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)


def _member(username: str, full_name: str, unit, role: str, title: str = "", **extra):
    user = UserFactory(username=username, full_name=full_name, **extra)
    orgs.membership_grant(by=None, user=user, unit=unit, role=role, title=title)
    return user


def _task(by, office, code: str, title: str, area, lead_unit, **fields):
    return ledger.task_create(
        by=by,
        office=office,
        year=YEAR,
        code=code,
        title=title,
        area=area,
        lead_unit=lead_unit,
        deliverable_kind="policy",
        start_date=JAN_1,
        deadline=DEC_31,
        **fields,
    )


@pytest.fixture(scope="session", autouse=True)
def collected_static(django_db_setup):
    """Pages are rendered with the production static storage (hashed names from a
    manifest), so the tests collect the static files once, as a deployment does.
    Collecting every session keeps the manifest in step with edited sources; a lock
    keeps parallel workers (pytest -n) from collecting into the folder at once."""
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    with open(settings.STATIC_ROOT.parent / "collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request answered in another language
    (an English user, an Accept-Language header) leaves that language active on the
    test's thread after the response, as the locale middleware activates it per request
    and nothing deactivates it; without this a test's messages would depend on which
    test ran before it on its worker."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _media_in_tmp(tmp_path_factory):
    """Uploaded evidence goes to a folder of the test run's own, never var/media."""
    was = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    yield
    settings.MEDIA_ROOT = was


@pytest.fixture(scope="session", autouse=True)
def _published_audit_head_in_tmp(tmp_path_factory):
    """Published audit heads go to a file of the test run's own (none yet), never to
    var/audit-heads.jsonl or the machine's system log."""
    was = settings.RL_AUDIT_HEAD_FILE, settings.RL_AUDIT_SYSLOG_ADDRESS
    settings.RL_AUDIT_HEAD_FILE = str(tmp_path_factory.mktemp("audit") / "audit-heads.jsonl")
    settings.RL_AUDIT_SYSLOG_ADDRESS = ""
    yield
    settings.RL_AUDIT_HEAD_FILE, settings.RL_AUDIT_SYSLOG_ADDRESS = was


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_audit_triggers():
    """Transactional tests are cleaned up with Django's flush, which the audit table's
    append-only triggers refuse; for the test run, flush lifts them around its own
    statements and puts them back (reformledger/audit/testing.py)."""
    from reformledger.audit.testing import flush_lifts_triggers

    with flush_lifts_triggers():
        yield


@pytest.fixture(autouse=True)
def _queue_runs_inline():
    """Huey tasks run in the calling process during tests, never into the real queue
    file under var/ (the queue's own tests start a real consumer where they need one)."""
    from huey.contrib.djhuey import HUEY

    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def world(db) -> SimpleNamespace:
    """Huizhou's 2016 city ledger: units, areas and four tasks, with the office staff
    member (`world.office_staff`) who built them."""
    w = SimpleNamespace()
    w.city = orgs.unit_create(by=None, code="HZ", name="惠州市", kind=UnitKind.CITY)
    w.office = orgs.unit_create(
        by=None,
        code="HZ-GGB",
        name="市委改革办",
        kind=UnitKind.OFFICE,
        parent=w.city,
    )
    w.huiyang = orgs.unit_create(
        by=None, code="HZ-HY", name="惠阳区", kind=UnitKind.COUNTY, parent=w.city
    )
    w.huiyang_town = orgs.unit_create(
        by=None, code="HZ-HY-01", name="淡水街道", kind=UnitKind.TOWN, parent=w.huiyang
    )
    w.boluo = orgs.unit_create(
        by=None, code="HZ-BL", name="博罗县", kind=UnitKind.COUNTY, parent=w.city
    )
    w.fgj = orgs.unit_create(
        by=None, code="HZ-FGJ", name="市发展改革局", kind=UnitKind.DEPARTMENT, parent=w.city
    )
    # Reload so every unit carries the tree paths treebeard wrote for its siblings.
    for name in ("city", "office", "huiyang", "huiyang_town", "boluo", "fgj"):
        getattr(w, name).refresh_from_db()

    # Reference data has no service of its own yet: areas are plain rows.
    w.economy = ReformArea.objects.create(
        code="economy", name="经济体制改革", name_en="Economy", order=1
    )
    w.society = ReformArea.objects.create(
        code="society", name="社会体制改革", name_en="Society", order=2
    )

    w.office_staff = _member("office", "林文秀", w.office, Role.OFFICE_ADMIN, "科员")
    by = w.office_staff
    w.task_huiyang = _task(
        by,
        w.office,
        "2016-001",
        "表格化捆绑式绩效考核改革",
        w.economy,
        w.huiyang,
        is_key=True,
    )
    plan = ledger.plan_save(
        task=w.task_huiyang,
        by=by,
        summary="先试点后推广",
        milestones=[
            MilestoneRow(title="出台考核方案", planned_date=dt.date(YEAR, 6, 30), weight=40),
            MilestoneRow(
                title="全区推开并总结", planned_date=dt.date(YEAR, 12, 15), weight=60, is_key=True
            ),
        ],
    )
    ledger.plan_submit(plan=plan, by=by)
    ledger.plan_approve(plan=plan, by=by, note="同意")
    w.task_helped = _task(
        by,
        w.office,
        "2016-002",
        "投融资体制改革",
        w.economy,
        w.fgj,
        helping_units=[w.huiyang],
    )
    w.task_boluo = _task(by, w.office, "2016-003", "项目审批制度改革", w.economy, w.boluo)
    w.task_town = _task(by, w.office, "2016-004", "街道综合执法改革", w.society, w.huiyang_town)
    for name in ("task_huiyang", "task_helped", "task_boluo", "task_town"):
        getattr(w, name).refresh_from_db()
    return w


@pytest.fixture
def office_staff(world):
    """Reform office staff (改革办科员): works the whole city ledger — plans, approves, edits."""
    return world.office_staff


@pytest.fixture
def director(world):
    """Office director (改革办主任): what staff may, plus confirming ratings and closings."""
    return _member("director", "陈志远", world.office, Role.OFFICE_LEADER, "主任")


@pytest.fixture
def huiyang_liaison(world):
    """惠阳区 liaison (联络员): edits and submits plans of tasks its county or its towns lead;
    sees tasks it helps on."""
    return _member("huiyang", "黄晓梅", world.huiyang, Role.UNIT_REPORTER, "联络员")


@pytest.fixture
def huiyang_head(world):
    """惠阳区 head (一把手): reads the county's tasks and signs off its closing requests."""
    return _member("huiyang_head", "张建国", world.huiyang, Role.UNIT_HEAD, "区长")


@pytest.fixture
def fgj_liaison(world):
    """市发展改革局 liaison: edits plans of the tasks the department leads (2016-002)."""
    return _member("fgj", "李思远", world.fgj, Role.UNIT_REPORTER, "联络员")


@pytest.fixture
def boluo_liaison(world):
    """博罗县 liaison: works only on 博罗's own task (2016-003)."""
    return _member("boluo", "刘海燕", world.boluo, Role.UNIT_REPORTER, "联络员")


@pytest.fixture
def city_leader(world):
    """A leading group member (领导小组成员): reads every task and dashboard, changes nothing."""
    return _member("leader", "周明德", world.city, Role.CITY_LEADER, "副市长")


@pytest.fixture
def evaluator(world):
    """A third-party evaluator (第三方评估机构): sees only its own evaluation, no ledger task."""
    return _member("evaluator", "吴评估", world.office, Role.EVALUATOR)


@pytest.fixture
def sysadmin(world):
    """System administrator (系统管理员): runs the system and reference data; no ledger
    decisions, no audit trail."""
    return _member("sysadmin", "郑运维", world.city, Role.SYSTEM_ADMIN, is_staff=True)


@pytest.fixture
def auditor(world):
    """Audit administrator (审计管理员): reads the audit trail and nothing else."""
    return _member("auditor", "孙审计", world.city, Role.AUDITOR)


@pytest.fixture
def security_admin(world):
    """Security administrator (安全管理员): manages accounts, roles and the password policy;
    sees no ledger content and no audit trail."""
    return _member("secadmin", "钱安全", world.city, Role.SECURITY_ADMIN)


@pytest.fixture
def outsider(world):
    """An active account with no role anywhere: sees no task and may do nothing."""
    return UserFactory(username="outsider", full_name="路人甲")


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test Client signed in as `user`. A user whose role needs the
    second factor (office leaders, the three administrators) or who has set one up is
    signed in with it already given, as after the TOTP step of the sign-in."""
    from reformledger.accounts.middleware import NEEDS_OTP
    from reformledger.accounts.testing import verify_session

    # django-axes, when enabled, puts a backend first that cannot load users;
    # a forced login has to name one that can.
    backend = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower()),
        None,
    )

    def signed_in(user) -> Client:
        client = Client()
        client.force_login(user, backend=backend)
        if client.session.get(NEEDS_OTP):
            verify_session(client, user)
        return client

    return signed_in


# --- a live server for browser and API-fuzzing tests -------------------------


class _Server:
    def __init__(self, thread):
        self.thread = thread
        self.url = f"http://{thread.host}:{thread.port}"


def _no_static_handler(app):
    # Django's test server would serve /static/ from the source folders by plain
    # names; passing requests through lets WhiteNoise serve the collected, hashed
    # files exactly as gunicorn does in production.
    return app


@pytest.fixture(scope="session")
def live_server(request, django_db_setup, django_db_blocker):
    """The application on a loopback port, static files served by WhiteNoise."""
    from django.test.testcases import LiveServerThread
    from django.test.utils import modify_settings

    thread = LiveServerThread("localhost", static_handler=_no_static_handler)
    thread.daemon = True
    with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield _Server(thread)
        thread.terminate()


@pytest.fixture(autouse=True)
def _live_server_helper():
    """pytest-django's hook for its own live_server; ours needs none."""
    yield


# --- no skip hides in CI ---------------------------------------------------------

#: Skips that are by design, whatever the machine: they name what they are about.
#: Any other skip (a service or a tool missing) fails the run when RL_REQUIRE_ALL is
#: set, as `.ci/run` sets it: a green CI must have run every test. docs/testing.md.
SKIPS_BY_DESIGN = (
    "TRUNCATE is PostgreSQL's",  # the trigger that refuses TRUNCATE exists only there
    "this run is configured for Redis",  # the SQLite queue's test, when HUEY_REDIS_URL is set
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or not os.environ.get("RL_REQUIRE_ALL"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if any(allowed in reason for allowed in SKIPS_BY_DESIGN):
        return
    report.outcome = "failed"
    report.longrepr = f"Skipped under RL_REQUIRE_ALL (a service or tool is missing): {reason}"


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: known only when it is loaded
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`-n 2`) every test is handed out on its own, as the default
    scheduling does, except the production stack's tests (tests/stack/): they go together to
    one worker, first, so the run starts one stack, not one per worker, while the other
    worker goes through the rest. (`--dist loadgroup` would do it with a mark, but its
    marking does not take with the pytest this project pins.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class StackTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/stack" if nodeid.startswith("tests/stack/") else nodeid

    return StackTestsTogether(config, log)
