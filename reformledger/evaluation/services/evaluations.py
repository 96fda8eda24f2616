"""The life of an evaluation (评估): created by the office with its scope, team and a
copy of a criteria template (draft), opened to the units' self-assessments (自评),
opened to scoring (评分), submitted by the team for review, returned with a reason
or closed by the office (办结) with the total it closed with. Each act checks the
permission, locks the evaluation, refuses a wrong state (ConflictError: 409) and
writes its audit record in the same transaction."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.core.clock import business_now
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import (
    CRITERIA_EDITABLE,
    EvaluationKind,
    EvaluationStatus,
)
from reformledger.evaluation.models import CriteriaTemplate, Evaluation, EvaluationTeam
from reformledger.evaluation.scoring import Node, check_weights
from reformledger.evaluation.selectors import evaluation_scores
from reformledger.evaluation.services.common import link, locked, move, tell, text
from reformledger.evaluation.services.criteria import criteria_copy
from reformledger.ledger.models import Period, ReformArea, Task
from reformledger.orgs.choices import Role
from reformledger.orgs.models import Unit
from reformledger.orgs.selectors import unit_members
from reformledger.pilots.models import Pilot

__all__ = [
    "EVALUATION_FIELDS",
    "evaluation_close",
    "evaluation_create",
    "evaluation_open_scoring",
    "evaluation_return",
    "evaluation_start",
    "evaluation_submit",
    "evaluation_update",
]

#: Fields of an evaluation that `evaluation_update` changes.
EVALUATION_FIELDS = (
    "title",
    "description",
    "period",
    "team",
    "self_assessment_due",
    "due",
)
SCOPE_FIELDS = ("areas", "tasks", "pilots")


def _check_scope(office: Unit, year: int, kind: str, areas, tasks, pilots, period, team) -> None:
    if kind not in EvaluationKind.values:
        raise ValidationError({"kind": _("Choose the kind of evaluation.")})
    for task in tasks:
        if task.office_id != office.pk:
            raise ValidationError(
                {"tasks": _("%(task)s is not a task of this office.") % {"task": task.code}}
            )
    for pilot in pilots:
        if pilot.office_id != office.pk:
            raise ValidationError(
                {"pilots": _("%(pilot)s is not a pilot of this office.") % {"pilot": pilot.code}}
            )
    if kind == EvaluationKind.SPECIAL and not tasks:
        raise ValidationError({"tasks": _("A special evaluation evaluates at least one task.")})
    if kind == EvaluationKind.COMPREHENSIVE and not areas:
        raise ValidationError(
            {"areas": _("A comprehensive evaluation covers at least one reform area.")}
        )
    if not (areas or tasks or pilots):
        raise ValidationError({"tasks": _("Give the evaluation's scope: areas, tasks or pilots.")})
    if period is not None and period.office_id != office.pk:
        raise ValidationError({"period": _("The period is not one of this office's ledger.")})
    if team is not None and team.office_id != office.pk:
        raise ValidationError({"team": _("The team is not one of this office's teams.")})


def _units_under(office: Unit, year: int, areas, tasks, pilots) -> list[Unit]:
    """The units under evaluation: the lead units of its tasks, of the office's tasks of
    the year in its areas, and the host units of its pilots."""
    ids = {t.lead_unit_id for t in tasks}
    if areas:
        ids |= set(
            Task.objects.filter(
                office=office, year=year, area__in=list(areas), parent__isnull=True
            ).values_list("lead_unit_id", flat=True)
        )
    ids |= {p.host_unit_id for p in pilots}
    return list(Unit.objects.filter(pk__in=ids, is_active=True))


@transaction.atomic
def evaluation_create(
    *,
    office: Unit,
    by,
    year: int,
    kind: str,
    title: str,
    template: CriteriaTemplate,
    team: EvaluationTeam | None = None,
    period: Period | None = None,
    areas: Iterable[ReformArea] = (),
    tasks: Iterable[Task] = (),
    pilots: Iterable[Pilot] = (),
    description: str = "",
    self_assessment_due: dt.date | None = None,
    due: dt.date | None = None,
) -> Evaluation:
    """Create an evaluation as a draft: its kind, scope and team, and its criteria copied
    from `template` (adjustable until scoring starts)."""
    permissions.require_office(by, office)
    if office.kind != "office":
        raise ValidationError({"office": _("An evaluation belongs to a reform office.")})
    areas, tasks, pilots = list(areas), list(tasks), list(pilots)
    _check_scope(office, year, kind, areas, tasks, pilots, period, team)
    if template is None:
        raise ValidationError({"template": _("Choose the criteria template to start from.")})
    evaluation = Evaluation.objects.create(
        office=office,
        year=year,
        kind=kind,
        title=text(title, "title", _("Give the evaluation's title.")),
        description=(description or "").strip(),
        period=period,
        template=template,
        team=team,
        self_assessment_due=self_assessment_due,
        due=due,
        created_by=by,
    )
    evaluation.areas.set(areas)
    evaluation.tasks.set(tasks)
    evaluation.pilots.set(pilots)
    units = _units_under(office, year, areas, tasks, pilots)
    evaluation.units.set(units)
    criteria = criteria_copy(evaluation, template)
    audit.record(
        actor=by,
        verb="evaluation.created",
        obj=evaluation,
        changes={
            **audit.snapshot(evaluation, ("kind", "year", "title", "team", "period")),
            "template": template.name,
            "areas": [str(a) for a in areas],
            "tasks": [t.code for t in tasks],
            "pilots": [p.code for p in pilots],
            "units": [str(u) for u in units],
            "criteria": len(criteria),
        },
    )
    return evaluation


@transaction.atomic
def evaluation_update(*, evaluation: Evaluation, by, version: int | None = None, **fields):
    """Change an evaluation's particulars (title, purpose, period, team, dates) and, until
    scoring starts, its scope (areas, tasks, pilots: the units under evaluation follow)."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, *CRITERIA_EDITABLE, EvaluationStatus.SCORING)
    if version is not None and version != evaluation.version:
        from reformledger.core.exceptions import StaleVersionError

        raise StaleVersionError(_("Someone changed the evaluation since you opened it."))
    unknown = set(fields) - set(EVALUATION_FIELDS) - set(SCOPE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    scope_change = any(f in fields for f in SCOPE_FIELDS)
    if scope_change and evaluation.status not in CRITERIA_EDITABLE:
        raise ValidationError({"tasks": _("The scope is fixed once scoring has started.")})
    fixed_team = "team" in fields and evaluation.status not in CRITERIA_EDITABLE
    if fixed_team and fields["team"] != evaluation.team:
        raise ValidationError({"team": _("The team is fixed once scoring has started.")})
    areas = list(fields.pop("areas", evaluation.areas.all()))
    tasks = list(fields.pop("tasks", evaluation.tasks.all()))
    pilots = list(fields.pop("pilots", evaluation.pilots.all()))
    _check_scope(
        evaluation.office,
        evaluation.year,
        evaluation.kind,
        areas,
        tasks,
        pilots,
        fields.get("period", evaluation.period),
        fields.get("team", evaluation.team),
    )
    if "title" in fields:
        fields["title"] = text(fields["title"], "title", _("Give the evaluation's title."))
    before = audit.snapshot(evaluation, EVALUATION_FIELDS)
    before_scope = {
        "areas": sorted(str(a) for a in evaluation.areas.all()),
        "tasks": sorted(t.code for t in evaluation.tasks.all()),
        "pilots": sorted(p.code for p in evaluation.pilots.all()),
    }
    for name, value in fields.items():
        setattr(evaluation, name, value)
    evaluation.version += 1
    evaluation.save()
    changes = audit.diff(before, audit.snapshot(evaluation, EVALUATION_FIELDS))
    if scope_change:
        evaluation.areas.set(areas)
        evaluation.tasks.set(tasks)
        evaluation.pilots.set(pilots)
        evaluation.units.set(_units_under(evaluation.office, evaluation.year, areas, tasks, pilots))
        after_scope = {
            "areas": sorted(str(a) for a in areas),
            "tasks": sorted(t.code for t in tasks),
            "pilots": sorted(p.code for p in pilots),
        }
        changes.update(audit.diff(before_scope, after_scope))
    audit.record(actor=by, verb="evaluation.updated", obj=evaluation, changes=changes)
    return evaluation


def _check_criteria(evaluation: Evaluation) -> None:
    nodes = [
        Node(c.pk, c.parent_id, c.name, c.weight, c.max_score) for c in evaluation.criteria.all()
    ]
    check_weights(nodes)


@transaction.atomic
def evaluation_start(*, evaluation: Evaluation, by, note: str = "") -> Evaluation:
    """Open a draft to the units' self-assessments (自评): its criteria must hold (weights
    100 at each level) and a team be assigned; the liaisons of the units are told."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.DRAFT)
    _check_criteria(evaluation)
    if evaluation.team_id is None:
        raise ValidationError({"team": _("Assign a team before opening the evaluation.")})
    move(
        evaluation, EvaluationStatus.SELF_ASSESSMENT, by=by, verb="evaluation.started", reason=note
    )
    for unit in evaluation.units.all():
        tell(
            unit_members(unit, [Role.UNIT_REPORTER]),
            key=f"evaluation:{evaluation.pk}:self:{unit.pk}",
            title=_("Self-assessment due: %(title)s") % {"title": evaluation.title},
            body=_("Write %(unit)s's self-assessment with its evidence.") % {"unit": unit},
            link=link(evaluation, "self-assessments"),
        )
    return evaluation


@transaction.atomic
def evaluation_open_scoring(*, evaluation: Evaluation, by, note: str = "") -> Evaluation:
    """Close the self-assessment stage and open scoring: the criteria are fixed from now
    on; the team is told."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.SELF_ASSESSMENT)
    _check_criteria(evaluation)
    move(evaluation, EvaluationStatus.SCORING, by=by, verb="evaluation.scoring_opened", reason=note)
    if evaluation.team is not None:
        tell(
            evaluation.team.members.filter(is_active=True),
            key=f"evaluation:{evaluation.pk}:scoring:{evaluation.version}",
            title=_("Criteria to score: %(title)s") % {"title": evaluation.title},
            body=_("Score each criterion with its reason, and write the findings."),
            link=link(evaluation),
        )
    return evaluation


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, by, note: str = "") -> Evaluation:
    """The team submits its scores and findings to the office for review: every leaf
    criterion must be scored."""
    permissions.require(by, "score", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.SCORING)
    scores = evaluation_scores(evaluation)
    if scores.missing:
        raise ValidationError(
            {
                "scores": _("Score every criterion first; not yet scored: %(names)s.")
                % {"names": "、".join(c.name for c in scores.missing)}
            }
        )
    move(evaluation, EvaluationStatus.REVIEW, by=by, verb="evaluation.submitted", reason=note)
    from reformledger.orgs.choices import OFFICE_ROLES

    tell(
        unit_members(evaluation.office, list(OFFICE_ROLES)),
        key=f"evaluation:{evaluation.pk}:review:{evaluation.version}",
        title=_("Evaluation to review: %(title)s") % {"title": evaluation.title},
        body=_("The team submitted its scores (total %(total)s) and findings.")
        % {"total": scores.total},
        link=link(evaluation),
    )
    return evaluation


