"""The work inside an evaluation: a unit's self-assessment (自评) with its self-scores
and evidence; the team's scores (评分) of the leaf criteria with reasons and evidence;
the team's findings and recommendations (评估发现与建议); and, once closed, findings
set as action items tracked like orders (督办事项), through supervision's services."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now
from reformledger.core.exceptions import ConflictError
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import (
    EvaluationFileKind,
    EvaluationStatus,
    SelfAssessmentStatus,
)
from reformledger.evaluation.models import (
    Criterion,
    Evaluation,
    Finding,
    Score,
    SelfAssessment,
    SelfScore,
)
from reformledger.evaluation.services.common import link, locked, store_files, tell, text
from reformledger.ledger.models import Task
from reformledger.orgs.choices import OFFICE_ROLES
from reformledger.orgs.models import Unit
from reformledger.orgs.selectors import unit_members
from reformledger.supervision import services as supervision

__all__ = [
    "ScoreRow",
    "finding_add",
    "finding_remove",
    "findings_track",
    "score_set",
    "scores_set",
    "self_assessment_save",
]


def _number(value, field: str, where: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, TypeError, AttributeError) as exc:
        raise ValidationError({field: _("%(where)s: give a number.") % {"where": where}}) from exc


def _shown(value: Decimal) -> str:
    """101.00 → 101, 9.50 → 9.5."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _in_range(value: Decimal, criterion: Criterion, field: str) -> Decimal:
    """Refuse a score outside [0, the criterion's maximum], naming the criterion."""
    if value < 0 or value > criterion.max_score:
        raise ValidationError(
            {
                field: _("%(name)s is scored between 0 and %(max)s, not %(value)s.")
                % {
                    "name": criterion.name,
                    "max": _shown(criterion.max_score),
                    "value": _shown(value),
                }
            }
        )
    return value


def _leaves(evaluation: Evaluation) -> dict[int, Criterion]:
    criteria = list(evaluation.criteria.all())
    parents = {c.parent_id for c in criteria}
    return {c.pk: c for c in criteria if c.pk not in parents}


# --- self-assessments (自评) ------------------------------------------------------------


@transaction.atomic
def self_assessment_save(
    *,
    evaluation: Evaluation,
    unit: Unit,
    by,
    text_: str,
    self_scores: Mapping[int, object] | None = None,
    files=(),
    submit: bool = False,
) -> SelfAssessment:
    """Write (or rewrite) `unit`'s self-assessment with optional self-scores per criterion
    and evidence; `submit` hands it in to the office and the team (no change after)."""
    if not permissions.can_self_assess(by, evaluation, unit):
        raise permissions.PermissionDenied("self_assess not allowed")
    evaluation = locked(evaluation, EvaluationStatus.SELF_ASSESSMENT)
    body = text(text_, "text", _("Write what the unit did and achieved."))
    criteria = {c.pk: c for c in evaluation.criteria.all()}
    scores: dict[int, Decimal] = {}
    for key, raw in (self_scores or {}).items():
        if raw in (None, ""):
            continue
        criterion = criteria.get(int(key))
        if criterion is None:
            raise ValidationError(
                {"self_scores": _("A criterion of another evaluation was given.")}
            )
        scores[criterion.pk] = _in_range(
            _number(raw, "self_scores", criterion.name), criterion, "self_scores"
        )
    sa = SelfAssessment.objects.select_for_update().filter(evaluation=evaluation, unit=unit).first()
    if sa is not None and sa.status == SelfAssessmentStatus.SUBMITTED:
        raise ConflictError(_("%(unit)s's self-assessment was submitted already.") % {"unit": unit})
    created = sa is None
    if created:
        sa = SelfAssessment(evaluation=evaluation, unit=unit)
    sa.text = body
    sa.written_by = by
    sa.updated_at = business_now()
    if submit:
        sa.status = SelfAssessmentStatus.SUBMITTED
        sa.submitted_at = business_now()
    sa.save()
    sa.self_scores.all().delete()
    SelfScore.objects.bulk_create(
        [SelfScore(self_assessment=sa, criterion_id=k, value=v) for k, v in scores.items()]
    )
    stored = store_files(
        evaluation, files, by=by, kind=EvaluationFileKind.SELF_ASSESSMENT, self_assessment=sa
    )
    audit.record(
        actor=by,
        verb="self_assessment.submitted" if submit else "self_assessment.saved",
        obj=sa,
        ctx=evaluation,
        changes={
            "unit": str(unit),
            "self_scores": len(scores),
            "files": [f.original_name for f in stored],
        },
    )
    if submit:
        tell(
            unit_members(evaluation.office, list(OFFICE_ROLES)),
            key=f"evaluation:{evaluation.pk}:self_submitted:{unit.pk}",
            title=_("Self-assessment submitted: %(unit)s") % {"unit": unit},
            body=evaluation.title,
            link=link(evaluation, "self-assessments"),
        )
    return sa


