"""The A–E rating (项目进度ABCDE五级评价): scales, suggestions and the leader's decision.

The engine (`ledger.rating_engine`) decides; this module gathers the facts it needs
from the ledger, stores its suggestion as a `Rating` row, and records an office
leader's confirmation or override. A suggestion is recomputed freely while its
period is open and nobody has decided it; a decided rating is never recomputed,
so the facts the leader saw stay beside the decision.

A closed task (销账) is rated in the periods up to the one it closed in (there it is
done: A), and those ratings are decided as any; a period that began after its closing
neither rates it (a ValidationError on "task" naming the closing, as for any task
not rated) nor decides a rating of it (`TaskClosedError`) until it is reopened.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now, business_today
from reformledger.core.exceptions import ConflictError
from reformledger.ledger import permissions
from reformledger.ledger.choices import (
    ClosingStatus,
    PlanStatus,
    RatingLevel,
    RatingStatus,
    ReportStatus,
    TaskStatus,
)
from reformledger.ledger.models import (
    ClosingRequest,
    Milestone,
    Period,
    Plan,
    ProgressReport,
    Rating,
    RatingGrade,
    RatingScale,
    Task,
)
from reformledger.ledger.rating_engine import (
    MilestoneFact,
    NotRated,
    TaskFacts,
    Thresholds,
    not_rated_reason,
    suggest,
)
from reformledger.ledger.services.periods import require_open
from reformledger.ledger.services.tasks import TaskClosedError
from reformledger.orgs.models import Unit

__all__ = [
    "DEFAULT_GRADES",
    "RATABLE_STATUSES",
    "THRESHOLD_FIELDS",
    "NotRated",
    "PeriodRun",
    "rating_compute",
    "rating_confirm",
    "rating_override",
    "ratings_compute_period",
    "ratings_confirm_untouched",
    "scale_for",
    "scale_update",
    "thresholds_of",
]

#: The grades of the default ABCDE scale: (level, letter, name, English name, colour).
DEFAULT_GRADES = (
    (RatingLevel.AHEAD, "A", "完成/超前", "Done or ahead", "#198754"),
    (RatingLevel.ON_SCHEDULE, "B", "正常推进", "On schedule", "#0d6efd"),
    (RatingLevel.SLIGHTLY_BEHIND, "C", "略有滞后", "Slightly behind", "#b7791f"),
    (RatingLevel.SERIOUSLY_BEHIND, "D", "严重滞后", "Seriously behind", "#d9480f"),
    (RatingLevel.STALLED, "E", "停滞", "Stalled", "#7f1d1d"),
)

#: The numbers of a scale that `scale_update` changes, with their allowed range.
THRESHOLD_FIELDS = {
    "on_schedule_max_behind": (1, 100),
    "slightly_behind_max_behind": (1, 100),
    "slightly_behind_max_overdue_days": (0, 366),
    "stalled_missing_periods": (1, 12),
    "stalled_not_started_days": (0, 366),
}

#: Tasks rated in a period; closed tasks only in the period they closed in.
RATABLE_STATUSES = (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.CLOSED)

_BATCH = 1000


class Suggestion(NamedTuple):
    """An engine's suggestion ready to store: a `Rating`'s suggestion fields, without
    the cost of a model instance per task (a period rates tens of thousands)."""

    task_id: int
    suggested_id: int
    reasons: list
    facts: dict


@dataclass(frozen=True)
class PeriodRun:
    """What computing a period's suggestions did: how many it wrote, how many decided
    ratings it kept, how many stale suggestions it removed, and each task it did not
    rate with the reason (by code)."""

    computed: int
    kept: int = 0
    removed: int = 0
    skipped: list[NotRated] = field(default_factory=list)


# --- scales ------------------------------------------------------------------


def _grades_text(scale: RatingScale) -> list[str]:
    return [f"{g.letter} {g.name}" for g in scale.grades.all()]


def scale_for(office: Unit, year: int, *, by=None) -> RatingScale:
    """The rating scale of an office's year (grades prefetched), creating the default
    ABCDE scale with its five grades if the year has none (audited, "scale.created")."""
    found = RatingScale.objects.filter(office=office, year=year).prefetch_related("grades").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            scale = RatingScale.objects.create(office=office, year=year)
            RatingGrade.objects.bulk_create(
                RatingGrade(
                    scale=scale, level=level, letter=letter, name=name, name_en=en, colour=colour
                )
                for level, letter, name, en, colour in DEFAULT_GRADES
            )
            audit.record(
                actor=by,
                verb="scale.created",
                obj=scale,
                changes={
                    "year": [None, year],
                    **{f: [None, getattr(scale, f)] for f in THRESHOLD_FIELDS},
                    "grades": [None, [f"{g[1]} {g[2]}" for g in DEFAULT_GRADES]],
                },
            )
    except IntegrityError:
        pass  # created by someone else at the same moment; theirs is the scale
    return RatingScale.objects.prefetch_related("grades").get(office=office, year=year)


def thresholds_of(scale: RatingScale) -> Thresholds:
    """The engine's numbers, read from the scale (data, not code)."""
    return Thresholds(**{f: getattr(scale, f) for f in THRESHOLD_FIELDS})