@transaction.atomic
def evaluation_return(*, evaluation: Evaluation, by, reason: str) -> Evaluation:
    """The office sends the scores back to the team with its reason."""
    permissions.require(by, "manage", evaluation)
    reason = text(reason, "reason", _("Say why the evaluation goes back to the team."))
    evaluation = locked(evaluation, EvaluationStatus.REVIEW)
    move(
        evaluation,
        EvaluationStatus.SCORING,
        by=by,
        verb="evaluation.returned",
        reason=reason,
        return_reason=reason,
    )
    if evaluation.team is not None:
        tell(
            evaluation.team.members.filter(is_active=True),
            key=f"evaluation:{evaluation.pk}:returned:{evaluation.version}",
            title=_("Evaluation returned: %(title)s") % {"title": evaluation.title},
            body=reason,
            link=link(evaluation),
        )
    return evaluation


@transaction.atomic
def evaluation_close(*, evaluation: Evaluation, by, conclusion: str = "") -> Evaluation:
    """The office accepts the team's work and closes the evaluation (办结), keeping the
    weighted total it closed with."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, EvaluationStatus.REVIEW)
    scores = evaluation_scores(evaluation)
    if scores.total is None:
        raise ValidationError({"scores": _("Every criterion must be scored before closing.")})
    move(
        evaluation,
        EvaluationStatus.CLOSED,
        by=by,
        verb="evaluation.closed",
        total_score=scores.total,
        conclusion=(conclusion or "").strip(),
        closed_at=business_now(),
        closed_by=by,
        return_reason="",
    )
    return evaluation
