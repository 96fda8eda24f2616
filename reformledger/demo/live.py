"""The demo's 2017: the ledger live on its business date (`data.BUSINESS_DATE`).

Beside the finished 2016 year, the 2017 ledger is under way, so that every demo login
opens on something waiting for it (待办): the offices set up the year's periods in
January; the tasks carried over (结转) get their 2017 plans, written by the lead unit
(or the office, for units without a demo liaison) and approved; a few new tasks join
the list; the first monthly reports are filed and accepted; January is rated,
confirmed and closed; February is rated and its suggestions wait for the office
leader's confirmation; March's reports are coming in — some filed and waiting for the
office, some still due, and one unit has filed nothing since January (late). Two short
tasks are finished and their closing requests (销账) wait for the unit head's signature;
a plan waits for approval; the stalled town task gets a blue reminder (蓝色提醒) its
unit has not yet signed for.

Dates. Unlike the 2016 replay (`cycle.py`, which dates its rows after each act), every
act here is done on its own day through `core.clock.pinned`: the services check it
and stamp it (submitted, decided, signed, computed, closed, issued) as of that day, so
nothing is rewritten afterwards. The rows' own `created_at`-style stamps and the audit
trail keep the real time of the load. Read on the business date (`RL_BUSINESS_DATE`,
which `make run` sets to `data.BUSINESS_DATE`), the ledger is as the story says; read
on the real date, March's reports are long overdue.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile

from reformledger.core.clock import business_today, pinned
from reformledger.demo import cycle_data as story
from reformledger.demo import data, documents
from reformledger.demo.cycle import at, stable
from reformledger.ledger import services as ledger
from reformledger.ledger.models import Milestone, Period, Plan, Rating, ReachedMilestone, Task
from reformledger.orgs.models import Unit
from reformledger.supervision import services as supervision
from reformledger.supervision.choices import OrderLevel

__all__ = ["needed", "run"]

YEAR = 2017
assert data.BUSINESS_DATE.year == YEAR


def d(month: int, day: int) -> dt.date:
    """A date in 2017."""
    return dt.date(YEAR, month, day)


#: The day the offices set up 2017's periods and list the new tasks.
SET_UP_ON = d(1, 18)

#: New tasks of the 2017 list (besides those carried over): task_create's fields, with
#: lead and office as unit codes.
NEW_TASKS = [
    {
        "code": "2017-001",
        "title": "制定惠州市2017年供给侧结构性改革“去降补”行动计划",
        "desc": "总结2016年去产能、去库存、去杠杆、降成本、补短板五个行动计划落实情况，"
        "制定2017年“去降补”行动计划并报市政府印发。",
        "area": "economy",
        "lead": "HZ-FGJ",
        "helping": ["HZ-JXJ", "HZ-CZJ", "HZ-ZJJ", "HZ-JRJ"],
        "deliverable": "policy",
        "source": "deployed",
        "start": d(1, 3),
        "deadline": d(3, 31),
    },
    {
        "code": "2017-002",
        "title": "深化企业投资项目审批制度改革，推行企业投资项目承诺制",
        "area": "economy",
        "system": "S3",
        "lead": "HZ-FGJ",
        "helping": ["HZ-ZWB", "HZ-GTJ", "HZ-ZJJ", "HZ-HBJ"],
        "deliverable": "mechanism",
        "start": d(1, 3),
        "deadline": d(12, 31),
    },
    {
        "code": "HY2017-01",
        "office": data.COUNTY_OFFICE,
        "title": "深化惠阳区“放管服”改革，推行镇级政务服务事项清单管理",
        "area": "admin",
        "lead": "HZ-HY",
        "helping": ["HZ-HY-XW", "HZ-HY-ZL"],
        "deliverable": "mechanism",
        "source": "grassroots",
        "start": d(3, 1),
        "deadline": d(12, 31),
    },
]


@dataclass(frozen=True)
class Story:
    """How one 2017 task runs up to the business date.

    `approved`: the day its plan is approved (None: submitted on `submitted` and still
    waiting); `reports`: period number -> day filed (a March report filed before the
    business date waits for the office; those of earlier periods are accepted the next
    working day); `behind`: its milestones are reached a month after their planned
    date (its ratings come out C or worse); `milestones`: its own plan, else the
    deliverable's template over its span; `closing`: the day it files its closing
    request (which then waits for the unit head's signature)."""

    submitted: dt.date
    approved: dt.date | None
    reports: dict[int, dt.date] = field(default_factory=dict)
    behind: bool = False
    milestones: list | None = None
    closing: dt.date | None = None


#: Period 1 and 2 on time unless said; period 3 (March, due 5 April) filed by a few.
STORIES: dict[str, Story] = {
    "2016-011": Story(d(1, 20), d(1, 24), {1: d(2, 3), 2: d(3, 3), 3: d(4, 1)}),
    "2016-044": Story(d(1, 20), d(1, 23), {1: d(2, 4), 2: d(3, 2)}),
    # The unit that ignored its reminders in 2016: January late, nothing since.
    "2016-049": Story(d(1, 23), d(1, 26), {1: d(2, 9)}, behind=True),
    "2016-053": Story(d(1, 19), d(1, 23), {1: d(2, 3), 2: d(3, 6), 3: d(4, 2)}),
    "2016-056": Story(d(1, 20), d(1, 24), {1: d(2, 2), 2: d(3, 3)}),
    "2016-061": Story(d(1, 20), d(1, 25), {1: d(2, 3), 2: d(3, 3)}, behind=True),
    # The judicial pilot's plan waits on the province's scheme: submitted only late.
    "2016-063": Story(d(3, 28), None),
    "2016-065": Story(d(1, 19), d(1, 23), {1: d(2, 3), 2: d(3, 2), 3: d(4, 3)}),
    "2016-066": Story(d(1, 20), d(1, 24), {1: d(2, 6), 2: d(3, 3)}),
    "2016-067": Story(d(1, 19), d(1, 23), {1: d(2, 3), 2: d(3, 1)}),
    "2017-001": Story(d(1, 18), d(1, 20), {1: d(2, 3), 2: d(3, 2), 3: d(3, 28)}, closing=d(3, 31)),
    "2017-002": Story(d(1, 19), d(1, 24), {1: d(2, 3), 2: d(3, 3)}),
    # The town that went quiet in 2016: its plan is approved, then no report at all.
    "HY2016-02": Story(d(1, 20), d(1, 25), behind=True),
    "HY2016-03": Story(
        d(1, 18),
        d(1, 20),
        {1: d(2, 3), 2: d(3, 2), 3: d(3, 28)},
        milestones=[
            ("制定2017年改革项目清单编制工作方案", d(1, 31), 20, False, "工作方案"),
            ("组织各镇（街道）、部门申报，收集材料", d(2, 28), 40, False, "申报汇总表"),
            ("形成项目清单和施工方案汇编并报送", d(3, 31), 40, True, "清单汇编及报送函"),
        ],
        closing=d(3, 30),
    ),
    "HY2017-01": Story(d(3, 30), None),
}

#: The days periods are rated (suggestions computed), confirmed and closed: January
#: all three; February is computed and its suggestions wait for the office leader.
RATED_ON = {1: d(2, 15), 2: d(3, 15)}
CONFIRMED_ON = {1: d(2, 17)}
CLOSED_ON = {1: d(2, 20)}

#: The blue reminder (蓝色提醒) the 惠阳 office gives the town that has not reported.
ORDER = {
    "task": "HY2016-02",
    "issued": d(3, 27),
    "deadline": d(4, 14),
    "basis": "2017年1月、2月进展报告均未按期报送，经电话提醒仍未报送。",
    "demand": "立即补报2017年1月、2月进展报告，说明“一门式一网式”镇级政务服务平台建设"
    "滞后原因，并提出整改措施和完成时限。",
}


def needed(city_office: Unit) -> bool:
    """Whether 2017 still has to be played: its periods are its first act."""
    return not Period.objects.filter(office=city_office, year=YEAR).exists()


def run(loader) -> None:
    """Play 2017 up to the business date on the ledger `loader` has loaded (after the
    2016 replay has carried the unfinished tasks over)."""
    _Live(loader).run()


class _Live:
    """One play of 2017: the acts of `STORIES` and the offices' periods, each done on its
    own day (`pinned`), in the order of their days."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.users = loader.users
        self.city = loader.units[data.CITY_OFFICE]
        self.county = loader.units[data.COUNTY_OFFICE]
        self.made = loader.result.created

    def run(self) -> None:
        days = [ORDER["issued"], *RATED_ON.values(), *CONFIRMED_ON.values(), *CLOSED_ON.values()]
        for s in STORIES.values():
            days += [s.submitted, s.approved, s.closing, *s.reports.values()]
        if max(day for day in days if day) > data.BUSINESS_DATE:
            raise ValueError("a 2017 act of the demo falls after its business date")
        with pinned(at(SET_UP_ON, 9)):
            self.periods = {
                office.pk: {
                    p.number: p
                    for p in ledger.periods_ensure(office=office, year=YEAR, by=self._staff(office))
                }
                for office in (self.city, self.county)
            }
            for spec in NEW_TASKS:
                self._create(spec)
        tasks = {
            t.code: t
            for t in Task.objects.filter(office__in=[self.city, self.county], year=YEAR)
            .select_related("office", "lead_unit")
            .prefetch_related("helping_units")
        }
        missing = set(STORIES) ^ set(tasks)
        if missing:
            raise ValueError(f"2017 tasks without a story, or stories without a task: {missing}")
        # The acts in the order of their days (a day's acts in the order listed).
        acts: list[tuple[dt.datetime, int, object]] = []

        def act(moment: dt.datetime, fn, *args) -> None:
            acts.append((moment, len(acts), (fn, args)))

        for code, s in STORIES.items():
            task = tasks[code]
            act(at(s.submitted, 10), self._plan, task, s)
            if s.approved:
                act(at(s.approved, 15), self._approve, task)
            for number, day in s.reports.items():
                act(
                    at(day, 9 + stable(f"17/{code}/{number}") % 7, 30),
                    self._report,
                    task,
                    s,
                    number,
                )
            if s.closing:
                act(at(s.closing, 10), self._close, task)
        for number, day in RATED_ON.items():
            for office in (self.city, self.county):
                act(at(day, 9), self._rate, office, number)
        for number, day in CONFIRMED_ON.items():
            for office in (self.city, self.county):
                act(at(day, 16), self._confirm, office, number)
        for number, day in CLOSED_ON.items():
            for office in (self.city, self.county):
                act(at(day, 17), self._close_period, office, number)
        act(at(ORDER["issued"], 11), self._order, tasks[ORDER["task"]])
        for moment, _n, (fn, args) in sorted(acts, key=lambda a: a[:2]):
            with pinned(moment):
                fn(*args)

    # --- who acts ----------------------------------------------------------------

    def _staff(self, office: Unit):
        return self.users["hy_office" if office.pk == self.county.pk else "office"]

    def _leader(self, office: Unit):
        return self.users["hy_director" if office.pk == self.county.pk else "director"]

    def _checker(self, task: Task):
        """Who accepts the task's reports: the office staff, or the deputy director when
        the staff wrote them (for a unit without a demo liaison), as in 2016."""
        author, staff = self.loader._author(task), self._staff(task.office)
        if author == staff:
            return self.users["deputy"] if task.office.pk == self.city.pk else staff
        return staff

    # --- tasks and plans -----------------------------------------------------------

    def _create(self, spec: dict) -> None:
        office = self.loader.units[spec.get("office", data.CITY_OFFICE)]
        if Task.objects.filter(office=office, year=YEAR, code=spec["code"]).exists():
            return
        ledger.task_create(
            by=self._staff(office),
            office=office,
            year=YEAR,
            code=spec["code"],
            title=spec["title"],
            description=spec.get("desc", ""),
            area=self.loader.areas[spec["area"]],
            system=self.loader.systems[spec["system"]] if spec.get("system") else None,
            source=spec.get("source", "own"),
            lead_unit=self.loader.units[spec["lead"]],
            deliverable_kind=spec["deliverable"],
            start_date=spec["start"],
            deadline=spec["deadline"],
            helping_units=[self.loader.units[c] for c in spec.get("helping", [])],
        )
        self.made["tasks"] += 1

    def _plan(self, task: Task, s: Story) -> None:
        """The lead unit (or the office) writes the 2017 plan and submits it."""
        from reformledger.demo.loader import _summary  # loader imports this module

        rows = self.loader._rows(task, s.milestones)
        author = self.loader._author(task)
        plan = ledger.plan_save(task=task, by=author, summary=_summary(task, rows), milestones=rows)
        ledger.plan_submit(plan=plan, by=author)
        self.made["plans"] += 1

    def _approve(self, task: Task) -> None:
        plan = Plan.objects.get(task=task, status="submitted")
        ledger.plan_approve(plan=plan, by=self.loader._approver(task))

    # --- reports ---------------------------------------------------------------------

    def _milestones(self, task: Task) -> list[Milestone]:
        return list(
            Milestone.objects.filter(plan__task=task, plan__status="approved").order_by(
                "order", "planned_date", "pk"
            )
        )

    def _reached(self, task: Task, s: Story, m: Milestone) -> dt.date:
        """The day a milestone is reached: a few days before its planned date, or a month
        after it for a task behind."""
        if s.behind:
            return m.planned_date + dt.timedelta(days=30 + stable(f"17/{task.code}") % 10)
        day = m.planned_date - dt.timedelta(days=stable(f"17/{task.code}/{m.title}") % 5)
        if s.closing:  # finished: the last report lists every milestone
            day = min(day, max(s.reports.values()))
        return max(day, task.start_date)

    def _report(self, task: Task, s: Story, number: int) -> None:
        """The lead unit files its report on period `number` (what was reached by the day
        it files it); the office accepts those of the periods before March the next
        working day."""
        period = self.periods[task.office_id][number]
        today = business_today()
        until = min(period.end, today)
        milestones = self._milestones(task)
        reached_days = [self._reached(task, s, m) for m in milestones]
        listed = {r.milestone_id for r in _reached_before(task)}
        new = [
            (m, day)
            for m, day in zip(milestones, reached_days, strict=True)
            if day <= until and m.pk not in listed
        ]
        done_ids = {m.pk for m, day in zip(milestones, reached_days, strict=True) if day <= until}
        percent = _percent(task, milestones, done_ids, today)
        lines = []
        if number == 1:
            lines.append(story.STARTING)
        for m, day in new:
            lines.append(
                story.REACHED.format(
                    title=m.title,
                    month=day.month,
                    day=day.day,
                    evidence=m.expected_evidence or "佐证材料",
                )
            )
        open_ = [m for m in milestones if m.pk not in done_ids]
        helpers = "、".join(u.label for u in list(task.helping_units.all())[:2]) or "相关单位"
        key = f"17/{task.code}/{number}"
        if open_:
            overdue = [m for m in open_ if m.planned_date < today]
            phrases = story.WORKING_BEHIND if overdue else story.WORKING
            lines.append(
                phrases[stable(key) % len(phrases)].format(
                    next=open_[0].title, lead=task.lead_unit.label, helpers=helpers
                )
            )
            if overdue:
                problems = story.BEHIND.format(
                    title=overdue[0].title,
                    days=(today - overdue[0].planned_date).days,
                    cause=story.CAUSES[stable(task.code) % len(story.CAUSES)],
                )
            else:
                problems = story.MINOR_PROBLEMS[stable(key) % len(story.MINOR_PROBLEMS)]
            target = max(open_[0].planned_date, today + dt.timedelta(days=15))
            next_steps = story.NEXT.format(title=open_[0].title, month=target.month, day=target.day)
        else:
            lines.append(story.ALL_DONE)
            problems, next_steps = "", story.NEXT_CLOSING
        author = self.loader._author(task)
        report = ledger.report_file(
            task=task,
            period=period,
            by=author,
            done="".join(lines),
            problems=problems,
            next_steps=next_steps,
            percent=percent,
            reached=new,
            submit=True,
        )
        self.made["reports"] += 1
        if number < 3 or s.closing:
            with pinned(at(_next_working_day(today), 15)):
                ledger.report_accept(report=report, by=self._checker(task))

    # --- ratings and periods ------------------------------------------------------------

    def _rate(self, office: Unit, number: int) -> None:
        ledger.ratings_compute_period(
            period=self.periods[office.pk][number], by=self._staff(office)
        )

    def _confirm(self, office: Unit, number: int) -> None:
        leader = self._leader(office)
        ratings = Rating.objects.filter(period=self.periods[office.pk][number]).select_related(
            "task__office", "task__lead_unit", "suggested", "period"
        )
        for rating in ratings.order_by("task__code"):
            ledger.rating_confirm(rating=rating, by=leader)
            self.made["ratings"] += 1

    def _close_period(self, office: Unit, number: int) -> None:
        ledger.period_close(period=self.periods[office.pk][number], by=self._leader(office))
        self.made["periods closed"] += 1

    # --- closing and supervision ----------------------------------------------------------

    def _close(self, task: Task) -> None:
        """The lead unit files its closing request with the result; the head has not yet
        signed it on the business date."""
        today = business_today()
        milestones = self._milestones(task)
        issuer = story.ISSUERS.get(task.lead_unit.code, "惠市改")
        document_no = f"{issuer}〔{YEAR}〕{3 + stable(f'17/no/{task.code}') % 20}号"
        reached = [(m.title, m.reached_on) for m in milestones]
        document_date = max(day for _t, day in reached)
        summary = (
            f"已完成施工方案全部{len(milestones)}个节点（{'；'.join(t for t, _d in reached)}）。"
            f"成果文件《关于{task.title}工作情况的报告》（{document_no}）"
            f"于{document_date.month}月{document_date.day}日印发。"
        )
        upload = ContentFile(
            documents.result_file(
                task,
                reached,
                document_no=document_no,
                day=document_date,
                summary=summary,
                final=True,
            ),
            name=f"{document_no}.txt",
        )
        ledger.closing_request(
            task=task,
            by=self.loader._author(task),
            summary=summary,
            document_no=document_no,
            document_date=min(document_date, today),
            files=[upload],
        )
        self.made["closing requests"] += 1

    def _order(self, task: Task) -> None:
        supervision.order_issue(
            office=task.office,
            by=self._leader(task.office),
            basis=ORDER["basis"],
            demand=ORDER["demand"],
            deadline=ORDER["deadline"],
            task=task,
            level=OrderLevel.BLUE,
        )
        self.made["supervision orders"] += 1


# --- helpers ---------------------------------------------------------------------------


def _next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _reached_before(task: Task):
    return ReachedMilestone.objects.filter(report__task=task, report__status="accepted")


def _percent(task: Task, milestones: list[Milestone], done: set[int], on: dt.date) -> int:
    """Percent complete on `on`: the weights of the milestones reached, and part of the
    next one's as its planned date nears."""
    if len(done) == len(milestones):
        return 100
    weight = sum(m.weight for m in milestones if m.pk in done)
    nxt = next(m for m in milestones if m.pk not in done)
    span = max((nxt.planned_date - task.start_date).days, 1)
    part = min(0.8, max(0.0, (on - task.start_date).days / span))
    return min(95, weight + int(nxt.weight * part * 0.8))