@transaction.atomic
def scale_update(*, scale: RatingScale, by, **thresholds: int) -> RatingScale:
    """Change the thresholds of a year's scale (office leaders). Ratings already stored
    keep the numbers that produced them (in their facts); the next computation uses
    the new ones."""
    if not permissions.can_run_office(by, scale.office, leader=True):
        raise PermissionDenied("scale_update")
    unknown = set(thresholds) - set(THRESHOLD_FIELDS)
    if unknown:
        raise TypeError(f"unknown thresholds: {sorted(unknown)}")
    scale = RatingScale.objects.select_for_update().get(pk=scale.pk)
    before = {f: getattr(scale, f) for f in THRESHOLD_FIELDS}
    after = {**before, **thresholds}
    errors: dict[str, list[str]] = {}
    for name, value in after.items():
        low, high = THRESHOLD_FIELDS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.setdefault(name, []).append(
                _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
    if not errors and after["slightly_behind_max_behind"] < after["on_schedule_max_behind"]:
        errors["slightly_behind_max_behind"] = [
            _("“Slightly behind” cannot end before “on schedule” does (%(n)s points).")
            % {"n": after["on_schedule_max_behind"]}
        ]
    if errors:
        raise ValidationError(errors)
    delta = audit.diff(before, after)
    if not delta:
        return RatingScale.objects.prefetch_related("grades").get(pk=scale.pk)
    for name, value in after.items():
        setattr(scale, name, value)
    scale.save(update_fields=list(THRESHOLD_FIELDS))
    audit.record(actor=by, verb="scale.updated", obj=scale, changes=delta)
    return RatingScale.objects.prefetch_related("grades").get(pk=scale.pk)


# --- gathering the facts ---------------------------------------------------------


def _rating_date(period: Period, today: dt.date) -> dt.date:
    if period.start > today:
        raise ValidationError(
            {
                "period": _("The period %(period)s has not begun; it cannot be rated yet.")
                % {"period": period.label}
            }
        )
    return min(period.end, today)


def _build(
    period: Period,
    tasks: QuerySet[Task],
    scale: RatingScale,
    today: dt.date,
) -> tuple[list[Suggestion], dict[int, NotRated]]:
    """Unsaved suggestions for the ratable ones of `tasks` in `period`, and the tasks
    that are not ratable there, each with its reason (by task id).

    A constant number of queries whatever the number of tasks: the tasks, the
    approved plans' milestones, the latest report of each task, the approved
    closings, and the year's periods, each read once in bulk.
    """
    on = _rating_date(period, today)
    limits = thresholds_of(scale)
    numbers = asdict(limits)
    grade_of = {g.level: g for g in scale.grades.all()}
    missing = [level for level in RatingLevel.values if level not in grade_of]
    if missing:
        raise ValidationError(
            {"scale": _("The rating scale has no grade for: %(levels)s.") % {"levels": missing}}
        )

    # The latest submitted or accepted report of each task up to this period, found
    # by the database (two small index lookups per task) rather than by reading
    # every report of the year.
    reported = ProgressReport.objects.filter(
        task=OuterRef("pk"),
        period__office=period.office_id,
        period__year=period.year,
        period__number__lte=period.number,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
    ).order_by("-period__number")
    approved = Plan.objects.filter(task=OuterRef("pk"), status=PlanStatus.APPROVED)
    rows = list(
        tasks.filter(office=period.office_id, year=period.year)
        .order_by()
        .annotate(
            last_number=Subquery(reported.values("period__number")[:1]),
            last_percent=Subquery(reported.values("percent")[:1]),
            has_plan=Exists(approved),
        )
        .values_list(
            "pk",
            "code",
            "title",
            "start_date",
            "status",
            "updated_at",
            "last_number",
            "last_percent",
            "has_plan",
        )
    )
    in_tasks = {"plan__task__in": tasks.order_by().values("pk")}

    milestones: dict[int, list[MilestoneFact]] = {}
    # Read through the cursor: the drivers give dates, booleans and integers as they
    # are, and Django's per-value converters were a good part of a period's run.
    sql, params = (
        Milestone.objects.filter(plan__status=PlanStatus.APPROVED, **in_tasks)
        .order_by("plan__task_id", "order", "planned_date", "pk")
        .values_list("plan__task_id", "title", "planned_date", "weight", "is_key", "reached_on")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for task_id, title, planned, weight, key, reached in cursor.fetchall():
            milestones.setdefault(task_id, []).append(
                MilestoneFact(title, planned, weight, bool(key), reached)
            )

    closed_on: dict[int, dt.date] = {}
    for task_id, decided_at in (
        ClosingRequest.objects.filter(
            status=ClosingStatus.APPROVED,
            task__status=TaskStatus.CLOSED,
            task__in=tasks.order_by().values("pk"),
        )
        .order_by()
        .values_list("task_id", "decided_at")
    ):
        if decided_at is not None:
            day = timezone.localdate(decided_at)
            closed_on[task_id] = max(day, closed_on.get(task_id, day))

    # Periods whose report was due before the rating date: (number, end), oldest first.
    due_periods = list(
        Period.objects.filter(
            office=period.office_id,
            year=period.year,
            number__lte=period.number,
            report_due__lt=on,
        )
        .order_by("number")
        .values_list("number", "end")
    )

    zone = timezone.get_current_timezone()  # looked up once, not per closed task
    silent_memo: dict[tuple[dt.date, int | None], int] = {}
    ratings: list[Suggestion] = []
    not_ratable: dict[int, NotRated] = {}
    for row in rows:
        task_id, code, title, start_date, status, updated_at, last_number, last_percent = row[:8]
        day = None
        if status == TaskStatus.CLOSED:
            # Without an approved closing request (rows written directly), the last
            # change of the task is the best date there is.
            day = closed_on.get(task_id) or timezone.localdate(updated_at, zone)
        reason = not_rated_reason(
            status=status,
            start_date=start_date,
            on=on,
            period_start=period.start,
            has_plan=row[8],
            closed_on=day,
        )
        if reason is not None:
            not_ratable[task_id] = NotRated(task_id, code, title, reason, start_date)
            continue
        closed = day is not None and day <= on  # closed later: in this period still open
        silent = silent_memo.get((start_date, last_number))
        if silent is None:  # tasks share start dates and last reports: count once each
            silent = silent_memo[start_date, last_number] = sum(
                1
                for number, end in due_periods
                if end >= start_date and (last_number is None or number > last_number)
            )
        facts = TaskFacts(
            on=on,
            start_date=start_date,
            milestones=tuple(milestones.get(task_id, ())),
            reported_percent=last_percent,
            periods_without_report=silent,
            closed=closed,
            blocked=status == TaskStatus.BLOCKED,
        )
        found = suggest(facts, limits)
        ratings.append(
            Suggestion(
                task_id,
                grade_of[found.level].pk,
                [r.as_json() for r in found.reasons],
                _facts_json(facts, found.facts, numbers, last_number),
            )
        )
    return ratings, not_ratable


def _facts_json(facts: TaskFacts, summary: dict, numbers: dict, reported: int | None) -> dict:
    """What produced a suggestion, as the rating stores and the pages show it."""
    return {
        "on": facts.on.isoformat(),
        "start_date": facts.start_date.isoformat(),
        **summary,
        "reported_percent": facts.reported_percent,
        "reported_period": reported,  # the number of the period of the latest report
        "periods_without_report": facts.periods_without_report,
        "closed": facts.closed,
        "blocked": facts.blocked,
        "milestones": [
            {
                "title": m.title,
                "planned_date": m.planned_date.isoformat(),
                "weight": m.weight,
                "is_key": m.is_key,
                "reached_on": m.reached_on.isoformat() if m.reached_on else None,
            }
            for m in facts.milestones
        ],
        "thresholds": numbers,
    }


def excluded_differs(table: str, columns: list[str]) -> str:
    """The condition of an upsert's `DO UPDATE … WHERE` that lets a row be rewritten only
    when one of `columns` (quoted names) differs from the row offered, NULLs compared as
    values: IS DISTINCT FROM on PostgreSQL, NOT (a IS b) on SQLite."""
    if connection.vendor == "postgresql":
        mine = ", ".join(f"{table}.{c}" for c in columns)
        theirs = ", ".join(f"excluded.{c}" for c in columns)
        return f"({mine}) IS DISTINCT FROM ({theirs})"
    return " OR ".join(f"NOT ({table}.{c} IS excluded.{c})" for c in columns)


def _upsert_sql() -> str:
    """One rating's upsert: inserted as a suggestion, or its suggestion fields updated
    when the suggestion changed; the decision fields are not in the update, and decided
    ratings never get here."""
    qn = connection.ops.quote_name
    meta = Rating._meta
    col = {name: qn(meta.get_field(name).column) for name in ("task", "period", "suggested")}
    col |= {name: qn(name) for name in ("reasons", "facts", "computed_at", "status")}
    col["override_reason"] = qn("override_reason")
    table = qn(meta.db_table)
    json_value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    updated = ", ".join(
        f"{col[name]} = excluded.{col[name]}"
        for name in ("suggested", "reasons", "facts", "computed_at")
    )
    # A suggestion computed again as it was is left as it is (its time included): a
    # period computed again after a few reports rewrites only the ratings they move,
    # and the leader's "confirm every untouched suggestion" still matches what the
    # board showed.
    moved = excluded_differs(table, [col[n] for n in ("suggested", "reasons", "facts")])
    # Only names from the model go into the text; values are parameters.
    return (
        f"INSERT INTO {table} ({', '.join(col.values())}) "  # noqa: S608
        f"VALUES (%s, %s, %s, {json_value}, {json_value}, %s, %s, %s) "
        f"ON CONFLICT ({col['task']}, {col['period']}) DO UPDATE SET {updated} WHERE {moved}"
    )


def _save_suggestions(suggestions: list[Suggestion], period: Period) -> None:
    # Plain executemany of one upsert: the ORM's bulk_create prepares every value of
    # every field through the field classes, most of a period's run at 20,000 tasks.
    computed_at = connection.ops.adapt_datetimefield_value(business_now())
    dumps = json.JSONEncoder().encode  # what JSONField stores (no encoder of its own)
    sql = _upsert_sql()
    with connection.cursor() as cursor:
        for i in range(0, len(suggestions), _BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        s.task_id,
                        period.pk,
                        s.suggested_id,
                        dumps(s.reasons),
                        dumps(s.facts),
                        computed_at,
                        RatingStatus.SUGGESTED.value,
                        "",
                    )
                    for s in suggestions[i : i + _BATCH]
                ],
            )


