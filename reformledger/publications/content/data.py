"""The figures of a year as of a frozen period, drawn from the ledger in a fixed number
of queries whatever its size: the tasks with their rating path and year-end rating,
closings, carry-overs, pilots, evaluations, indicators, supervision and the cards.

Everything is read for the office, not for a user: a publication is the office's
document, and the service that generates it checks who may ask.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum

from reformledger.assessment.choices import CardColour, CardStatus
from reformledger.assessment.models import Card
from reformledger.evaluation.choices import EvaluationStatus
from reformledger.evaluation.models import Evaluation, Finding
from reformledger.evaluation.selectors import with_totals
from reformledger.indicators.models import Indicator
from reformledger.indicators.selectors import with_facts
from reformledger.ledger.choices import ClosingStatus, TaskStatus
from reformledger.ledger.models import (
    ClosingRequest,
    Period,
    Rating,
    RatingGrade,
    ReformArea,
    Task,
)
from reformledger.orgs.models import Unit
from reformledger.pilots.choices import InnovationStatus
from reformledger.pilots.models import Adoption, Innovation, InvestmentReport, Pilot, SubProject
from reformledger.supervision.models import (
    ActionItem,
    CollectiveReview,
    LeadingGroupMeeting,
    SupervisionOrder,
)


@dataclass
class TaskFacts:
    task: Task
    path: list[str] = field(default_factory=list)  # the letters of the year's periods
    letter: str = ""  # the year-end rating
    closing: ClosingRequest | None = None
    carried: bool = False


@dataclass
class Year:
    office: Unit
    year: int
    period: Period
    tasks: list[TaskFacts]
    areas: list[ReformArea]
    letters: list[str]
    colours: dict[str, str] = field(default_factory=dict)  # the grades' colours

    @property
    def as_of(self) -> dt.date:
        return self.period.end

    def closed(self) -> list[TaskFacts]:
        return [t for t in self.tasks if t.closing is not None]

    def by_area(self) -> dict[int | None, list[TaskFacts]]:
        out: dict[int | None, list[TaskFacts]] = defaultdict(list)
        for t in self.tasks:
            out[t.task.area_id].append(t)
        return out

    def letter_counts(self, tasks: list[TaskFacts] | None = None) -> Counter:
        return Counter(t.letter for t in (self.tasks if tasks is None else tasks) if t.letter)


def _day(moment: dt.datetime | None) -> dt.date | None:
    return moment.date() if moment else None


def year_facts(office: Unit, year: int, period: Period) -> Year:
    """The year's tasks (not cancelled), each with its rating path over the periods up to
    `period`, its year-end rating (the latest), its approved closing by the period's end
    and whether it was carried over (four queries, and one for the areas)."""
    tasks = list(
        Task.objects.filter(office=office, year=year)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("area", "lead_unit", "system")
        .order_by("code", "pk")
    )
    facts = {t.pk: TaskFacts(t) for t in tasks}
    ratings = (
        Rating.objects.filter(
            task__office=office,
            task__year=year,
            period__office=office,
            period__year=year,
            period__start__lte=period.start,
        )
        .select_related("suggested", "final")
        .only("task_id", "period__start", "suggested__letter", "final__letter")
        .order_by("task_id", "period__start")
    )
    letters: set[str] = set()
    for rating in ratings:
        f = facts.get(rating.task_id)
        if f is None:
            continue
        letter = rating.grade.letter
        f.path.append(letter)
        f.letter = letter
        letters.add(letter)
    closings = (
        ClosingRequest.objects.filter(
            task__office=office,
            task__year=year,
            status=ClosingStatus.APPROVED,
            decided_at__date__lte=period.end,
        )
        .only("task_id", "summary", "document_no", "document_date", "decided_at")
        .order_by("task_id", "decided_at", "pk")
    )
    for closing in closings:
        if closing.task_id in facts:
            facts[closing.task_id].closing = closing
    carried = Task.objects.filter(carried_from__in=list(facts)).values_list(
        "carried_from_id", flat=True
    )
    for pk in carried:
        facts[pk].carried = True
    areas = list(ReformArea.objects.order_by("order", "code"))
    colours = dict(
        RatingGrade.objects.filter(scale__office=office, scale__year=year).values_list(
            "letter", "colour"
        )
    )
    return Year(office, year, period, list(facts.values()), areas, sorted(letters), colours)


def year_areas(office: Unit, year: int) -> list[ReformArea]:
    """The reform areas of the office's tasks of `year`, in their order (one query)."""
    used = Task.objects.filter(office=office, year=year).exclude(status=TaskStatus.CANCELLED)
    return list(ReformArea.objects.filter(pk__in=used.values("area")).order_by("order", "code"))


def year_counts(office: Unit, year: int, period: Period) -> tuple[int, int]:
    """The year's tasks and how many were closed by the period's end (one query each)."""
    tasks = Task.objects.filter(office=office, year=year).exclude(status=TaskStatus.CANCELLED)
    closed = ClosingRequest.objects.filter(
        task__in=tasks, status=ClosingStatus.APPROVED, decided_at__date__lte=period.end
    )
    return tasks.count(), closed.values("task").distinct().count()


