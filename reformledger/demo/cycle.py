"""The demo's 2016 work cycle, played month by month through the services.

After `loader.py` has written the tasks and their plans, this module runs the year as
the people of the demo would have: the office sets up the year's periods; each month
the lead units report (most on time, a few late, a few returned once and corrected,
some skipping months), the office accepts the reports, the suggestions are computed,
an office leader confirms them (overriding a few with a written reason) and closes
the period. Tasks are closed (销账: request with the result's document number and an
evidence file, the unit head's signature, the office's approval) during the year and
at its end; one request is rejected, one closed task reopened. Reminders go out
around some due dates and are partly ignored. In January 2017 the unfinished tasks
are carried over (结转). `cycle_data.py` says what happened to which task. At the end
of each month `supervision.py` plays the month's supervision work (leader links,
leading-group meetings, supervision meetings, orders and their answers) day by day;
at the start of each month, before the reports on the month before, `pilots.py` plays
the month's pilots, innovations and indicators (`pilots_data.py`).

Dates. The services stamp their rows with the time of the call (`timezone.now()`),
and have no argument for another day. So each act is done through its service (which
checks it and writes its audit record), then its row's own dates are set to the 2016
day it stands for with a queryset update: report submitted and decided, days late,
rating computed and decided, period closed, closing requested, signed and decided,
evidence uploaded, notice sent and read, plan submitted and decided, task created.
The audit trail is left as it is written: its times are the load's, and one record
("demo.dated") says which rows were given their 2016 dates. The trail is never
rewritten (it is a hash chain, and it records when things were recorded).
"""

import datetime as dt
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from reformledger.audit import services as audit
from reformledger.demo import cycle_data as story
from reformledger.demo import data, documents
from reformledger.demo.apps import DATED_REASON
from reformledger.ledger import services as ledger
from reformledger.ledger.choices import PlanStatus, TaskStatus
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    Task,
)
from reformledger.ledger.services import reminders
from reformledger.notifications import services as notices
from reformledger.notifications.models import Notification
from reformledger.orgs.models import Unit

__all__ = ["needed", "run"]

YEAR = data.YEAR
#: The last day a year-end closing task's final milestone is reached: its December
#: report goes in from the 19th, before the closing request.
LAST_REACH = data.d(12, 18)


def needed(city_office: Unit) -> bool:
    """Whether the year still has to be played: the city's 2016 periods are its first
    act, so a ledger that has them (a second load) is left alone."""
    return not Period.objects.filter(office=city_office, year=YEAR).exists()


def run(loader) -> None:
    """Play the 2016 cycle on the tasks `loader` has just written."""
    _Cycle(loader).run()