# --- closed tasks ----------------------------------------------------------------


def _closed_on(task_id: int) -> dt.date | None:
    """The day a closed task closed: its latest approved closing request, else its last
    change (rows written directly); None when it is not closed."""
    status, updated_at = Task.objects.filter(pk=task_id).values_list("status", "updated_at").get()
    if status != TaskStatus.CLOSED:
        return None
    decided = (
        ClosingRequest.objects.filter(task_id=task_id, status=ClosingStatus.APPROVED)
        .order_by("-decided_at")
        .values_list("decided_at", flat=True)
        .first()
    )
    return timezone.localdate(decided or updated_at)


def _require_rated_while_open(task_id: int, period: Period) -> None:
    """Refuse a rating act on a task closed before `period` began (TaskClosedError)."""
    closed = _closed_on(task_id)
    if closed is not None and closed < period.start:
        raise TaskClosedError(Task.objects.get(pk=task_id))


# --- computing -----------------------------------------------------------------


@transaction.atomic
def rating_compute(*, task: Task, period: Period, by=None) -> Rating:
    """Compute (or recompute) the suggestion for one task in one period.

    A decided rating is returned unchanged. A task that is not rated in the period
    (planning, cancelled, carried over, not yet started, closed before it) is a
    ValidationError on "task"; a closed period one on "period".
    """
    if by is not None:
        permissions.require(by, "suggest_rating", task)
    if task.office_id != period.office_id or task.year != period.year:
        raise ValidationError(
            {"period": _("The period belongs to another ledger or year than the task.")}
        )
    require_open(period)
    existing = Rating.objects.select_for_update().filter(task=task, period=period).first()
    if existing is not None and existing.status != RatingStatus.SUGGESTED:
        return existing
    scale = scale_for(period.office, period.year, by=by)
    ratings, skipped = _build(period, Task.objects.filter(pk=task.pk), scale, business_today())
    if not ratings:
        why = skipped[task.pk].label if task.pk in skipped else ""
        raise ValidationError(
            {
                "task": _(
                    "The task is not rated in %(period)s (%(why)s): only tasks in progress, "
                    "blocked, or closed in the period are."
                )
                % {"period": period.label, "why": why}
            }
        )
    _save_suggestions(ratings, period)
    rating = Rating.objects.select_related("suggested", "period").get(task=task, period=period)
    old = existing.suggested.letter if existing else None
    audit.record(
        actor=by,
        verb="rating.computed",
        obj=rating,
        ctx=task,
        changes={"suggested": [old, rating.suggested.letter], "period": [None, period.label]},
    )
    return rating


