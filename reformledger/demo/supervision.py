"""The demo's 2016 supervision work (督查督办), played day by day through the services.

`cycle.py` hands each month of its year to `Play.month` once the month's reports,
ratings and closings are in. The play goes through the month a day at a time: in the
morning the daily run (`services.orders_escalate(today=day)`, as the task queue runs
it) climbs the orders left unanswered at their deadline; then the day's acts are done
through the supervision services: the key tasks linked to the director or the deputy
(挂钩联系), reform documents registered, sent for review and issued, the three
leading-group meetings with their collective reviews (集体会诊) and action items, the
supervision meetings (督查推进专会), orders issued (督办单), signed for (签收), answers
given, accepted and returned. Every order or action item the unit answers was signed
for by the one who answers, one or two working days after it was issued (on the day
of its first answer if that comes sooner); the ones never answered stay unsigned, and
the daily run (`services.orders_unsigned_notify(today=day)`) tells the office of those
orders. `supervision_data.py` holds the story; the play checks that the tasks it
puts to review are the first that `selectors.review_candidates` proposes on the
meeting's day, and that every order ends the year at the level the story expects.

Dates. As in `cycle.py`, each act goes through its service, then its rows get the
2016 dates they stand for with queryset updates: links made and ended, documents
registered, meetings and action items recorded, orders issued, matters signed for,
answers given and decided, matters closed, evidence uploaded, notices sent and read,
orders reported unsigned.

Deadlines. Three services judge a deadline against the real today: `order_issue` and
`answer_return` refuse a deadline in the past, and `answer_submit` marks an answer
given after the deadline late. For these acts the play moves the deadline by the
distance between the act's 2016 day and the real today: a deadline three days after
the act is given as three days from today, so the check and the late mark come out
as they would have on the day. Right after the act the row's deadline is set back to
its 2016 date, and the notice that quotes it is corrected. The audit records keep what
the services wrote at load time, as everywhere in the demo (their own times, and the
moved deadlines of those acts); the daily runs, given their 2016 day, write 2016
deadlines. The cycle's "demo.dated" record also counts the rows dated here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.core.files.base import ContentFile
from django.db.models import Min
from django.utils import timezone

from reformledger.demo import data, documents
from reformledger.demo import supervision_data as story
from reformledger.demo.cycle import _head_of, _heads, at, stable
from reformledger.ledger.models import Task
from reformledger.notifications import services as notices
from reformledger.notifications.models import Notification
from reformledger.supervision import selectors, services
from reformledger.supervision.choices import AnswerDecision, DocumentStatus
from reformledger.supervision.models import (
    ActionItem,
    Answer,
    AnswerFile,
    LeaderLink,
    LeadingGroupMeeting,
    Matter,
    ReformDocument,
    SupervisionMeeting,
    SupervisionOrder,
)
from reformledger.supervision.selectors import Candidate
from reformledger.supervision.services import ActionRow

__all__ = ["Play"]

YEAR = data.YEAR
#: Units whose demo liaison answers for them; every other unit's head answers.
LIAISONS = {"HZ-FGJ": "fgj", "HZ-HY": "huiyang"}


def moved(deadline: dt.date, day: dt.date) -> dt.date:
    """`deadline` as far from the real today as it is from `day` (see "Deadlines")."""
    return timezone.localdate() + (deadline - day)


def _reason(rank: int, c: Candidate) -> str:
    """Why the task was put to review: its place in the ranking and what put it there."""
    parts = [f"候选排序第{rank}位"]
    if c.rating is None:
        parts.append("尚未评价")
    else:
        parts.append(f"{c.rating.period.number}月进度评价为{c.rating.grade.letter}")
    if c.escalated:
        parts.append(f"{c.escalated}份督办单已升级")
    if c.reviewed_before:
        parts.append(f"本年度已集体会诊{c.reviewed_before}次")
    parts.append(f"距上次报送进展{c.stale_days}天")
    return "；".join(parts) + "。"


def unit_label(code: str, day: dt.date) -> str:
    """A unit's short name (or its name, as it was on `day`) from `data.py`."""
    name = next(short or name for c, _p, _k, name, short in data.UNITS if c == code)
    for c, new, on, _why in data.RENAMES:
        if c == code and day >= on:
            name = new
    return name


