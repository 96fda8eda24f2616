"""Load the Huizhou 2016 demo (`data.py`) through the services.

Units, people and memberships go through `orgs.services`, tasks and plans through
`ledger.services`, acting as the demo office staff (or a unit's liaison, or the
director, where that is who would act), so every row has its audit record.
Reference data that has no service yet (reform areas, systems, the work
programme) and the demo accounts are written here with an audit record each.

Then `cycle.py` plays the year 2016 on the new ledger through the work-cycle
services: monthly reports and A–E ratings, closed periods, closings, reminders and
the carry-over into 2017 (what happened to which task is in `cycle_data.py`), and
with it, through the supervision services, the year's leader links, leading-group
meetings, supervision meetings and orders (`supervision.py`, `supervision_data.py`),
and through the pilots and indicators services, the pilot registry, its investment,
the grassroots innovations and the indicators (`pilots.py`, `pilots_data.py`).
In early 2017 the office evaluates the year (`evaluation.py`, `evaluation_data.py`:
the comprehensive, 17 special and 3 third-party evaluations) and gives its cards
(`assessment.py`: the 2016 green and yellow cards, one appeal decided) and makes its
year-end documents (`publications.py`: the evaluation report and two compendiums), and
its lists of powers and public services have their 2015 and 2016 editions (`catalog.py`,
`catalog_data.py`: 15 approval items fewer and 38 public services more). Last,
`live.py` plays 2017 up to the demo's business date (`data.BUSINESS_DATE`), so the
2017 ledger is live and every login has something waiting for it.

Rows are matched on their natural keys (unit code, username, person name and
unit, area and system code, office + year + task code): a row that exists is
left alone, and each year is played only on a ledger that has no periods of it yet,
so loading twice writes nothing the second time.
"""

import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from reformledger.accounts import services as accounts
from reformledger.accounts.otp import DEMO_DEVICE_NAME, demo_key
from reformledger.accounts.permissions import SECOND_FACTOR_ROLES
from reformledger.audit import services as audit
from reformledger.core.clock import pinned
from reformledger.demo import assessment, catalog, cycle, data, evaluation, live, publications
from reformledger.ledger import services as ledger
from reformledger.ledger.models import ReformArea, ReformSystem, Task, WorkPoint, WorkProgramme
from reformledger.ledger.validation import MilestoneRow
from reformledger.orgs import services as orgs
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Membership, Person, Unit


@dataclass(frozen=True)
class Login:
    """One demo login, as the command prints it."""

    username: str
    full_name: str
    role: str
    unit: str
    password: str = data.DEMO_PASSWORD


@dataclass
class LoadResult:
    """What a load wrote (row kinds and counts) and the logins it offers."""

    created: Counter = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)


def load_demo() -> LoadResult:
    """Load the demo ledger in one transaction; rows already present are skipped."""
    with transaction.atomic():
        return _Loader().run()


def demo_logins() -> list[Login]:
    """The demo logins as data.py defines them (whether or not they are loaded)."""
    names = {code: short or name for code, _p, _k, name, short in data.UNITS}
    return [
        Login(username, full_name, str(Role(role).label), names[unit])
        for username, full_name, _t, role, unit, _pu, _s in data.ACCOUNTS
    ]


def demo_otp_usernames() -> list[str]:
    """The demo logins whose role needs the second factor (data.py's order)."""
    needing = {str(r) for r in SECOND_FACTOR_ROLES}
    names = [row[0] for row in data.ACCOUNTS if row[3] in needing]
    names += [u for u, role, _unit, _t in data.EXTRA_ROLES if role in needing and u not in names]
    return names


def _stable(text: str) -> int:
    """A number that depends only on `text`, so the demo is the same on every load."""
    return zlib.crc32(text.encode())


