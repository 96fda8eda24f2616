"""Reads of periods and ratings: the rating board, a task's rating path, the ledger's
rating column "as of" a closed period. Scoped to the user and joined, so a page costs
the same number of queries however many rows it shows."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from reformledger.core.clock import business_today
from reformledger.ledger.choices import (
    ClosingStatus,
    NotRatedReason,
    PeriodStatus,
    PlanStatus,
    RatingStatus,
    TaskStatus,
)
from reformledger.ledger.models import ClosingRequest, Period, Plan, Rating, RatingScale, Task
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.ledger.rating_engine import NotRated, not_rated_reason, reason_text
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

__all__ = [
    "LedgerRatings",
    "Untouched",
    "board_counts",
    "closed_periods",
    "ledger_ratings",
    "not_rated",
    "rating_board",
    "rating_path",
    "reason_texts",
    "scale_of",
    "visible_periods",
    "visible_ratings",
]


def visible_periods(user) -> QuerySet[Period]:
    """Periods of the ledgers a user works or reads: offices they are staff of, and
    offices whose tasks they see."""
    paths = scopes_of(user).paths(*OFFICE)
    # EXISTS per period, not `office IN (offices of the visible tasks)`: the latter reads
    # every visible task; this stops at the first one of each office (its index).
    # The offices worked come first: PostgreSQL evaluates OR in the order written, and
    # for office staff the EXISTS (which it may read as one pass over the visible
    # tasks) is then never needed.
    seen = visible_tasks(user).filter(office=OuterRef("office")).order_by()
    return Period.objects.filter(under_any("office", paths) | Exists(seen)).select_related("office")


def scale_of(period: Period) -> RatingScale | None:
    """The period's year's scale with its grades, if it has one (never created here)."""
    return (
        RatingScale.objects.filter(office=period.office_id, year=period.year)
        .prefetch_related("grades")
        .first()
    )


def visible_ratings(user) -> QuerySet[Rating]:
    """Ratings of the tasks a user sees."""
    return Rating.objects.filter(task__in=visible_tasks(user).order_by().values("pk"))


def _in_force(letters: Iterable[str]) -> Q:
    letters = list(letters)
    return Q(final__letter__in=letters) | Q(final__isnull=True, suggested__letter__in=letters)


def rating_board(
    user,
    period: Period,
    *,
    area=None,
    lead_unit: Unit | None = None,
    grades: Iterable[str] = (),
    state: str = "",
) -> QuerySet[Rating]:
    """The rows of the rating board: the period's ratings of visible tasks, filtered
    (by one grade in force or several), with everything a row shows joined."""
    rows = visible_ratings(user).filter(period=period)
    if area is not None:
        rows = rows.filter(task__area=area)
    if lead_unit is not None:
        rows = rows.filter(under_any("task__lead_unit", (lead_unit.path,)))
    grades = [g for g in grades if g]
    if grades:
        rows = rows.filter(_in_force(grades))
    if state:
        rows = rows.filter(status=state)
    return rows.select_related(
        "task",
        "task__area",
        "task__lead_unit",
        "period",
        "suggested",
        "final",
        "decided_by",
    ).order_by("task__code", "pk")


def not_rated(user, period: Period, *, area=None, lead_unit: Unit | None = None) -> list[NotRated]:
    """The visible tasks of the period's ledger with no rating in it, each with the
    reason (`rating_engine.not_rated_reason`, the rule computing follows: no approved
    plan, not yet started, closed before the period, cancelled…; or ratable but not
    computed since), by code. None before the period begins. One query."""
    today = business_today()
    if period.start > today:
        return []
    on = min(period.end, today)
    tasks = visible_tasks(user).filter(office=period.office_id, year=period.year)
    if area is not None:
        tasks = tasks.filter(area=area)
    if lead_unit is not None:
        tasks = tasks.filter(under_any("lead_unit", (lead_unit.path,)))
    closed = ClosingRequest.objects.filter(task=OuterRef("pk"), status=ClosingStatus.APPROVED)
    rows = (
        tasks.exclude(pk__in=Rating.objects.filter(period=period).values("task_id"))
        .order_by("code", "pk")
        .annotate(
            has_plan=Exists(Plan.objects.filter(task=OuterRef("pk"), status=PlanStatus.APPROVED)),
            closed_at=Subquery(closed.order_by("-decided_at").values("decided_at")[:1]),
        )
        .values_list(
            "pk", "code", "title", "start_date", "status", "updated_at", "has_plan", "closed_at"
        )
    )
    found = []
    for pk, code, title, start, status, updated_at, has_plan, closed_at in rows:
        closed_on = None
        if status == TaskStatus.CLOSED:
            closed_on = timezone.localdate(closed_at or updated_at)
        reason = not_rated_reason(
            status=status,
            start_date=start,
            on=on,
            period_start=period.start,
            has_plan=has_plan,
            closed_on=closed_on,
        )
        found.append(NotRated(pk, code, title, reason or NotRatedReason.NOT_COMPUTED, start))
    return found


@dataclass
class Untouched:
    """The period's suggestions nobody has decided yet: how many, how many of each
    letter, and when the latest of them was computed (what "confirm them all" rests on)."""

    count: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    latest: object = None  # datetime of the latest computation among them

    @property
    def spread(self) -> str:
        """ "A 3, B 5, E 1": the letters to be confirmed, for the confirmation question."""
        return ", ".join(f"{letter} {n}" for letter, n in sorted(self.grades.items()))


def board_counts(user, period: Period) -> dict:
    """How many of the period's visible ratings stand at each letter (the decision if
    there is one, else the suggestion), how many are decided, the total, and the
    suggestions still untouched (`Untouched`); one query."""
    grades: dict[str, int] = {}
    decided = total = 0
    untouched = Untouched()
    rows = (
        visible_ratings(user)
        .filter(period=period)
        .order_by()
        .values("status", "final__letter", "suggested__letter")
        .annotate(n=Count("pk"), latest=Max("computed_at"))
        .values_list("status", "final__letter", "suggested__letter", "n", "latest")
    )
    for status, final, suggested, n, latest in rows:
        letter = final or suggested
        grades[letter] = grades.get(letter, 0) + n
        total += n
        if status != RatingStatus.SUGGESTED:
            decided += n
        else:
            untouched.count += n
            untouched.grades[suggested] = untouched.grades.get(suggested, 0) + n
            if untouched.latest is None or latest > untouched.latest:
                untouched.latest = latest
    return {"grades": grades, "decided": decided, "total": total, "untouched": untouched}


def reason_texts(ratings: Iterable[Rating]) -> list[Rating]:
    """Give each rating its reasons in the active language (`rating.reason_texts`)."""
    ratings = list(ratings)
    for rating in ratings:
        rating.reason_texts = [reason_text(r) for r in rating.reasons]
    return ratings


def rating_path(task: Task) -> list[Rating]:
    """A task's rating period by period (its path), oldest first."""
    return list(
        Rating.objects.filter(task=task)
        .select_related("period", "suggested", "final")
        .order_by("period__start", "pk")
    )