# --- scores (评分) -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    """One leaf criterion's score as the scoring form gives it."""

    criterion: Criterion
    value: object
    reason: str
    files: Sequence = ()


def _put_score(evaluation: Evaluation, leaves, row: ScoreRow, by) -> tuple[Score, bool]:
    criterion = leaves.get(row.criterion.pk)
    if criterion is None:
        raise ValidationError(
            {
                "criterion": _(
                    "%(name)s is not a criterion to score in this evaluation (only the "
                    "lowest level is scored)."
                )
                % {"name": row.criterion.name}
            }
        )
    value = _in_range(_number(row.value, "value", criterion.name), criterion, "value")
    reason = text(
        row.reason,
        "reason",
        _("%(name)s: give the reason for the score.") % {"name": criterion.name},
    )
    score = Score.objects.select_for_update().filter(criterion=criterion).first()
    before = None if score is None else (str(score.value), score.reason)
    if score is None:
        score = Score(evaluation=evaluation, criterion=criterion)
    score.value = value
    score.reason = reason
    score.scored_by = by
    score.scored_at = business_now()
    score.save()
    changed = before != (str(score.value), score.reason)
    return score, changed


@transaction.atomic
def scores_set(*, evaluation: Evaluation, by, rows: Sequence[ScoreRow]) -> list[Score]:
    """A team member scores leaf criteria, each with its reason and evidence. A score
    outside [0, the criterion's maximum] refuses the whole set: nothing is written."""
    permissions.require(by, "score", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.SCORING)
    leaves = _leaves(evaluation)
    # Check every row before writing any.
    for row in rows:
        criterion = leaves.get(row.criterion.pk)
        if criterion is None:
            raise ValidationError(
                {
                    "criterion": _(
                        "%(name)s is not a criterion to score in this evaluation (only "
                        "the lowest level is scored)."
                    )
                    % {"name": row.criterion.name}
                }
            )
        _in_range(_number(row.value, "value", criterion.name), criterion, "value")
    written = []
    for row in rows:
        score, changed = _put_score(evaluation, leaves, row, by)
        stored = store_files(
            evaluation, row.files, by=by, kind=EvaluationFileKind.SCORE, score=score
        )
        if changed or stored:
            audit.record(
                actor=by,
                verb="score.set",
                obj=score,
                ctx=evaluation,
                changes={
                    "criterion": score.criterion.name,
                    "value": str(score.value),
                    "reason": score.reason,
                    "files": [f.original_name for f in stored],
                },
            )
        written.append(score)
    return written


def score_set(
    *, evaluation: Evaluation, criterion: Criterion, by, value, reason: str, files=()
) -> Score:
    """Score one leaf criterion (see `scores_set`)."""
    return scores_set(
        evaluation=evaluation,
        by=by,
        rows=[ScoreRow(criterion=criterion, value=value, reason=reason, files=files)],
    )[0]


# --- findings and recommendations (评估发现与建议) ------------------------------------------