@transaction.atomic
def ratings_compute_period(*, period: Period, by=None) -> PeriodRun:
    """Compute the suggestions of every ratable task of the period's ledger in one run;
    returns how many were written and every task it did not rate, with the reason (no
    approved plan, not yet started, closed before the period, cancelled…). Decided
    ratings are kept as they are; suggestions left from tasks no longer rated
    (cancelled, carried over since) are removed.

    The period is locked for the run, so no decision lands half-way. One audit
    record ("ratings.computed") with the counts, the skipped ones by reason among them.
    """
    if by is not None and not permissions.can_run_office(by, period.office):
        raise PermissionDenied("ratings_compute_period")
    require_open(period)
    scale = scale_for(period.office, period.year, by=by)
    existing = dict(Rating.objects.filter(period=period).values_list("task_id", "status"))
    decided = {t for t, status in existing.items() if status != RatingStatus.SUGGESTED}
    tasks = Task.objects.filter(office=period.office_id, year=period.year)
    ratings, not_ratable = _build(period, tasks, scale, business_today())
    ratings = [r for r in ratings if r.task_id not in decided]
    _save_suggestions(ratings, period)
    # Usually none or a few: suggestions of tasks cancelled or carried over since.
    stale = [t for t, status in existing.items() if t in not_ratable and t not in decided]
    removed = 0
    for i in range(0, len(stale), _BATCH):
        removed += Rating.objects.filter(
            period=period, status=RatingStatus.SUGGESTED, task__in=stale[i : i + _BATCH]
        ).delete()[0]
    letters = {g.pk: g.letter for g in scale.grades.all()}
    grades = Counter(letters[r.suggested_id] for r in ratings)
    skipped = sorted(not_ratable.values(), key=lambda n: n.code)
    audit.record(
        actor=by,
        verb="ratings.computed",
        obj=period,
        changes={
            "computed": [None, len(ratings)],
            "kept_decided": [None, len(decided)],
            "removed": [None, removed],
            "grades": [None, dict(sorted(grades.items()))],
            "not_rated": [None, dict(sorted(Counter(n.reason for n in skipped).items()))],
        },
    )
    return PeriodRun(computed=len(ratings), kept=len(decided), removed=removed, skipped=skipped)