def closed_periods(user, year: int | None = None) -> list[Period]:
    """Closed periods of the ledgers a user sees (newest first): the "as of" choices."""
    rows = visible_periods(user).filter(status=PeriodStatus.CLOSED)
    if year:
        rows = rows.filter(year=year)
    return list(rows.order_by("-start", "office__path"))


@dataclass
class LedgerRatings:
    """The ledger's rating column: which period it shows and each task's rating there."""

    label: str = ""  # the period shown, e.g. 2016-06; empty when no task has a rating
    as_of: Period | None = None  # a closed period the ledger is shown as of
    frozen: bool = False  # every rating shown belongs to a closed period
    by_task: dict[int, Rating] = field(default_factory=dict)


def ledger_ratings(tasks: QuerySet[Task], page: list[Task], as_of: Period | None) -> LedgerRatings:
    """The ratings of the tasks on one ledger page.

    As of a closed period: that period's ratings. Otherwise the latest period any
    of the (filtered) tasks has a rating in: one task's ledger may be another
    office's, so the rating is the one of that task's period starting that day.
    At most four queries whatever the page's length (none for an empty page).
    """
    if as_of is not None:
        start, period_q = as_of.start, Q(period=as_of)
    else:
        if not page:
            return LedgerRatings()
        # The latest period in which a listed task is rated. The page's own tasks give
        # a first answer cheaply (their ratings, by task); then only newer periods are
        # asked whether one of their ratings is of a listed task, newest first, the
        # first answer ending it. MAX over every listed task's ratings read all the
        # ratings of the ledger.
        start = Rating.objects.filter(task__in=[t.pk for t in page]).aggregate(
            latest=Max("period__start")
        )["latest"]
        listed = tasks.order_by().filter(pk=OuterRef("task_id"))
        newer = Period.objects.filter(
            Exists(Rating.objects.filter(Exists(listed), period=OuterRef("pk")))
        )
        # Usually no period anywhere starts later (the page's tasks are rated in the
        # latest one): a look at the periods alone saves asking about the listed tasks.
        if start is None or Period.objects.filter(start__gt=start).exists():
            if start is not None:
                newer = newer.filter(start__gt=start)
            start = newer.order_by("-start").values_list("start", flat=True).first() or start
        if start is None:
            return LedgerRatings()
        period_q = Q(period__start=start)
    # The column shows the grade and whether it is decided: the facts and reasons (a
    # few kilobytes of JSON each) are left unread.
    ratings = list(
        Rating.objects.filter(period_q, task__in=[t.pk for t in page])
        .select_related("period", "suggested", "final")
        .defer("facts", "reasons")
    )
    label = as_of.label if as_of else (ratings[0].period.label if ratings else "")
    if not label:
        label = f"{start.year}-{start.month:02d}"
    frozen = bool(as_of) or (bool(ratings) and all(r.period.is_frozen for r in ratings))
    return LedgerRatings(
        label=label,
        as_of=as_of,
        frozen=frozen,
        by_task={r.task_id: r for r in ratings},
    )
