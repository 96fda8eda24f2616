"""A synthetic province-scale ledger for benchmarks (模拟省级台账).

A province root, its reform office and `units` units spread over prefectures,
departments, counties and towns; `tasks` tasks in the office's ledger for one
year, each with an approved plan of 3–5 milestones. It is a benchmark fixture,
not user data, so rows are written with `bulk_create` and the whole run leaves
one audit record ("demo.generated") with the counts.

Everything it makes carries its own code prefix (units GEN-…, its own office,
its own ledger year), so it never collides with the Huizhou demo and can be
loaded beside it. The unit tree's materialised paths are computed here instead
of one `add_child` per unit; `Unit.objects.find_problems()` checks them in the
tests.
"""

import datetime as dt
import random
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from reformledger.audit import services as audit
from reformledger.demo import data
from reformledger.ledger.choices import DeliverableKind, PlanStatus, TaskSource, TaskStatus
from reformledger.ledger.models import (
    Milestone,
    Plan,
    ReformArea,
    ReformSystem,
    Task,
    WorkPoint,
    WorkProgramme,
)
from reformledger.orgs.choices import Role, UnitKind
from reformledger.orgs.models import Membership, Person, Unit, UnitName

#: Tasks are written this many at a time, so memory stays flat whatever their number.
CHUNK = 2000
BATCH = 500
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")

DEPARTMENTS = [
    "发展改革",
    "财政",
    "教育",
    "科技",
    "工业和信息化",
    "公安",
    "民政",
    "司法",
    "人力资源社会保障",
    "自然资源",
    "生态环境",
    "住房城乡建设",
    "交通运输",
    "水利",
    "农业农村",
    "商务",
    "文化和旅游",
    "卫生健康",
    "市场监管",
    "政务服务数据管理",
]
VERBS = ["推进", "深化", "完善", "探索", "建立健全", "创新"]
SUBJECTS = [
    "行政审批制度",
    "国资国企",
    "预算管理制度",
    "普惠金融服务",
    "社会信用体系",
    "生态补偿机制",
    "河湖管理",
    "公共文化服务",
    "基本公共服务",
    "基层治理",
    "干部考核评价",
    "投资项目审批",
    "农村集体产权",
    "医疗卫生体制",
    "教育评价",
    "营商环境",
    "政务服务",
    "科技成果转化",
]
ENDINGS = ["改革", "机制建设", "改革试点", "制度创新"]


class GenerateError(ValueError):
    """The arguments cannot make a ledger, or one with this prefix exists already."""


@dataclass
class _UnitSpec:
    code: str
    name: str
    kind: str
    parent: str  # the parent's code; the root's code is the prefix
    short_name: str = ""


def generate(
    *, tasks: int = 20000, units: int = 200, seed: int = 1, year: int = 2030, prefix: str = "GEN"
) -> dict[str, int]:
    """Write a synthetic ledger in one transaction and return what it wrote, by kind."""
    if not PREFIX_RE.match(prefix):
        raise GenerateError("The prefix is 1–10 capital letters or digits, starting with a letter.")
    if tasks < 1:
        raise GenerateError("Generate at least one task.")
    if units < 3:
        raise GenerateError("Generate at least three units (a prefecture, a department, a county).")
    if Unit.objects.filter(code=prefix).exists():
        raise GenerateError(
            f"A ledger with the prefix {prefix} exists; use another --prefix or a fresh database."
        )
    with transaction.atomic():
        return _Generator(tasks=tasks, units=units, seed=seed, year=year, prefix=prefix).run()


def step(n: int) -> str:
    """One step of a materialised path: `n` in the tree's alphabet, padded to its length."""
    alphabet, base = Unit.alphabet, len(Unit.alphabet)
    digits = ""
    while n:
        n, rest = divmod(n, base)
        digits = alphabet[rest] + digits
    if len(digits) > Unit.steplen:
        raise GenerateError("Too many units under one parent for the tree's path length.")
    return digits.rjust(Unit.steplen, alphabet[0])