@transaction.atomic
def finding_add(
    *,
    evaluation: Evaluation,
    by,
    text_: str,
    recommendation: str = "",
    unit: Unit | None = None,
    task: Task | None = None,
    files=(),
) -> Finding:
    """The team writes a finding with its recommendation, perhaps about one unit under
    evaluation and one task in the scope."""
    permissions.require(by, "score", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.SCORING)
    body = text(text_, "text", _("Write the finding."))
    if task is not None:
        from reformledger.evaluation.permissions import scope_tasks

        if not scope_tasks(evaluation).filter(pk=task.pk).exists():
            raise ValidationError({"task": _("The task is not in the evaluation's scope.")})
        if unit is None:
            unit = task.lead_unit
    task_units = (
        {task.lead_unit_id, *task.helping_units.values_list("pk", flat=True)} if task else set()
    )
    if (
        unit is not None
        and unit.pk not in task_units
        and not evaluation.units.filter(pk=unit.pk).exists()
    ):
        raise ValidationError({"unit": _("The unit is not under this evaluation.")})
    finding = Finding.objects.create(
        evaluation=evaluation,
        unit=unit,
        task=task,
        text=body,
        recommendation=(recommendation or "").strip(),
        written_by=by,
    )
    stored = store_files(evaluation, files, by=by, kind=EvaluationFileKind.FINDING, finding=finding)
    audit.record(
        actor=by,
        verb="finding.added",
        obj=finding,
        ctx=evaluation,
        changes={
            "text": finding.text,
            "recommendation": finding.recommendation,
            "unit": str(unit) if unit else None,
            "task": task.code if task else None,
            "files": [f.original_name for f in stored],
        },
    )
    return finding


@transaction.atomic
def finding_remove(*, finding: Finding, by) -> None:
    """The team withdraws a finding while scoring."""
    evaluation = finding.evaluation
    permissions.require(by, "score", evaluation)
    locked(evaluation, EvaluationStatus.SCORING)
    if finding.files.exists():
        finding.files.update(finding=None)
    audit.record(
        actor=by,
        verb="finding.removed",
        obj=evaluation,
        changes={"text": finding.text},
    )
    finding.delete()


@transaction.atomic
def findings_track(
    *,
    evaluation: Evaluation,
    by,
    rows: Sequence[tuple[Finding, dt.date]],
    held_on: dt.date,
    attendees: str,
) -> list[Finding]:
    """The office sets findings of a closed evaluation as action items tracked like orders
    (督办事项): recorded as the action items of a supervision meeting on the evaluation's
    rectification (整改督办), through supervision's own service, each item then followed,
    answered and accepted in supervision's pages. A finding must name its unit."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.CLOSED)
    if not rows:
        raise ValidationError({"findings": _("Choose the findings to track.")})
    actions = []
    findings = []
    for finding, deadline in rows:
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.evaluation_id != evaluation.pk:
            raise ValidationError({"findings": _("A finding of another evaluation was given.")})
        if finding.action_item_id is not None:
            raise ConflictError(
                _("A finding is tracked already: %(text)s") % {"text": finding.text[:40]}
            )
        if finding.unit_id is None:
            raise ValidationError(
                {
                    "findings": _("The finding “%(text)s” names no unit to answer it.")
                    % {"text": finding.text[:40]}
                }
            )
        demand = finding.recommendation or finding.text
        actions.append(
            supervision.ActionRow(
                unit=finding.unit, demand=demand, deadline=deadline, task=finding.task
            )
        )
        findings.append(finding)
    meeting = supervision.supervision_meeting_record(
        office=evaluation.office,
        by=by,
        held_on=held_on,
        topic=_("Rectification of the findings of “%(title)s”") % {"title": evaluation.title},
        attendees=attendees,
        minutes=evaluation.conclusion,
        tasks=[f.task for f in findings if f.task is not None],
        actions=actions,
    )
    items = list(meeting.action_items.order_by("id"))
    for finding, item in zip(findings, items, strict=True):
        finding.action_item = item
        finding.save(update_fields=["action_item"])
        audit.record(
            actor=by,
            verb="finding.tracked",
            obj=finding,
            ctx=evaluation,
            changes={"action_item": item.pk, "deadline": item.deadline, "unit": str(item.unit)},
        )
    return findings
