"""The reads of evaluations (改革评估), scoped to the user and joined: the list (filtered,
sorted), one evaluation's criteria tree with its scores rolled up, its page, the
scope's tasks for the team, the teams, the dashboard's counts, and the findings the
annual assessment counts. Every list is a fixed number of queries whatever its length."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from reformledger.audit.models import AuditRecord
from reformledger.audit.selectors import history_of
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import EvaluationStatus
from reformledger.evaluation.models import (
    Criterion,
    Evaluation,
    EvaluationFile,
    EvaluationTeam,
    Finding,
    TeamMember,
)
from reformledger.evaluation.scoring import Node, rolled_up
from reformledger.ledger.choices import RatingStatus
from reformledger.ledger.models import (
    ClosingRequest,
    Evidence,
    Milestone,
    ProgressReport,
    Rating,
    Task,
)

__all__ = [
    "EVALUATION_SORTS",
    "CriterionLine",
    "EvaluationScores",
    "evaluation_counts",
    "evaluation_detail",
    "evaluation_history",
    "evaluation_list",
    "evaluation_scores",
    "findings_for_assessment",
    "scores_by_criterion",
    "team_list",
]

#: The sorts a list accepts, each with its columns; "-" reverses.
EVALUATION_SORTS = {
    "title": ("title", "id"),
    "kind": ("kind", "title", "id"),
    "status": ("status", "title", "id"),
    "year": ("year", "kind", "title", "id"),
    "team": ("team__name", "title", "id"),
}


def findings_for_assessment(*, office, year: int) -> QuerySet[Finding]:
    """The findings the annual assessment (年度考核) counts against units: those of the
    office's closed evaluations of the year that name a unit, joined."""
    return (
        Finding.objects.filter(
            evaluation__office=office,
            evaluation__year=year,
            evaluation__status=EvaluationStatus.CLOSED,
            unit__isnull=False,
        )
        .select_related("evaluation", "unit", "task")
        .order_by("evaluation_id", "id")
    )


# --- the criteria tree and its scores --------------------------------------------------


@dataclass
class CriterionLine:
    """One criterion in tree order: its depth, score (leaves), rolled-up score on a
    100-point scale, and whether it is scored directly (a leaf)."""

    criterion: Criterion
    depth: int
    is_leaf: bool
    score: object = None  # Score | None
    rolled: Decimal | None = None

    @property
    def path_name(self) -> str:
        return self.criterion.name


@dataclass
class EvaluationScores:
    """An evaluation's criteria in tree order with their scores, the leaves not scored
    yet, and the weighted total (None until every leaf is scored)."""

    lines: list[CriterionLine] = field(default_factory=list)
    total: Decimal | None = None

    @property
    def missing(self) -> list[Criterion]:
        return [line.criterion for line in self.lines if line.is_leaf and line.score is None]

    @property
    def top(self) -> list[CriterionLine]:
        return [line for line in self.lines if line.depth == 0]


def _scores_of(criteria: list[Criterion]) -> EvaluationScores:
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for c in sorted(criteria, key=lambda c: (c.order, c.pk)):
        children[c.parent_id].append(c)
    scores = {}
    for c in criteria:
        try:
            scores[c.pk] = c.score
        except Criterion.score.RelatedObjectDoesNotExist:
            scores[c.pk] = None
    rolled, total = rolled_up(
        [Node(c.pk, c.parent_id, c.name, c.weight, c.max_score) for c in criteria],
        {pk: s.value for pk, s in scores.items() if s is not None},
    )
    lines: list[CriterionLine] = []

    def walk(parent, depth):
        for c in children.get(parent, []):
            leaf = c.pk not in children
            lines.append(
                CriterionLine(
                    criterion=c,
                    depth=depth,
                    is_leaf=leaf,
                    score=scores[c.pk] if leaf else None,
                    rolled=rolled.get(c.pk),
                )
            )
            walk(c.pk, depth + 1)

    walk(None, 0)
    return EvaluationScores(lines=lines, total=total)


def _criteria_with_scores():
    return Criterion.objects.select_related("score", "score__scored_by").order_by("order", "id")


def evaluation_scores(evaluation: Evaluation) -> EvaluationScores:
    """The evaluation's criteria tree with its scores rolled up (two queries at most; none
    when the criteria were prefetched with their scores)."""
    cache = getattr(evaluation, "_prefetched_objects_cache", {})
    if "criteria" in cache:
        criteria = list(evaluation.criteria.all())
    else:
        criteria = list(_criteria_with_scores().filter(evaluation=evaluation))
    return _scores_of(criteria)