class _Loader:
    """One load: keeps the rows it has found or made, by their natural keys."""

    def __init__(self) -> None:
        self.result = LoadResult(logins=demo_logins())
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.users: dict = {}
        self.areas: dict[str, ReformArea] = {}
        self.systems: dict[str, ReformSystem] = {}
        self.points: dict[int, WorkPoint] = {}
        self.tasks: dict[tuple[str, str], Task] = {}

    def run(self) -> LoadResult:
        self._load_units()
        self._load_people()
        self._load_accounts()
        self._load_reference()
        self._load_programme()
        self._load_tasks()
        if cycle.needed(self.units[data.CITY_OFFICE]):
            # The 2016 replay dates its rows itself, on the real clock (whatever
            # RL_BUSINESS_DATE says); 2017 pins each act to its own day.
            with pinned(None):
                cycle.run(self)
            # The year's evaluations, then the cards that count their findings, each act
            # pinned to its day in early 2017.
            evaluation.play(self)
            assessment.play(self)
            publications.play(self)
        # The city's 2015 and 2016 lists, the 2016 edition the deliverable of task
        # 2016-011 (catalog.py); its own check, so a ledger loaded before it gets them.
        catalog.play(self)
        if live.needed(self.units[data.CITY_OFFICE]):
            live.run(self)
        return self.result

    def _made(self, kind: str, n: int = 1) -> None:
        self.result.created[kind] += n

    # --- organisation ------------------------------------------------------

    def _load_units(self) -> None:
        existing = {u.code: u for u in Unit.objects.filter(code__in=[r[0] for r in data.UNITS])}
        for code, parent, kind, name, short in data.UNITS:
            unit = existing.get(code)
            if unit is None:
                # add_child moves siblings' paths in a sorted tree, so re-read the parent.
                parent_unit = Unit.objects.get(pk=self.units[parent].pk) if parent else None
                unit = orgs.unit_create(
                    by=None, code=code, name=name, kind=kind, parent=parent_unit, short_name=short
                )
                self._made("units")
            self.units[code] = unit
        for code, name, on, reason in data.RENAMES:
            unit = Unit.objects.get(pk=self.units[code].pk)
            if unit.name != name:
                unit = orgs.unit_rename(by=None, unit=unit, name=name, on=on, reason=reason)
                self._made("renames")
            self.units[code] = unit
        # Paths may have shifted while siblings were added; read them once, settled.
        self.units = {u.code: u for u in Unit.objects.filter(code__in=list(self.units))}

    def _load_people(self) -> None:
        for name, title, unit_code in data.LEADERS:
            unit = self.units[unit_code]
            person = Person.objects.filter(name=name, unit=unit).first()
            if person is None:
                person = orgs.person_create(by=None, name=name, unit=unit, title=title)
                self._made("people")
            self.people[name] = person

    def _load_accounts(self) -> None:
        user_model = get_user_model()
        # One hash for all: PBKDF2 costs ~0.4 s a call, and the demo password is public.
        hashed = make_password(data.DEMO_PASSWORD)
        for username, full_name, title, role, unit_code, person_unit, staff in (
            *data.ACCOUNTS,
            *data.HEAD_ACCOUNTS,
        ):
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(
                    username=username, password=None, full_name=full_name, is_staff=staff
                )
                user.password = hashed
                user.save(update_fields=["password"])
                audit.record(
                    actor=None,
                    verb="user.created",
                    obj=user,
                    changes={"username": [None, username], "is_staff": [None, staff]},
                    reason="demo",
                )
                self._made("users")
            self.users[username] = user
            person = Person.objects.filter(user=user).first()
            if person is None:
                person = orgs.person_create(
                    by=None, name=full_name, unit=self.units[person_unit], title=title, user=user
                )
                self._made("people")
            self.people[full_name] = person
            unit = self.units[unit_code]
            if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
                orgs.membership_grant(by=None, user=user, unit=unit, role=role, title=title)
                self._made("memberships")
        for username, role, unit_code, title in data.EXTRA_ROLES:
            user, unit = self.users[username], self.units[unit_code]
            if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
                orgs.membership_grant(by=None, user=user, unit=unit, role=role, title=title)
                self._made("memberships")
        # Office leaders and the three administrators sign in with a TOTP code too; the
        # demo's keys are published like its password (`load_demo` prints them, and
        # `reformledger otp_code USER` prints the current code).
        for username in demo_otp_usernames():
            user = self.users[username]
            if not TOTPDevice.objects.filter(user=user).exists():
                accounts.otp_device_install(
                    by=None, user=user, key=demo_key(username), name=DEMO_DEVICE_NAME
                )
                self._made("authenticator keys")

    # --- reference data ----------------------------------------------------

    def _load_reference(self) -> None:
        # Areas and systems have no service yet; each row still gets its audit record.
        for order, (code, name, name_en) in enumerate(data.AREAS, start=1):
            area = ReformArea.objects.filter(code=code).first()
            if area is None:
                area = ReformArea.objects.create(code=code, name=name, name_en=name_en, order=order)
                audit.record(actor=None, verb="area.created", obj=area, reason="demo")
                self._made("areas")
            self.areas[code] = area
        for order, (code, name, description) in enumerate(data.SYSTEMS, start=1):
            system = ReformSystem.objects.filter(code=code).first()
            if system is None:
                system = ReformSystem.objects.create(
                    code=code, name=name, description=description, order=order
                )
                audit.record(actor=None, verb="system.created", obj=system, reason="demo")
                self._made("systems")
            self.systems[code] = system

    def _load_programme(self) -> None:
        office = self.units[data.CITY_OFFICE]
        programme = WorkProgramme.objects.filter(office=office, year=data.YEAR).first()
        if programme is None:
            programme = WorkProgramme.objects.create(
                office=office, year=data.YEAR, **data.PROGRAMME
            )
            audit.record(actor=None, verb="programme.created", obj=programme, reason="demo")
            self._made("programmes")
        for number, text in enumerate(data.POINTS, start=1):
            point = WorkPoint.objects.filter(programme=programme, number=number).first()
            if point is None:
                point = WorkPoint.objects.create(programme=programme, number=number, text=text)
                audit.record(
                    actor=None, verb="workpoint.created", obj=point, ctx=programme, reason="demo"
                )
                self._made("work points")
            self.points[number] = point

    # --- tasks and plans ---------------------------------------------------

    def _load_tasks(self) -> None:
        for spec in _in_dependency_order(data.TASKS):
            office = self.units[spec.get("office", data.CITY_OFFICE)]
            key = (office.code, spec["code"])
            task = Task.objects.filter(office=office, year=data.YEAR, code=spec["code"]).first()
            if task is None:
                task = self._create_task(spec, office)
                self._run_plan(task, spec)
                self._made("tasks")
            self.tasks[key] = task

    def _task_ref(self, spec: dict, code: str) -> Task:
        return self.tasks[(spec.get("office", data.CITY_OFFICE), code)]

    def _create_task(self, spec: dict, office: Unit) -> Task:
        leader = spec.get("leader")
        parent = spec.get("parent")
        return ledger.task_create(
            by=self._office_user(office),
            office=office,
            year=data.YEAR,
            code=spec["code"],
            title=spec["title"],
            description=spec.get("desc", ""),
            area=self.areas[spec["area"]],
            system=self.systems[spec["system"]] if spec.get("system") else None,
            work_point=self.points[spec["point"]] if spec.get("point") else None,
            source=spec.get("source", "own"),
            lead_unit=self.units[spec["lead"]],
            responsible_leader=self.people[leader] if leader else None,
            is_key=spec.get("key", False),
            deliverable_kind=spec.get("deliverable", "policy"),
            start_date=spec.get("start", data.DEFAULT_START),
            deadline=spec.get("deadline", data.DEFAULT_DEADLINE),
            parent=self._task_ref(spec, parent) if parent else None,
            helping_units=[self.units[c] for c in spec.get("helping", [])],
            depends_on=[self._task_ref(spec, c) for c in spec.get("depends", [])],
        )

    def _office_user(self, office: Unit):
        return self.users["hy_office" if office.code == data.COUNTY_OFFICE else "office"]

    def _author(self, task: Task):
        """Who writes and submits the plan: the lead unit's demo liaison if there is one."""
        for username, unit_code in (("fgj", "HZ-FGJ"), ("huiyang", "HZ-HY")):
            if task.lead_unit.path.startswith(self.units[unit_code].path):
                return self.users[username]
        return self._office_user(task.office)

    def _approver(self, task: Task):
        """Key tasks of the city ledger are approved by the director, the rest by staff."""
        if task.is_key and task.office.code == data.CITY_OFFICE:
            return self.users["director"]
        return self._office_user(task.office)

    def _run_plan(self, task: Task, spec: dict) -> None:
        """Take the task's plan as far through approval as its `plan` state says."""
        state = spec.get("plan", "approved")
        if state not in data.PLAN_STATES:
            raise ValueError(f"{task.code}: unknown plan state {state!r}")
        rows = self._rows(task, spec.get("milestones"))
        author = self._author(task)
        plan = ledger.plan_save(task=task, by=author, summary=_summary(task, rows), milestones=rows)
        self._made("plans")
        if state == "draft":
            return
        plan = ledger.plan_submit(plan=plan, by=author)
        if state == "submitted":
            return
        if state == "rejected":
            ledger.plan_reject(plan=plan, by=self.users["director"], note=data.REJECTION_NOTE)
            return
        # A "revised" plan is revised during the year, in its month (cycle.py).
        ledger.plan_approve(plan=plan, by=self._approver(task))

    def _rows(self, task: Task, custom: list | None = None) -> list[MilestoneRow]:
        """The plan's milestones: the task's own, or its deliverable's template spread
        over the task's span. None is reached yet: the year's reports reach them."""
        if custom is None:
            span = (task.deadline - task.start_date).days
            custom = [
                (title, task.start_date + dt.timedelta(days=round(share * span)), w, key, ev)
                for title, share, w, key, ev in data.MILESTONE_TEMPLATES[task.deliverable_kind]
            ]
        officer = data.OFFICERS[_stable(task.lead_unit.code) % len(data.OFFICERS)]
        responsible = f"{task.lead_unit.label} {officer}"
        return [
            MilestoneRow(
                title=title,
                planned_date=planned,
                weight=weight,
                is_key=is_key,
                responsible=responsible,
                expected_evidence=evidence,
            )
            for title, planned, weight, is_key, evidence in custom
        ]