def stable(text: str) -> int:
    """A number that depends only on `text`, so the demo is the same on every load."""
    return zlib.crc32(text.encode())


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """`day` at `hour`:`minute`, local time (TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def month_end(month: int) -> dt.date:
    """The last day of `month` of the demo year."""
    if month == 12:
        return data.d(12, 31)
    return data.d(month + 1, 1) - dt.timedelta(days=1)


@dataclass
class _Track:
    """One task as the year plays it: who acts on it and how it runs."""

    task: Task
    author: object  # files its reports and closing requests
    checker: object  # accepts its reports
    head: object  # signs its closing requests
    leader: object  # approves its closing requests
    milestones: list[Milestone]
    reach: list[dt.date | None]
    close_on: dt.date | None
    skip: set[int] = field(default_factory=set)
    late: dict[int, int] = field(default_factory=dict)
    reported: int = 0  # the last period reported on
    filed_on: dt.date | None = None  # the day of the last report
    percent: int = 0  # the last percent reported
    listed: set[int] = field(default_factory=set)  # milestones already reported reached
    closed: bool = False
    reopened: bool = False

    @property
    def code(self) -> str:
        return self.task.code

    @property
    def year_end(self) -> bool:
        """Closed in the December rush (not earlier, and not carried over)."""
        return self.close_on is not None and self.close_on.month == 12 and self.close_on.day >= 20


class _Cycle:
    """One play of the year: the tracks of the tasks, what was made, which rows were
    given their 2016 dates (for the "demo.dated" record)."""

    def __init__(self, loader) -> None:
        self.loader = loader
        self.users = loader.users
        self.made: Counter = Counter()
        self.dated: Counter = Counter()
        self.doc_numbers: dict[str, int] = {}
        self.returned = {(code, n): rest for code, n, *rest in story.RETURNED}
        self.overrides = {(code, n): (letter, why) for code, n, letter, why in story.OVERRIDES}

    # --- the year ------------------------------------------------------------------

    def run(self) -> None:
        # supervision.py and pilots.py use this module's helpers, so they are imported here.
        from reformledger.demo.pilots import Play as PilotsPlay
        from reformledger.demo.supervision import Play

        self.city = self.loader.units[data.CITY_OFFICE]
        self.county = self.loader.units[data.COUNTY_OFFICE]
        self.offices = [self.city, self.county]
        self.periods = {
            office.pk: {
                p.number: p
                for p in ledger.periods_ensure(office=office, year=YEAR, by=self._staff(office))
            }
            for office in self.offices
        }
        self.grades = {
            office.pk: {
                g.letter: g
                for g in ledger.scale_for(office, YEAR, by=self._staff(office)).grades.all()
            }
            for office in self.offices
        }
        self.tracks = self._tracks()
        self._date_plans()
        supervision = Play(self)
        pilots = PilotsPlay(self)
        for month in range(1, 13):
            # Pilots first: a period's investment and indicator figures go in while the
            # period is open (13: December's, in January 2017).
            pilots.month(month)
            if month > 1:
                self._period(month - 1)
            self._month(month)
            supervision.month(month)
        pilots.month(13)
        self._period(12)
        self._carry_over()
        self._record_dates()
        for kind, n in self.made.items():
            self.loader.result.created[kind] += n

    def _staff(self, office: Unit):
        return self.users["hy_office" if office.pk == self.county.pk else "office"]

    def _leader(self, office: Unit, month: int):
        if office.pk == self.county.pk:
            return self.users["hy_director"]
        return self.users["deputy" if month in story.DEPUTY_DECIDES else "director"]

    # --- who does what, and when milestones are reached -----------------------------

    def _tracks(self) -> dict[str, _Track]:
        heads = _heads()
        tasks = (
            Task.objects.filter(office__in=self.offices, year=YEAR, status=TaskStatus.IN_PROGRESS)
            .select_related("office", "lead_unit")
            .prefetch_related("helping_units")
            .order_by("office__path", "code")
        )
        tracks: dict[str, _Track] = {}
        for task in tasks:
            if task.code in tracks:  # the two ledgers' codes are distinct in data.py
                raise ValueError(f"task code {task.code} in both ledgers")
            spec = story.CYCLE.get(task.code, {})
            author = self.loader._author(task)
            staff = self._staff(task.office)
            head = self.users[_head_of(task.lead_unit.code, heads)]
            if task.office.pk == self.county.pk:
                leader = self.users["hy_director"]
            elif head == self.users["director"] or not task.is_key:
                leader = self.users["deputy"]
            else:
                leader = self.users["director"]
            milestones = _milestones(task)
            close_on = spec.get("close", _year_end_close(task.code))
            track = _Track(
                task=task,
                author=author,
                checker=self.users["deputy"] if author == staff else staff,
                head=head,
                leader=leader,
                milestones=milestones,
                reach=[],
                close_on=close_on,
                skip=set(spec.get("skip", ())),
                late=dict(spec.get("late", {})),
            )
            track.reach = self._reach(track, spec.get("reach", {}))
            tracks[task.code] = track
        return tracks

    def _reach(self, t: _Track, given: dict) -> list[dt.date | None]:
        """The day each milestone is reached: as `cycle_data` says, else a few days before
        its planned date within its planned month (never before the task starts)."""
        reach = []
        for i, m in enumerate(t.milestones):
            if i in given:
                reach.append(given[i])
                continue
            k = stable(f"{t.code}/{i}") % 6
            day = max(m.planned_date - dt.timedelta(days=k), m.planned_date.replace(day=1))
            if m.planned_date.month == 12:
                day = min(day, LAST_REACH - dt.timedelta(days=k))
            reach.append(max(day, t.task.start_date))
        if t.close_on is not None:
            if None in reach:
                raise ValueError(f"{t.code}: closed with a milestone not reached")
            last_allowed = LAST_REACH if t.year_end else month_end(t.close_on.month - 1)
            if max(reach) > last_allowed:
                raise ValueError(f"{t.code}: a milestone is reached after the closing")
        return reach

    # --- one period: reports, reminders, ratings, closing the period -----------------

    def _period(self, n: int) -> None:
        """What happens in the month after period `n`: its reports, the reminders around
        their due date, then its ratings, and the period closes."""
        due = self.periods[self.city.pk][n].report_due
        filings = []
        for t in self.tracks.values():
            period = self.periods[t.task.office_id][n]
            if t.closed or t.reported >= n or n in t.skip or t.task.start_date > period.end:
                continue
            filings.append((self._filing_day(t, n, due), t.code))
        checkpoints = []
        if n in story.REMINDER_PERIODS:
            checkpoints = [due - dt.timedelta(days=2), due + dt.timedelta(days=2)]
        for day, code in sorted(filings):
            while checkpoints and checkpoints[0] <= day:
                self._remind(checkpoints.pop(0))
            t = self.tracks[code]
            self._report(t, self.periods[t.task.office_id][n], day, month_end(n))
        for day in checkpoints:
            self._remind(day)
        for office in self.offices:
            self._rate(office, n)

    def _filing_day(self, t: _Track, n: int, due: dt.date) -> dt.date:
        late = t.late.get(n)
        if late is None and stable(f"late/{t.code}/{n}") % 16 == 0:
            late = 1 + stable(f"days/{t.code}/{n}") % 6
        if late:
            return due + dt.timedelta(days=late)
        return due - dt.timedelta(days=stable(f"on/{t.code}/{n}") % 5)

    def _report(self, t: _Track, period: Period, day: dt.date, until: dt.date) -> None:
        """The lead unit files its report on `period`, saying what was reached by `until`;
        the office accepts it (after returning it once, if `cycle_data` says so)."""
        task = t.task
        new = [
            i for i, r in enumerate(t.reach) if r is not None and r <= until and i not in t.listed
        ]
        reached = [(t.milestones[i], t.reach[i]) for i in new]
        percent = self._percent(t, until)
        done, problems, next_steps = self._words(t, period, until, new)
        fields = {"done": done, "problems": problems, "next_steps": next_steps}
        report = ledger.report_save(
            task=task, period=period, by=t.author, percent=percent, reached=reached, **fields
        )
        report = ledger.report_submit(report=report, by=t.author)
        submitted = at(day, 9 + stable(f"h/{t.code}/{period.number}") % 8, 30)
        decided = at(day + dt.timedelta(days=1), 15)
        returned = self.returned.get((t.code, period.number))
        if returned:
            reason, change, text = returned
            report = ledger.report_return(report=report, by=t.checker, reason=reason)
            if change == "evidence":
                upload = ContentFile(documents.text_file(text, task), name=f"{text}.txt")
                evidence = ledger.evidence_add(task=task, by=t.author, upload=upload, report=report)
                Evidence.objects.filter(pk=evidence.pk).update(
                    uploaded_at=at(day + dt.timedelta(days=2), 10)
                )
                self.dated["evidence"] += 1
            else:
                fields[change] = f"{fields[change]}{text}"
                report = ledger.report_save(
                    task=task,
                    period=period,
                    by=t.author,
                    percent=percent,
                    reached=reached,
                    **fields,
                )
            report = ledger.report_submit(report=report, by=t.author)
            submitted = at(day + dt.timedelta(days=2), 11)
            decided = at(day + dt.timedelta(days=3), 10)
            self.made["reports returned"] += 1
        ledger.report_accept(report=report, by=t.checker)
        ProgressReport.objects.filter(pk=report.pk).update(
            created_at=at(day, 9),
            submitted_at=submitted,
            days_late=max(0, (day - period.report_due).days),
            decided_at=decided,
        )
        self.dated["reports"] += 1
        self.made["reports"] += 1
        t.listed.update(new)
        t.reported, t.percent, t.filed_on = period.number, percent, day

    def _percent(self, t: _Track, on: dt.date) -> int:
        """Percent complete on `on`: the weights of the milestones reached, and part of the
        next one's as its planned date nears; never less than last reported."""
        if t.reopened:
            return 95
        done = [i for i, r in enumerate(t.reach) if r is not None and r <= on]
        if len(done) == len(t.milestones):
            return 100
        weight = sum(t.milestones[i].weight for i in done)
        nxt = next(i for i in range(len(t.milestones)) if i not in done)
        since = max([t.reach[i] for i in done] + [t.task.start_date])
        span = (t.milestones[nxt].planned_date - since).days
        share = min(max((on - since).days / span if span > 0 else 0.8, 0.0), 0.8)
        percent = weight + int(share * t.milestones[nxt].weight / 5) * 5
        return min(max(percent, 5, t.percent), 95)

    def _words(self, t: _Track, period: Period, until: dt.date, new: list[int]):
        """What the report says: done, problems and next steps, in the unit's words."""
        task, key = t.task, f"{t.code}/{period.number}"
        lines = []
        if t.reopened:
            lines.append(story.REOPENED[3])
        missed = period.number - t.reported - 1
        if t.reported and missed > 0 and not t.reopened:
            lines.append(story.RESUMED.format(n=missed))
        if not t.reported:
            lines.append(story.STARTING)
        for i in new:
            m, r = t.milestones[i], t.reach[i]
            evidence = m.expected_evidence or "佐证材料"
            lines.append(
                story.REACHED.format(title=m.title, month=r.month, day=r.day, evidence=evidence)
            )
        open_ = [i for i, r in enumerate(t.reach) if r is None or r > until]
        if not open_ and not t.reopened:
            lines.append(story.ALL_DONE)
        overdue = [i for i in open_ if t.milestones[i].planned_date < until]
        if open_ and not new and not t.reopened:
            helpers = "、".join(u.label for u in list(task.helping_units.all())[:2]) or "相关单位"
            phrases = story.WORKING_BEHIND if overdue else story.WORKING
            lines.append(
                phrases[stable(key) % len(phrases)].format(
                    next=t.milestones[open_[0]].title, lead=task.lead_unit.label, helpers=helpers
                )
            )
        if overdue:
            m = t.milestones[overdue[0]]
            cause = story.CAUSES[stable(t.code) % len(story.CAUSES)]
            problems = story.BEHIND.format(
                title=m.title, days=(until - m.planned_date).days, cause=cause
            )
        else:
            problems = story.MINOR_PROBLEMS[stable(key) % len(story.MINOR_PROBLEMS)]
        if t.reopened:
            next_steps = story.REOPENED_NEXT
        elif open_:
            m = t.milestones[open_[0]]
            target = max(m.planned_date, until + dt.timedelta(days=15))
            next_steps = story.NEXT.format(title=m.title, month=target.month, day=target.day)
            if target.year > YEAR:
                next_steps = story.NEXT.format(title=m.title, month=3, day=31).replace(
                    "确保", "2017年"
                )
        else:
            next_steps = story.NEXT_CLOSING
        return "".join(lines), problems, next_steps

    def _rate(self, office: Unit, n: int) -> None:
        """The suggestions of period `n`, the leader's decisions, and the period closes."""
        period = self.periods[office.pk][n]
        computed_on = period.report_due + dt.timedelta(days=10)
        leader = self._leader(office, n)
        ledger.ratings_compute_period(period=period, by=self._staff(office))
        ratings = Rating.objects.filter(period=period).select_related(
            "task__office", "task__lead_unit", "suggested", "period"
        )
        for rating in ratings.order_by("task__code"):
            override = self.overrides.get((rating.task.code, n))
            if override is None:
                ledger.rating_confirm(rating=rating, by=leader)
                continue
            letter, reason = override
            if rating.suggested.letter == letter:
                raise ValueError(f"{rating.task.code} {period.label}: suggested {letter} already")
            grade = self.grades[office.pk][letter]
            ledger.rating_override(rating=rating, by=leader, grade=grade, reason=reason)
            self.made["ratings overridden"] += 1
        self.made["ratings"] += Rating.objects.filter(period=period).update(
            computed_at=at(computed_on, 9),
            decided_at=at(computed_on + dt.timedelta(days=2), 16),
        )
        ledger.period_close(period=period, by=leader)
        Period.objects.filter(pk=period.pk).update(
            closed_at=at(period.report_due + dt.timedelta(days=15), 17)
        )
        self.made["periods closed"] += 1
        self.dated["ratings"] += len(ratings)
        self.dated["periods"] += 1

    # --- one month: closings, the reopened task, the plan revision -------------------

    def _month(self, month: int) -> None:
        """The acts of `month` that are not about the period before it."""
        if month == story.REVISION_ON.month:
            self._revise()
        code, requested, rejected, reason = story.REJECTED_CLOSING
        if requested.month == month:
            self._reject(self.tracks[code], requested, rejected, reason)
        acts = []
        for t in self.tracks.values():
            if t.close_on is not None and t.close_on.month == month:
                acts.append((t.close_on, "close", t.code))
        code, day, *_rest = story.REOPENED
        if day.month == month:
            acts.append((day, "reopen", code))
        if month == 12:
            # The year-end closings: each task's December report goes in early, with
            # its last milestone, then the closing request.
            for t in self.tracks.values():
                if t.year_end and not t.closed:
                    day = data.d(12, 19 + stable(f"dec/{t.code}") % 4)
                    acts.append((day, "report", t.code))
        for day, act, code in sorted(acts):
            t = self.tracks[code]
            if act == "report":
                self._report(t, self.periods[t.task.office_id][12], day, day)
            elif act == "close":
                self._close(t, day)
            else:
                self._reopen(t, day)

    def _close(self, t: _Track, approved: dt.date) -> None:
        """The lead unit requests closing with its result, the head signs, the office
        approves: the task leaves the open ledger (销账)."""
        requested = max(approved - dt.timedelta(days=6), t.filed_on + dt.timedelta(days=1))
        signed = requested + dt.timedelta(days=(approved - requested).days // 2)
        closing = self._request(t, requested, final=True)
        closing = ledger.closing_sign(closing=closing, by=t.head)
        ledger.closing_approve(closing=closing, by=t.leader, note="同意销账。")
        ClosingRequest.objects.filter(pk=closing.pk).update(
            signed_at=at(signed, 11), decided_at=at(approved, 16)
        )
        Task.objects.filter(pk=t.task.pk).update(updated_at=at(approved, 16))
        t.closed = True
        self.made["tasks closed"] += 1

    def _reject(self, t: _Track, requested: dt.date, rejected: dt.date, reason: str) -> None:
        closing = self._request(t, requested, final=False)
        closing = ledger.closing_sign(closing=closing, by=t.head)
        ledger.closing_reject(closing=closing, by=self.users["director"], reason=reason)
        ClosingRequest.objects.filter(pk=closing.pk).update(
            signed_at=at(requested + dt.timedelta(days=2), 11), decided_at=at(rejected, 16)
        )
        self.made["closings rejected"] += 1

    def _request(self, t: _Track, requested: dt.date, *, final: bool) -> ClosingRequest:
        """File a closing request with the result's document number, date and files; a
        first request (`final=False`) has only the unit's own summary."""
        task = t.task
        issuer = story.KEY_ISSUER if task.is_key else story.ISSUERS[task.lead_unit.code]
        number = self.doc_numbers.get(issuer, 8 + stable(issuer) % 30)
        number += 1 + stable(f"no/{t.code}/{final}") % 6
        self.doc_numbers[issuer] = number
        document_no = f"{issuer}〔{YEAR}〕{number}号"
        document_date = min(
            max(r for r in t.reach if r is not None) + dt.timedelta(days=1), requested
        )
        reached = "；".join(m.title for m in t.milestones)
        summary = (
            f"已完成施工方案全部{len(t.milestones)}个节点（{reached}）。"
            f"成果文件《关于{task.title}工作情况的报告》（{document_no}）"
            f"于{document_date.month}月{document_date.day}日印发。"
        )
        files = [
            ContentFile(
                documents.result_file(
                    task,
                    [(m.title, r) for m, r in zip(t.milestones, t.reach, strict=True) if r],
                    document_no=document_no,
                    day=document_date,
                    summary=summary,
                    final=final,
                ),
                name=f"{document_no}.txt",
            )
        ]
        if task.is_key and final:
            files.append(
                ContentFile(
                    documents.result_pdf(
                        t.code, document_date, len(t.milestones), len(t.milestones)
                    ),
                    name=f"{t.code}-result.pdf",
                )
            )
        closing = ledger.closing_request(
            task=task,
            by=t.author,
            summary=summary if final else "任务已基本完成，申请销账。附工作总结。",
            document_no=document_no,
            document_date=document_date,
            files=files,
        )
        ClosingRequest.objects.filter(pk=closing.pk).update(requested_at=at(requested, 10))
        Evidence.objects.filter(closing=closing).update(uploaded_at=at(requested, 10))
        self.dated["closings"] += 1
        self.dated["evidence"] += len(files)
        self.made["closing requests"] += 1
        return closing

    def _reopen(self, t: _Track, day: dt.date) -> None:
        ledger.task_reopen(task=t.task, by=self.users["director"], reason=story.REOPENED[2])
        Task.objects.filter(pk=t.task.pk).update(updated_at=at(day, 15))
        t.closed, t.reopened, t.close_on = False, True, None
        self.made["tasks reopened"] += 1

    def _revise(self) -> None:
        """The one plan revision (施工方案调整) of the year, with its reason; the milestones
        reached so far stay reached."""
        from reformledger.demo.loader import _summary  # loader imports this module

        spec = data.REVISION
        t = self.tracks[spec["task"]]
        task = t.task
        ledger.plan_revise(task=task, by=t.author, reason=spec["reason"])
        rows = self.loader._rows(task, spec["milestones"])  # plan_save keeps what was reached
        draft = ledger.plan_save(
            task=task, by=t.author, summary=_summary(task, rows), milestones=rows
        )
        draft = ledger.plan_submit(plan=draft, by=t.author)
        ledger.plan_approve(plan=draft, by=self.users["director"], note=spec["note"])
        day = story.REVISION_ON
        Plan.objects.filter(pk=draft.pk).update(
            created_at=at(day - dt.timedelta(days=6), 10),
            submitted_at=at(day - dt.timedelta(days=4), 10),
            decided_at=at(day, 16),
        )
        t.milestones = _milestones(task)
        self.made["plan revisions"] += 1

    # --- reminders --------------------------------------------------------------------

    def _remind(self, day: dt.date) -> None:
        """The daily reminders of `day`; each notice is read the next day, except those
        its people ignore."""
        last = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        reminders.reminders_send(today=day)
        sent = list(
            Notification.objects.filter(pk__gt=last)
            .select_related("task", "recipient")
            .order_by("pk")
        )
        Notification.objects.filter(pk__gt=last).update(created_at=at(day, 7, 30))
        heads = {u for u in self.users.values() if u.username.endswith("_head")}
        read_on = day + dt.timedelta(days=1)
        for notice in sent:
            code = notice.task.code if notice.task else ""
            if code in story.IGNORING or (
                notice.recipient in heads and stable(notice.key) % 3 == 0
            ):
                continue
            notices.notification_read(notification=notice, by=notice.recipient)
            Notification.objects.filter(pk=notice.pk).update(
                read_at=at(read_on, 9 + stable(notice.key) % 3, 15)
            )
        self.made["notices"] += len(sent)
        self.dated["notices"] += len(sent)

    # --- dates of the plans, the carry-over, and the record of the dates -------------

    def _date_plans(self) -> None:
        """The tasks were listed and their plans written in early 2016; plans still
        awaiting approval were submitted late in the year."""
        tasks = Task.objects.filter(office__in=self.offices, year=YEAR)
        self.dated["tasks"] += tasks.update(created_at=at(data.d(1, 4), 9))
        for plan in Plan.objects.filter(task__in=tasks, revision=1).select_related("task"):
            start = plan.task.start_date
            dates = {"created_at": at(start - dt.timedelta(days=12), 10)}
            if plan.status == PlanStatus.SUBMITTED:
                dates["submitted_at"] = at(data.d(12, 12), 10)
            elif plan.status != PlanStatus.DRAFT:
                dates["submitted_at"] = at(start - dt.timedelta(days=9), 10)
                dates["decided_at"] = at(start - dt.timedelta(days=5), 16)
            Plan.objects.filter(pk=plan.pk).update(**dates)
            self.dated["plans"] += 1

    def _carry_over(self) -> None:
        """In January 2017 each office carries its unfinished tasks into 2017 (结转)."""
        for office in self.offices:
            carried = ledger.year_carry_over(office=office, year=YEAR, by=self._staff(office))
            day = at(story.CARRY_OVER_ON, 10)
            Task.objects.filter(pk__in=[t.pk for t in carried]).update(
                created_at=day, updated_at=day
            )
            Task.objects.filter(carried_to__in=carried).update(updated_at=day)
            self.made["tasks carried over"] += len(carried)
            self.dated["tasks"] += len(carried)

    def _record_dates(self) -> None:
        """One audit record for the dates set above: the trail says what was changed."""
        audit.record(
            actor=None,
            verb="demo.dated",
            obj=self.city,
            changes={kind: [None, n] for kind, n in sorted(self.dated.items())},
            reason=DATED_REASON,
        )


# --- helpers -------------------------------------------------------------------------


def _milestones(task: Task) -> list[Milestone]:
    return list(
        Milestone.objects.filter(plan__task=task, plan__status=PlanStatus.APPROVED).order_by(
            "order", "planned_date", "pk"
        )
    )


def _heads() -> dict[str, str]:
    """Unit code -> the username of its head (一把手) among the demo logins."""
    heads = {
        unit: username for username, _n, _t, role, unit, *_r in data.ACCOUNTS if role == "unit_head"
    }
    heads |= {unit: username for username, _n, _t, unit in data.UNIT_HEADS}
    heads |= {
        unit: username for username, role, unit, _t in data.EXTRA_ROLES if role == "unit_head"
    }
    return heads


def _head_of(unit_code: str, heads: dict[str, str]) -> str:
    """The head who signs for `unit_code`: its own, or that of the nearest unit above."""
    parents = {code: parent for code, parent, *_rest in data.UNITS}
    code = unit_code
    while code is not None:
        if code in heads:
            return heads[code]
        code = parents[code]
    raise ValueError(f"no unit head signs for {unit_code}")


def _year_end_close(code: str) -> dt.date:
    return data.d(12, 26 + stable(f"close/{code}") % 5)