@dataclass
class PilotFacts:
    pilot: Pilot
    projects: int = 0
    planned: Decimal = Decimal(0)
    completed: Decimal = Decimal(0)
    acceptance: object = None


def pilot_facts(office: Unit, year: int, as_of: dt.date) -> list[PilotFacts]:
    """The office's pilots registered by the end of `year` (the period they run in began
    by then), with their sub-projects' planned and completed investment (reported for
    periods ending by `as_of`) and their acceptance if recorded by then (three queries)."""
    pilots = list(
        Pilot.objects.filter(office=office, start__lte=dt.date(year, 12, 31))
        .select_related("host_unit", "acceptance")
        .order_by("level", "code")
    )
    out = {p.pk: PilotFacts(p) for p in pilots}
    for pilot in pilots:
        acceptance = getattr(pilot, "acceptance", None)
        if acceptance is not None and acceptance.accepted_on <= as_of:
            out[pilot.pk].acceptance = acceptance
    planned = (
        SubProject.objects.filter(pilot__in=out)
        .order_by()
        .values("pilot")
        .annotate(n=Count("pk"), planned=Sum("planned_investment"))
    )
    for row in planned:
        f = out[row["pilot"]]
        f.projects, f.planned = row["n"], row["planned"] or Decimal(0)
    completed = (
        InvestmentReport.objects.filter(sub_project__pilot__in=out, period__end__lte=as_of)
        .order_by()
        .values("sub_project__pilot")
        .annotate(total=Sum("amount"))
    )
    for row in completed:
        out[row["sub_project__pilot"]].completed = row["total"] or Decimal(0)
    return list(out.values())


def innovations(office: Unit, year: int) -> list[Innovation]:
    """The year's grassroots innovations declared replicable, with who adopted them."""
    return list(
        Innovation.objects.filter(office=office, year=year, status=InnovationStatus.REPLICABLE)
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "adoptions", queryset=Adoption.objects.select_related("unit").order_by("adopted_on")
            )
        )
        .order_by("title")
    )


def evaluations(office: Unit, year: int) -> list[Evaluation]:
    """The year's evaluations, each with its total score (`total`)."""
    rows = (
        Evaluation.objects.filter(office=office, year=year)
        .exclude(status=EvaluationStatus.DRAFT)
        .order_by("kind", "title", "pk")
    )
    return with_totals(rows)


def findings(office: Unit, year: int) -> list[Finding]:
    return list(
        Finding.objects.filter(evaluation__office=office, evaluation__year=year)
        .exclude(evaluation__status=EvaluationStatus.DRAFT)
        .select_related("evaluation", "unit")
        .order_by("evaluation__kind", "evaluation__title", "pk")
    )


def indicators(office: Unit, year: int) -> list[Indicator]:
    """The office's indicators with a target or a value in `year`, with their facts."""
    rows = with_facts(Indicator.objects.filter(office=office).order_by("code"), year=year)
    return [i for i in rows if i.facts.target is not None or i.facts.latest is not None]


@dataclass
class Supervision:
    orders: int
    orders_by_level: Counter
    orders_answered: int
    orders_accepted: int
    action_items: int
    meetings: list[LeadingGroupMeeting]
    documents: int
    reviews: list[CollectiveReview]


def supervision(office: Unit, year: int) -> Supervision:
    orders = SupervisionOrder.objects.filter(office=office, year=year)
    by_level = Counter(dict(orders.order_by().values_list("level").annotate(n=Count("pk"))))
    by_status = Counter(dict(orders.order_by().values_list("status").annotate(n=Count("pk"))))
    meetings = list(
        LeadingGroupMeeting.objects.filter(office=office, year=year)
        .annotate(n_documents=Count("documents"))
        .order_by("number")
    )
    reviews = list(
        CollectiveReview.objects.filter(meeting__office=office, meeting__year=year)
        .select_related("task", "meeting")
        .order_by("meeting__number", "task__code")
    )
    return Supervision(
        orders=sum(by_level.values()),
        orders_by_level=by_level,
        orders_answered=by_status.get("answered", 0) + by_status.get("accepted", 0),
        orders_accepted=by_status.get("accepted", 0),
        action_items=ActionItem.objects.filter(
            Q(meeting__held_on__year=year) | Q(review__meeting__year=year), office=office
        ).count(),
        meetings=meetings,
        documents=sum(m.n_documents for m in meetings),
        reviews=reviews,
    )


def cards(office: Unit, year: int) -> list[Card]:
    """The year's current cards once confirmed or published."""
    return list(
        Card.objects.filter(
            office=office,
            year=year,
            is_current=True,
            status__in=(CardStatus.CONFIRMED, CardStatus.PUBLISHED),
        )
        .select_related("unit")
        .prefetch_related("reasons")
        .order_by("colour", "unit__path")
    )


GREEN, YELLOW = CardColour.GREEN, CardColour.YELLOW
