"""The demo's 2016 evaluations (改革评估), played in January–March 2017 through the
evaluation services, each act pinned to its own day (`core.clock.pinned`), after the
2016 cycle and before the live 2017 part (`loader.py` calls `play`).

The office forms its own evaluation team and three outside teams (each with its own
login; the demo's `evaluator` leads the first), creates the comprehensive evaluation
across every reform area, 17 special evaluations of key tasks and 3 third-party
evaluations (`evaluation_data.py`), opens them to the units' self-assessments, the
units submit theirs, the teams score every criterion with a reason and write their
findings, the office returns one for more reasons and closes all of them by the end of
March; two findings of the comprehensive evaluation become action items tracked like
orders. Scores are derived from stable hashes of the names, so the demo is the same on
every load. The notices the acts send are given the act's moment and read the next
morning, as the pilots' are. Played only once: a ledger that has 2016 evaluations is
left alone.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from reformledger.core.clock import pinned
from reformledger.demo import data
from reformledger.demo import evaluation_data as story
from reformledger.demo.cycle import _head_of, _heads, at, stable
from reformledger.evaluation import services
from reformledger.evaluation.documents.survey_sheet import SurveyRow
from reformledger.evaluation.models import CriteriaTemplate, Evaluation
from reformledger.evaluation.selectors import evaluation_scores
from reformledger.evaluation.services.survey import survey_import
from reformledger.ledger.models import Period, ReformArea, Task
from reformledger.notifications import services as notices
from reformledger.notifications.models import Notification
from reformledger.pilots.models import Pilot

__all__ = ["play"]

YEAR = data.YEAR
#: Units whose demo liaison writes for them; every other unit's head does.
LIAISONS = {"HZ-FGJ": "fgj", "HZ-HY": "huiyang"}


def play(loader) -> None:
    """Play the 2016 evaluations on the ledger `loader` has loaded (once)."""
    office = loader.units[data.CITY_OFFICE]
    if Evaluation.objects.filter(office=office, year=YEAR).exists():
        return
    _Play(loader, office).run()


class _Play:
    def __init__(self, loader, office) -> None:
        self.loader = loader
        self.office = office
        self.users = loader.users
        self.units = loader.units
        self.heads = _heads()
        self.staff = self.users["office"]
        self.director = self.users["director"]
        self.tasks = {
            t.code: t
            for t in Task.objects.filter(office=office, year=YEAR).select_related("lead_unit")
        }
        self.period = Period.objects.filter(office=office, year=YEAR).order_by("-number").first()
        self.teams = {}

    def _count(self, kind: str, n: int = 1) -> None:
        self.loader.result.created[kind] += n

    def _at(self, day: dt.date, hour: int, fn, *args, **kwargs):
        """Do one act on `day` at `hour` (pinned), then date its notices to that moment,
        read the next morning."""
        moment = at(day, hour, 15)
        since = timezone.now()
        with pinned(moment):
            result = fn(*args, **kwargs)
        new = Notification.objects.filter(created_at__gte=since)
        rows = list(new.order_by("pk"))
        if rows:
            new.update(created_at=moment)
            next_day = day + dt.timedelta(days=1)
            for notice in rows:
                notices.notification_read(notification=notice, by=notice.recipient)
                Notification.objects.filter(pk=notice.pk).update(
                    read_at=at(next_day, 9 + stable(notice.key) % 3, 40)
                )
        return result

    def _unit_user(self, code: str):
        return self.users[LIAISONS.get(code) or _head_of(code, self.heads)]

    # --- the play --------------------------------------------------------------------

    def run(self) -> None:
        services.templates_ensure_defaults()
        dac = CriteriaTemplate.objects.get(code="oecd-dac")
        province = CriteriaTemplate.objects.get(code="gd-province")
        self._teams()
        made: list[tuple[Evaluation, str]] = []
        comprehensive = self._at(
            story.CREATED,
            9,
            services.evaluation_create,
            office=self.office,
            by=self.staff,
            year=YEAR,
            kind="comprehensive",
            title=story.COMPREHENSIVE_TITLE,
            template=province,
            team=self.teams["office"],
            period=self.period,
            areas=list(ReformArea.objects.all()),
            description="按省委改革办要求，对2016年各领域改革任务推进和成效进行全面评估。",
            self_assessment_due=dt.date(2017, 1, 25),
            due=dt.date(2017, 3, 31),
        )
        made.append((comprehensive, "office"))
        for n, code in enumerate(story.SPECIAL_TASKS):
            task = self.tasks[code]
            e = self._at(
                story.CREATED,
                10 + n % 6,
                services.evaluation_create,
                office=self.office,
                by=self.staff,
                year=YEAR,
                kind="special",
                title=f"{task.title}专项评估",
                template=province,
                team=self.teams["office"],
                period=self.period,
                tasks=[task],
                self_assessment_due=dt.date(2017, 1, 25),
                due=dt.date(2017, 3, 31),
            )
            made.append((e, "office"))
        for key, title, code, pilot_code, _survey in story.THIRD_PARTY:
            pilot = Pilot.objects.filter(office=self.office, code=pilot_code).first()
            e = self._at(
                story.CREATED,
                16,
                services.evaluation_create,
                office=self.office,
                by=self.staff,
                year=YEAR,
                kind="third_party",
                title=title,
                template=dac,
                team=self.teams[key],
                period=self.period,
                tasks=[self.tasks[code]],
                pilots=[pilot] if pilot else [],
                description="委托第三方评估机构独立开展评估，含群众满意度调查。",
                self_assessment_due=dt.date(2017, 1, 25),
                due=dt.date(2017, 3, 31),
            )
            made.append((e, key))
        self._count("evaluations", len(made))
        for e, _key in made:
            self._at(story.STARTED, 9, services.evaluation_start, evaluation=e, by=self.staff)
        for i, (e, _key) in enumerate(made):
            self._self_assessments(e, i, comprehensive)
        for e, _key in made:
            self._at(
                story.SCORING, 9, services.evaluation_open_scoring, evaluation=e, by=self.staff
            )
        for i, (e, key) in enumerate(made):
            self._score(e, key, i)
        for i, (e, key) in enumerate(made):
            self._findings(e, key, i, comprehensive)
        for i, (e, key) in enumerate(made):
            self._close(e, key, i, comprehensive)
        self._track(comprehensive)

    def _teams(self) -> None:
        for key, name, kind, organisation, members in story.TEAMS:
            team = self._at(
                story.TEAMS_FORMED,
                10,
                services.team_create,
                office=self.office,
                by=self.staff,
                name=name,
                kind=kind,
                organisation=organisation,
            )
            for username in members:
                self._at(
                    story.TEAMS_FORMED,
                    10,
                    services.team_member_add,
                    team=team,
                    user=self.users[username],
                    by=self.staff,
                )
            self.teams[key] = team
        self._count("evaluation teams", len(story.TEAMS))

    def _self_assessments(self, e: Evaluation, i: int, comprehensive: Evaluation) -> None:
        if e.pk == comprehensive.pk:
            codes = [c for c in story.COMPREHENSIVE_SELF if e.units.filter(code=c).exists()]
        else:
            codes = list(e.units.values_list("code", flat=True))
        top = list(e.criteria.filter(parent=None).order_by("order"))
        for j, code in enumerate(codes):
            unit = self.units[code]
            day = dt.date(2017, 1, 16 + (i + j) % 9)
            scores = {
                c.pk: (
                    c.max_score * Decimal(88 + stable(f"{e.title}/{code}/{c.name}") % 10) / 100
                ).quantize(Decimal("0.1"))
                for c in top
            }
            self._at(
                day,
                15,
                services.self_assessment_save,
                evaluation=e,
                unit=unit,
                by=self._unit_user(code),
                text_=f"{unit.name}对照年度改革任务和施工方案开展自评：主要节点按期完成，"
                "形成了制度文件和工作机制，取得阶段性成效；存在的不足是部分改革成效"
                "尚需时间检验。",
                self_scores=scores,
                submit=True,
            )
            self._count("self-assessments")

    def _member(self, key: str):
        return self.users[next(t for t in story.TEAMS if t[0] == key)[4][0]]

    def _score(self, e: Evaluation, key: str, i: int) -> None:
        by = self._member(key)
        rows = []
        for line in evaluation_scores(e).lines:
            if not line.is_leaf:
                continue
            c = line.criterion
            share = Decimal(72 + stable(f"{e.title}/{c.name}") % 24)
            value = (c.max_score * share / 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
            rows.append(
                services.ScoreRow(
                    criterion=c,
                    value=value,
                    reason=f"对照“{c.name}”评分标准，结合自评材料、台账记录和实地抽查评定。",
                )
            )
        day = dt.date(2017, 2, 13 + i % 14)
        self._at(day, 10, services.scores_set, evaluation=e, by=by, rows=rows)
        self._count("scores", len(rows))

    def _findings(self, e: Evaluation, key: str, i: int, comprehensive: Evaluation) -> None:
        by = self._member(key)
        day = dt.date(2017, 2, 27)
        if e.pk == comprehensive.pk:
            for (
                unit_code,
                task_code,
                text,
                recommendation,
                _deadline,
            ) in story.COMPREHENSIVE_FINDINGS:
                self._at(
                    day,
                    14,
                    services.finding_add,
                    evaluation=e,
                    by=by,
                    text_=text,
                    recommendation=recommendation,
                    unit=self.units[unit_code] if unit_code else None,
                    task=self.tasks[task_code] if task_code else None,
                )
                self._count("findings")
            return
        task = e.tasks.get()
        if key == "office":
            text, recommendation = story.SPECIAL_FINDING, story.SPECIAL_RECOMMENDATION
        else:
            text, recommendation = story.THIRD_PARTY_FINDINGS[key]
            survey = next(t[4] for t in story.THIRD_PARTY if t[0] == key)
            rows = [
                SurveyRow(
                    "满意度调查",
                    n + 4,
                    item,
                    respondents,
                    satisfied,
                    (Decimal(satisfied) * 100 / respondents).quantize(Decimal("0.01")),
                    n + 1,
                )
                for n, (item, respondents, satisfied) in enumerate(survey)
            ]
            self._at(
                dt.date(2017, 2, 20),
                16,
                survey_import,
                evaluation=e,
                rows=rows,
                by=self.staff,
                file_name=f"{e.title}满意度调查结果.xlsx",
            )
            self._count("survey results", len(rows))
        self._at(
            day,
            15,
            services.finding_add,
            evaluation=e,
            by=by,
            text_=text,
            recommendation=recommendation,
            task=task,
        )
        self._count("findings")

    def _close(self, e: Evaluation, key: str, i: int, comprehensive: Evaluation) -> None:
        by = self._member(key)
        submitted = dt.date(2017, 3, 1 + i % 10)
        self._at(submitted, 16, services.evaluation_submit, evaluation=e, by=by)
        if e.pk == comprehensive.pk:
            self._at(
                dt.date(2017, 3, 13),
                10,
                services.evaluation_return,
                evaluation=e,
                by=self.director,
                reason=story.RETURN_REASON,
            )
            self._at(dt.date(2017, 3, 16), 16, services.evaluation_submit, evaluation=e, by=by)
            closed = dt.date(2017, 3, 24)
        else:
            closed = dt.date(2017, 3, 14 + i % 10)
        self._at(
            closed,
            11,
            services.evaluation_close,
            evaluation=e,
            by=self.director,
            conclusion="评估程序规范，评分依据充分，同意评估结论。",
        )

    def _track(self, comprehensive: Evaluation) -> None:
        tracked = []
        for finding in comprehensive.findings.select_related("unit", "task").order_by("id"):
            spec = next(
                (f for f in story.COMPREHENSIVE_FINDINGS if f[2] == finding.text and f[4]), None
            )
            if spec is not None:
                tracked.append((finding, spec[4]))
        if tracked:
            self._at(
                story.TRACKED,
                10,
                services.findings_track,
                evaluation=comprehensive,
                by=self.staff,
                rows=tracked,
                held_on=story.TRACKED,
                attendees="市委改革办主任、副主任，市国资委、市水务局分管负责同志",
            )
            self._count("findings tracked", len(tracked))
