"""The A–E suggestion (项目进度ABCDE五级评价), as a pure function of a task's facts.

No database here: `ratings` services gather the facts, this module decides, so the
rules can be read in one place and tested by properties. Each rule says which
level it implies; the suggestion is the worst level any rule implies, so one
more overdue day can only make it worse. The thresholds come from the year's
`RatingScale` (data), never from constants in code.

Reasons are `Reason` values (an English message and its values), not finished
sentences: a rating is stored once and read by people in either language, so
the words are chosen when it is shown (`reason_text`), not when it is computed.

Levels, best to worst (DOMAIN step 4, defaults in brackets):
- ahead (A): closed, or every milestone due so far reached and the next one too;
- on schedule (B): behind plan by less than [10] points, no milestone overdue;
- slightly behind (C): [10–30] points behind, or a milestone overdue by at most
  [30] days, none of them key;
- seriously behind (D): more than [30] points behind, a milestone overdue by more
  than [30] days, or a key milestone overdue;
- stalled (E): not started [30] days after its planned start, no report for [2]
  periods, or marked blocked.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

from reformledger.ledger.choices import LEVEL_SEVERITY, NotRatedReason, RatingLevel, TaskStatus

#: Levels by severity, best first (`RatingLevel.values` is rebuilt on every access).
_BY_SEVERITY = tuple(sorted(LEVEL_SEVERITY, key=LEVEL_SEVERITY.__getitem__))


@dataclass(frozen=True)
class Reason:
    """One reason for a suggestion: a message id (marked for translation) and its values."""

    msg: str
    args: dict = field(default_factory=dict, hash=False, compare=True)

    def __str__(self) -> str:
        return reason_text(self.as_json())

    def as_json(self) -> dict:
        """The form a `Rating.reasons` list stores."""
        return {"msg": self.msg, "args": dict(self.args)}


def reason_text(item: dict | str) -> str:
    """A stored reason in the active language. Plain strings (written by hand) pass as is."""
    if isinstance(item, str):
        return item
    msg, args = item.get("msg", ""), item.get("args") or {}
    try:
        return gettext(msg) % args
    except (KeyError, TypeError, ValueError):
        # A broken translation must not hide the reason: fall back to the English.
        return msg % args


@dataclass(frozen=True)
class MilestoneFact:
    title: str
    planned_date: dt.date
    weight: int
    is_key: bool = False
    reached_on: dt.date | None = None


@dataclass(frozen=True)
class Thresholds:
    """The numbers of a rating scale (see `RatingScale`)."""

    on_schedule_max_behind: int = 10
    slightly_behind_max_behind: int = 30
    slightly_behind_max_overdue_days: int = 30
    stalled_missing_periods: int = 2
    stalled_not_started_days: int = 30


@dataclass(frozen=True)
class TaskFacts:
    """What the engine needs to know about one task at one rating date."""

    on: dt.date
    start_date: dt.date
    milestones: tuple[MilestoneFact, ...]
    reported_percent: int | None = None  # the latest report's percent, if any
    periods_without_report: int = 0  # consecutive past periods with no report
    closed: bool = False
    blocked: bool = False


@dataclass
class Suggestion:
    level: str
    reasons: list[Reason] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """The reasons in the active language."""
        return [str(r) for r in self.reasons]


@dataclass(frozen=True)
class NotRated:
    """A task of a period's ledger that the period does not rate, and why."""

    task_id: int
    code: str
    title: str
    reason: str  # a NotRatedReason value
    start_date: dt.date | None = None

    @property
    def label(self) -> str:
        """The reason in the active language."""
        return str(NotRatedReason(self.reason).label)


#: What becomes of a task that is not being worked on, by its status.
_NOT_WORKED = {
    TaskStatus.CANCELLED: NotRatedReason.CANCELLED,
    TaskStatus.CARRIED_OVER: NotRatedReason.CARRIED_OVER,
}


def not_rated_reason(
    *,
    status: str,
    start_date: dt.date,
    on: dt.date,
    period_start: dt.date,
    has_plan: bool,
    closed_on: dt.date | None = None,
) -> str | None:
    """Why a task is not rated in a period (a `NotRatedReason` value), or None when it
    is: a task in progress or blocked that has begun by the rating date `on`, or one
    closed in the period or later (`closed_on`, the day its closing was approved).

    The one rule of which tasks a period rates: computing it and the rating board
    both ask it, so the board names the same reason the computation gave.
    """
    if status == TaskStatus.CLOSED:
        closed_on = closed_on or period_start
        return NotRatedReason.CLOSED if closed_on < period_start else None
    if status == TaskStatus.PLANNING:
        return NotRatedReason.PLANNING if has_plan else NotRatedReason.NO_PLAN
    if status in _NOT_WORKED:
        return _NOT_WORKED[status]
    if start_date > on:
        return NotRatedReason.NOT_STARTED
    return None


def planned_percent(facts: TaskFacts) -> int:
    """Progress the plan expects by the rating date: weights of milestones due by then."""
    return sum(m.weight for m in facts.milestones if m.planned_date <= facts.on)