def unit_specs(prefix: str, m: int) -> list[_UnitSpec]:
    """The office and `m` units below a province root, parents before children."""
    n_pref, n_dept, n_county = max(1, m // 16), max(1, m // 8), max(1, m * 3 // 10)
    n_town = m - n_pref - n_dept - n_county
    specs = [
        _UnitSpec(
            f"{prefix}-GGB",
            "示范省委全面深化改革领导小组办公室",
            UnitKind.OFFICE,
            prefix,
            "省委改革办",
        )
    ]
    prefs = [
        _UnitSpec(f"{prefix}-P{i:03d}", f"示范第{i}市", UnitKind.CITY, prefix)
        for i in range(1, n_pref + 1)
    ]
    specs += prefs
    for i in range(1, n_dept + 1):
        base = DEPARTMENTS[i % len(DEPARTMENTS)]
        # Half are provincial departments, half municipal ones of a prefecture.
        if i % 2:
            specs.append(_UnitSpec(f"{prefix}-D{i:04d}", f"示范省{base}厅", "department", prefix))
        else:
            pref = prefs[(i // 2) % n_pref]
            name = f"{pref.name}{base}局"
            specs.append(_UnitSpec(f"{prefix}-D{i:04d}", name, "department", pref.code))
    counties = []
    for i in range(1, n_county + 1):
        pref = prefs[i % n_pref]
        zone = i % 8 == 7
        kind = UnitKind.ZONE if zone else UnitKind.COUNTY
        name = f"{pref.name}示范{i}{'高新区' if zone else '县'}"
        counties.append(_UnitSpec(f"{prefix}-C{i:04d}", name, kind, pref.code))
    specs += counties
    for i in range(1, n_town + 1):
        county = counties[i % n_county]
        specs.append(
            _UnitSpec(f"{prefix}-T{i:05d}", f"{county.name}示范{i}镇", UnitKind.TOWN, county.code)
        )
    return specs


class _Generator:
    """One run of the generator; holds the ids the later steps need."""

    def __init__(self, *, tasks: int, units: int, seed: int, year: int, prefix: str) -> None:
        self.n_tasks, self.n_units, self.year, self.prefix = tasks, units, year, prefix
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible fixture data, not secrets
        self.now = timezone.now()
        # Milestones due by mid-year are mostly reached, but never in the future.
        self.as_of = min(dt.date(year, 6, 30), timezone.localdate())
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        root = self._make_units()
        self._make_people(root)
        self._make_reference()
        self._make_programme()
        self._make_tasks()
        audit.record(
            actor=None,
            verb="demo.generated",
            obj=root,
            changes={kind: [None, n] for kind, n in self.counts.items()},
            reason=(
                f"generate --tasks {self.n_tasks} --units {self.n_units} --seed {self.seed} "
                f"--year {self.year} --prefix {self.prefix}"
            ),
        )
        return self.counts

    # --- units and people -------------------------------------------------

    def _make_units(self) -> Unit:
        """The root through treebeard (appended after the other roots), the rest in bulk."""
        root = Unit.objects.add_root(
            create_kwargs={"code": self.prefix, "name": "示范省", "kind": UnitKind.CITY}
        )
        specs = unit_specs(self.prefix, self.n_units)
        children: dict[str, list[_UnitSpec]] = {}
        for spec in specs:
            children.setdefault(spec.parent, []).append(spec)
        # Siblings get their steps in code order, so the generated tree reads in
        # code order like one built by hand.
        position = {
            spec.code: n
            for siblings in children.values()
            for n, spec in enumerate(sorted(siblings, key=lambda s: s.code), start=1)
        }
        placed = {root.code: (root.path, root.depth)}
        rows = []
        for spec in specs:  # parents come before their children
            path, depth = placed[spec.parent]
            own = path + step(position[spec.code])
            placed[spec.code] = (own, depth + 1)
            rows.append(
                Unit(
                    code=spec.code,
                    name=spec.name,
                    short_name=spec.short_name,
                    kind=spec.kind,
                    path=own,
                    depth=depth + 1,
                    numchild=len(children.get(spec.code, [])),
                )
            )
        Unit.objects.bulk_create(rows, batch_size=BATCH)
        Unit.objects.filter(pk=root.pk).update(numchild=len(children[root.code]))
        made = [root, *rows]
        UnitName.objects.bulk_create(
            [UnitName(unit=u, name=u.name) for u in made], batch_size=BATCH
        )
        self.office = next(u for u in rows if u.kind == UnitKind.OFFICE)
        self.lead_ids = [u.pk for u in rows if u.kind != UnitKind.OFFICE]
        self.unit_names = {u.pk: u.name for u in rows}
        self.counts["units"] = len(made)
        return root

    def _make_people(self, root: Unit) -> None:
        leaders = Person.objects.bulk_create(
            [
                Person(name=f"模拟领导{i:02d}", title="副省长" if i % 2 else "省委常委", unit=root)
                for i in range(1, 13)
            ]
        )
        self.leader_ids = [p.pk for p in leaders]
        user_model = get_user_model()
        username = f"{self.prefix.lower()}_office"
        self.user = user_model.objects.filter(username=username).first()
        if self.user is None:
            self.user = user_model.objects.create_user(
                username=username, password=None, full_name="模拟省委改革办"
            )
            self.user.password = make_password(data.DEMO_PASSWORD)
            self.user.save(update_fields=["password"])
        Membership.objects.create(user=self.user, unit=self.office, role=Role.OFFICE_ADMIN)
        Person.objects.create(name="模拟省委改革办", unit=self.office, user=self.user)
        self.counts["people"] = len(leaders) + 1
        self.counts["users"] = 1

    # --- reference data ----------------------------------------------------

    def _make_reference(self) -> None:
        """Areas are shared reference data: the demo's are reused, missing ones added.
        Systems belong to this ledger and carry its prefix."""
        have = set(ReformArea.objects.values_list("code", flat=True))
        missing = [
            ReformArea(code=code, name=name, name_en=name_en, order=order)
            for order, (code, name, name_en) in enumerate(data.AREAS, start=1)
            if code not in have
        ]
        ReformArea.objects.bulk_create(missing)
        codes = [code for code, _n, _e in data.AREAS]
        self.area_ids = list(ReformArea.objects.filter(code__in=codes).values_list("pk", flat=True))
        systems = ReformSystem.objects.bulk_create(
            [
                ReformSystem(code=f"{self.prefix}-{code}", name=f"{name}（模拟）", order=i)
                for i, (code, name, _d) in enumerate(data.SYSTEMS, start=1)
            ]
        )
        self.system_ids = [s.pk for s in systems]
        self.counts["areas"] = len(missing)
        self.counts["systems"] = len(systems)

    def _make_programme(self) -> None:
        programme = WorkProgramme.objects.create(
            office=self.office,
            year=self.year,
            title=f"示范省{self.year}年全面深化改革工作要点",
            summary="基准测试用的模拟工作要点。",
        )
        points = WorkPoint.objects.bulk_create(
            [
                WorkPoint(programme=programme, number=i, text=f"第{i}项工作要点（模拟）")
                for i in range(1, 11)
            ]
        )
        self.point_ids = [p.pk for p in points]

    # --- tasks, plans, milestones --------------------------------------------

    def _make_tasks(self) -> None:
        counts = dict.fromkeys(
            ("tasks", "subtasks", "plans", "milestones", "helping", "dependencies"), 0
        )
        self.top_ids: list[int] = []
        self.all_ids: list[int] = []
        for first in range(0, self.n_tasks, CHUNK):
            last = min(self.n_tasks, first + CHUNK)
            for kind, n in self._make_chunk(first, last).items():
                counts[kind] += n
        self.counts.update(counts)

    def _make_chunk(self, first: int, last: int) -> dict[str, int]:
        rng = self.rng
        begin, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        sources = [TaskSource.DEPLOYED] * 4 + [TaskSource.OWN] * 5 + [TaskSource.GRASSROOTS]
        kinds = list(DeliverableKind.values)
        rows = []
        for i in range(first, last):
            start = begin + dt.timedelta(days=rng.randint(0, 120))
            deadline = min(end, start + dt.timedelta(days=rng.randint(60, 330)))
            lead = rng.choice(self.lead_ids)
            key = rng.random() < 0.08
            # Subtasks hang under top-level tasks of earlier chunks (their ids are known).
            parent = rng.choice(self.top_ids) if self.top_ids and rng.random() < 0.1 else None
            title = f"{rng.choice(VERBS)}{rng.choice(SUBJECTS)}{rng.choice(ENDINGS)}"
            rows.append(
                Task(
                    office_id=self.office.pk,
                    year=self.year,
                    code=f"{self.prefix}-{i + 1:06d}",
                    title=f"{title}（{self.unit_names[lead]}）",
                    description="基准测试用的模拟改革任务。",
                    area_id=rng.choice(self.area_ids),
                    system_id=rng.choice(self.system_ids) if rng.random() < 0.2 else None,
                    work_point_id=rng.choice(self.point_ids),
                    source=rng.choice(sources),
                    lead_unit_id=lead,
                    responsible_leader_id=rng.choice(self.leader_ids) if key else None,
                    is_key=key,
                    deliverable_kind=rng.choice(kinds),
                    start_date=start,
                    deadline=deadline,
                    status=TaskStatus.IN_PROGRESS,
                    parent_id=parent,
                )
            )
        Task.objects.bulk_create(rows, batch_size=BATCH)

        helping, depends = [], []
        helping_model, depends_model = Task.helping_units.through, Task.depends_on.through
        for task in rows:
            pool = rng.sample(self.lead_ids, min(4, len(self.lead_ids)))
            others = [u for u in pool if u != task.lead_unit_id]
            for unit_id in others[: rng.choice((0, 1, 1, 2, 2, 3))]:
                helping.append(helping_model(task_id=task.pk, unit_id=unit_id))
            # Depending only on an earlier task keeps the graph free of cycles.
            if self.all_ids and rng.random() < 0.03:
                target = rng.choice(self.all_ids)
                depends.append(depends_model(from_task_id=task.pk, to_task_id=target))
            self.all_ids.append(task.pk)
        helping_model.objects.bulk_create(helping, batch_size=BATCH)
        depends_model.objects.bulk_create(depends, batch_size=BATCH)
        self.top_ids += [t.pk for t in rows if t.parent_id is None]

        plans = Plan.objects.bulk_create(
            [
                Plan(
                    task_id=t.pk,
                    revision=1,
                    status=PlanStatus.APPROVED,
                    summary=f"由{self.unit_names[t.lead_unit_id]}牵头，分阶段推进。",
                    created_by=self.user,
                    submitted_at=self.now,
                    decided_by=self.user,
                    decided_at=self.now,
                )
                for t in rows
            ],
            batch_size=BATCH,
        )
        milestones = [
            m for task, plan in zip(rows, plans, strict=True) for m in self._milestones(plan, task)
        ]
        Milestone.objects.bulk_create(milestones, batch_size=BATCH)
        return {
            "tasks": len(rows),
            "subtasks": sum(1 for t in rows if t.parent_id),
            "plans": len(plans),
            "milestones": len(milestones),
            "helping": len(helping),
            "dependencies": len(depends),
        }

    def _milestones(self, plan: Plan, task: Task) -> list[Milestone]:
        """3–5 milestones, weights of at least 10 in steps of 5 adding up to 100, dated
        between the task's start and its deadline, the last on the deadline."""
        rng = self.rng
        n = rng.randint(3, 5)
        spare = (100 - 10 * n) // 5
        cuts = sorted(rng.randint(0, spare) for _ in range(n - 1))
        weights = [10 + 5 * (b - a) for a, b in zip([0, *cuts], [*cuts, spare], strict=True)]
        span = (task.deadline - task.start_date).days
        offsets = [*sorted(rng.randint(0, span) for _ in range(n - 1)), span]
        out = []
        for order, (weight, offset) in enumerate(zip(weights, offsets, strict=True)):
            planned = task.start_date + dt.timedelta(days=offset)
            reached = None
            if planned <= self.as_of and rng.random() < 0.85:
                late = dt.timedelta(days=rng.randint(-3, 7))
                reached = min(self.as_of, max(task.start_date, planned + late))
            out.append(
                Milestone(
                    plan_id=plan.pk,
                    order=order,
                    title=f"第{order + 1}阶段节点",
                    planned_date=planned,
                    weight=weight,
                    is_key=order == n - 1 or rng.random() < 0.15,
                    responsible=f"{self.unit_names[task.lead_unit_id]}联络员",
                    expected_evidence="工作台账及佐证材料",
                    reached_on=reached,
                )
            )
        return out