# --- deciding ------------------------------------------------------------------


def _open_undecided(rating: Rating) -> Rating:
    """Lock the period (first, as every act on it does) and the rating; refuse if the
    period is closed, the task closed before it, the rating already decided, or its
    suggestion changed since the caller read it (the leader decides on what they saw)."""
    require_open(rating.period)
    _require_rated_while_open(rating.task_id, rating.period)
    status, suggested_id, final_id = (
        Rating.objects.select_for_update()
        .filter(pk=rating.pk)
        .values_list("status", "suggested_id", "final_id")
        .get()
    )
    if status != RatingStatus.SUGGESTED:
        final = RatingGrade.objects.filter(pk=final_id).values_list("letter", flat=True).first()
        raise ConflictError(
            _("This rating was already decided (%(grade)s); the act was not repeated.")
            % {"grade": final or "?"}
        )
    if suggested_id != rating.suggested_id:
        raise ConflictError(
            _("The suggestion was recomputed since you read it; look at it again and decide.")
        )
    return rating


@transaction.atomic
def rating_confirm(*, rating: Rating, by) -> Rating:
    """An office leader confirms the suggestion: it becomes the rating, both are kept."""
    permissions.require(by, "decide_rating", rating.task)
    rating = _open_undecided(rating)
    rating.final_id = rating.suggested_id
    rating.status = RatingStatus.CONFIRMED
    rating.decided_by, rating.decided_at = by, business_now()
    rating.override_reason = ""
    rating.save(update_fields=["final", "status", "decided_by", "decided_at", "override_reason"])
    letter = RatingGrade.objects.values_list("letter", flat=True).get(pk=rating.final_id)
    audit.record(
        actor=by,
        verb="rating.confirmed",
        obj=rating,
        ctx=rating.task,
        changes={"rating": [None, letter], "period": [None, rating.period.label]},
    )
    return rating