def _summary(task: Task, rows: list[MilestoneRow]) -> str:
    """The plan's approach (施工方案概要) in one paragraph."""
    helpers = "、".join(u.label for u in task.helping_units.all())
    who = f"由{task.lead_unit.label}牵头" + (f"，{helpers}配合" if helpers else "")
    steps = "；".join(f"{r.planned_date.month}月{r.planned_date.day}日前{r.title}" for r in rows)
    return f"{who}，分{len(rows)}个节点推进：{steps}。"


def _in_dependency_order(specs: list[dict]) -> list[dict]:
    """The task specs with every parent and prerequisite before the tasks that name it,
    otherwise in the order data.py lists them."""
    by_key = {(s.get("office", data.CITY_OFFICE), s["code"]): s for s in specs}
    ordered: list[dict] = []
    placed: set[tuple[str, str]] = set()

    def place(spec: dict, trail: tuple) -> None:
        office = spec.get("office", data.CITY_OFFICE)
        key = (office, spec["code"])
        if key in placed:
            return
        if key in trail:
            raise ValueError(f"circular dependency through {spec['code']}")
        for code in [*([spec["parent"]] if spec.get("parent") else []), *spec.get("depends", [])]:
            place(by_key[(office, code)], (*trail, key))
        placed.add(key)
        ordered.append(spec)

    for spec in specs:
        place(spec, ())
    return ordered
