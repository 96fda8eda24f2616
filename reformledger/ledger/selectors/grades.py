"""Reads for filtering a ledger by rating (A–E, several at once, or not rated yet), the
same notion of "the task's rating" as the ledger's rating column (`ledger_ratings`)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext

from reformledger.ledger.choices import RatingLevel
from reformledger.ledger.models import Period, Rating, RatingGrade, Task

__all__ = ["GRADE_NONE", "GradeChoice", "grade_choices", "ratings_by_grade", "tasks_by_rating"]

#: The value that picks the tasks not rated yet, beside the grades.
GRADE_NONE = "none"


def _grade_in_force(levels: Iterable[str], letters: Iterable[str]) -> Q | None:
    """Ratings whose grade in force (the decision, else the suggestion) has one of
    `levels` or `letters`; None when both are empty."""
    levels, letters = list(levels), list(letters)
    if not levels and not letters:
        return None
    decided = Q(final__level__in=levels) | Q(final__letter__in=letters)
    suggested = Q(suggested__level__in=levels) | Q(suggested__letter__in=letters)
    return Q(final__isnull=False) & decided | Q(final__isnull=True) & suggested


def tasks_by_rating(
    tasks: QuerySet[Task],
    *,
    levels: Iterable[str] = (),
    letters: Iterable[str] = (),
    unrated: bool = False,
    as_of: Period | None = None,
) -> QuerySet[Task]:
    """The tasks of `tasks` whose rating in the ledger's rating column is of one of
    `levels` (`RatingLevel` values, the same on every office's scale) or `letters` (as
    each scale spells them), and with `unrated` those not rated yet.

    The column is the one `ledger_ratings` shows for `tasks`: the closed period `as_of`,
    else the latest period any of them has a rating in (every office's period that
    starts that day). "Not rated yet" is no rating in any period up to the column's: a
    task rated only in an earlier one (closed or cancelled since) is neither. So every
    task picked is rated in the column's period or never, `ledger_ratings` of the
    result finds the same column, and the letters shown are the ones asked for.
    No query of its own: the column is a subquery.
    """
    if as_of is not None:
        in_column = Q(period=as_of)
        up_to_column = Q(period__start__lte=as_of.start)
    else:
        latest = (
            Rating.objects.filter(task__in=tasks.order_by().values("pk"))
            .order_by("-period__start")
            .values("period__start")[:1]
        )
        in_column = Q(period__start=Subquery(latest))
        up_to_column = Q()  # no rating is later than the latest
    of_task = Rating.objects.filter(task=OuterRef("pk"))
    picked = Q(pk__in=[])
    grade = _grade_in_force(levels, letters)
    if grade is not None:
        picked |= Q(Exists(of_task.filter(in_column).filter(grade)))
    if unrated:
        picked |= ~Q(Exists(of_task.filter(up_to_column)))
    return tasks.filter(picked)


def ratings_by_grade(
    ratings: QuerySet[Rating], *, levels: Iterable[str] = (), letters: Iterable[str] = ()
) -> QuerySet[Rating]:
    """The ratings of `ratings` whose grade in force (the decision, else the suggestion)
    has one of `levels` or `letters`; none when both are empty. No query of its own."""
    grade = _grade_in_force(levels, letters)
    return ratings.filter(grade) if grade is not None else ratings.none()


@dataclass(frozen=True)
class GradeChoice:
    """One choice of the ledger's rating filter: a level (or "none") and its letters."""

    value: str
    letters: tuple[str, ...]
    label: str


def grade_choices(tasks: QuerySet[Task]) -> list[GradeChoice]:
    """What a ledger page offers to filter by rating: each level, best first, labelled
    with the letters the scales of the listed tasks' offices and years give it (e.g.
    "D Seriously behind"), then "not rated yet". One query."""
    letters: dict[str, list[str]] = {}
    grades = (
        # EXISTS per scale (a few rows), stopping at the first listed task of its
        # ledger, rather than collecting the offices and years of every listed task.
        RatingGrade.objects.filter(
            Exists(
                tasks.order_by().filter(
                    office=OuterRef("scale__office"), year=OuterRef("scale__year")
                )
            )
        )
        .order_by("letter")
        .values_list("level", "letter")
    )
    for level, letter in grades:
        if letter not in letters.setdefault(level, []):
            letters[level].append(letter)
    choices = []
    for level in RatingLevel:
        shown = tuple(letters.get(level.value, ()))
        label = f"{'/'.join(shown)} {level.label}" if shown else str(level.label)
        choices.append(GradeChoice(level.value, shown, label))
    return [*choices, GradeChoice(GRADE_NONE, (), gettext("Not rated yet"))]