def evaluation_total(evaluation: Evaluation) -> Decimal | None:
    """The stored total of a closed evaluation, else the total computed from its scores."""
    if evaluation.total_score is not None:
        return evaluation.total_score
    return evaluation_scores(evaluation).total


# --- the list --------------------------------------------------------------------------


def evaluation_list(
    user,
    *,
    kind: str | None = None,
    status: str | None = None,
    year: int | None = None,
    q: str | None = None,
    order: str = "year",
) -> QuerySet[Evaluation]:
    """The evaluations the user sees, filtered and sorted, joined with their office,
    team and period, with their criteria and scores prefetched (for the totals)."""
    rows = permissions.visible_evaluations(user).select_related("office", "team", "period")
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(year=year)
    if q:
        rows = rows.filter(
            Q(title__icontains=q) | Q(team__name__icontains=q) | Q(tasks__code__icontains=q)
        ).distinct()
    desc = order.startswith("-")
    columns = EVALUATION_SORTS.get(order.lstrip("-"), EVALUATION_SORTS["year"])
    if order.lstrip("-") == "year" and not desc:
        columns = ("-year", "kind", "title", "id")
    rows = rows.order_by(*(f"-{c}" if desc and not c.startswith("-") else c for c in columns))
    return rows.annotate(
        findings_count=Count("findings", distinct=True),
    ).prefetch_related(Prefetch("criteria", queryset=_criteria_with_scores()))


def with_totals(evaluations) -> list[Evaluation]:
    """Set `total` on each evaluation of a prefetched list (no query)."""
    rows = list(evaluations)
    for e in rows:
        e.total = (
            e.total_score if e.total_score is not None else _scores_of(list(e.criteria.all())).total
        )
    return rows


# --- one evaluation ------------------------------------------------------------------------


@dataclass
class EvaluationDetail:
    """What an evaluation's page shows, read in a fixed number of queries."""

    evaluation: Evaluation
    scores: EvaluationScores
    areas: list
    tasks: list
    pilots: list
    units: list
    self_assessments: list
    findings: list
    survey: list
    files: list
    members: list
    reads_all: bool

    @property
    def total(self) -> Decimal | None:
        if self.evaluation.total_score is not None:
            return self.evaluation.total_score
        return self.scores.total

    def chart(self) -> dict:
        """The top-level criteria's scores on a 100-point scale, as the dashboard's bar
        chart draws them (`web/static/web/dashboard.js`, kind "bars"); the page shows
        the same figures in a table."""
        lines = self.scores.top
        return {
            "kind": "bars",
            "categories": [line.criterion.name for line in lines],
            "series": [
                {
                    "name": _("Score"),
                    "title": _("Score (of 100)"),
                    "colour": "#0d6efd",
                    "values": [
                        float(line.rolled) if line.rolled is not None else 0 for line in lines
                    ],
                }
            ],
        }


def evaluation_detail(user, pk: int) -> EvaluationDetail:
    """One evaluation the user sees (Evaluation.DoesNotExist otherwise) with all its page
    shows; a unit under evaluation reads only its own self-assessment and, once closed,
    the findings about it."""
    evaluation = (
        permissions.visible_evaluations(user)
        .select_related("office", "team", "period", "template", "created_by", "closed_by")
        .get(pk=pk)
    )
    reads_all = permissions.can(user, "read_all", evaluation)
    sas = (
        permissions.visible_self_assessments(user)
        .filter(evaluation=evaluation)
        .select_related("unit", "written_by")
        .prefetch_related("self_scores__criterion", "files")
    )
    findings = (
        permissions.visible_findings(user)
        .filter(evaluation=evaluation)
        .select_related("unit", "task", "action_item", "written_by")
        .prefetch_related("files")
    )
    files = EvaluationFile.objects.none()
    if reads_all:
        files = evaluation.files.select_related("uploaded_by")
    return EvaluationDetail(
        evaluation=evaluation,
        scores=(
            evaluation_scores(evaluation)
            if reads_all or evaluation.is_closed
            else _blind_scores(evaluation)
        ),
        areas=list(evaluation.areas.all()),
        tasks=list(evaluation.tasks.select_related("lead_unit", "area")),
        pilots=list(evaluation.pilots.select_related("host_unit")),
        units=list(evaluation.units.order_by("path")),
        self_assessments=list(sas),
        findings=list(findings),
        survey=list(evaluation.survey_results.all()) if reads_all else [],
        files=list(files),
        members=list(TeamMember.objects.filter(team_id=evaluation.team_id).select_related("user"))
        if reads_all
        else [],
        reads_all=reads_all,
    )


