"""The next acts of evaluations (待办), added to the ledger's through its hook
(`ledger.selectors.next_acts.register_next_acts`, in EvaluationConfig.ready):

- a team member: evaluations of their team open to scoring with a criterion still to
  score (or returned by the office);
- a unit's liaison or head: evaluations taking self-assessments whose unit has not
  submitted its own;
- office staff and leaders: evaluations submitted for review, to return or close.

Each kind is one queryset (counted with the others in one query) and one query for
the rows shown.
"""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from reformledger.evaluation.choices import EvaluationStatus, SelfAssessmentStatus
from reformledger.evaluation.models import Criterion, Evaluation, SelfAssessment, TeamMember
from reformledger.ledger.selectors.next_acts import NextAct, NextActContext, Source, first_rows
from reformledger.orgs.choices import Role
from reformledger.orgs.permissions import under_any

__all__ = ["evaluation_sources"]


def _url(evaluation: Evaluation, anchor: str = "") -> str:
    url = reverse("evaluation:detail", args=[evaluation.pk])
    return f"{url}#{anchor}" if anchor else url


def _to_score(context: NextActContext) -> Source:
    member = TeamMember.objects.filter(team_id=OuterRef("team_id"), user=context.user)
    unscored = Criterion.objects.filter(
        evaluation=OuterRef("pk"), children__isnull=True, score__isnull=True
    )
    due = Evaluation.objects.filter(Exists(member), status=EvaluationStatus.SCORING).filter(
        Exists(unscored)
    )

    def show(e: Evaluation) -> NextAct:
        detail = (
            _("returned: %(reason)s") % {"reason": e.return_reason}
            if e.return_reason
            else _("score every criterion, then submit for review")
        )
        return NextAct(e.title, reverse("evaluation:score", args=[e.pk]), detail)

    return Source(
        "evaluation_to_score", _("Criteria to score"), due, first_rows(due, (), ("due", "pk"), show)
    )


def _self_assessment_due(context: NextActContext, paths: tuple[str, ...]) -> Source:
    done = SelfAssessment.objects.filter(
        evaluation=OuterRef("evaluation_id"),
        unit=OuterRef("unit_id"),
        status=SelfAssessmentStatus.SUBMITTED,
    )
    rows = Evaluation.units.through.objects.filter(
        under_any("unit", paths), evaluation__status=EvaluationStatus.SELF_ASSESSMENT
    ).filter(~Exists(done))

    def show(row) -> NextAct:
        e = row.evaluation
        detail = (
            _("%(unit)s: due %(date)s") % {"unit": row.unit, "date": e.self_assessment_due}
            if e.self_assessment_due
            else str(row.unit)
        )
        late = bool(e.self_assessment_due and e.self_assessment_due < context.today)
        return NextAct(
            e.title,
            reverse("evaluation:self_assessment", args=[e.pk, row.unit_id]),
            detail,
            late=late,
        )

    return Source(
        "evaluation_self_assessment_due",
        _("Self-assessments to submit"),
        rows,
        first_rows(rows, ("evaluation", "unit"), ("evaluation__self_assessment_due", "pk"), show),
    )


def _to_review(paths: tuple[str, ...]) -> Source:
    due = Evaluation.objects.filter(under_any("office", paths), status=EvaluationStatus.REVIEW)

    def show(e: Evaluation) -> NextAct:
        return NextAct(e.title, _url(e, "acts"), _("return it to the team or close it"))

    return Source(
        "evaluation_to_review",
        _("Evaluations to review and close"),
        due,
        first_rows(due, (), ("due", "pk"), show),
    )


def evaluation_sources(context: NextActContext) -> list[Source]:
    """The evaluation kinds waiting for the context's user, by role."""
    sources: list[Source] = []
    # Team members are outside evaluators and the office's own people.
    if context.paths(Role.EVALUATOR, Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_to_score(context))
    if units := context.paths(Role.UNIT_REPORTER, Role.UNIT_HEAD):
        sources.append(_self_assessment_due(context, units))
    if office := context.paths(Role.OFFICE_ADMIN, Role.OFFICE_LEADER):
        sources.append(_to_review(office))
    return sources
