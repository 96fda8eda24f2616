"""Reading closed periods from their summary rows (`ledger/models/summaries.py`).

A page counting ratings or reports of a user's tasks of one year splits them in two:
the tasks of the ledgers the user sees whole (their office under
`permissions.whole_ledgers`), which the summary rows count, and the rest the user sees
(a county ledger's task led or helped by a unit under the office's host). Each count is
then exact in three parts:

1. summarised periods, tasks of the whole ledgers: the summary rows;
2. summarised periods, the rest: their raw rows;
3. every other period (the open one, a closed one without a summary): raw rows.

The split also gives the page a cheaper way to say "the user's tasks of the year"
(`Summarised.tasks`): the whole ledgers by office and year (an index), plus the few
others by id, instead of the visibility rule's three-way OR on every query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reformledger.ledger.models import RatingTally, ReportTally, Task
from reformledger.ledger.permissions import whole_ledgers

#: Past this many tasks outside the whole ledgers, they are not listed by id: the
#: visibility rule stands for them.
REST_LIMIT = 2000


@dataclass(frozen=True)
class Summarised:
    """Which periods of a page are read from summary rows (`period_ids`; `raw_ids` are
    its other periods), and for which tasks: those of `year` whose office is one of
    `offices` (every one of them among the page's tasks). `rest_ids` lists the page's
    other tasks, or is None when there are more than REST_LIMIT of them."""

    period_ids: frozenset[int]
    offices: frozenset[int]
    year: int
    raw_ids: frozenset[int] = frozenset()
    rest_ids: tuple[int, ...] | None = ()

    @property
    def whole(self) -> Q:
        """The ledgers counted by the summary rows, as a filter on a task or a row."""
        return Q(office_id__in=self.offices, year=self.year)

    def split(self, period_ids) -> tuple[list[int], list[int]]:
        """`period_ids` as (summarised, read raw)."""
        ids = list(period_ids)
        summed = [p for p in ids if p in self.period_ids]
        return summed, [p for p in ids if p not in self.period_ids]

    def tasks(self, tasks: QuerySet[Task]) -> QuerySet[Task]:
        """`tasks` (the page's: the user's of `year`), said by office and id."""
        if not self.offices or self.rest_ids is None:
            return tasks
        return Task.objects.filter(self.whole | Q(pk__in=self.rest_ids)).order_by()

    def rest(self, tasks: QuerySet[Task]) -> QuerySet[Task]:
        """The tasks the summary rows do not count."""
        if self.rest_ids is None:
            return tasks.exclude(self.whole)
        return Task.objects.filter(pk__in=self.rest_ids).order_by()

    def rating_tallies(self, period_ids: list[int], by: str) -> QuerySet[RatingTally]:
        """The rating rows of `period_ids` grouped `by` "lead_unit" or "area"."""
        return RatingTally.objects.filter(
            self.whole, period_id__in=period_ids, **{f"{by}__isnull": False}
        ).order_by()

    def report_tallies(self, period_ids: list[int]) -> QuerySet[ReportTally]:
        return ReportTally.objects.filter(self.whole, period_id__in=period_ids).order_by()


def summarised(
    user, tasks: QuerySet[Task], year: int, offices: dict[int, str], period_ids, raw_ids
) -> Summarised:
    """What the summary rows of `period_ids` (closed periods with a summary) stand for
    among `tasks`, `user`'s of `year`, whose offices are `offices` (id: path); `raw_ids`
    are the page's other periods. One query: the tasks outside the whole ledgers."""
    paths = whole_ledgers(user)
    whole = frozenset(o for o, path in offices.items() if path.startswith(paths or ("\0",)))
    if not whole:
        return Summarised(frozenset(), whole, year, frozenset(period_ids) | frozenset(raw_ids))
    rest = list(
        tasks.exclude(office_id__in=whole)
        .order_by("pk")
        .values_list("pk", flat=True)[: REST_LIMIT + 1]
    )
    rest_ids = tuple(rest) if len(rest) <= REST_LIMIT else None
    return Summarised(frozenset(period_ids), whole, year, frozenset(raw_ids), rest_ids)


def no_summaries(year: int = 0) -> Summarised:
    """Read every period raw."""
    return Summarised(frozenset(), frozenset(), year)