def criteria_lines(evaluation: Evaluation) -> list[CriterionLine]:
    """The evaluation's criteria in tree order without the team's scores."""
    return _blind_scores(evaluation).lines


def _blind_scores(evaluation: Evaluation) -> EvaluationScores:
    """The criteria without the team's scores: what a unit under an open evaluation sees
    (to self-score against the same guide)."""
    criteria = list(Criterion.objects.filter(evaluation=evaluation).order_by("order", "id"))
    for c in criteria:
        c._state.fields_cache["score"] = None
    result = _scores_of(criteria)
    return result


def evaluation_history(evaluation: Evaluation) -> QuerySet[AuditRecord]:
    """The evaluation's audit records (its acts, criteria, scores, self-assessments,
    findings, files), oldest first."""
    return history_of(evaluation).order_by("at", "id")


# --- teams -----------------------------------------------------------------------------------


def team_list(user) -> QuerySet[EvaluationTeam]:
    """The teams of the offices the user manages, with their members and how many
    evaluations each has."""
    return (
        permissions.visible_teams(user)
        .select_related("office")
        .annotate(evaluation_count=Count("evaluations", distinct=True))
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMember.objects.select_related("user"))
        )
        .order_by("name")
    )


# --- the dashboard -----------------------------------------------------------------------------


def evaluation_counts(user, year: int | None = None) -> dict[tuple[str, str], int]:
    """How many evaluations the user sees, by (kind, status)."""
    rows = permissions.visible_evaluations(user)
    if year:
        rows = rows.filter(year=year)
    return {
        (r["kind"], r["status"]): r["n"]
        for r in rows.values("kind", "status").annotate(n=Count("id")).order_by()
    }


def scores_by_criterion(user, year: int | None = None) -> list[tuple[str, Decimal, int]]:
    """The average score (100-point scale) of each top-level criterion across the closed
    evaluations the user reads in full, by criterion name: (name, average, evaluations)."""
    rows = permissions.readable_evaluations(user).filter(status=EvaluationStatus.CLOSED)
    if year:
        rows = rows.filter(year=year)
    criteria = list(_criteria_with_scores().filter(evaluation__in=rows.values("pk")))
    by_eval: dict[int, list[Criterion]] = defaultdict(list)
    for c in criteria:
        by_eval[c.evaluation_id].append(c)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    counts: Counter = Counter()
    order: list[str] = []
    for items in by_eval.values():
        for line in _scores_of(items).top:
            if line.rolled is None:
                continue
            name = line.criterion.name
            if name not in sums:
                order.append(name)
            sums[name] += line.rolled
            counts[name] += 1
    return [(n, (sums[n] / counts[n]).quantize(Decimal("0.1")), counts[n]) for n in order]


# --- the scope, as the team reads it -----------------------------------------------------------


def scope_view(user, evaluation: Evaluation) -> list[Task]:
    """The tasks of the evaluation's scope the user reads (none unless they read the
    evaluation in full), each with its approved plan's milestones (`scope_milestones`),
    its submitted reports, decided ratings, closings and evidence, prefetched: a fixed
    number of queries whatever the number of tasks."""
    tasks = (
        permissions.visible_scope_tasks(user, evaluation)
        .select_related("lead_unit", "area")
        .prefetch_related(
            Prefetch(
                "plans__milestones",
                queryset=Milestone.objects.order_by("order", "planned_date", "id"),
            ),
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.exclude(status="draft")
                .select_related("period")
                .order_by("period__start", "id"),
            ),
            Prefetch(
                "ratings",
                queryset=Rating.objects.exclude(status=RatingStatus.SUGGESTED)
                .select_related("period", "final")
                .order_by("period__start", "id"),
            ),
            Prefetch("closings", queryset=ClosingRequest.objects.order_by("requested_at", "id")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
        )
        .order_by("code")
    )
    rows = list(tasks)
    for task in rows:
        approved = [p for p in task.plans.all() if p.status == "approved"]
        task.scope_milestones = list(approved[0].milestones.all()) if approved else []
    return rows