@transaction.atomic
def rating_override(*, rating: Rating, by, grade: RatingGrade, reason: str) -> Rating:
    """An office leader sets another grade than the suggestion, with a written reason;
    the suggestion and its reasons are kept beside it."""
    permissions.require(by, "decide_rating", rating.task)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Say why the suggestion is overridden.")]
    if grade is None or grade.scale_id != rating.suggested.scale_id:
        errors["grade"] = [_("Choose a grade of this rating's scale.")]
    elif grade.pk == rating.suggested_id:
        errors["grade"] = [_("That is the suggested grade; confirm it instead.")]
    if errors:
        raise ValidationError(errors)
    rating = _open_undecided(rating)
    suggested = rating.suggested.letter
    rating.final = grade
    rating.status = RatingStatus.OVERRIDDEN
    rating.override_reason = reason.strip()
    rating.decided_by, rating.decided_at = by, business_now()
    rating.save(update_fields=["final", "status", "decided_by", "decided_at", "override_reason"])
    audit.record(
        actor=by,
        verb="rating.overridden",
        obj=rating,
        ctx=rating.task,
        changes={"rating": [suggested, grade.letter], "period": [None, rating.period.label]},
        reason=rating.override_reason,
    )
    return rating


@transaction.atomic
def ratings_confirm_untouched(
    *,
    period: Period,
    by,
    expected: int | None = None,
    computed_by: dt.datetime | None = None,
) -> list[Rating]:
    """An office leader confirms, in one act, every suggestion of the period nobody has
    decided yet (确认全部未调整的建议等级): each becomes the rating as `rating_confirm`
    makes it, with one audit record per task. Overridden and already confirmed ratings
    are left as they are. Returns the ratings confirmed.

    The leader confirms what the board showed: with `expected` (how many were waiting)
    or `computed_by` (when the latest of them was computed), a count that changed or a
    suggestion recomputed since is a conflict and nothing is confirmed.
    """
    if not permissions.can_run_office(by, period.office, leader=True):
        raise PermissionDenied("ratings_confirm_untouched")
    require_open(period)  # locks the period: no computation lands half-way
    ratings = list(
        Rating.objects.select_for_update(of=("self",))
        .filter(period=period, status=RatingStatus.SUGGESTED)
        .select_related("task", "period", "suggested")
        .order_by("task__code", "pk")
    )
    if expected is not None and len(ratings) != expected:
        raise ConflictError(
            _(
                "%(now)s suggestions wait to be decided now, not %(seen)s as you read; "
                "nothing was confirmed. Look at the board again."
            )
            % {"now": len(ratings), "seen": expected}
        )
    if computed_by is not None and any(r.computed_at > computed_by for r in ratings):
        raise ConflictError(
            _("Suggestions were recomputed since you read them; nothing was confirmed.")
        )
    if not ratings:
        return []
    now = business_now()
    for i in range(0, len(ratings), _BATCH):
        Rating.objects.filter(pk__in=[r.pk for r in ratings[i : i + _BATCH]]).update(
            final=F("suggested"),
            status=RatingStatus.CONFIRMED,
            decided_by=by,
            decided_at=now,
            override_reason="",
        )
    for rating in ratings:
        rating.final = rating.suggested
        rating.status = RatingStatus.CONFIRMED
        rating.decided_by, rating.decided_at = by, now
        audit.record(
            actor=by,
            verb="rating.confirmed",
            obj=rating,
            ctx=rating.task,
            changes={
                "rating": [None, rating.suggested.letter],
                "period": [None, period.label],
                "confirmed_together": [None, len(ratings)],
            },
        )
    return ratings
