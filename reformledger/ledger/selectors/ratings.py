"""Reads of periods and ratings: the rating board, a task's rating path, the ledger's
rating column "as of" a closed period. Scoped to the user and joined, so a page costs
the same number of queries however many rows it shows."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from reformledger.ledger.choices import PeriodStatus, RatingStatus
from reformledger.ledger.models import Period, Rating, RatingScale, Task
from reformledger.ledger.permissions import OFFICE, visible_tasks
from reformledger.ledger.rating_engine import reason_text
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import scopes_of, under_any

__all__ = [
    "LedgerRatings",
    "board_counts",
    "closed_periods",
    "ledger_ratings",
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
    return Period.objects.filter(
        Q(office__in=visible_tasks(user).order_by().values("office")) | under_any("office", paths)
    ).select_related("office")


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


def _in_force(letter: str) -> Q:
    return Q(final__letter=letter) | Q(final__isnull=True, suggested__letter=letter)


def rating_board(
    user,
    period: Period,
    *,
    area=None,
    lead_unit: Unit | None = None,
    grade: str = "",
    state: str = "",
) -> QuerySet[Rating]:
    """The rows of the rating board: the period's ratings of visible tasks, filtered,
    with everything a row shows joined."""
    rows = visible_ratings(user).filter(period=period)
    if area is not None:
        rows = rows.filter(task__area=area)
    if lead_unit is not None:
        rows = rows.filter(under_any("task__lead_unit", (lead_unit.path,)))
    if grade:
        rows = rows.filter(_in_force(grade))
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


def board_counts(user, period: Period) -> dict:
    """How many of the period's visible ratings stand at each letter (the decision if
    there is one, else the suggestion), how many are decided, and the total; one query."""
    grades: dict[str, int] = {}
    decided = total = 0
    rows = (
        visible_ratings(user)
        .filter(period=period)
        .order_by()
        .values("status", "final__letter", "suggested__letter")
        .annotate(n=Count("pk"))
        .values_list("status", "final__letter", "suggested__letter", "n")
    )
    for status, final, suggested, n in rows:
        letter = final or suggested
        grades[letter] = grades.get(letter, 0) + n
        total += n
        if status != RatingStatus.SUGGESTED:
            decided += n
    return {"grades": grades, "decided": decided, "total": total}


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
    Two queries whatever the page's length.
    """
    if as_of is not None:
        start, period_q = as_of.start, Q(period=as_of)
    else:
        start = Rating.objects.filter(task__in=tasks.order_by().values("pk")).aggregate(
            latest=Max("period__start")
        )["latest"]
        if start is None:
            return LedgerRatings()
        period_q = Q(period__start=start)
    ratings = list(
        Rating.objects.filter(period_q, task__in=[t.pk for t in page]).select_related(
            "period", "suggested", "final"
        )
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