def achieved_percent(facts: TaskFacts) -> int:
    """Progress achieved: the reported percent, or the weights of milestones reached by
    the rating date, whichever is more (a reached milestone is proven progress)."""
    reached = sum(
        m.weight for m in facts.milestones if m.reached_on is not None and m.reached_on <= facts.on
    )
    return max(reached, facts.reported_percent or 0)


def _reached(m: MilestoneFact, on: dt.date) -> bool:
    return m.reached_on is not None and m.reached_on <= on


def suggest(facts: TaskFacts, limits: Thresholds) -> Suggestion:
    """The suggested level for a task at `facts.on`, with its reasons."""
    on = facts.on
    planned, achieved = planned_percent(facts), achieved_percent(facts)
    behind = planned - achieved
    summary = {"planned": planned, "achieved": achieved, "behind": max(behind, 0)}

    if facts.closed:
        return Suggestion(
            RatingLevel.AHEAD, [Reason(gettext_noop("The task is closed (销账)."))], summary
        )

    found: list[tuple[str, Reason]] = []  # (level, reason)

    # Stalled.
    if facts.blocked:
        found.append((RatingLevel.STALLED, Reason(gettext_noop("The task is marked blocked."))))
    if facts.periods_without_report >= limits.stalled_missing_periods:
        found.append(
            (
                RatingLevel.STALLED,
                Reason(
                    gettext_noop("No progress report for %(n)s periods in a row."),
                    {"n": facts.periods_without_report},
                ),
            )
        )
    started = achieved > 0 or any(_reached(m, on) for m in facts.milestones)
    idle_days = (on - facts.start_date).days
    if not started and idle_days > limits.stalled_not_started_days:
        found.append(
            (
                RatingLevel.STALLED,
                Reason(
                    gettext_noop("Not started %(days)s days after its planned start (%(start)s)."),
                    {"days": idle_days, "start": facts.start_date.isoformat()},
                ),
            )
        )

    # Overdue milestones.
    for m in facts.milestones:
        if m.planned_date >= on or _reached(m, on):
            continue
        days = (on - m.planned_date).days
        words = {"title": m.title, "days": days, "date": m.planned_date.isoformat()}
        if m.is_key:
            level = RatingLevel.SERIOUSLY_BEHIND
            msg = gettext_noop("Key milestone “%(title)s” (due %(date)s) is %(days)s days overdue.")
        else:
            level = (
                RatingLevel.SERIOUSLY_BEHIND
                if days > limits.slightly_behind_max_overdue_days
                else RatingLevel.SLIGHTLY_BEHIND
            )
            msg = gettext_noop("Milestone “%(title)s” (due %(date)s) is %(days)s days overdue.")
        found.append((level, Reason(msg, words)))

    # Points behind plan.
    points = {"behind": behind, "planned": planned, "achieved": achieved}
    behind_msg = gettext_noop(
        "%(behind)s points behind plan (plan %(planned)s%%, achieved %(achieved)s%%)."
    )
    if behind > limits.slightly_behind_max_behind:
        found.append((RatingLevel.SERIOUSLY_BEHIND, Reason(behind_msg, points)))
    elif behind >= limits.on_schedule_max_behind:
        found.append((RatingLevel.SLIGHTLY_BEHIND, Reason(behind_msg, points)))

    if found:
        worst = max(LEVEL_SEVERITY[level] for level, _reason in found)
        level = _BY_SEVERITY[worst]
        # Show the reasons for the level chosen first, then the milder ones.
        ordered = sorted(found, key=lambda f: -LEVEL_SEVERITY[f[0]])
        return Suggestion(level, [reason for _lvl, reason in ordered], summary)

    due = [m for m in facts.milestones if m.planned_date <= on]
    upcoming = [m for m in facts.milestones if m.planned_date > on]
    if upcoming and all(_reached(m, on) for m in due):
        # "The next one": every milestone of the next planned date (two may share it).
        next_date = min(m.planned_date for m in upcoming)
        following = [m for m in upcoming if m.planned_date == next_date]
        if all(_reached(m, on) for m in following):
            return Suggestion(
                RatingLevel.AHEAD,
                [
                    Reason(
                        gettext_noop(
                            "Ahead: the next milestone “%(title)s” (due %(date)s) is already "
                            "reached."
                        ),
                        {"title": following[0].title, "date": next_date.isoformat()},
                    )
                ],
                summary,
            )
    if not upcoming and facts.milestones and all(_reached(m, on) for m in facts.milestones):
        return Suggestion(
            RatingLevel.AHEAD,
            [Reason(gettext_noop("Every milestone of the plan is reached."))],
            summary,
        )
    return Suggestion(
        RatingLevel.ON_SCHEDULE,
        [
            Reason(
                gettext_noop(
                    "On schedule: plan %(planned)s%%, achieved %(achieved)s%%, no milestone "
                    "overdue."
                ),
                points,
            )
        ],
        summary,
    )