class Play:
    """One play of the year's supervision on the ledger the cycle is playing."""

    def __init__(self, cycle) -> None:
        self.cycle = cycle
        self.users = cycle.users
        self.units = cycle.loader.units
        self.city = cycle.city
        self.staff = self.users["office"]
        self.heads = _heads()
        # Notices written from now on and not yet dated are those of the last act:
        # the cycle dates its own reminders as it sends them.
        self.started = timezone.now()
        self.tasks = {
            t.code: t
            for t in Task.objects.filter(office=self.city, year=YEAR).select_related("lead_unit")
        }
        self.documents: dict[str, ReformDocument] = {}
        self.issued = 0  # documents issued so far: the last number of the series
        self.items: dict[str, int] = {}  # story key -> action item pk
        self.orders: dict[int, int] = {}  # index in story.ORDERS -> order pk
        self.answered: set[int] = set()  # orders the unit answers some day
        self.acts: dict[dt.date, list[Callable[[], None]]] = defaultdict(list)
        self._plan()

    # --- the calendar ------------------------------------------------------------

    def _plan(self) -> None:
        """Put every act of the story on its day, in the order the story lists them."""
        self.acts[story.LINKED_ON].append(self._link_all)
        for code, username, day in story.RELINKS:
            self.acts[day].append(partial(self._relink, code, username, day))
        for doc in story.DOCUMENTS:
            self.acts[doc.registered].append(partial(self._register, doc))
            if doc.submitted:
                self.acts[doc.submitted].append(partial(self._submit, doc))
            if doc.issued:
                self.acts[doc.issued].append(partial(self._issue_document, doc))
        for meeting in story.GROUP_MEETINGS:
            self.acts[meeting.held_on].append(partial(self._group_meeting, meeting))
            for review in meeting.reviews:
                self._plan_events(review.items, meeting.held_on)
        for meeting in story.SUPERVISION_MEETINGS:
            self.acts[meeting.held_on].append(partial(self._supervision_meeting, meeting))
            self._plan_events(meeting.items, meeting.held_on)
        for i, spec in enumerate(story.ORDERS):
            self.acts[spec.issued].append(partial(self._issue_order, i, spec))
            self._plan_receipt(("order", i), spec.issued, spec.events)
            for event in spec.events:
                self.acts[event.day].append(partial(self._event, ("order", i), event))

    def _plan_events(self, items: tuple[story.Item, ...], issued: dt.date) -> None:
        for item in items:
            self._plan_receipt(("item", item.key), issued, item.events)
            for event in item.events:
                self.acts[event.day].append(partial(self._event, ("item", item.key), event))

    def _plan_receipt(self, ref: tuple[str, object], issued: dt.date, events) -> None:
        """A matter the unit answers is signed for first: one or two working days after
        it was issued, or on the day of its first answer if that comes sooner (planned
        before the answer, so it comes first on that day)."""
        replies = [e.day for e in events if isinstance(e, story.Reply)]
        if not replies:
            return
        wait = 1 + stable(f"{ref[0]}:{ref[1]}:receipt") % 2
        day = min(services.working_days_after(issued, wait), replies[0])
        self.acts[day].append(partial(self._receive, ref, day))

    def month(self, month: int) -> None:
        """Play `month` day by day: the morning's daily run, then the day's acts."""
        day = data.d(month, 1)
        while day.year == YEAR and day.month == month:
            self._escalate(day)
            for act in self.acts.pop(day, []):
                act()
            day += dt.timedelta(days=1)
        if month == 12:
            self._check()

    def _check(self) -> None:
        """The year ended as the story says: no act left, every order at its level,
        every answered matter signed for before its first answer."""
        if self.acts:
            raise ValueError(f"supervision acts outside 2016: {sorted(self.acts)}")
        for model in (SupervisionOrder, ActionItem):
            for matter in model.objects.filter(answers__isnull=False).annotate(
                first=Min("answers__answered_at")
            ):
                if matter.received_at is None or matter.received_at > matter.first:
                    raise ValueError(f"{matter} was answered before it was signed for")
        for i, spec in enumerate(story.ORDERS):
            order = SupervisionOrder.objects.get(pk=self.orders[i])
            if (order.level, order.status) != spec.expect:
                raise ValueError(
                    f"{order.label}: {order.level}/{order.status} on 31 December, "
                    f"the story expects {'/'.join(spec.expect)}"
                )

    # --- who acts ------------------------------------------------------------------

    def _answerer(self, unit):
        """Who answers for `unit`: its demo liaison, or its head."""
        return self.users[LIAISONS.get(unit.code) or _head_of(unit.code, self.heads)]

    def _decider(self, matter: Matter):
        """Who decides on an answer: the leader who issued the order, or the one linked
        to the action item's task (the deputy where there is none)."""
        if isinstance(matter, SupervisionOrder):
            return matter.issued_by
        link = LeaderLink.objects.filter(task_id=matter.task_id, ended_at__isnull=True).first()
        return link.leader if link else self.users["deputy"]

    def _guests(self, codes, day: dt.date) -> str:
        """The heads of the units `codes` (each once, the office itself left out)."""
        seen = dict.fromkeys(c for c in codes if c != data.CITY_OFFICE)
        return "、".join(
            f"{unit_label(c, day)}{self.users[_head_of(c, self.heads)].full_name}" for c in seen
        )

    # --- leader links ----------------------------------------------------------------

    def _link_all(self) -> None:
        day = story.LINKED_ON
        for username, codes in story.LINKS.items():
            for code in codes:
                link = services.leader_link_set(
                    task=self.tasks[code], leader=self.users[username], by=self.staff
                )
                LeaderLink.objects.filter(pk=link.pk).update(linked_at=at(day, 10))
                self._count("leader links")
        linked = {c for codes in story.LINKS.values() for c in codes}
        unlinked = {c for c, t in self.tasks.items() if t.is_key} - linked
        if unlinked:
            raise ValueError(f"key tasks without a linked leader: {sorted(unlinked)}")

    def _relink(self, code: str, username: str, day: dt.date) -> None:
        task = self.tasks[code]
        old = LeaderLink.objects.get(task=task, ended_at__isnull=True)
        link = services.leader_link_set(task=task, leader=self.users[username], by=self.staff)
        LeaderLink.objects.filter(pk=old.pk).update(ended_at=at(day, 10))
        LeaderLink.objects.filter(pk=link.pk).update(linked_at=at(day, 10))
        self._count("leader links")

    # --- reform documents ------------------------------------------------------------

    def _register(self, doc: story.Document) -> None:
        row = services.document_register(
            office=self.city,
            by=self.staff,
            year=YEAR,
            title=doc.title,
            drafting_unit=self.units[doc.unit],
            task=self.tasks[doc.task],
        )
        ReformDocument.objects.filter(pk=row.pk).update(created_at=at(doc.registered, 10))
        self.documents[doc.key] = row
        self._count("reform documents")

    def _submit(self, doc: story.Document) -> None:
        self.documents[doc.key] = services.document_set_status(
            document=self.documents[doc.key], by=self.staff, status=DocumentStatus.SUBMITTED
        )

    def _issue_document(self, doc: story.Document) -> None:
        row = ReformDocument.objects.get(pk=self.documents[doc.key].pk)
        if row.status != DocumentStatus.REVIEWED:
            raise ValueError(f"{row} is issued before the leading group reviewed it")
        self.issued += 1
        self.documents[doc.key] = services.document_set_status(
            document=row,
            by=self.staff,
            status=DocumentStatus.ISSUED,
            document_no=story.DOCUMENT_SERIES.format(n=self.issued),
            issued_on=doc.issued,
        )
        self.cycle.made["reform documents issued"] += 1

    # --- meetings ----------------------------------------------------------------------

    def _group_meeting(self, meeting: story.GroupMeeting) -> None:
        """The leading group meets: it reviews its documents, then the key tasks ranked
        first on the day, each in four parts with its improvements as action items."""
        day = meeting.held_on
        specs = {r.task: r for r in meeting.reviews}
        ranked = selectors.review_candidates(self.city, YEAR, today=day, limit=len(specs))
        if {c.task.code for c in ranked} != set(specs):
            raise ValueError(
                f"leading group meeting of {day}: the story reviews {sorted(specs)}, "
                f"the candidates are {[c.task.code for c in ranked]}"
            )
        guests = [self.documents[k].drafting_unit.code for k in meeting.documents]
        guests += [c.task.lead_unit.code for c in ranked]
        record = services.leading_group_meeting_record(
            office=self.city,
            by=self.staff,
            year=YEAR,
            held_on=day,
            attendees=f"{story.GROUP_MEMBERS}；列席：{self._guests(guests, day)}",
            summary=meeting.summary,
            documents=[self.documents[k] for k in meeting.documents],
        )
        LeadingGroupMeeting.objects.filter(pk=record.pk).update(created_at=at(day, 17))
        self._count("leading group meetings")
        for rank, candidate in enumerate(ranked, start=1):
            spec = specs[candidate.task.code]
            review = services.collective_review_add(
                meeting=record,
                by=self.staff,
                task=candidate.task,
                reason=_reason(rank, candidate),
                achievements=spec.achievements,
                problems=spec.problems,
                causes=spec.causes,
                improvements=spec.improvements,
                actions=self._rows(spec.items, candidate.task),
            )
            self.cycle.made["collective reviews"] += 1
            self._keep_items(spec.items, ActionItem.objects.filter(review=review), day)
        self._notices(at(day, 17))

    def _supervision_meeting(self, meeting: story.SupervisionMeeting) -> None:
        day = meeting.held_on
        tasks = [self.tasks[c] for c in meeting.tasks]
        leaders = (
            f"市委改革办主任{self.users['director'].full_name}（主持）、"
            f"副主任{self.users['deputy'].full_name}"
        )
        record = services.supervision_meeting_record(
            office=self.city,
            by=self.staff,
            held_on=day,
            topic=meeting.topic,
            attendees=f"{leaders}；{self._guests(meeting.units, day)}",
            minutes=meeting.minutes,
            tasks=tasks,
            actions=self._rows(meeting.items, tasks[0]),
        )
        SupervisionMeeting.objects.filter(pk=record.pk).update(created_at=at(day, 17))
        self._count("supervision meetings")
        self._keep_items(meeting.items, ActionItem.objects.filter(meeting=record), day)
        self._notices(at(day, 17))

    def _rows(self, items: tuple[story.Item, ...], task: Task) -> list[ActionRow]:
        return [
            ActionRow(
                unit=self.units[i.unit],
                demand=i.demand,
                deadline=i.deadline,
                task=self.tasks[i.task] if i.task else task,
            )
            for i in items
        ]

    def _keep_items(self, specs: tuple[story.Item, ...], rows, day: dt.date) -> None:
        rows = list(rows.order_by("pk"))
        for spec, row in zip(specs, rows, strict=True):
            self.items[spec.key] = row.pk
        ActionItem.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=at(day, 17))
        self._count("action items", len(rows))

    # --- orders and the daily run -----------------------------------------------------

    def _issue_order(self, i: int, spec: story.Order) -> None:
        """An office leader issues the order; its notices are read the next day unless
        the unit let the first deadline pass."""
        day = spec.issued
        if spec.task:
            subject = {"task": self.tasks[spec.task]}
        else:
            subject = {"action_item": ActionItem.objects.get(pk=self.items[spec.item])}
        given = moved(spec.deadline, day)
        order = services.order_issue(
            office=self.city,
            by=self.users[spec.by],
            basis=spec.basis,
            demand=spec.demand,
            deadline=given,
            level=spec.level,
            year=YEAR,
            **subject,
        )
        SupervisionOrder.objects.filter(pk=order.pk).update(
            deadline=spec.deadline, issued_at=at(day, 10)
        )
        self.orders[i] = order.pk
        self._count("supervision orders")
        replies = [e.day for e in spec.events if isinstance(e, story.Reply)]
        if replies:
            self.answered.add(order.pk)
        self._notices(
            at(day, 10),
            read=bool(replies) and replies[0] <= spec.deadline,
            fix=lambda title: title.replace(str(given), str(spec.deadline)),
        )

    def _escalate(self, day: dt.date) -> None:
        """The morning's daily run; the unit reads the notices of an order it will
        answer, and leaves the others unread. Then the office is told of the orders
        left unsigned, and reads it the next morning."""
        counts = services.orders_escalate(today=day)
        self.cycle.made["orders escalated"] += counts["escalated"]
        if counts["escalated"] or counts["overdue"]:
            self._notices(at(day, 6, 30), read=self._about_answered)
        before = timezone.now()
        if services.orders_unsigned_notify(today=day):
            told = SupervisionOrder.objects.filter(unsigned_notified_at__gte=before)
            self._count(
                "orders reported unsigned", told.update(unsigned_notified_at=at(day, 6, 30))
            )
            self._notices(at(day, 6, 30))

    def _about_answered(self, notice: Notification) -> bool:
        kind, pk, *_rest = notice.key.split(":")
        return kind == "order" and int(pk) in self.answered

    # --- receipts, answers and decisions ---------------------------------------------

    def _matter(self, ref: tuple[str, object]) -> Matter:
        kind, key = ref
        if kind == "order":
            return SupervisionOrder.objects.select_related("unit", "task").get(pk=self.orders[key])
        return ActionItem.objects.select_related("unit", "task").get(pk=self.items[key])

    def _receive(self, ref: tuple[str, object], day: dt.date) -> None:
        """The one who will answer signs for the matter (签收) in the morning."""
        matter = self._matter(ref)
        services.matter_receive(matter=matter, by=self._answerer(matter.unit))
        minute = stable(f"{ref[0]}:{ref[1]}:receipt") % 50
        type(matter).objects.filter(pk=matter.pk).update(
            received_at=at(day, 9 + minute % 3, minute)
        )
        self._count("receipts")

    def _event(self, ref: tuple[str, object], event) -> None:
        matter = self._matter(ref)
        if isinstance(event, story.Reply):
            self._reply(matter, event)
        elif isinstance(event, story.Accept):
            self._accept(matter, event)
        else:
            self._send_back(matter, event)

    def _reply(self, matter: Matter, event: story.Reply) -> None:
        model, day = type(matter), event.day
        files = []
        if event.evidence:
            content = documents.text_file(event.evidence, matter.task)
            files.append(ContentFile(content, name=f"{event.evidence}.txt"))
        model.objects.filter(pk=matter.pk).update(deadline=moved(matter.deadline, day))
        answer = services.answer_submit(
            matter=matter, by=self._answerer(matter.unit), body=event.body, files=files
        )
        model.objects.filter(pk=matter.pk).update(deadline=matter.deadline)
        Answer.objects.filter(pk=answer.pk).update(answered_at=at(day, 15))
        uploaded = AnswerFile.objects.filter(answer=answer).update(uploaded_at=at(day, 15))
        self._count("answers")
        self.cycle.dated["answer files"] += uploaded

    def _pending(self, matter: Matter) -> Answer:
        return matter.answers.get(decision=AnswerDecision.PENDING)

    def _accept(self, matter: Matter, event: story.Accept) -> None:
        answer = self._pending(matter)
        services.answer_accept(answer=answer, by=self._decider(matter), note=event.note)
        Answer.objects.filter(pk=answer.pk).update(decided_at=at(event.day, 16))
        type(matter).objects.filter(pk=matter.pk).update(closed_at=at(event.day, 16))
        self.cycle.dated["matters closed"] += 1

    def _send_back(self, matter: Matter, event: story.SendBack) -> None:
        model, day = type(matter), event.day
        answer = self._pending(matter)
        model.objects.filter(pk=matter.pk).update(deadline=moved(matter.deadline, day))
        services.answer_return(
            answer=answer,
            by=self._decider(matter),
            reason=event.reason,
            deadline=moved(event.deadline, day),
        )
        model.objects.filter(pk=matter.pk).update(deadline=event.deadline)
        Answer.objects.filter(pk=answer.pk).update(decided_at=at(day, 16))
        self.cycle.made["answers returned"] += 1
        self._notices(at(day, 16))

    # --- bookkeeping ------------------------------------------------------------------

    def _count(self, kind: str, n: int = 1) -> None:
        """`n` rows of `kind` made, and given their 2016 dates."""
        self.cycle.made[kind] += n
        self.cycle.dated[kind] += n

    def _notices(
        self,
        sent: dt.datetime,
        read: bool | Callable[[Notification], bool] = True,
        fix: Callable[[str], str] | None = None,
    ) -> None:
        """Date the notices the last act wrote to `sent`; those to be `read` are read
        the next morning. `fix` corrects a title quoting a moved deadline."""
        new = Notification.objects.filter(created_at__gte=self.started)
        rows = list(new.select_related("recipient").order_by("pk"))
        new.update(created_at=sent)
        next_day = timezone.localdate(sent) + dt.timedelta(days=1)
        for notice in rows:
            if fix is not None:
                Notification.objects.filter(pk=notice.pk).update(title=fix(notice.title))
            if read if isinstance(read, bool) else read(notice):
                notices.notification_read(notification=notice, by=notice.recipient)
                Notification.objects.filter(pk=notice.pk).update(
                    read_at=at(next_day, 9 + stable(notice.key) % 3, 20)
                )
        self.cycle.made["notices"] += len(rows)
        self.cycle.dated["notices"] += len(rows)
